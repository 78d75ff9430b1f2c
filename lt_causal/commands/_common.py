"""What several commands share (a module whose name starts with ``_`` is not a command)."""
from __future__ import annotations

from lt_causal.datasets.registry import SPLIT_LIST_DATASETS

FOLDER_HELP = ("image tree ROOT/{train,test}/<class>/* for --dataset folder; the image root of "
               "--dataset imagenet-lt / places-lt")
SPLITS_HELP = ("folder holding the split files ImageNet_LT_{train,val,test}.txt (--dataset imagenet-lt) or "
               "Places_LT_{train,val,test}.txt (places-lt), from the OLTR project (default: --folder)")


def add_splits_option(p) -> None:
    """``--splits DIR``: where the split files of ``imagenet-lt`` / ``places-lt`` are."""
    p.add_argument("--splits", metavar="DIR", help=SPLITS_HELP)


def require_folder(dataset: str, folder) -> None:
    """``--dataset folder``, ``imagenet-lt`` and ``places-lt`` need ``--folder``: one ValueError saying so."""
    if dataset == "folder" and not folder:
        raise ValueError("--dataset folder needs --folder ROOT (a tree ROOT/train/<class>/*, ROOT/test/<class>/*)")
    if dataset in SPLIT_LIST_DATASETS and not folder:
        raise ValueError(f"--dataset {dataset} needs --folder ROOT (the image root the split files' paths "
                         "start from) and --splits DIR (the split files; default: ROOT)")


def add_recipe_options(p) -> None:
    """The options ``train`` and ``reproduce`` share: recipe fields overridden for every run."""
    p.add_argument("--epochs", type=int, help="override the recipe's epochs (200 for CIFAR, 30 for mnist-lt)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--warmup-epochs", type=float, help="linear warm-up length (recipe: 5 for CIFAR)")
    p.add_argument("--eval-every", type=int, help="test accuracy every N epochs (and at the end)")
    p.add_argument("--alpha", type=float, help="TDE strength reported beside alpha = 0 (default: the recipe's)")
    p.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    p.add_argument("--data-root", help="cache folder for downloads (default: data/ or $LT_CAUSAL_DATA_ROOT)")
    p.add_argument("--fast", action="store_true", default=None,
                   help="fast path: fused step, torch.compile, whole-step CUDA graph (lt_causal.training.fast_step)")
    p.add_argument("--quick", action="store_true", default=None, help="tiny configuration (also: LT_CAUSAL_QUICK=1)")


def recipe_overrides(args) -> dict:
    """The options of :func:`add_recipe_options` that were given, as TrainConfig fields."""
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
             "warmup_epochs": args.warmup_epochs, "eval_every": args.eval_every, "alpha": args.alpha,
             "device": args.device, "data_root": args.data_root, "fast": args.fast}
    return {k: v for k, v in given.items() if v is not None}
