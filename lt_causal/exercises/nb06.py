"""Exercises of notebook 06 (three test-time knobs): logit adjustment and τ-norm by hand, and which
knob does almost nothing to the de-confounded head of the shipped CIFAR-10-LT model."""
from __future__ import annotations

import math

import torch

from lt_causal.evaluation.knobs import KNOBS
from lt_causal.exercises.core import Exercise
from lt_causal.exercises.nb04 import shipped_run
from lt_causal.methods.posthoc import logit_adjustment, tau_norm_logits

COUNTS, LOGITS = (900, 100), (2.0, 0.5)
NORMS, RAW, HALF = (4.0, 1.0), (8.0, 3.0), 0.5


def _adjust_facts() -> dict:
    z = torch.tensor([LOGITS], dtype=torch.float64)
    adjusted = logit_adjustment(z, list(COUNTS), 1.0)[0]
    prior = COUNTS[1] / sum(COUNTS)
    return {"answer": float(adjusted[1]), "head": float(adjusted[0]), "log10": LOGITS[1] - math.log10(prior),
            "added": LOGITS[1] + math.log(prior), "counts": LOGITS[1] - math.log(COUNTS[1]),
            "prior": prior, "log_prior": math.log(prior), "gain": -math.log(prior), "tail_logit": LOGITS[1], "winner": "tail" if adjusted[1] > adjusted[0] else "head"}


ADJUST = Exercise(
    id="06.1", kind="number", tolerance=0.01, example="1.25",
    title="Logit adjustment by hand",
    question=("Two classes: the head has 900 training images, the tail 100. A test image gets the logits "
              "$z = (2.0, 0.5)$. Compute the tail's logit after logit adjustment with $\\tau = 1$, "
              "$z_y - \\tau\\log\\pi_y$ (natural log, two decimals). Which class wins now?"),
    facts=_adjust_facts,
    why=("π_tail = {prior:g}, so the tail gains −ln π = {gain:.2f}: {tail_logit:g} + {gain:.2f} = {answer:.2f}, which beats the head's "
         "{head:.2f}: the {winner} class wins."),
    hint="π_y is the class's share of the training images (a probability), and log is the natural logarithm.",
    mistakes={
        "log10": "That uses log₁₀; logit adjustment uses the natural logarithm: −ln {prior:g}.",
        "added": "Sign: the correction *subtracts* τ log π_y, and log π_y is negative, so the tail's logit goes up.",
        "counts": "π_y is the class's *share* of the training set ({prior:g}), not its count.",
    },
    zh=dict(
        title="手算 logit 调整",
        why=("π_tail = {prior:g}，所以尾部增加了 −ln π = {gain:.2f}：{tail_logit:g} + {gain:.2f} = {answer:.2f}，超过了头部的 {head:.2f}："
             "胜出的是{winner}类别。"),
        hint="π_y 是该类别在训练图像中的占比（一个概率），log 是自然对数。",
        mistakes={
            "log10": "这里用了 log₁₀；logit 调整用的是自然对数：−ln {prior:g}。",
            "added": "符号错了：校正是*减去* τ log π_y，而 log π_y 为负，所以尾部的 logit 会上升。",
            "counts": "π_y 是该类别在训练集中的*占比*（{prior:g}），而不是它的计数。",
        }),
    solution=("$\\pi_{tail} = 100/1000 = {prior:g}$, $\\log\\pi_{tail} = {log_prior:.3f}$, so the tail's logit "
              "becomes $0.5 - 1 \\cdot ({log_prior:.3f}) =$ **{answer:.2f}**; the head's becomes "
              "$2.0 - \\ln 0.9 = {head:.2f}$. The {winner} class wins. In code: "
              "`lc.logit_adjustment(torch.tensor([[2.0, 0.5]]), [900, 100], 1.0)`."),
)


def _knob_facts() -> dict:
    run = shipped_run()
    base = run.evaluate(0.0)["overall"]
    change = {knob: run.evaluate(1.0, knob)["overall"] - base for knob in KNOBS}
    return {"answer": min(change, key=lambda k: abs(change[k])), **{f"{k}_change": v for k, v in change.items()},
            "base": base, "model": run.name}


KNOB = Exercise(
    id="06.2", kind="choice", example="\"tde\"",
    title="Which knob does (almost) nothing?",
    question=("On the shipped CIFAR-10-LT **de-confound** model, each knob is set to 1 (TDE's α, τ-norm's τ, "
              "logit adjustment's τ). Which one changes overall accuracy the least? Predict from what each "
              "knob uses (the weight norms above are a clue) before the next sections show it, or check with "
              "`lc.knob_comparison({\"de-confound\": lc.load_run(\"{model}\")})`."),
    options={"tde": "TDE (α = 1)", "tau_norm": "τ-norm (τ = 1)", "logit_adjustment": "logit adjustment (τ = 1)"},
    aliases={"tau-norm": "tau_norm", "τ-norm": "tau_norm", "logit-adjust": "logit_adjustment",
             "logit adjustment": "logit_adjustment", "la": "logit_adjustment"},
    facts=_knob_facts,
    why=("τ-norm divides by the class weight norms, and the causal-norm head has already made them (nearly) "
         "equal: {tau_norm_change:+.2f} points, against {tde_change:+.2f} for TDE."),
    hint="What does each knob use? Which of those things a normalised head has already equalised?",
    mistakes={
        "tde": ("TDE at α = 1 is the paper's setting and moves overall accuracy by {tde_change:+.2f} points: it "
                "removes the head direction, which the normalised head does not touch."),
        "logit_adjustment": ("Logit adjustment uses the class counts, which stay long-tailed whatever the head: "
                             "{logit_adjustment_change:+.2f} points."),
    },
    zh=dict(
        options={"tde": "TDE（α = 1）", "tau_norm": "τ-norm（τ = 1）", "logit_adjustment": "logit 调整（τ = 1）"},
        title="哪个旋钮（几乎）什么都不做？",
        why=("τ-norm 除以各类别的权重范数，而因果归一化分类器已经让它们（几乎）相等：{tau_norm_change:+.2f} 个点，"
             "而 TDE 为 {tde_change:+.2f}。"),
        hint="每个旋钮用的是什么？其中哪些东西已经被归一化的分类器拉平了？",
        mistakes={
            "tde": ("α = 1 的 TDE 是论文的设置，它使总体准确率变化 {tde_change:+.2f} 个点：它去除头部方向，"
                    "而归一化的分类器并不触及这个方向。"),
            "logit_adjustment": ("logit 调整用的是类别计数，无论分类器如何，计数都保持长尾："
                                 "{logit_adjustment_change:+.2f} 个点。"),
        }),
    solution=("Overall accuracy at α = 0 is {base:.2f} %. At value 1: TDE {tde_change:+.2f}, logit adjustment "
              "{logit_adjustment_change:+.2f}, τ-norm **{tau_norm_change:+.2f}** points. τ-norm rescales each "
              "class by $1/\\lVert w_i\\rVert^\\tau$, and the causal norm's effective class vectors "
              "$w_i/(\\lVert w_i\\rVert + \\gamma)$ all have nearly the same length, so there is little left to "
              "rescale (`lc.weight_norms`)."),
)


def _tau_norm_facts() -> dict:
    out = tau_norm_logits(torch.tensor([RAW], dtype=torch.float64), torch.tensor(NORMS, dtype=torch.float64), HALF)[0]
    return {"answer": float(out[0]), "tail": float(out[1]), "full": RAW[0] / NORMS[0], "none": RAW[0],
            "times": RAW[0] * NORMS[0] ** HALF, "tau": HALF, "winner": "tail" if out[1] > out[0] else "head"}


TAU_NORM = Exercise(
    id="06.3", kind="number", tolerance=0.01, example="3.5",
    title="τ-norm by hand",
    question=("A linear classifier: the head class's weight vector has norm 4, the tail's norm 1, and a test image "
              "gets the raw logits $w_i \\cdot x = (8, 3)$. With τ-norm at $\\tau = {tau:g}$, "
              "$\\dfrac{w_i \\cdot x}{\\lVert w_i\\rVert^\\tau}$, what is the **head** class's logit? "
              "Which class wins?"),
    facts=_tau_norm_facts,
    why="8 / 4^{tau:g} = {answer:g} against the tail's 3 / 1 = {tail:g}: the {winner} class wins at τ = {tau:g}.",
    hint="‖w‖^τ with τ = {tau:g} is a square root.",
    mistakes={
        "full": "That is τ = 1 (every class vector rescaled to unit length); here τ = {tau:g}.",
        "none": "That is τ = 0, the classifier as trained.",
        "times": "Divide by ‖w‖^τ, don't multiply: τ-norm shrinks the long head vectors.",
    },
    zh=dict(
        title="手算 τ-norm",
        why="8 / 4^{tau:g} = {answer:g}，而尾部为 3 / 1 = {tail:g}：τ = {tau:g} 时胜出的是{winner}类别。",
        hint="τ = {tau:g} 时，‖w‖^τ 就是平方根。",
        mistakes={
            "full": "这是 τ = 1（每个类别向量都缩放到单位长度）；这里 τ = {tau:g}。",
            "none": "这是 τ = 0，即训练所得的分类器本身。",
            "times": "要除以 ‖w‖^τ，而不是乘：τ-norm 缩短头部的长向量。",
        }),
    solution=("$8 / 4^{{tau:g}} = 8/2 =$ **{answer:g}**; the tail's $3/1^{{tau:g}} = {tail:g}$, so the {winner} class "
              "wins. At τ = 1 the head's logit would be {full:g} and the tail would win. "
              "`lc.tau_norm_logits(torch.tensor([[8.0, 3.0]]), torch.tensor([4.0, 1.0]), {tau:g})`."),
)

EXERCISES = (ADJUST, KNOB, TAU_NORM)
