"""Exercises of notebook 01 (backdoor adjustment): the direct effect of the country with age, the
mediator, held at China's mix,
which of P(Y | X), P(Y | do(X)) moves when the old are infected more often, and choosing a valid
adjustment set from a graph with a mediator or a collider added (lt_causal/causal/graph.py)."""
from __future__ import annotations

from functools import partial

from lt_causal.causal.backdoor import backdoor_adjustment, load_example
from lt_causal.causal.graph import COVID_GRAPH, adjustment_problem, adjustment_sets, backdoor_paths, causal_paths
from lt_causal.causal.simpson import mediation_effects, standardized_rates, stratum_rates
from lt_causal.exercises.core import Exercise
from lt_causal.language import Phrase

COLUMNS = dict(group="country", adjustment="age_group", cases="confirmed_cases", deaths="confirmed_deaths")
COVID = dict(treatment="infected", outcome="deaths", adjustment="age", population="population")
OLD, FACTOR = ">=65", 3


def _italy_facts() -> dict:
    cfr = load_example("china-italy")
    held = standardized_rates(cfr, **COLUMNS, standard="China")     # each country on China's age mix
    effects = mediation_effects(cfr, **COLUMNS, treated="Italy", reference="China")
    rates = stratum_rates(cfr, **COLUMNS)
    china = cfr[cfr["country"] == "China"]
    old = china["age_group"].isin(["70-79", "80+"])
    pp = lambda v: 100 * float(v)  # noqa: E731  (percentage points)
    return {"answer": pp(effects["direct effect"]),
            "total": pp(effects["total effect"]), "indirect": pp(effects["indirect effect"]),
            "held": pp(held.loc["Italy", "standardized"]),
            "flipped": -pp(effects["direct effect"]),
            "pooled": pp(mediation_effects(cfr, **COLUMNS, treated="Italy", reference="China",
                                           mix="pooled")["direct effect"]),
            "italy_mix": pp(mediation_effects(cfr, **COLUMNS, treated="Italy", reference="China",
                                              mix="Italy")["direct effect"]),
            "italy_crude": pp(held.loc["Italy", "crude"]),
            "china_crude": pp(held.loc["China", "crude"]),
            "rate_80": pp(rates.loc["80+", "Italy"]),
            "china_cases": int(china["confirmed_cases"].sum()),
            "share_80": pp(china.loc[china["age_group"] == "80+", "confirmed_cases"].sum()
                           / china["confirmed_cases"].sum()),
            "china_old": pp(china.loc[old, "confirmed_cases"].sum() / china["confirmed_cases"].sum())}


ITALY = Exercise(
    id="01.1", kind="number", unit="%", tolerance=0.02, example="-1.23",
    title="The direct effect of the country",
    question=("On the graph of section 7 (country → age of the cases → death, and country → death), compute "
              "by hand the **direct effect** of being a case in **Italy** rather than in **China**, with the "
              "mediator held at **China's** age mix of cases: "
              "$\\sum_z P(\\text{death} \\mid \\text{Italy}, z)\\,P(z \\mid \\text{China}) - "
              "P(\\text{death} \\mid \\text{China})$. Use the table `cfr = lc.load_example(\"china-italy\")` "
              "(you may compute in a code cell). Give it in percentage points with two decimals, with its sign."),
    facts=_italy_facts,
    why=("With China's age mix, Italy's per-age rates give {held:.2f} % against China's {china_crude:.2f} %: a "
         "direct effect of {answer:.2f} points — with age held fixed, a case in Italy died less often. The total "
         "effect, +{total:.2f} points, is more than carried by the age of the cases: the indirect effect is "
         "{indirect:+.2f} points."),
    hint=("Two steps: Italy's rate in each age group (deaths / cases) weighted by each age group's share of "
          "**China's** cases; then subtract China's crude rate. The result is negative."),
    mistakes={
        "total": ("That is the total effect, Italy's crude rate minus China's: the age mix moved along with the "
                  "country. The direct effect holds it at China's mix."),
        "held": ("That is Italy's rate with China's age mix, the first step. The effect is its difference to "
                 "China's rate: subtract China's crude {china_crude:.2f} %."),
        "flipped": "Right size, wrong sign: the direct effect is Italy's rate minus China's, not China's minus Italy's.",
        "indirect": ("That is the indirect effect, the part that runs through age (total minus direct). "
                     "The question asks for the part with age held fixed."),
        "pooled": ("That is the direct effect with age held at the pooled mix of both countries, the one "
                   "section 7 shows. Here the mediator is held at China's mix."),
        "italy_mix": ("That is the direct effect with age held at Italy's mix, the other one section 7 shows. "
                      "Here the mediator is held at China's: weight by each age group's share of China's cases."),
    },
    zh=dict(
        title="国家的直接效应",
        why=("按中国的年龄构成，意大利各年龄组的比率得到 {held:.2f} %，中国为 {china_crude:.2f} %：直接效应为 "
             "{answer:.2f} 个百分点——固定年龄后，意大利的病例死亡得更少。总效应为 +{total:.2f} 个百分点，"
             "经由病例年龄传递的部分比它还大：间接效应为 {indirect:+.2f} 个百分点。"),
        hint=("分两步：先把意大利每个年龄组的比率（死亡人数 / 病例数）按每个年龄组在**中国**病例中的占比加权求和；"
              "再减去中国的粗率。结果是负数。"),
        mistakes={
            "total": "这是总效应，即意大利粗率减去中国粗率：年龄构成随国家一起变了。直接效应把它固定为中国的构成。",
            "held": "这是按中国年龄构成计算的意大利比率，只是第一步。效应是它与中国比率之差：再减去中国的粗率 {china_crude:.2f} %。",
            "flipped": "大小对了，符号反了：直接效应是意大利的比率减去中国的，而不是中国减意大利。",
            "indirect": "这是间接效应，即经由年龄传递的部分（总效应减直接效应）。题目问的是固定年龄后的部分。",
            "pooled": "这是把年龄固定为两国合并构成时的直接效应，即第 7 节展示的那个。这里中介固定为中国的构成。",
            "italy_mix": "这是把年龄固定为意大利构成时的直接效应，即第 7 节展示的另一个。这里中介固定为中国的构成：按每组在中国病例中的占比加权。",
        }),
    solution=("Italy's rate in each age group is deaths / cases (e.g. 80+: {rate_80:.2f} %). China's age mix "
              "is each group's share of China's {china_cases:,} cases (80+: {share_80:.2f} %; 70 or older: "
              "{china_old:.1f} %). Italy's rates on China's mix, $\\sum_z P(Y \\mid \\text{Italy}, z)\\,"
              "P(z \\mid \\text{China})$, give {held:.2f} %; minus China's crude {china_crude:.2f} % that is a "
              "direct effect of **{answer:.2f} points**. The total effect, crude against crude, is "
              "{italy_crude:.2f} − {china_crude:.2f} = +{total:.2f} points, so the indirect effect through age "
              "is {indirect:+.2f} points: more than all of Italy's excess runs through the age of its cases. "
              "In code:\n\n"
              "```python\ncfr = lc.load_example(\"china-italy\")\n"
              "lc.mediation_effects(cfr, group=\"country\", adjustment=\"age_group\", cases=\"confirmed_cases\",\n"
              "                     deaths=\"confirmed_deaths\", treated=\"Italy\", reference=\"China\")\n```"),
)


def _direction(before: float, after: float) -> str:
    return "up" if after > before + 1e-12 else ("down" if after < before - 1e-12 else "same")


def _old_facts() -> dict:
    covid = load_example("covid")
    more = covid.copy()
    row = more["age"] == OLD
    more.loc[row, ["infected", "deaths"]] *= FACTOR
    before, after = backdoor_adjustment(covid, **COVID), backdoor_adjustment(more, **COVID)
    moves = (_direction(before.observational, after.observational), _direction(before.adjusted, after.adjusted))
    options = {("up", "up"): "a", ("up", "same"): "b", ("same", "up"): "c", ("same", "same"): "d"}
    return {"answer": options.get(moves), "obs_before": before.observational, "obs_after": after.observational,
            "adjusted": before.adjusted, "adjusted_after": after.adjusted,
            "old_rate": float(covid.loc[row, "deaths"].iloc[0] / covid.loc[row, "infected"].iloc[0])}


OLD_INFECTED = Exercise(
    id="01.2", kind="choice", example="\"b\"",
    title="More old people infected",
    question=(f"**Predict before computing.** In the COVID table of section 4, the `{OLD}` group gets "
              f"{FACTOR} times as many infections **and** {FACTOR} times as many deaths (the same death rate "
              "in that age group; nothing else changes). What happens to $P(Y \\mid X)$ and $P(Y \\mid do(X))$?"),
    options={"a": "both go up", "b": "$P(Y \\mid X)$ goes up, $P(Y \\mid do(X))$ stays the same",
             "c": "$P(Y \\mid X)$ stays the same, $P(Y \\mid do(X))$ goes up", "d": "both stay the same"},
    facts=_old_facts,
    why=("Every per-age rate P(Y | X, z) is unchanged, so the adjusted sum with the population's P(z) stays at "
         "{adjusted:.4f}; only the infected's age mix P(z | X) gets older, which lifts P(Y | X) from "
         "{obs_before:.4f} to {obs_after:.4f}."),
    hint=("Write both sums: the same rates P(Y | X, z) in each, weighted by P(z | X) (the infected's ages) "
          "or by P(z) (the population's ages). Which of these ingredients does the change touch?"),
    mistakes={
        "a": ("P(Y | do(X)) weighs the per-age rates by the population's age mix, and neither the rates "
              "(still {old_rate:.3f} for the old) nor the population changed."),
        "c": ("The other way round: do(X) uses the population's age mix, which did not change; P(Y | X) uses "
              "the infected's age mix, which now holds more old people."),
        "d": ("The rate inside each age group is the same, but P(Y | X) averages them with the infected's "
              "age mix as weights, and that mix now has more old people."),
    },
    zh=dict(
        title="更多老年人被感染",
        why=("每个年龄组的比率 P(Y | X, z) 都不变，所以按总人口 P(z) 加权的调整后求和仍为 {adjusted:.4f}；"
             "只有感染者的年龄构成 P(z | X) 变老了，这使 P(Y | X) 从 {obs_before:.4f} 升到 {obs_after:.4f}。"),
        hint=("写出两个求和：两者用相同的比率 P(Y | X, z)，权重分别是 P(z | X)（感染者的年龄构成）或 P(z)"
              "（总人口的年龄构成）。这一变化改动了其中哪一项？"),
        mistakes={
            "a": ("P(Y | do(X)) 按总人口的年龄构成对各年龄组的比率加权，而比率（老年组仍为 {old_rate:.3f}）"
                  "和总人口都没有变。"),
            "c": ("正好反过来：do(X) 用的是总人口的年龄构成，它没有变；P(Y | X) 用的是感染者的年龄构成，"
                  "现在其中老年人更多。"),
            "d": ("每个年龄组内的比率确实不变，但 P(Y | X) 以感染者的年龄构成为权重对它们求平均，"
                  "而这个构成现在包含更多老年人。"),
        }),
    solution=("The change keeps every per-age rate $P(Y \\mid X, z)$ (for `>=65`: {old_rate:.3f}) and the "
              "population, so $P(Y \\mid do(X)) = \\sum_z P(Y \\mid X, z)\\,P(z)$ stays at **{adjusted:.4f}**. "
              "The infected, however, are now older: $P(z \\mid X)$ puts more weight on the deadliest group, "
              "and $P(Y \\mid X) = \\sum_z P(Y \\mid X, z)\\,P(z \\mid X)$ rises from {obs_before:.4f} to "
              "**{obs_after:.4f}**. Answer **b**: the confounded rate moves with who gets infected, the "
              "adjusted one only with what infection does within each age. Try it in the calculator of "
              "section 5."),
)

# section 6's graph with a mediator (pneumonia) or a collider (a hospital visit) added
X, Y = "infected", "deaths"
PNEUMONIA = (*COVID_GRAPH, ("infected", "pneumonia"), ("pneumonia", "deaths"))
HOSPITAL = (*COVID_GRAPH, ("exposure", "infected"), ("exposure", "hospital"), ("frailty", "hospital"),
            ("frailty", "deaths"))
MEDIATOR_SETS = {"a": (), "b": ("age",), "c": ("age", "pneumonia"), "d": ("pneumonia",)}
COLLIDER_SETS = {"a": ("age",), "b": ("age", "exposure"), "c": ("age", "hospital"), "d": ("age", "hospital", "frailty")}


def _only(sets: dict, graph, valid: bool) -> str | None:
    """The one option whose set the graph finds valid (``valid``) or invalid; None unless exactly one."""
    hits = [k for k, z in sets.items() if (adjustment_problem(graph, X, Y, z) is None) == valid]
    return hits[0] if len(hits) == 1 else None


def _mediator_facts() -> dict:
    mediated = next(p for p in causal_paths(PNEUMONIA, X, Y) if "pneumonia" in p.nodes)
    return {"answer": _only(MEDIATOR_SETS, PNEUMONIA, True), "backdoor": str(backdoor_paths(PNEUMONIA, X, Y)[0]),
            "mediated": str(mediated),
            "found": " or ".join(", ".join(sorted(s)) for s in adjustment_sets(PNEUMONIA, X, Y))}


MEDIATOR = Exercise(
    id="01.3", kind="choice", example="\"a\"",
    title="Adjust for a mediator?",
    question=("**Add a mediator.** Extend the graph of section 6 by pneumonia: infection causes it and it can "
              "kill, `infected → pneumonia → deaths` (age acts as before, and `infected → deaths` stays). To "
              "estimate the **total** effect $P(\\text{death} \\mid do(\\text{infected}))$, which set must the "
              "backdoor adjustment use?"),
    options={"a": "nothing (the empty set)", "b": "`age`", "c": "`age` and `pneumonia`", "d": "`pneumonia`"},
    aliases={"nothing": "a", "age": "b", "age and pneumonia": "c", "pneumonia": "d"},
    facts=_mediator_facts,
    why=("`age` blocks the one backdoor path, {backdoor}, and holds nothing that infection causes; pgmpy's "
         "minimal adjustment set for this graph is the same: {found}."),
    hint=("Two rules: block every path that starts with an arrow into `infected`, and adjust for nothing that "
          "`infected` causes."),
    mistakes={
        "a": ("Adjusting for nothing leaves the backdoor path {backdoor} open: the infected are older than the "
              "population, and age kills."),
        "c": ("`pneumonia` is a mediator, on the causal path {mediated}: adjusting for it removes the part of "
              "infection's effect that runs through pneumonia."),
        "d": "`pneumonia` is a mediator (on {mediated}), and without `age` the backdoor path {backdoor} stays open.",
    },
    zh=dict(
        title="要调整中介吗？",
        why="`age` 阻断了唯一的后门路径 {backdoor}，而且不含任何由感染引起的变量；pgmpy 为这个图找到的最小调整集也是它：{found}。",
        hint="两条规则：阻断每一条以指向 `infected` 的箭头开始的路径；不调整任何由 `infected` 引起的变量。",
        mistakes={
            "a": "什么都不调整，后门路径 {backdoor} 就保持开放：感染者比总人口年龄更大，而年龄本身会致死。",
            "c": "`pneumonia` 是中介，位于因果路径 {mediated} 上：调整它会去掉感染经由肺炎产生的那部分效应。",
            "d": "`pneumonia` 是中介（位于 {mediated} 上），而且没有 `age`，后门路径 {backdoor} 仍然开放。",
        },
        options={"a": "什么都不调整（空集）", "b": "`age`", "c": "`age` 和 `pneumonia`", "d": "`pneumonia`"}),
    solution=("Besides the direct edge, the backdoor path {backdoor} and the causal path {mediated} join `infected` "
              "and `deaths`. The backdoor criterion asks for a set that blocks every backdoor path and holds no "
              "descendant of `infected`: only `age` does (answer **{answer}**). `pneumonia` is a descendant of "
              "`infected`; adjusting for it would remove the part of the effect that runs through pneumonia, which "
              "is part of what $do(\\text{infected})$ measures. In code:\n\n"
              "```python\ngraph = lc.to_dag([*lc.COVID_GRAPH, (\"infected\", \"pneumonia\"), (\"pneumonia\", \"deaths\")])\n"
              "lc.adjustment_sets(graph, \"infected\", \"deaths\")\n"
              "lc.check_adjustment_set(graph, \"infected\", \"deaths\", [\"age\", \"pneumonia\"])   # refused, naming the path\n```"),
)


def _collider_facts() -> dict:
    paths = backdoor_paths(HOSPITAL, X, Y)
    answer = _only(COLLIDER_SETS, HOSPITAL, False)
    return {"answer": answer, "covid_path": str(next(p for p in paths if "age" in p.nodes)),
            "mbias": str(next(p for p in paths if "hospital" in p.colliders)),
            "problem": Phrase(partial(adjustment_problem, HOSPITAL, X, Y, COLLIDER_SETS.get(answer, ())))}


COLLIDER = Exercise(
    id="01.4", kind="choice", example="\"a\"",
    title="Adjust for a collider?",
    question=("**Add a collider.** Back to the graph of section 6, now with two more variables: **exposure** at "
              "work makes both infection and a hospital visit more likely (`exposure → infected`, "
              "`exposure → hospital`), **frailty** makes both a hospital visit and death more likely "
              "(`frailty → hospital`, `frailty → deaths`). Which of these sets is **not** a valid adjustment set "
              "for $P(\\text{death} \\mid do(\\text{infected}))$?"),
    options={"a": "`age`", "b": "`age` and `exposure`", "c": "`age` and `hospital`",
             "d": "`age`, `hospital` and `frailty`"},
    aliases={"age": "a", "age and exposure": "b", "age and hospital": "c", "age, hospital and frailty": "d"},
    facts=_collider_facts,
    why=("`hospital` is a collider on the backdoor path {mbias}: that path is blocked as long as nobody adjusts "
         "for `hospital`, and adjusting for `hospital` opens it. With `frailty` (or `exposure`) in the set as "
         "well, the path is blocked again."),
    hint=("A path is blocked at a collider (→ C ←) unless you adjust for the collider or one of its descendants, "
          "and at any other node only if you adjust for it."),
    mistakes={
        "a": ("`age` alone is valid: it blocks {covid_path}, and the other backdoor path, {mbias}, is already "
              "blocked at the collider `hospital`."),
        "b": "Valid too: infection does not cause `exposure`, and adjusting for it blocks {mbias} a second time.",
        "d": ("Adjusting for `hospital` opens {mbias}, but `frailty` lies on that path as a non-collider and "
              "blocks it again: this set is valid."),
    },
    zh=dict(
        title="要调整对撞因子吗？",
        why=("`hospital` 是后门路径 {mbias} 上的对撞因子：只要不调整 `hospital`，这条路径就是阻断的；调整 "
             "`hospital` 反而会打开它。再把 `frailty`（或 `exposure`）也放进调整集，这条路径又被阻断。"),
        hint="一条路径在对撞因子（→ C ←）处是阻断的，除非你调整了该对撞因子或它的某个后代；在其他节点处，只有调整了该节点才会阻断。",
        mistakes={
            "a": "只调整 `age` 是有效的：它阻断了 {covid_path}，而另一条后门路径 {mbias} 已经在对撞因子 `hospital` 处被阻断。",
            "b": "这个也有效：感染不会引起 `exposure`，调整它会再一次阻断 {mbias}。",
            "d": "调整 `hospital` 会打开 {mbias}，但 `frailty` 作为非对撞节点位于这条路径上，又把它阻断了：这个调整集有效。",
        },
        options={"a": "`age`", "b": "`age` 和 `exposure`", "c": "`age` 和 `hospital`",
                 "d": "`age`、`hospital` 和 `frailty`"}),
    solution=("The graph has two backdoor paths, {covid_path} and {mbias}. `age` blocks the first. The second is "
              "blocked at the collider `hospital` until one adjusts for `hospital`: then it opens, and the library "
              "refuses the set of `age` and `hospital` (answer **{answer}**), naming the path:\n\n"
              "```\n{problem}\n```\n\n"
              "Adding `frailty` or `exposure`, non-colliders on that path, blocks it again. Every set at once:\n\n"
              "```python\ngraph = lc.to_dag([*lc.COVID_GRAPH, (\"exposure\", \"infected\"), (\"exposure\", \"hospital\"),\n"
              "                   (\"frailty\", \"hospital\"), (\"frailty\", \"deaths\")])\n"
              "lc.show_table(lc.adjustment_table(graph, \"infected\", \"deaths\"))\n```"),
)

EXERCISES = (ITALY, OLD_INFECTED, MEDIATOR, COLLIDER)
