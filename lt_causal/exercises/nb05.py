"""Exercises of notebook 05 (the paper's CIFAR-LT recipe): the size of CIFAR-10-LT at imbalance 50,
the epoch of the first learning-rate drop, and how many few-shot classes CIFAR-10-LT has."""
from __future__ import annotations

from lt_causal.datasets.profiles import FEW_BELOW, shot_groups
from lt_causal.datasets.registry import dataset_info
from lt_causal.exercises.core import Exercise
from lt_causal.training.config import recipe
from lt_causal.schedule import lr_at

DATASET = "cifar10-lt"
IMBALANCE, OTHER_IMBALANCE = 50, 100


def _size_facts() -> dict:
    info = dataset_info(DATASET, imbalance=IMBALANCE)
    n_max, classes = info.train_counts[0], len(info.train_counts)
    other = dataset_info(DATASET, imbalance=OTHER_IMBALANCE).train_counts
    over_c = [int(n_max * (1 / IMBALANCE) ** (i / classes)) for i in range(classes)]
    exact = sum(n_max * (1 / IMBALANCE) ** (i / (classes - 1)) for i in range(classes))
    return {"answer": sum(info.train_counts), "not_floored": exact, "other": sum(other), "full": n_max * classes, "over_c": sum(over_c),
            "counts": ", ".join(str(n) for n in info.train_counts), "imbalance": IMBALANCE,
            "other_imbalance": OTHER_IMBALANCE, "n_max": n_max, "tail": info.train_counts[-1]}


SIZE = Exercise(
    id="05.1", kind="number", tolerance=1.0, example="20000",
    title="How big is CIFAR-10-LT at imbalance 50?",
    question=("At imbalance {other_imbalance}, CIFAR-10-LT keeps {other:,} training images (the title of section 4's figure). How many "
              "does it keep at imbalance **{imbalance}** (same rule, $n_{max} = {n_max}$)? Compute it in a code cell "
              "from the rule, then check."),
    facts=_size_facts,
    why="Per class: {counts}; together {answer:,} images: a milder tail keeps more of every class but the head.",
    hint="n_i = ⌊{n_max} · (1/{imbalance})^(i/9)⌋ for i = 0 … 9, rounded down per class, then summed.",
    mistakes={
        "other": ("That is the size at imbalance {other_imbalance} (the total in section 4's figure); here the tail keeps "
                  "{tail} images."),
        "full": "That is the full, balanced CIFAR-10 training set; the long-tailed split keeps n_i per class.",
        "over_c": "The exponent is i/(C−1) = i/9, so that the last class keeps exactly n_max/imbalance.",
        "not_floored": ("The rule rounds each class **down** (⌊·⌋) before summing: without it the sum is "
                        "{not_floored:,.2f}, a few images more than the {answer:,} images the classes really keep."),
    },
    zh=dict(
        title="不平衡比 50 的 CIFAR-10-LT 有多大？",
        why="各类别：{counts}；共 {answer:,} 张图像：更温和的尾部让除头部外的每个类别都保留更多图像。",
        hint="对 i = 0 … 9，n_i = ⌊{n_max} · (1/{imbalance})^(i/9)⌋，每个类别分别向下取整，再求和。",
        mistakes={
            "other": "这是不平衡比 {other_imbalance} 时的大小（第 4 节图中的总数）；这里尾部保留 {tail} 张图像。",
            "full": "这是完整、均衡的 CIFAR-10 训练集；长尾划分每个类别只保留 n_i 张。",
            "over_c": "指数是 i/(C−1) = i/9，这样最后一个类别恰好保留 n_max / 不平衡比 张。",
            "not_floored": ("规则在求和之前先把每个类别**向下**取整（⌊·⌋）：不取整时和为 {not_floored:,.2f}，"
                            "比各类别实际保留的 {answer:,} 张多出几张。"),
        }),
    solution=("`sum(lc.long_tail_counts(10, {n_max}, {imbalance}))`: the classes keep {counts} images, "
              "**{answer:,}** in all (at imbalance {other_imbalance}: {other:,}). "
              "`python -m lt_causal info --dataset cifar10-lt --imbalance {imbalance}` prints the same."),
)


def _drop_facts() -> dict:
    config = recipe(DATASET, quick=False)
    rates = [lr_at(config, epoch) for epoch in range(config.epochs)]
    drops = [e for e in range(1, config.epochs) if rates[e] < rates[e - 1]]
    return {"answer": drops[0], "second": drops[1], "warmup": config.warmup_epochs, "epochs": config.epochs,
            "lr": config.lr, "decay": config.lr_decay, "lr_after": rates[drops[0]],
            "milestones": " and ".join(f"{m:.0%}" for m in config.milestones)}


DROP = Exercise(
    id="05.2", kind="number", tolerance=0.0, example="100",
    title="When does the learning rate first drop?",
    question=("In the paper's recipe ({epochs} epochs, lr {lr:g} with a {warmup:g}-epoch warm-up, lr × {decay:g} at "
              "{milestones} of the epochs), at which epoch (counted from 0) does the learning rate first "
              "**drop**? This is where notebook 05's test accuracy jumps."),
    facts=_drop_facts,
    why="The first milestone is 60 % of {epochs} epochs: from epoch {answer} the lr is {lr_after:g}.",
    hint="The warm-up raises the lr; the drops come at the milestones, fractions of the total epochs.",
    mistakes={
        "second": "That is the second drop (80 %); the first comes earlier.",
        "warmup": "At epoch {warmup:g} the warm-up ends: the lr stops *rising* there, it does not drop.",
    },
    zh=dict(
        title="学习率第一次下降在什么时候？",
        why="第一个里程碑是 {epochs} 个 epoch 的 60 %：从第 {answer} 个 epoch 起学习率为 {lr_after:g}。",
        hint="预热让学习率上升；下降发生在各个里程碑处，即总 epoch 数的某个比例。",
        mistakes={
            "second": "这是第二次下降（80 %）；第一次更早。",
            "warmup": "在第 {warmup:g} 个 epoch 预热结束：学习率在那里停止*上升*，并没有下降。",
        }),
    solution=("`lc.lr_at(lc.recipe(\"cifar10-lt\"), epoch)` for every epoch: the lr rises during the "
              "{warmup:g}-epoch warm-up to {lr:g}, stays there, and drops to {lr_after:g} at epoch **{answer}** "
              "(60 % of {epochs}), again at epoch {second} (80 %)."),
)


def _few_facts() -> dict:
    counts = dataset_info(DATASET, imbalance=OTHER_IMBALANCE).train_counts
    groups = shot_groups(counts)
    medium = [n for n, g in zip(counts, groups) if g == "medium"]
    return {"answer": groups.count("few"), "medium": groups.count("medium"), "tail": counts[-1],
            "few_below": FEW_BELOW, "imbalance": OTHER_IMBALANCE, "medium_counts": ", ".join(map(str, medium))}


FEW = Exercise(
    id="05.3", kind="number", tolerance=0.0, example="4",
    title="How many few-shot classes?",
    question=("How many **few-shot** classes (fewer than {few_below} training images) does CIFAR-10-LT at "
              "imbalance {imbalance} have?"),
    facts=_few_facts,
    why="Even the tail class keeps {tail} images, more than {few_below}: there is no few-shot class.",
    hint="Compute the tail class's count first: n_max / imbalance.",
    mistakes={
        "medium": ("Those {medium} are the **medium**-shot classes ({medium_counts} images): few-shot means "
                   "fewer than {few_below}."),
    },
    zh=dict(
        title="有多少个少样本类别？",
        why="即使尾部类别也保留 {tail} 张图像，多于 {few_below} 张：没有少样本类别。",
        hint="先算出尾部类别的计数：n_max / 不平衡比。",
        mistakes={
            "medium": "这 {medium} 个是**中样本**类别（{medium_counts} 张图像）：少样本指少于 {few_below} 张。",
        }),
    solution=("The tail class keeps 5000/{imbalance} = {tail} images, and every other class more, so **{answer}** "
              "classes are few-shot. That is why notebook 04's tables on CIFAR-10-LT show an empty few-shot "
              "column and why the hidden check there falls back to the medium group."),
)

EXERCISES = (SIZE, DROP, FEW)
