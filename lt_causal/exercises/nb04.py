"""Exercises of notebook 04 (TDE inference) on the shipped CIFAR-10-LT model: pick α for a test set
with the training distribution, which way the best α moves for the inverse prior, and the
logit-adjustment τ that a long-tailed test set asks for."""
from __future__ import annotations

import math
from functools import lru_cache

from lt_causal.evaluation.packs import load_pretrained, pack_name
from lt_causal.exercises.core import Exercise
from lt_causal.experiments.comparison import prior_table, prior_tau

POINTS = 1.0               # 04.1: an α within this many points of the best overall accuracy is right
PAPER_ALPHA = 1.0          # the paper's α for CIFAR-10-LT
TEST_RATIO = 10            # 04.3: a long-tailed test set with this imbalance


@lru_cache(maxsize=1)
def shipped_run():
    """The shipped CIFAR-10-LT de-confound model (``pretrained:cifar10-lt-r100-deconfound``)."""
    return load_pretrained(pack_name())


@lru_cache(maxsize=1)
def _priors():
    return prior_table(shipped_run(), knobs=("tde",))


def _alpha_facts() -> dict:
    run, table = shipped_run(), _priors()
    best = float(table.loc["train", "TDE: best α"])
    return {"answer": best, "best_overall": float(table.loc["train", "TDE: overall at best"]),
            "as_trained": run.evaluate(0.0, prior="train")["overall"],
            "balanced_best": float(table.loc["balanced", "TDE: best α"]),
            "inverse_best": float(table.loc["inverse", "TDE: best α"]),
            "suggested": run.suggested_alpha(), "paper": PAPER_ALPHA, "points": POINTS, "model": run.name,
            "balanced_overall": run.evaluate(float(table.loc["balanced", "TDE: best α"]), prior="train")["overall"],
            "paper_overall": run.evaluate(PAPER_ALPHA, prior="train")["overall"]}


def _good_alpha(alpha: float, facts: dict) -> bool:
    return shipped_run().evaluate(alpha, prior="train")["overall"] >= facts["best_overall"] - POINTS


TRAIN_PRIOR = Exercise(
    id="04.1", kind="number", tolerance=0.05, accept=_good_alpha, example="0.8",
    title="α for a test set that looks like the training set",
    question=("Your test images follow the **training** distribution (test prior `train`: airplanes 100 "
              "times as frequent as trucks). Which α would you pick for the shipped CIFAR-10-LT model "
              "(`run = lc.load_run(\"{model}\")`)? Reason first, then check with "
              "`run.sweep([...], prior=\"train\")` or the α explorer's test-prior menu. An α whose overall accuracy is within {points:g} "
              "point of the best counts as right."),
    facts=_alpha_facts,
    why=("Under the training prior the head classes dominate the test set, and the head bias TDE removes is "
         "what this test set rewards: the best α is {answer:.2f} ({best_overall:.2f} % overall)."),
    hint=("Which classes make up most of such a test set, and does TDE help or hurt them? Compare "
          "`run.evaluate(alpha, prior=\"train\")` for a few α."),
    mistakes={
        "balanced_best": ("That is the best α for a **balanced** test set; under the training prior it gives "
                          "{balanced_overall:.2f} % against {best_overall:.2f} % at α = {answer:.2f}."),
        "paper": ("α = 1 is the paper's choice for the balanced CIFAR-10-LT test set; with the training prior "
                  "it gives {paper_overall:.2f} % against {best_overall:.2f} %."),
        "suggested": ("The heuristic α · cos ≈ 1 ({suggested:.2f}) targets a balanced test set; it knows nothing "
                      "about the test prior."),
        "inverse_best": "That is the best α for the **inverse** prior, where the tail classes are the most frequent.",
    },
    zh=dict(
        title="测试集像训练集时的 α",
        why=("在训练先验下，头部类别在测试集中占多数，而 TDE 去除的头部偏差恰恰是这个测试集所奖励的："
             "最佳 α 为 {answer:.2f}（总体准确率 {best_overall:.2f} %）。"),
        hint=("这样的测试集主要由哪些类别组成？TDE 对它们是帮助还是损害？对几个 α 比较 "
              "`run.evaluate(alpha, prior=\"train\")`。"),
        mistakes={
            "balanced_best": ("这是**均衡**测试集的最佳 α；在训练先验下它给出 {balanced_overall:.2f} %，"
                              "而 α = {answer:.2f} 时为 {best_overall:.2f} %。"),
            "paper": ("α = 1 是论文为均衡的 CIFAR-10-LT 测试集选的值；在训练先验下它给出 {paper_overall:.2f} %，"
                      "而最佳为 {best_overall:.2f} %。"),
            "suggested": "启发式规则 α · cos ≈ 1（{suggested:.2f}）针对的是均衡测试集；它对测试先验一无所知。",
            "inverse_best": "这是**反向**先验的最佳 α，那里尾部类别最常见。",
        }),
    solution=("`run.sweep([0, 0.25, 0.5, 1, 1.5], prior=\"train\")` (or the test-prior menu *as in training*): "
              "overall accuracy is {as_trained:.2f} % at α = 0 and falls as α grows; the best α is "
              "**{answer:.2f}** ({best_overall:.2f} %). For a balanced test set it is {balanced_best:.2f}, for the "
              "inverse prior {inverse_best:.2f}. When the test set looks like the training set, keep the bias: "
              "α ≈ 0, as logit adjustment's τ = 0 says for the same prior."),
)


def _direction_facts() -> dict:
    table = _priors()
    balanced, inverse = (float(table.loc[p, "TDE: best α"]) for p in ("balanced", "inverse"))
    return {"answer": "up" if inverse > balanced else ("down" if inverse < balanced else "same"),
            "balanced_best": balanced, "inverse_best": inverse}


INVERSE = Exercise(
    id="04.2", kind="choice", example="\"up\"",
    title="The inverse test prior",
    question=("Now the test set is **inverse**: trucks are the most frequent class and airplanes the rarest. "
              "Compared with the balanced test set, does the best α go up, go down or stay the same?"),
    options={"up": "up", "down": "down", "same": "it stays the same"},
    aliases={"unchanged": "same", "higher": "up", "lower": "down", "larger": "up", "smaller": "down"},
    facts=_direction_facts,
    why=("The tail now dominates the test set, so it pays to move even more accuracy from the head to the "
         "tail: the best α rises from {balanced_best:.2f} to {inverse_best:.2f}."),
    hint="Which classes does a larger α help, and how often do they come up in this test set?",
    mistakes={
        "down": ("A larger α moves accuracy from head to tail classes; with the tail most frequent that trade "
                 "is worth more, not less ({inverse_best:.2f} against {balanced_best:.2f})."),
        "same": ("The per-class accuracies do not change, but their weights do: overall = Σ q_c acc_c, and the "
                 "inverse prior weighs the classes TDE helps most."),
    },
    zh=dict(
        options={"up": "变大", "down": "变小", "same": "保持不变"},
        title="反向测试先验",
        why=("现在尾部在测试集中占多数，所以把更多准确率从头部移到尾部是划算的：最佳 α 从 {balanced_best:.2f} "
             "升到 {inverse_best:.2f}。"),
        hint="更大的 α 帮助哪些类别？它们在这个测试集中出现得有多频繁？",
        mistakes={
            "down": ("更大的 α 把准确率从头部类别移到尾部类别；尾部最常见时，这笔交换更值得，而不是更不值得"
                     "（{inverse_best:.2f} 对 {balanced_best:.2f}）。"),
            "same": ("各类别的准确率不变，但它们的权重变了：总体准确率 = Σ q_c acc_c，而反向先验给 TDE "
                     "帮助最大的那些类别最大的权重。"),
        }),
    solution=("Overall accuracy under a test prior $q$ is $\\sum_c q_c\\,\\mathrm{acc}_c$. A larger α raises "
              "the tail classes' accuracy and lowers the head's; the inverse prior weighs the tail most, so the "
              "peak moves **up**: from α = {balanced_best:.2f} (balanced) to α = {inverse_best:.2f}. "
              "`lc.prior_table(run)` lists the best α per prior."),
)


def _tau_facts() -> dict:
    counts = shipped_run().train_counts
    ratio = counts[0] / counts[-1]
    return {"answer": prior_tau(TEST_RATIO, counts), "balanced": prior_tau("balanced", counts),
            "train": prior_tau("train", counts), "inverse": prior_tau("inverse", counts),
            "ratio_of_ratios": TEST_RATIO / ratio, "one_minus": 1 - TEST_RATIO / ratio, "r": TEST_RATIO,
            "train_ratio": ratio,
            "share": math.log(TEST_RATIO) / math.log(ratio)}


TAU = Exercise(
    id="04.3", kind="number", tolerance=0.02, example="0.3",
    title="The τ a long-tailed test set asks for",
    question=("Logit adjustment subtracts $\\tau \\log \\pi$ ($\\pi$: the training prior, imbalance "
              "{train_ratio:g}). The prior-shift view says: for a test prior $q$ use $-\\log\\pi + \\log q$. "
              "Which τ does a long-tailed test set with imbalance **{r}** (same class order) ask for?"),
    facts=_tau_facts,
    why=("log q = const + (1 − τ) log π with q's exponent log {r}/log {train_ratio:g} = {share:.2f} of π's, so "
         "τ = 1 − {share:.2f} = {answer:.2f}."),
    hint=("Both priors are exponential in the class rank: log π_c = const − (c/9) log {train_ratio:g}, "
          "log q_c = const − (c/9) log {r}. Write log q as a multiple of log π."),
    mistakes={
        "balanced": "τ = 1 is for a balanced test set (q uniform); this test set is long-tailed too.",
        "train": ("τ = 0 is for a test set with the training distribution (imbalance {train_ratio:g}); this one "
                  "has {r}."),
        "ratio_of_ratios": ("The imbalances enter through their logarithms: log q is log {r}/log {train_ratio:g} "
                            "= {share:.2f} times log π (plus a constant), not {r}/{train_ratio:g} times."),
        "one_minus": "Take the ratio of the logarithms, log {r}/log {train_ratio:g}, not of the imbalances themselves.",
        "inverse": "τ = 2 is for the inverse prior, where the tail is most frequent.",
    },
    zh=dict(
        title="长尾测试集要求的 τ",
        why=("log q = const + (1 − τ) log π，其中 q 的指数是 π 的 log {r}/log {train_ratio:g} = {share:.2f} 倍，"
             "所以 τ = 1 − {share:.2f} = {answer:.2f}。"),
        hint=("两个先验都随类别排名呈指数分布：log π_c = const − (c/9) log {train_ratio:g}，"
              "log q_c = const − (c/9) log {r}。把 log q 写成 log π 的倍数。"),
        mistakes={
            "balanced": "τ = 1 对应均衡测试集（q 均匀）；这个测试集同样是长尾的。",
            "train": "τ = 0 对应服从训练分布的测试集（不平衡比 {train_ratio:g}）；这个测试集的不平衡比是 {r}。",
            "ratio_of_ratios": ("不平衡比通过它们的对数起作用：log q 是 log π 的 log {r}/log {train_ratio:g} "
                                "= {share:.2f} 倍（加上一个常数），而不是 {r}/{train_ratio:g} 倍。"),
            "one_minus": "取对数之比 log {r}/log {train_ratio:g}，而不是不平衡比本身之比。",
            "inverse": "τ = 2 对应反向先验，那里尾部最常见。",
        }),
    solution=("The correction for test prior $q$ is $-\\log\\pi + \\log q$. With exponential profiles "
              "$\\log q_c = \\text{const} + \\frac{\\log {r}}{\\log {train_ratio:g}}\\log\\pi_c = \\text{const} + "
              "{share:.2f}\\log\\pi_c$, so the correction is $-(1 - {share:.2f})\\log\\pi$: **τ = {answer:.2f}**. "
              "`lc.prior_tau({r}, run.train_counts)` computes it; the balanced, train and inverse priors give "
              "{balanced:g}, {train:g} and {inverse:g}."),
)

EXERCISES = (TRAIN_PRIOR, INVERSE, TAU)
