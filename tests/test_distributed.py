"""Data-parallel training under torchrun: 2 gloo processes on mnist-lt end with the same model."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lt_causal.training.distributed import DistContext, resolve_device, setup

WORKER = Path(__file__).with_name("ddp_worker.py")


@pytest.fixture(scope="module")
def ddp_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("ddp")
    env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME=os.environ.get("GLOO_SOCKET_IFNAME", "lo"))
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(WORKER), str(out)], capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", ["plain", "fast"])
def test_both_ranks_end_with_identical_weights_and_direction(ddp_out, name):
    r0, r1 = (torch.load(ddp_out / f"{name}-rank{r}.pt", weights_only=True) for r in (0, 1))
    assert r0["model"].keys() == r1["model"].keys()
    for key in r0["model"]:   # parameters, BatchNorm statistics (averaged) and the head direction
        assert torch.equal(r0["model"][key], r1["model"][key]), key
    assert torch.equal(r0["direction"], r1["direction"]) and r0["direction"].abs().sum() > 0
    assert torch.equal(r0["features"], r1["features"])
    assert r0["history"][0]["loss"] == r1["history"][0]["loss"]   # loss summed over both ranks


@pytest.mark.parametrize("name", ["plain", "fast"])
def test_rank0_writes_the_run_directory(ddp_out, name):
    files = sorted(p.name for p in (ddp_out / f"run-{name}").iterdir())
    assert files == ["checkpoint.pt", "config.json", "features.pt", "history.csv", "metrics.json"]


def test_shards_split_the_global_batch():
    parts = [DistContext(rank=r, world=4).shard(64) for r in range(4)]
    assert [(s.start, s.stop) for s in parts] == [(0, 16), (16, 32), (32, 48), (48, 64)]
    with pytest.raises(ValueError, match="batch_size 66 cannot be split into 4"):
        DistContext(world=4).local_batch(66)


def test_single_process_context_is_a_no_op(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    ctx = setup("cpu")
    t = torch.ones(3)
    assert not ctx.enabled and ctx.is_main and torch.equal(ctx.mean_(t), torch.ones(3))
    assert ctx.wrap(torch.nn.Linear(2, 2)).__class__ is torch.nn.Linear


@pytest.mark.parametrize("device,message", [("tpu", "unknown device 'tpu'"), ("meta", "not supported"),
                                            ("cuda:7", "cuda:7")])
def test_bad_device_is_one_value_error(device, message):
    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has 8 GPUs")
    with pytest.raises(ValueError, match=message):
        resolve_device(device)
