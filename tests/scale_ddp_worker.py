"""Run by tests/test_scale_training.py under ``torchrun --nproc_per_node 2`` (gloo, CPU): on a
miniature ImageNet-LT tree, trains run A for one epoch of two and stops (an interruption), and
resumes run B (started by the test with one process) to the end; saves each rank's final weights
of B to OUT/b-rank<r>.pt.

    python -m torch.distributed.run --standalone --nproc_per_node 2 tests/scale_ddp_worker.py ROOT OUT
"""
import os
import sys

import torch
import torch.distributed as dist

from lt_causal.datasets.split_list import load_split_lists
from lt_causal.training.config import recipe
from lt_causal.training.trainer import train


class Interrupted(Exception):
    """Raised by the callback after the first epoch: the run stops as if the machine went away."""


def stop_after_first_epoch(info: dict) -> None:
    if info["epoch"] == 1:
        raise Interrupted


def config(out: str):
    return recipe("imagenet-lt", quick=True, epochs=2, device="cpu", out=out)


def main(root: str, out: str) -> None:
    dist.init_process_group("gloo")   # owned here, so train() reuses it for both runs
    rank = dist.get_rank()
    data = load_split_lists("imagenet-lt", root)
    try:
        train(config(os.path.join(out, "run-a")), data=data, progress=False, callback=stop_after_first_epoch)
    except Interrupted:
        pass
    final = {}
    keep = lambda info: final.update(model={k: v.clone() for k, v in info["model"].state_dict().items()})
    run = train(config(os.path.join(out, "run-b")), data=data, progress=False, callback=keep)
    torch.save({"model": final["model"], "features": run.test_features},
               os.path.join(out, f"b-rank{rank}.pt"))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
