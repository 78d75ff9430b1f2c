"""Exercises of notebook 07 (every system): LDAM's margins, the class-balanced loss's weights, and
which shot group MNIST-LT loses at imbalance 10."""
from __future__ import annotations

from lt_causal.datasets.profiles import FEW_BELOW, MANY_ABOVE, SHOT_GROUPS, shot_groups
from lt_causal.datasets.registry import dataset_info
from lt_causal.exercises.core import Exercise
from lt_causal.methods.losses import class_balanced_weights, ldam_margins

IMBALANCE, MILD = 100, 10
BETA = 0.999


def _counts(imbalance):
    return dataset_info("mnist-lt", imbalance=imbalance).train_counts


def _margin_facts() -> dict:
    counts = _counts(IMBALANCE)
    m = ldam_margins(counts)
    ratio = float(m[-1] / m[0])
    head, tail = counts[0], counts[-1]
    return {"answer": ratio, "inverse": head / tail, "sqrt": (head / tail) ** 0.5, "upside_down": 1 / ratio,
            "n_head": head, "n_tail": tail}


MARGIN = Exercise(
    id="07.1", kind="number", tolerance=0.01, example="2.5",
    title="LDAM's margins",
    question=("LDAM-DRW gives class $j$ the margin $\\Delta_j \\propto n_j^{-1/4}$. On MNIST-LT at imbalance "
              "100 the head digit has {n_head} training images and the tail digit {n_tail}. How many times larger is "
              "the tail's margin than the head's?"),
    facts=_margin_facts,
    why=("(n_head / n_tail)^(1/4) = ({n_head}/{n_tail})^(1/4) = {answer:.2f}: rare classes get wider margins, "
         "but only by a fourth root."),
    hint="Δ_tail / Δ_head = (n_tail / n_head)^(−1/4) = (n_head / n_tail)^(1/4).",
    mistakes={
        "inverse": "That is the ratio of the counts (1/n weighting); LDAM uses the fourth root of it.",
        "sqrt": "That is the square root; LDAM's exponent is −1/4: take the fourth root.",
        "upside_down": "Upside down: the *rarer* class gets the *larger* margin.",
    },
    zh=dict(
        title="LDAM 的间隔",
        why="(n_head / n_tail)^(1/4) = ({n_head}/{n_tail})^(1/4) = {answer:.2f}：稀有类别得到更宽的间隔，但只按四次方根增长。",
        hint="间隔之比 Δ_tail / Δ_head = (n_tail / n_head)^(−1/4) = (n_head / n_tail)^(1/4)。",
        mistakes={
            "inverse": "这是计数之比（按 1/n 加权）；LDAM 用的是它的四次方根。",
            "sqrt": "这是平方根；LDAM 的指数是 −1/4：取四次方根。",
            "upside_down": "颠倒了：*更稀有*的类别得到*更大*的间隔。",
        }),
    solution=("$\\Delta_\\text{tail}/\\Delta_\\text{head} = ({n_head}/{n_tail})^{1/4} = 100^{1/4} =$ **{answer:.2f}**. "
              "`lc.ldam_margins(counts)` scales the margins so that the tail gets 0.5; the head's is then "
              "{answer:.2f} times smaller."),
)


def _weight_facts() -> dict:
    counts = [_counts(IMBALANCE)[0], _counts(IMBALANCE)[-1]]
    w = class_balanced_weights(counts, beta=BETA)
    ratio = float(w[1] / w[0])
    effective = [(1 - BETA ** n) / (1 - BETA) for n in counts]
    return {"answer": ratio, "inverse": counts[0] / counts[1], "one": 1.0, "upside_down": 1 / ratio,
            "beta": BETA, "n_head": counts[0], "n_tail": counts[1], "eff_head": effective[0], "eff_tail": effective[1]}


WEIGHTS = Exercise(
    id="07.2", kind="number", tolerance=0.1, example="50",
    title="The class-balanced loss's weights",
    question=("The class-balanced loss weighs class $c$ by $\\frac{1-\\beta}{1-\\beta^{n_c}}$ (one over the "
              "*effective number* of samples). With $\\beta = {beta:g}$, a head class with {n_head} images and a "
              "tail class with {n_tail}: how many times larger is the tail's weight than the head's?"),
    facts=_weight_facts,
    why=("Effective numbers {eff_head:.1f} and {eff_tail:.2f}: the ratio is {answer:.1f}, less than the {inverse:g} "
         "of plain inverse-frequency weights, because the head's extra images overlap."),
    hint="Compute the effective number (1 − β^n)/(1 − β) of each class first; the weights are their inverses.",
    mistakes={
        "inverse": ("That is plain inverse-frequency weighting (β → 1); with β = {beta:g} the head's effective "
                    "number is only {eff_head:.1f}."),
        "one": "That is β = 0 (every class weighs the same); here β = {beta:g}.",
        "upside_down": "Upside down: the tail, with fewer effective samples, gets the *larger* weight.",
    },
    zh=dict(
        title="class-balanced 损失的权重",
        why=("有效数分别为 {eff_head:.1f} 和 {eff_tail:.2f}：比值为 {answer:.1f}，小于普通频率倒数权重给出的 "
             "{inverse:g}，因为头部多出的图像彼此重叠。"),
        hint="先算出每个类别的有效数 (1 − β^n)/(1 − β)；权重是它们的倒数。",
        mistakes={
            "inverse": "这是普通的频率倒数加权（β → 1）；取 β = {beta:g} 时，头部的有效数只有 {eff_head:.1f}。",
            "one": "这是 β = 0（每个类别权重相同）；这里 β = {beta:g}。",
            "upside_down": "颠倒了：有效样本更少的尾部得到*更大*的权重。",
        }),
    solution=("Effective numbers: head $(1-{beta:g}^{{n_head}})/(1-{beta:g}) = {eff_head:.1f}$, tail "
              "${eff_tail:.2f}$. The weights are their inverses, so the tail weighs **{answer:.1f}** times the head "
              "(`lc.class_balanced_weights([{n_head}, {n_tail}], beta={beta:g})`; the package's default β = 0.9999 is "
              "closer to inverse frequency)."),
)


def _empty_facts() -> dict:
    counts = _counts(MILD)
    groups = shot_groups(counts)
    empty = [g for g in SHOT_GROUPS if g not in groups]
    return {"answer": empty[0] if len(empty) == 1 else None, "n_tail": counts[-1], "n_head": counts[0],
            "imbalance": MILD, "few_below": FEW_BELOW, "many_above": MANY_ABOVE}


EMPTY = Exercise(
    id="07.3", kind="choice", example="\"many\"",
    title="Imbalance 10",
    question=("Notebook 07's first exercise trains every system at imbalance **{imbalance}**. On MNIST-LT (head "
              "digit {n_head} images), which shot group has **no** class at that imbalance?"),
    options={"many": "many", "medium": "medium", "few": "few"},
    aliases={"many-shot": "many", "medium-shot": "medium", "few-shot": "few"},
    facts=_empty_facts,
    why=("The tail keeps {n_head}/{imbalance} = {n_tail} images, at least {few_below}: no class is few-shot, so "
         "the few column is empty."),
    hint="Compute the tail digit's count, n_max / imbalance, and compare it with {few_below} and {many_above}.",
    mistakes={
        "many": "The head digit keeps {n_head} images, more than {many_above}: there are many-shot classes.",
        "medium": "Classes between {few_below} and {many_above} images exist (the tail keeps {n_tail}).",
    },
    zh=dict(
        options={"many": "多样本", "medium": "中样本", "few": "少样本"},
        title="不平衡比 10",
        why="尾部保留 {n_head}/{imbalance} = {n_tail} 张图像，不少于 {few_below} 张：没有少样本类别，所以少样本一列为空。",
        hint="算出尾部数字的计数 n_max / 不平衡比，再与 {few_below} 和 {many_above} 比较。",
        mistakes={
            "many": "头部数字保留 {n_head} 张图像，多于 {many_above}：存在多样本类别。",
            "medium": "存在图像数介于 {few_below} 和 {many_above} 之间的类别（尾部保留 {n_tail} 张）。",
        }),
    solution=("At imbalance {imbalance} the counts run from {n_head} down to {n_head}/{imbalance} = {n_tail}. The tail "
              "has at least {few_below} images, so the **few** group is empty and a table at this imbalance "
              "reports only many and medium: compare the methods' medium-shot gains instead."),
)

EXERCISES = (MARGIN, WEIGHTS, EMPTY)
