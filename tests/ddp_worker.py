"""Run by tests/test_distributed.py under ``torchrun --nproc_per_node 2``: trains tiny mnist-lt
configurations data-parallel (gloo) and saves each rank's final model to OUT/<name>-rank<r>.pt."""
import os
import sys

import torch
import torch.distributed as dist

from lt_causal.training.config import recipe
from lt_causal.datasets.registry import load_dataset
from lt_causal.training.trainer import train


def main(out: str) -> None:
    dist.init_process_group("gloo")   # owned here, so train() reuses it for both runs
    rank = dist.get_rank()
    data = load_dataset("mnist-lt", imbalance=100)
    for name, fast in (("plain", False), ("fast", True)):
        final = {}
        config = recipe("mnist-lt", epochs=1, batch_size=64, fast=fast, compile_mode="none",
                        out=os.path.join(out, f"run-{name}"))
        keep = lambda info: final.update(model={k: v.clone() for k, v in info["model"].state_dict().items()})
        run = train(config, data=data, progress=False, callback=keep)
        torch.save({"model": final["model"], "direction": run.direction, "features": run.test_features,
                    "history": run.history.to_dict("records")}, os.path.join(out, f"{name}-rank{rank}.pt"))
    dist.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
