"""The browser tests' time limits scale with what is measured instead of failing under
load, and Run All waits on progress. No browser needed (not marked ``browser``)."""
from __future__ import annotations

import time

import pytest

import labdriver as lab
import timing


def test_limits_scale_with_the_measured_load_and_the_users_multiplier(monkeypatch):
    c = timing.measure()
    assert c["contention"] >= 1.0 and c["speed"] >= 1.0 and 1.0 <= c["scale"] <= timing.MAX_SCALE
    assert c["scale"] == pytest.approx(min(timing.MAX_SCALE, c["contention"] * c["speed"]), rel=1e-9)
    monkeypatch.setenv(timing.SCALE_ENV, "3")
    assert timing.user_scale() == 3.0
    for bad in ("fast", "0.5", "inf"):
        monkeypatch.setenv(timing.SCALE_ENV, bad)
        with pytest.raises(ValueError, match=timing.SCALE_ENV):
            timing.user_scale()
    monkeypatch.setattr(timing, "calibration", lambda: {"scale": 2.5})
    assert timing.limit_s(100) == 250


def test_contention_is_measured_as_wall_over_cpu_time(monkeypatch):
    """A workload that waits (as it does when other processes hold the cores) reads as contention."""
    monkeypatch.setattr(timing, "_workload", lambda: (sum(range(200_000)), time.sleep(0.05)))
    c = timing.measure()
    assert c["contention"] > 1.5


class FakePage:
    """Just enough of a Playwright page for wait_kernel_idle: prompts from a script of states."""

    def __init__(self, states):
        self.states, self.i = states, 0

    def evaluate(self, _js):
        state = self.states(self.i)
        self.i += 1
        return state

    def wait_for_timeout(self, ms):
        time.sleep(ms / 1000)


def _busy(done: int, total: int = 400):
    prompts = [f"[{k + 1}]:" for k in range(done)] + ["[*]:"] * (total - done)
    return {"status": "Python 3 (ipykernel) | Busy", "prompts": prompts, "dialog": None}


def test_run_all_waits_while_cells_keep_finishing():
    """One cell finishing every ~0.25 s keeps a 1 s stall limit from firing for 3 s."""
    page = FakePage(lambda i: _busy(i) if i < 12 else {"status": "Python 3 (ipykernel) | Idle",
                                                        "prompts": ["[1]:"], "dialog": None})
    start = time.monotonic()
    lab.wait_kernel_idle(page, timeout_ms=20_000, stall_ms=1_000, settle_s=0.3)
    assert time.monotonic() - start >= 2.5


def test_run_all_stops_when_no_cell_finishes():
    page = FakePage(lambda i: _busy(3))
    with pytest.raises(TimeoutError, match="no cell finished for 1 s"):
        lab.wait_kernel_idle(page, timeout_ms=20_000, stall_ms=1_000)
