"""``python -m lt_causal info --dataset cifar10-lt --imbalance 100``: per-class train counts of a
long-tailed data set (docs/method.md §5) with their shot groups, without downloading anything."""
from __future__ import annotations

from lt_causal.commands._common import FOLDER_HELP, require_folder
from lt_causal.datasets.profiles import PROFILES, SHOT_GROUPS
from lt_causal.datasets.registry import DATASETS


def register(sub) -> None:
    p = sub.add_parser("info", help="per-class train counts of a long-tailed data set (no download)",
                       description="Print the number of training images each class keeps under the "
                                   "long-tail profile, its shot group and the totals.")
    p.add_argument("--dataset", choices=DATASETS, default="cifar10-lt")
    p.add_argument("--imbalance", type=float, default=100.0, help="n_max / n_min (default 100; 1 = balanced)")
    p.add_argument("--profile", choices=PROFILES, default="exp")
    p.add_argument("--folder", help=FOLDER_HELP + " (files are counted, not decoded)")
    p.set_defaults(func=run)


def format_info(info) -> str:
    """The table printed by ``info``: index, class, train count, shot group; then totals."""
    from lt_causal.datasets.profiles import shot_groups

    groups = shot_groups(info.train_counts)
    width = max(5, *(len(c) for c in info.classes))
    ratio = max(info.train_counts) / min(info.train_counts)
    lines = [f"{info.name}: {info.profile} profile, imbalance {ratio:g} "
             f"({len(info.classes)} classes; train counts, head first)",
             f"{'label':>5}  {'class':<{width}}  {'train':>6}  group"]
    for i, (name, n, g) in enumerate(zip(info.classes, info.train_counts, groups)):
        lines.append(f"{i:>5}  {name:<{width}}  {n:>6}  {g}")
    per_group = ", ".join(f"{g} {groups.count(g)}" for g in SHOT_GROUPS)
    lines.append(f"total: {sum(info.train_counts)} train images, {sum(info.test_counts)} test images; "
                 f"classes per shot group: {per_group}")
    return "\n".join(lines)


def run(args) -> int:
    from lt_causal.datasets.registry import dataset_info

    require_folder(args.dataset, args.folder)
    info = dataset_info(args.dataset, args.imbalance, args.profile, root=args.folder)
    print(format_info(info))
    return 0
