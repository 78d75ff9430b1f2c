"""``python -m lt_causal info --dataset cifar10-lt --imbalance 100``: per-class train counts of a
long-tailed data set (docs/method.md §5) with their shot groups, without downloading anything.

``--dataset imagenet-lt --folder ROOT --splits DIR`` reads the split files (no image is opened)
and prints the classes head first, the images per split and the classes per shot group;
``--check-images`` also lists every image the split files name that is not on disk (exit code 1).
"""
from __future__ import annotations

from lt_causal.commands._common import FOLDER_HELP, add_splits_option, require_folder
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
    add_splits_option(p)
    p.add_argument("--check-images", action="store_true",
                   help="imagenet-lt / places-lt: list every listed image missing under --folder (exit 1 if any)")
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


def format_split_info(info) -> str:
    """``info`` of a split-list data set: classes head first (with their labels), then the totals
    per split and the classes (and train images) per shot group."""
    from lt_causal.datasets.profiles import head_to_tail, shot_groups

    counts, groups = info.train_counts, shot_groups(info.train_counts)
    val = info.val_counts or [0] * len(counts)
    width = max(5, *(len(c) for c in info.classes))
    lines = [f"{info.name}: split lists, {len(info.classes)} classes, imbalance {info.imbalance:g} "
             f"(train {max(counts):,} ... {min(counts):,} per class; rows head first, labels are not)",
             f"{'label':>5}  {'class':<{width}}  {'train':>6}  {'val':>5}  {'test':>5}  group"]
    for c in head_to_tail(counts).tolist():
        lines.append(f"{c:>5}  {info.classes[c]:<{width}}  {counts[c]:>6}  {val[c]:>5}  "
                     f"{info.test_counts[c]:>5}  {groups[c]}")
    per_group = ", ".join(f"{g} {groups.count(g)} ({sum(n for n, h in zip(counts, groups) if h == g):,} "
                          "train images)" for g in SHOT_GROUPS)
    lines.append(f"total: {sum(counts):,} train, {sum(val):,} val, {sum(info.test_counts):,} test images; "
                 f"{len(info.classes):,} classes, train {max(counts):,} ... {min(counts):,} per class")
    lines.append(f"classes per shot group (train > 100, 20-100, < 20): {per_group}")
    return "\n".join(lines)


def report_missing(dataset: str, root, splits) -> int:
    """Print every missing image of the three splits; 1 if any is missing, else 0."""
    from lt_causal.datasets.split_list import SPLITS, check_images, load_split_lists

    data = load_split_lists(dataset, root, splits)
    missing = {s: check_images(data, s) for s in SPLITS}
    listed = len(data.train) + len(data.val) + len(data.test)
    total = sum(len(m) for m in missing.values())
    if not total:
        print(f"images: all {listed:,} listed images are present under {data.root}")
        return 0
    for split in SPLITS:
        for path in missing[split]:
            print(f"missing ({split}): {path}")
    counts = ", ".join(f"{split} {len(missing[split]):,}" for split in SPLITS)
    print(f"images: {total:,} of {listed:,} listed images are missing under {data.root} ({counts})")
    return 1


def run(args) -> int:
    from lt_causal.datasets.registry import SPLIT_LIST_DATASETS, dataset_info

    require_folder(args.dataset, args.folder)
    split_list = args.dataset in SPLIT_LIST_DATASETS
    if args.check_images and not split_list:
        raise ValueError(f"--check-images needs --dataset {' or '.join(SPLIT_LIST_DATASETS)}")
    info = dataset_info(args.dataset, args.imbalance, args.profile, root=args.folder, splits=args.splits)
    print(format_split_info(info) if split_list else format_info(info))
    return report_missing(args.dataset, args.folder, args.splits) if args.check_images else 0
