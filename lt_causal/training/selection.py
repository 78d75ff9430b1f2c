"""The official protocol of the split-list data sets (ImageNet-LT, Places-LT; docs/method.md §9):
evaluate on **val** every ``eval_every`` epochs, keep the weights of the epoch that is best on val,
and report the **test** split with those weights; the α sweep of Fig. 4 is computed on val.

    selection = Selection.resume(run_dir)               # best so far (best.pt), or none
    acc = val_accuracy(model, data, config, ctx)        # top-1 % on val, each rank its 1/W shard
    selection.update(model, epoch, acc, run_dir)        # a new best: weights copied, best.pt written
    run = finish_streamed(model, data, config, history, run_dir, selection)   # test at that epoch

Val accuracy is measured at the configured α for a method that reports TDE (the deployed model,
as the official code validates it), else at α = 0. The run folder records the choice in
``selection.json`` and keeps ``val_features.pt`` for the α sweep on val
(:func:`lt_causal.evaluation.val_runs.load_val_run`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch

from lt_causal.checkpoint import BEST, SELECTION, VAL_FEATURES, load_checkpoint, save_checkpoint, save_json
from lt_causal.evaluation.runs import TrainedRun, save_history
from lt_causal.methods.registry import get_method
from lt_causal.models.ltmodel import extract_features
from lt_causal.training.stages import run_second_stage


def selection_alpha(config) -> float:
    """The α at which val accuracy selects the epoch: the configured α for a TDE method, else 0."""
    return float(config.alpha) if get_method(config.method).reports_tde else 0.0


def split_features(model, data, split: str, config, ctx=None) -> tuple[torch.Tensor, torch.Tensor]:
    """(features on the CPU, labels) of a split through the test-time transform, in eval mode; with
    a data-parallel ``ctx`` only this rank's shard (every W-th image from the rank's index)."""
    from lt_causal.datasets.split_list import make_loader

    n = len(data.items(split))
    sampler = list(range(ctx.rank, n, ctx.world)) if ctx is not None and ctx.enabled else None
    loader = make_loader(data, split, config.eval_batch_size, workers=config.workers, train=False,
                         sampler=sampler, pin_memory=next(model.parameters()).device.type == "cuda")
    feats, labels = [], []
    for x, y in loader:
        feats.append(extract_features(model, x, data.mean, data.std, len(x), config.precision))
        labels.append(y)
    return torch.cat(feats), torch.cat(labels)


@torch.no_grad()
def val_accuracy(model, data, config, ctx) -> float:
    """Top-1 val accuracy (%) at :func:`selection_alpha`, summed over the ranks' shards."""
    feats, labels = split_features(model, data, "val", config, ctx)
    device = next(model.parameters()).device
    logits = model.head(feats.to(device), model.direction.moving_sum, selection_alpha(config))
    counts = torch.tensor([(logits.argmax(1).cpu() == labels).sum().item(), len(labels)],
                          dtype=torch.float64, device=ctx.device)
    ctx.sum_(counts)
    return 100.0 * counts[0].item() / counts[1].item()


@dataclass
class Selection:
    """The epoch best on val so far: its number (1-based; 0: none yet), val accuracy, weights (CPU)."""

    epoch: int = 0
    val_acc: float = float("-inf")
    state: dict | None = None

    @classmethod
    def resume(cls, run_dir) -> "Selection":
        """The best epoch recorded in ``run_dir`` (best.pt), or none."""
        path = Path(run_dir) / BEST if run_dir is not None else None
        if path is None or not path.is_file():
            return cls()
        blob = load_checkpoint(path, keys=("model", "epoch", "val_acc"))
        return cls(int(blob["epoch"]), float(blob["val_acc"]), blob["model"])

    def update(self, model, epoch: int, val_acc: float, run_dir=None) -> bool:
        """Keep ``model``'s weights if ``val_acc`` beats the best so far (the earlier epoch wins a
        tie); rank 0 (``run_dir`` given) writes best.pt. Whether it was a new best."""
        if not val_acc > self.val_acc:
            return False
        self.epoch, self.val_acc = epoch, val_acc
        self.state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        if run_dir is not None:
            save_checkpoint({"model": self.state, "epoch": epoch, "val_acc": val_acc}, Path(run_dir) / BEST)
        return True

    def record(self, config, epochs_evaluated: list[int]) -> dict:
        """What selection.json says: the split, the selected epoch, its val accuracy and α."""
        return {"split": "val", "epoch": self.epoch, "val_acc": self.val_acc, "alpha": selection_alpha(config),
                "epochs": config.epochs, "epochs_evaluated": epochs_evaluated,
                "rule": "top-1 accuracy on val at alpha; the test split is reported with this epoch's weights"}


def finish_streamed(model, data, config, history: list, run_dir, selection: Selection,
                    progress: bool = False) -> TrainedRun:
    """The run of a split-list data set: the selected epoch's weights, the method's second stage
    if it has one (on the train split's test-time features), the test and val features; written
    into ``run_dir`` (features.pt, metrics.json, history.csv, val_features.pt, selection.json)."""
    if selection.state is not None:
        model.load_state_dict(selection.state)
    model = run_second_stage(model, data, config, progress, lambda: split_features(model, data, "train", config))
    test_feats, test_labels = split_features(model, data, "test", config)
    val_feats, val_labels = split_features(model, data, "val", config)
    model = model.cpu()
    run = TrainedRun(config.to_dict(), list(data.classes), list(data.train_counts), test_feats, test_labels,
                     model.head, model.direction.moving_sum.detach().clone(), pd.DataFrame(history),
                     Path(run_dir) if run_dir is not None else None)
    if run_dir is not None:
        run.save()
        save_history(history, run_dir)
        save_checkpoint({"features": val_feats, "labels": val_labels}, Path(run_dir) / VAL_FEATURES)
        evaluated = [int(h["epoch"]) for h in history if h.get("val_acc") is not None]
        save_json(selection.record(config, evaluated), Path(run_dir) / SELECTION)
    return run
