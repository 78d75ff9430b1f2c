"""Exercises of notebook 02 (the bad momentum effect): how long a head-filled momentum resists the
tail, which way the toy's drift to the head moves as μ → 0, and the decomposition x = ẍ + d."""
from __future__ import annotations

import torch

from lt_causal.exercises.core import Exercise
from lt_causal.momentum.analysis import decompose
from lt_causal.momentum.toy import make_toy, mu_sweep

MU, OTHER_MU = 0.8, 0.9
LENGTH, COS = 2.0, 0.8


def tail_batches_to_win(mu: float, head_steps: int = 200) -> int:
    """Tail batches in a row after which PyTorch's momentum buffer points more to the tail (0, 1)
    than to the head (1, 0), starting from ``head_steps`` head batches."""
    theta = torch.zeros(2, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=0.1, momentum=mu)
    for k in range(head_steps + 1000):
        theta.grad = torch.tensor([1.0, 0.0]) if k < head_steps else torch.tensor([0.0, 1.0])
        opt.step()
        v = opt.state[theta]["momentum_buffer"]
        if k >= head_steps and v[1] > v[0]:
            return k - head_steps + 1
    raise ValueError(f"momentum {mu} never turns to the tail")


def _batches_facts() -> dict:
    answer = tail_batches_to_win(MU)
    return {"answer": answer, "memory": 1 / (1 - MU), "too_early": answer - 1,
            "other": tail_batches_to_win(OTHER_MU), "mu": MU, "other_mu": OTHER_MU,
            "head_left": MU ** answer, "head_before": MU ** (answer - 1)}


BATCHES = Exercise(
    id="02.1", kind="number", tolerance=0.0, example="3",
    title="How long does the head's momentum last?",
    question=("PyTorch's momentum $v_t = \\mu v_{t-1} + g_t$ has seen a long run of head batches, each with "
              "gradient $(1, 0)$, so $v \\approx (1/(1-\\mu), 0)$. Then tail batches arrive, each with gradient "
              "$(0, 1)$. For $\\mu = {mu:g}$, after how many tail batches **in a row** does $v$ point more "
              "towards the tail than towards the head (second component larger than the first)?"),
    facts=_batches_facts,
    why=("After k tail batches the head part is μ^k/(1−μ) and the tail part (1−μ^k)/(1−μ): the tail wins once "
         "μ^k < 1/2, i.e. {mu:g}^{answer} = {head_left:.3f}."),
    hint="Write v after k tail batches as a head part and a tail part; the head part decays like μ^k.",
    mistakes={
        "memory": ("That is the momentum's memory 1/(1−μ), the length of the sum, not the moment the tail "
                   "overtakes: compare the head part μ^k/(1−μ) with the tail part (1−μ^k)/(1−μ)."),
        "too_early": ("One batch short: after {too_early} tail batches the head part still has the factor "
                      "{head_before:.3f} > 1/2."),
        "other": "That is the answer for μ = {other_mu:g} (notebook 02's own exercise); here μ = {mu:g}.",
    },
    zh=dict(
        title="头部的动量能持续多久？",
        why=("经过 k 个尾部小批量后，头部部分为 μ^k/(1−μ)，尾部部分为 (1−μ^k)/(1−μ)：一旦 μ^k < 1/2，"
             "尾部就胜出，即 {mu:g}^{answer} = {head_left:.3f}。"),
        hint="把 k 个尾部小批量之后的 v 写成头部部分与尾部部分之和；头部部分按 μ^k 衰减。",
        mistakes={
            "memory": ("这是动量的记忆长度 1/(1−μ)，即求和的长度，而不是尾部超过头部的时刻：比较头部部分 "
                       "μ^k/(1−μ) 与尾部部分 (1−μ^k)/(1−μ)。"),
            "too_early": "少了一个小批量：经过 {too_early} 个尾部小批量后，头部部分仍带有系数 {head_before:.3f} > 1/2。",
            "other": "这是 μ = {other_mu:g} 时的答案（notebook 02 自己的练习）；这里 μ = {mu:g}。",
        }),
    solution=("After $k$ tail batches $v = \\frac{\\mu^k}{1-\\mu}(1, 0) + \\frac{1-\\mu^k}{1-\\mu}(0, 1)$. "
              "The tail component is larger once $\\mu^k < 1 - \\mu^k$, i.e. $\\mu^k < 1/2$. For $\\mu = {mu:g}$: "
              "${mu:g}^{too_early} = {head_before:.3f}$, ${mu:g}^{answer} = {head_left:.3f}$, so **{answer}** tail "
              "batches (for μ = {other_mu:g}: {other}). On long-tailed data a tail class rarely fills "
              "{answer} batches in a row, so the momentum keeps pointing to the head."),
)


def _drift_facts() -> dict:
    sweep = mu_sweep(make_toy(), [0.0, OTHER_MU]).set_index(["profile", "mu"])["head_drift"]
    low, high = sweep[("long-tailed", 0.0)], sweep[("long-tailed", OTHER_MU)]
    answer = "down" if low < high else ("up" if low > high else "same")
    return {"answer": answer, "drift_low": float(low), "drift_high": float(high), "mu": OTHER_MU,
            "balanced_high": float(sweep[("balanced", OTHER_MU)])}


DRIFT = Exercise(
    id="02.2", kind="choice", example="\"up\"",
    title="Less momentum, less drift?",
    question=("In the toy of section 2 with **long-tailed** minibatches, lower the momentum from "
              "$\\mu = {mu:g}$ to $\\mu = 0$ (plain SGD). Which way does the drift to the head after 150 steps "
              "move?"),
    options={"up": "up", "down": "down", "same": "it stays the same"},
    aliases={"unchanged": "same", "stays the same": "same", "increases": "up", "decreases": "down"},
    facts=_drift_facts,
    why=("The momentum sums the mostly-head gradients and carries the run along them; without it the drift "
         "falls from {drift_high:.2f} to {drift_low:.2f}."),
    hint="What does the momentum add up on long-tailed data, and in which direction do most of those gradients point?",
    mistakes={
        "up": ("The other way: with μ = 0 nothing accumulates the head gradients, so the run drifts less "
               "({drift_low:.2f} against {drift_high:.2f} at μ = {mu:g})."),
        "same": ("That holds for **balanced** minibatches (drift {balanced_high:.2f} at μ = {mu:g}); on "
                 "long-tailed ones most gradients point to the head and the momentum carries the run along them."),
    },
    zh=dict(
        title="动量更小，漂移更小？",
        why="动量把以头部为主的梯度累加起来，并带着训练沿它们前进；去掉动量后，漂移从 {drift_high:.2f} 降到 {drift_low:.2f}。",
        hint="在长尾数据上，动量累加的是什么？这些梯度大多指向哪个方向？",
        mistakes={
            "up": ("方向反了：μ = 0 时没有东西累积头部梯度，所以漂移更小（{drift_low:.2f}，而 μ = {mu:g} 时为 "
                   "{drift_high:.2f}）。"),
            "same": ("这对**均衡**小批量成立（μ = {mu:g} 时漂移为 {balanced_high:.2f}）；在长尾小批量上，"
                     "大多数梯度指向头部，动量带着训练沿它们前进。"),
        }),
    solution=("`lc.mu_sweep(lc.make_toy(), [0.0, {mu:g}])`: on long-tailed batches the drift to the head is "
              "{drift_high:.2f} at μ = {mu:g} and **{drift_low:.2f}** at μ = 0, so it goes **down**. Momentum "
              "does not create the head bias (the class frequencies do), it accumulates it. The price of "
              "μ = 0: the shared direction, where every class agrees, is learned far more slowly."),
)


def _decompose_facts() -> dict:
    sin = (1 - COS ** 2) ** 0.5
    x = torch.tensor([LENGTH * COS, LENGTH * sin], dtype=torch.float64)
    x_ddot, d = decompose(x, torch.tensor([3.0, 0.0], dtype=torch.float64))
    return {"answer": float(x_ddot.norm()), "d_length": float(d.norm()), "length_difference":
            LENGTH - float(d.norm()), "sine": sin, "length": LENGTH, "cos": COS}


DECOMPOSE = Exercise(
    id="02.3", kind="number", tolerance=0.01, example="0.7",
    title="The discriminative part of a feature",
    question=("A feature has length $\\lVert x\\rVert = {length:g}$ and $\\cos(x, \\hat d) = {cos:g}$. Split it "
              "as in section 3, $x = \\ddot x + d$ with $d$ along $\\hat d$. How long is the discriminative part "
              "$\\ddot x$?"),
    facts=_decompose_facts,
    why="d and ẍ are orthogonal: ‖ẍ‖ = ‖x‖·sin = {length:g} · {sine:.2f} = {answer:.2f}.",
    hint="d = ‖x‖cos(x, d̂) d̂ and ẍ = x − d are at a right angle: use Pythagoras, not a difference of lengths.",
    mistakes={
        "d_length": "That is ‖d‖ = ‖x‖cos, the part along the head direction; the question asks for the rest, ẍ.",
        "length_difference": ("‖x‖ − ‖d‖ subtracts lengths, but x − d subtracts vectors: ẍ is orthogonal to d, "
                              "so ‖x‖² = ‖ẍ‖² + ‖d‖²."),
        "sine": "That is sin(x, d̂): the length of ẍ for a unit feature. Multiply by ‖x‖ = {length:g}.",
    },
    zh=dict(
        title="特征中有判别力的部分",
        why="d 与 ẍ 正交：‖ẍ‖ = ‖x‖·sin = {length:g} · {sine:.2f} = {answer:.2f}。",
        hint="d = ‖x‖cos(x, d̂) d̂ 与 ẍ = x − d 互相垂直：用勾股定理，而不是长度相减。",
        mistakes={
            "d_length": "这是 ‖d‖ = ‖x‖cos，即沿头部方向的部分；题目问的是其余部分 ẍ。",
            "length_difference": "‖x‖ − ‖d‖ 是长度相减，而 x − d 是向量相减：ẍ 与 d 正交，所以 ‖x‖² = ‖ẍ‖² + ‖d‖²。",
            "sine": "这是 sin(x, d̂)：单位长度特征的 ẍ 的长度。再乘以 ‖x‖ = {length:g}。",
        }),
    solution=("$\\lVert d\\rVert = \\lVert x\\rVert\\cos = {length:g} \\cdot {cos:g} = {d_length:.2f}$, and "
              "$\\ddot x \\perp d$, so $\\lVert\\ddot x\\rVert = \\sqrt{\\lVert x\\rVert^2 - \\lVert d\\rVert^2} = "
              "\\lVert x\\rVert\\sin = $ **{answer:.2f}**. Check: `lc.decompose(x, direction)` on any vector with "
              "these numbers. TDE removes (α times) $d$'s contribution and keeps $\\ddot x$'s."),
)

EXERCISES = (BATCHES, DRIFT, DECOMPOSE)
