"""``python -m lt_causal train``: train one method on one long-tailed data set into a run folder."""
from __future__ import annotations

import os

from lt_causal.commands._common import (FOLDER_HELP, add_config_options, add_recipe_options, add_splits_option,
                                        config_options, recipe_overrides, require_folder)
from lt_causal.datasets.registry import DATASETS
from lt_causal.training.config import TrainConfig, field_help, recipe

# the TrainConfig fields train sets from options of their own name (beside the recipe options)
TRAIN_FIELDS = ("imbalance", "profile", "method", "arch", "momentum", "direction_mu", "weight_decay", "seed",
                "precision", "compile_mode", "checkpoint_every", "schedule", "image_size", "workers")


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model on a long-tailed data set",
                       description="Train with the paper's recipe for the data set; options override it. "
                                   "Running the same command again resumes from the last checkpoint.")
    p.add_argument("--dataset", choices=DATASETS, default="mnist-lt")
    p.add_argument("--folder", help=FOLDER_HELP)
    add_splits_option(p)
    add_config_options(p, TRAIN_FIELDS[:4])
    add_recipe_options(p)
    add_config_options(p, TRAIN_FIELDS[4:])
    p.add_argument("--no-cuda-graph", dest="cuda_graph", action="store_false", default=None,
                   help=f"do not: {field_help('cuda_graph')}")
    p.add_argument("--from-run", metavar="RUN",
                   help="decoupling methods (crt, lws, ncm, tau-norm, logit-adjust): take the backbone of "
                        "this finished ce run instead of training the first stage again")
    p.add_argument("--out", help="run directory (default: runs/<dataset>-r<imbalance>-<method>-e<epochs>-s<seed>)")
    p.set_defaults(func=run)


def config_from_args(args):
    """The recipe of ``--dataset`` with the options given on the command line (and only those)."""
    require_folder(args.dataset, args.folder)
    options = {**config_options(args, TRAIN_FIELDS), "folder_root": args.folder, "splits": args.splits,
               "cuda_graph": args.cuda_graph, "out": args.out}
    options = {**{k: v for k, v in options.items() if v is not None}, **recipe_overrides(args)}
    config = recipe(args.dataset, quick=args.quick, **options)
    return config if args.out else config.named(quick=args.quick)


def run(args) -> int:
    from lt_causal.commands.evaluate import print_selection, print_table
    from lt_causal.training.distributed import launched_world_size
    from lt_causal.training.stages import decouple, decoupled_config
    from lt_causal.training.trainer import train

    if args.from_run:
        out = args.out or decoupled_config(args.from_run, args.method or TrainConfig.method).named(quick=args.quick).out
        result = decouple(args.from_run, args.method or TrainConfig.method, out)
        print(f"run written to {out}")
        print_table(result, result.report_alphas())
        return 0
    config = config_from_args(args)
    result = train(config)
    if launched_world_size() > 1 and int(os.environ.get("RANK", "0")) != 0:
        return 0   # under torchrun only rank 0 reports
    print(f"run written to {config.out}")
    print_table(result, result.report_alphas(config.alpha))   # a TDE row for the normalised heads
    print_selection(result)
    return 0
