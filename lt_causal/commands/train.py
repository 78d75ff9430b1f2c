"""``python -m lt_causal train``: train one method on one long-tailed data set into a run folder."""
from __future__ import annotations

import os

from lt_causal.commands._common import (FOLDER_HELP, add_recipe_options, add_splits_option, recipe_overrides,
                                        require_folder)
from lt_causal.datasets.profiles import PROFILES
from lt_causal.datasets.registry import DATASETS
from lt_causal.methods.registry import METHODS
from lt_causal.models.backbones import ARCHS
from lt_causal.precision import PRECISIONS
from lt_causal.training.config import COMPILE_MODES, SCHEDULES, TrainConfig, recipe


def register(sub) -> None:
    p = sub.add_parser("train", help="train a model on a long-tailed data set",
                       description="Train with the paper's recipe for the data set; options override it. "
                                   "Running the same command again resumes from the last checkpoint.")
    p.add_argument("--dataset", choices=DATASETS, default="mnist-lt")
    p.add_argument("--folder", help=FOLDER_HELP)
    add_splits_option(p)
    p.add_argument("--imbalance", type=float, help="n_max / n_min (default 100)")
    p.add_argument("--profile", choices=PROFILES, help="long-tail profile (default exp)")
    p.add_argument("--method", choices=tuple(METHODS), help="default deconfound")
    p.add_argument("--arch", choices=ARCHS, help="default: the data set's (resnet32, small-cnn for mnist-lt)")
    add_recipe_options(p)
    p.add_argument("--momentum", type=float, help="SGD momentum μ, also the head-direction decay (default 0.9)")
    p.add_argument("--direction-mu", type=float, help="decouple the head-direction decay from μ")
    p.add_argument("--weight-decay", type=float)
    p.add_argument("--seed", type=int, help="default 0")
    p.add_argument("--precision", choices=PRECISIONS,
                   help="auto (default): bf16 autocast + channels_last where the GPU or CPU has native bf16, else fp32")
    p.add_argument("--compile-mode", choices=COMPILE_MODES, help="torch.compile mode of --fast (default: default)")
    p.add_argument("--no-cuda-graph", dest="cuda_graph", action="store_false", default=None,
                   help="with --fast on CUDA: do not replay the step as one CUDA graph")
    p.add_argument("--checkpoint-every", type=int, help="write checkpoint.pt every N epochs (default 1)")
    p.add_argument("--schedule", choices=SCHEDULES,
                   help="lr decay after the warm-up (default: the recipe's; cosine for imagenet-lt / places-lt)")
    p.add_argument("--image-size", type=int,
                   help="imagenet-lt / places-lt: crop side in pixels (default 224; test resize scales with it)")
    p.add_argument("--workers", type=int, help="imagenet-lt / places-lt: image-decoding processes per GPU (default 8)")
    p.add_argument("--from-run", metavar="RUN",
                   help="decoupling methods (crt, lws, ncm, tau-norm, logit-adjust): take the backbone of "
                        "this finished ce run instead of training the first stage again")
    p.add_argument("--out", help="run directory (default: runs/<dataset>-r<imbalance>-<method>-e<epochs>-s<seed>)")
    p.set_defaults(func=run)


def config_from_args(args):
    """The recipe of ``--dataset`` with the options given on the command line (and only those)."""
    require_folder(args.dataset, args.folder)
    options = {"imbalance": args.imbalance, "profile": args.profile, "method": args.method, "arch": args.arch,
               "momentum": args.momentum, "direction_mu": args.direction_mu, "weight_decay": args.weight_decay,
               "seed": args.seed, "folder_root": args.folder, "precision": args.precision,
               "compile_mode": args.compile_mode, "cuda_graph": args.cuda_graph,
               "checkpoint_every": args.checkpoint_every, "out": args.out, "schedule": args.schedule,
               "image_size": args.image_size, "workers": args.workers, "splits": args.splits}
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
