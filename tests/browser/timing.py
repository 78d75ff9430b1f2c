"""Time limits of the browser tests that scale with the machine instead of failing under load.

Every limit is a base value (what the step needs on an idle 2-core laptop, with room to spare)
times :func:`time_scale`, measured once per session:

- **contention**: a short single-threaded torch workload's wall time over its CPU time. On an
  idle machine the two are equal (1.0); when other processes share the cores (a training job, a
  second test run) the workload waits for a core and the ratio grows — 2.0 means everything
  here runs about half as fast;
- **speed**: the workload's CPU time over :data:`REFERENCE_CPU_S`, its CPU time on the 2-core
  machine the base values were measured on (never below 1: a faster machine keeps the limits);
- ``$LT_CAUSAL_TEST_TIME_SCALE``: a multiplier of your own (default 1), e.g. 3 on a slow CI runner.

Run All also waits on *progress*, not on a total: it fails only when no cell has finished for
:data:`RUN_ALL_STALL_S` × scale seconds (a notebook that keeps finishing cells is never cut off),
or after the per-test limit.
"""
from __future__ import annotations

import os
import time
from functools import lru_cache

REFERENCE_CPU_S = 0.17     # the workload's CPU seconds on the reference 2-core machine
MAX_SCALE = 12.0
SCALE_ENV = "LT_CAUSAL_TEST_TIME_SCALE"

# base limits (seconds, idle 2-core machine, quick mode)
TEST_S = 420               # one browser test (pytest-timeout), including its notebook's Run All
RUN_ALL_STALL_S = 150      # the longest a single quick-mode cell may run (notebook 07's training)
RUN_ALL_TOTAL_S = 360      # a whole Run All


def _workload() -> None:
    import torch

    torch.manual_seed(0)
    x = torch.randn(64, 3, 28, 28)
    conv = torch.nn.Conv2d(3, 16, 3)
    for _ in range(40):
        conv(x).relu().sum().backward()
    total = 0
    for i in range(700_000):         # and some plain Python, as the notebooks' glue code
        total += i % 7


def measure() -> dict:
    """Run the workload (single-threaded, best of 2) and return contention, speed and scale."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _workload()                                   # warm-up: imports, allocator
        best = None
        for _ in range(2):
            wall0, cpu0 = time.perf_counter(), time.process_time()
            _workload()
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            if best is None or wall < best[0]:
                best = (wall, max(cpu, 1e-6))
    finally:
        torch.set_num_threads(threads)
    wall, cpu = best
    contention = max(1.0, wall / cpu)
    speed = max(1.0, cpu / REFERENCE_CPU_S)
    user = user_scale()
    scale = min(MAX_SCALE, contention * speed * user)
    return {"wall_s": wall, "cpu_s": cpu, "contention": contention, "speed": speed, "user": user,
            "scale": max(1.0, scale)}


def user_scale() -> float:
    """``$LT_CAUSAL_TEST_TIME_SCALE`` as a number ≥ 1 (a bad value is an error naming it)."""
    raw = os.environ.get(SCALE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"${SCALE_ENV} must be a number >= 1, got {raw!r}") from None
    if not value >= 1.0 or value == float("inf"):
        raise ValueError(f"${SCALE_ENV} must be a finite number >= 1, got {raw!r}")
    return value


@lru_cache(maxsize=1)
def calibration() -> dict:
    """:func:`measure`, once per session."""
    return measure()


def time_scale() -> float:
    return calibration()["scale"]


def limit_s(base_s: float) -> float:
    """``base_s`` scaled to this machine and its current load."""
    return base_s * time_scale()


def describe() -> str:
    c = calibration()
    return (f"browser-test time limits x{c['scale']:.2f} (contention {c['contention']:.2f}: "
            f"workload {c['wall_s']:.2f} s wall / {c['cpu_s']:.2f} s CPU; speed {c['speed']:.2f}; "
            f"${SCALE_ENV} {c['user']:g}): one test {limit_s(TEST_S):.0f} s, Run All "
            f"{limit_s(RUN_ALL_TOTAL_S):.0f} s, no cell finishing for {limit_s(RUN_ALL_STALL_S):.0f} s")
