"""Exercises of notebook 03 (de-confound training): one causal-norm logit by hand, and how many
training images a middle class of MNIST-LT keeps and which shot group that puts it in."""
from __future__ import annotations

import torch

from lt_causal.datasets.profiles import FEW_BELOW, MANY_ABOVE, shot_group
from lt_causal.datasets.registry import dataset_info
from lt_causal.exercises.core import Exercise
from lt_causal.models.tde import tde_components
from lt_causal.training.config import recipe

WEIGHT, FEATURE = (0.06, 0.08), (2.0, 0.0)
CLASS, IMBALANCE = 5, 100


def _logit_facts() -> dict:
    config = recipe("mnist-lt", method="deconfound")
    w = torch.tensor([WEIGHT], dtype=torch.float64)
    x = torch.tensor([FEATURE], dtype=torch.float64)
    logits, _ = tde_components(x, w, tau=config.tau, gamma=config.gamma, num_heads=1)
    cos = float((w @ x.T).item() / (w.norm() * x.norm()))
    norm = float(w.norm())
    return {"answer": float(logits[0, 0]), "tau": config.tau, "gamma": config.gamma, "cos": cos,
            "w_norm": norm, "factor": norm / (norm + config.gamma), "no_gamma": config.tau * cos,
            "no_tau": float(logits[0, 0]) / config.tau, "linear": float((w @ x.T).item()),
            "w": WEIGHT, "x": FEATURE}


LOGIT = Exercise(
    id="03.1", kind="number", tolerance=0.01, example="5.2",
    title="A causal-norm logit by hand",
    question=("One head ($K = 1$), the paper's $\\tau = {tau:g}$ and $\\gamma = 1/32$. A tail class has the small "
              "weight vector $w = (0.06, 0.08)$ and the feature is $x = (2, 0)$. Compute its logit "
              "$\\tau\\,\\dfrac{w^\\top x}{(\\lVert w\\rVert + \\gamma)\\,\\lVert x\\rVert}$ (two decimals)."),
    facts=_logit_facts,
    why=("τ · cos(x, w) · ‖w‖/(‖w‖+γ) = {tau:g} · {cos:.2f} · {factor:.3f} = {answer:.2f}: with a weight this "
         "short, γ shrinks the logit noticeably."),
    hint="Three factors: τ, the cosine w·x/(‖w‖‖x‖), and ‖w‖/(‖w‖+γ) with ‖w‖ = 0.1.",
    mistakes={
        "no_gamma": ("That is τ · cos(x, w), the cosine classifier (γ = 0). The causal norm divides by "
                     "‖w‖ + γ, not ‖w‖: multiply by ‖w‖/(‖w‖+γ) = {factor:.3f}."),
        "no_tau": ("Right up to the scale: multiply by τ = {tau:g}, which turns cosines into logits softmax "
                   "can separate."),
        "linear": ("That is the plain linear logit w·x. The causal norm normalises both x and w (with γ) and "
                   "scales by τ."),
    },
    zh=dict(
        title="手算一个因果归一化 logit",
        why=("τ · cos(x, w) · ‖w‖/(‖w‖+γ) = {tau:g} · {cos:.2f} · {factor:.3f} = {answer:.2f}：权重这么短时，"
             "γ 会明显缩小 logit。"),
        hint="三个因子：τ、余弦 w·x/(‖w‖‖x‖)，以及 ‖w‖/(‖w‖+γ)，其中 ‖w‖ = 0.1。",
        mistakes={
            "no_gamma": ("这是 τ · cos(x, w)，即余弦分类器（γ = 0）。因果归一化除以的是 ‖w‖ + γ 而不是 ‖w‖："
                         "再乘以 ‖w‖/(‖w‖+γ) = {factor:.3f}。"),
            "no_tau": "只差一个尺度：乘以 τ = {tau:g}，它把余弦变成 softmax 能区分开的 logits。",
            "linear": "这是普通的线性 logit w·x。因果归一化同时归一化 x 和 w（带 γ），再乘以 τ。",
        }),
    solution=("$w^\\top x = {linear:.2f}$, $\\lVert w\\rVert = {w_norm:.2f}$, $\\lVert x\\rVert = 2$, so "
              "$\\cos(x, w) = {cos:.2f}$. The logit is $\\tau\\cos(x, w)\\,\\frac{\\lVert w\\rVert}{\\lVert w\\rVert + "
              "\\gamma} = {tau:g} \\cdot {cos:.2f} \\cdot {factor:.3f} =$ **{answer:.2f}** (the cosine classifier "
              "would give {no_gamma:.2f}). For a head class with $\\lVert w\\rVert = 1$ the factor is 0.97: γ "
              "hardly matters there, and no class can win by growing its weights beyond that."),
)


def _count_facts() -> dict:
    info = dataset_info("mnist-lt", imbalance=IMBALANCE)
    n_max, classes = info.train_counts[0], len(info.train_counts)
    r = 1 / IMBALANCE
    return {"answer": info.train_counts[CLASS], "rounded_up": info.train_counts[CLASS] + 1,
            "over_c": int(n_max * r ** (CLASS / classes)),
            "linear": int(n_max - CLASS * (n_max - n_max * r) / (classes - 1)),
            "exact": n_max * r ** (CLASS / (classes - 1)), "n_max": n_max, "classes": classes,
            "cls": CLASS, "imbalance": IMBALANCE, "r": r, "tail": info.train_counts[-1]}


COUNT = Exercise(
    id="03.2", kind="number", tolerance=0.0, example="120",
    title="How many images does digit 5 keep?",
    question=("`mnist-lt` at imbalance {imbalance} keeps $n_i = \\lfloor n_{max}\\, r^{\\,i/(C-1)} \\rfloor$ "
              "training images of class $i$, with $r = 1/{imbalance}$, $n_{max} = {n_max}$ and $C = {classes}$ "
              "classes (class 0 is the head). How many training images does class {cls} keep?"),
    facts=_count_facts,
    why="{n_max} · {r:g}^({cls}/9) = {exact:.2f}, rounded down: {answer} images.",
    hint="The exponent is i/(C−1) = {cls}/9, and the result is rounded down (⌊·⌋).",
    mistakes={
        "rounded_up": "Rounded the wrong way: {exact:.2f} is rounded **down** (⌊·⌋), as int() does.",
        "over_c": "The exponent is i/(C−1) = {cls}/9, not i/C: class C−1 must end at exactly n_max/imbalance.",
        "linear": "That interpolates linearly from {n_max} to {tail}; the profile is exponential: n_max · r^(i/(C−1)).",
    },
    zh=dict(
        title="数字 5 保留多少张图像？",
        why="{n_max} · {r:g}^({cls}/9) = {exact:.2f}，向下取整：{answer} 张图像。",
        hint="指数是 i/(C−1) = {cls}/9，结果向下取整（⌊·⌋）。",
        mistakes={
            "rounded_up": "取整方向错了：{exact:.2f} 要**向下**取整（⌊·⌋），和 int() 一样。",
            "over_c": "指数是 i/(C−1) = {cls}/9，而不是 i/C：类别 C−1 必须恰好保留 n_max / 不平衡比 张。",
            "linear": "这是从 {n_max} 到 {tail} 的线性插值；分布是指数型的：n_max · r^(i/(C−1))。",
        }),
    solution=("$n_{cls} = \\lfloor {n_max} \\cdot {r:g}^{{cls}/9} \\rfloor = \\lfloor {exact:.2f} \\rfloor =$ "
              "**{answer}**. Check: `lc.dataset_info(\"mnist-lt\", imbalance={imbalance}).train_counts` or "
              "`lc.long_tail_counts({classes}, {n_max}, {imbalance})`."),
)


def _group_facts() -> dict:
    count = dataset_info("mnist-lt", imbalance=IMBALANCE).train_counts[CLASS]
    return {"answer": shot_group(count), "count": count, "many_above": MANY_ABOVE, "few_below": FEW_BELOW,
            "cls": CLASS}


GROUP = Exercise(
    id="03.3", kind="choice", example="\"many\"",
    title="Which shot group?",
    question=("With the count of exercise 03.2, which shot group of the accuracy table does class {cls} "
              "belong to?"),
    options={"many": "many (more than {many_above} training images)",
             "medium": "medium ({few_below} to {many_above})", "few": "few (fewer than {few_below})"},
    aliases={"many-shot": "many", "medium-shot": "medium", "few-shot": "few"},
    facts=_group_facts,
    why="{count} training images lie between {few_below} and {many_above}: medium.",
    hint="Count first (exercise 03.2), then compare with the two thresholds {few_below} and {many_above}.",
    mistakes={
        "few": "Few-shot means fewer than {few_below} training images; class {cls} has {count}.",
        "many": "Many-shot means more than {many_above} training images; class {cls} has {count}.",
    },
    zh=dict(
        options={"many": "多样本（训练图像多于 {many_above} 张）", "medium": "中样本（{few_below} 到 {many_above} 张）", "few": "少样本（少于 {few_below} 张）"},
        title="属于哪个样本组？",
        why="{count} 张训练图像介于 {few_below} 和 {many_above} 之间：中样本（medium）。",
        hint="先计数（练习 03.2），再与两个阈值 {few_below} 和 {many_above} 比较。",
        mistakes={
            "few": "少样本指训练图像少于 {few_below} 张；类别 {cls} 有 {count} 张。",
            "many": "多样本指训练图像多于 {many_above} 张；类别 {cls} 有 {count} 张。",
        }),
    solution=("Class {cls} keeps {count} images; the groups of Liu et al. (2019) are many > {many_above}, "
              "medium {few_below}–{many_above}, few < {few_below}, so it is **medium**. "
              "`lc.shot_groups(counts)` labels every class."),
)

EXERCISES = (LOGIT, COUNT, GROUP)
