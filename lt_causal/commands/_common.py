"""What several commands share (a module whose name starts with ``_`` is not a command)."""
from __future__ import annotations

import dataclasses

from lt_causal.datasets.profiles import PROFILES
from lt_causal.datasets.registry import SPLIT_LIST_DATASETS
from lt_causal.methods.registry import METHODS
from lt_causal.models.backbones import ARCHS
from lt_causal.precision import PRECISIONS
from lt_causal.training.config import COMPILE_MODES, SCHEDULES, TrainConfig, field_help

# the options generated from TrainConfig's fields: each is --name-with-dashes, typed and helped by its field
RECIPE_FIELDS = ("epochs", "batch_size", "lr", "warmup_epochs", "eval_every", "alpha", "device", "data_root", "fast")
CHOICES = {"profile": PROFILES, "method": tuple(METHODS), "arch": ARCHS, "precision": PRECISIONS,
           "compile_mode": COMPILE_MODES, "schedule": SCHEDULES}
_TYPES = {"int": int, "float": float, "str": str}

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


def add_config_options(p, names) -> None:
    """One option per TrainConfig field of ``names``, generated from the field: ``--batch-size``
    for ``batch_size``, its type, its choices (:data:`CHOICES`) and its help text
    (:func:`~lt_causal.training.config.field_help`); a bool field is a flag that sets it."""
    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    for name in names:
        flag, kind = "--" + name.replace("_", "-"), fields[name].type.split(" | ")[0]
        if kind == "bool":
            p.add_argument(flag, action="store_true", default=None, help=field_help(name))
        else:
            p.add_argument(flag, dest=name, type=_TYPES[kind], choices=CHOICES.get(name),
                           help=f"{field_help(name)} (default: the recipe's)")


def config_options(args, names) -> dict:
    """The options of :func:`add_config_options` that were given, as TrainConfig fields."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def add_recipe_options(p) -> None:
    """The options ``train`` and ``reproduce`` share: recipe fields overridden for every run."""
    add_config_options(p, RECIPE_FIELDS)
    p.add_argument("--quick", action="store_true", default=None, help="tiny configuration (also: LT_CAUSAL_QUICK=1)")


def recipe_overrides(args) -> dict:
    """The options of :func:`add_recipe_options` that were given, as TrainConfig fields."""
    return config_options(args, RECIPE_FIELDS)
