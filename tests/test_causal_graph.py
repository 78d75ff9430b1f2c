"""Identification from a causal graph (lt_causal/causal/graph.py): the adjustment sets found for the
COVID graph and the paper's graph are the ones the backdoor criterion gives by hand, a set the
graph forbids is refused with the path it leaves open or opens, every verdict agrees with an
independent d-separation check, and pgmpy's do-query on the fitted network equals the formula."""
import itertools
import subprocess
import sys
import warnings

import networkx as nx
import pytest

import lt_causal as lc
from lt_causal.causal.graph import _Graph
from lt_causal.causal.graph import (COUNTRY_GRAPH, COVID_GRAPH, PAPER_GRAPH, adjustment_from_graph, adjustment_problem,
                                    adjustment_set, adjustment_sets, adjustment_table, backdoor_paths, causal_paths,
                                    check_adjustment_set, do_graph, mediators, to_dag)

X, Y = "infected", "deaths"
COVID = dict(treatment="infected", outcome="deaths", adjustment="age", population="population")
# X ← A → C ← B → Y, X → Y: C is a collider on the one backdoor path ("M-bias")
M_BIAS = [("A", "X"), ("A", "C"), ("B", "C"), ("B", "Y"), ("X", "Y")]
# the brief's collider: X → C ← U → Y, X → Y (C is a child of the treatment)
CHILD_COLLIDER = [("X", "C"), ("U", "C"), ("U", "Y"), ("X", "Y")]
PNEUMONIA = [*COVID_GRAPH, ("infected", "pneumonia"), ("pneumonia", "deaths")]
GRAPHS = {"covid": (COVID_GRAPH, X, Y), "paper": (PAPER_GRAPH, "X", "Y"), "m-bias": (M_BIAS, "X", "Y"),
          "child collider": (CHILD_COLLIDER, "X", "Y"), "pneumonia": (PNEUMONIA, X, Y),
          "country": (COUNTRY_GRAPH, "country", "deaths"),
          "two confounders": ([("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y"), ("X", "W"), ("W", "Y"), ("A", "B")],
                              "X", "Y")}


# ---------------------------------------------------------------- the sets, derived by hand

def test_covid_graph_by_the_backdoor_criterion():
    # infected has one parent, age, and age → deaths: the only backdoor path is infected ← age → deaths.
    # age is a non-collider on it and not a descendant of infected, so {age} blocks it; {} leaves it open.
    assert [str(p) for p in backdoor_paths(COVID_GRAPH, X, Y)] == ["infected ← age → deaths"]
    assert adjustment_sets(COVID_GRAPH, X, Y) == [frozenset({"age"})]
    assert adjustment_set(COVID_GRAPH, X, Y) == {"age"}
    assert mediators(COVID_GRAPH, X, Y) == []


def test_country_graph_age_is_a_mediator():
    # country has no parent, so no backdoor path: the empty set is valid (the total effect is the crude
    # rate) and age_group, a child of country on country → age_group → deaths, is its one mediator and refused.
    assert backdoor_paths(COUNTRY_GRAPH, "country", "deaths") == []
    assert adjustment_sets(COUNTRY_GRAPH, "country", "deaths") == [frozenset()]
    assert mediators(COUNTRY_GRAPH, "country", "deaths") == ["age_group"]
    assert [str(p) for p in causal_paths(COUNTRY_GRAPH, "country", "deaths")] == [
        "country → deaths", "country → age_group → deaths"]
    assert "mediator" in adjustment_problem(COUNTRY_GRAPH, "country", "deaths", {"age_group"})


def test_paper_graph_by_the_backdoor_criterion():
    # X's only parent is M; from M the paths to Y are M → D → Y (M → D ← X would revisit X), so the one
    # backdoor path is X ← M → D → Y. M or D blocks it, but D is a child of X (X → D): only {M} is valid.
    # The directed paths X → Y and X → D → Y make D the one mediator.
    assert [str(p) for p in backdoor_paths(PAPER_GRAPH, "X", "Y")] == ["X ← M → D → Y"]
    assert adjustment_sets(PAPER_GRAPH, "X", "Y") == [frozenset({"M"})]
    assert mediators(PAPER_GRAPH, "X", "Y") == ["D"]
    assert [str(p) for p in causal_paths(PAPER_GRAPH, "X", "Y")] == ["X → Y", "X → D → Y"]
    assert backdoor_paths(PAPER_GRAPH, "X", "Y", given={"M"}) == []
    assert [p.edges for p in backdoor_paths(PAPER_GRAPH, "X", "Y", given=set())] == [(("M", "X"), ("M", "D"), ("D", "Y"))]


def test_m_bias_needs_no_adjustment_and_the_collider_is_refused():
    # the only backdoor path X ← A → C ← B → Y is blocked at the collider C: the empty set is valid
    assert adjustment_sets(M_BIAS, "X", "Y") == [frozenset()]
    assert backdoor_paths(M_BIAS, "X", "Y")[0].colliders == ("C",)
    with pytest.raises(ValueError) as err:
        check_adjustment_set(M_BIAS, "X", "Y", {"C"})
    assert str(err.value) == "adjusting for {'C'} opens the backdoor path X ← A → C ← B → Y: C is a collider on it"
    assert check_adjustment_set(M_BIAS, "X", "Y", ["A", "C"]) == {"A", "C"}     # A closes what C opened


# ---------------------------------------------------------------- refused sets name the path

@pytest.mark.parametrize("graph,treatment,outcome,adjustment,message", [
    (COVID_GRAPH, X, Y, [], "adjusting for no variable leaves the backdoor path infected ← age → deaths open"),
    (PAPER_GRAPH, "X", "Y", "D",
     "adjusting for {'D'} blocks the causal path X → D → Y: D is a mediator (a descendant of X)"),
    (PAPER_GRAPH, "X", "Y", [], "adjusting for no variable leaves the backdoor path X ← M → D → Y open"),
    (CHILD_COLLIDER, "X", "Y", "C", "adjusting for {'C'} opens the path X → C ← U → Y: C is a collider on it"),
    (PNEUMONIA, X, Y, ["age", "pneumonia"], "adjusting for {'age', 'pneumonia'} blocks the causal path "
     "infected → pneumonia → deaths: pneumonia is a mediator (a descendant of infected)"),
    ([*COVID_GRAPH, ("infected", "W")], X, Y, ["age", "W"], "adjusting for {'W', 'age'} is not allowed: W is a "
     "descendant of infected (infected → W), and the backdoor criterion excludes descendants of the treatment"),
])
def test_an_invalid_set_is_one_value_error_naming_the_path(graph, treatment, outcome, adjustment, message):
    with pytest.raises(ValueError) as err:
        check_adjustment_set(graph, treatment, outcome, adjustment)
    assert str(err.value) == message and "\n" not in str(err.value)
    assert adjustment_problem(graph, treatment, outcome, adjustment) == message


def by_hand_valid(edges, x, y, z) -> bool:
    """Pearl's backdoor criterion with networkx alone: no descendant of x in z, and z d-separates x
    and y once x's outgoing edges are removed."""
    g = nx.DiGraph(edges)
    if set(z) & nx.descendants(g, x):
        return False
    g.remove_edges_from(list(g.out_edges(x)))
    return nx.is_d_separator(g, {x}, {y}, set(z))


@pytest.mark.parametrize("name", GRAPHS)
def test_every_verdict_agrees_with_an_independent_d_separation(name):
    edges, x, y = GRAPHS[name]
    others = sorted({n for e in edges for n in e} - {x, y})
    paths = _Graph(edges).paths(x, y)
    for size in range(len(others) + 1):
        for z in itertools.combinations(others, size):
            problem = adjustment_problem(edges, x, y, z)
            assert (problem is None) == by_hand_valid(edges, x, y, z), (name, z, problem)
            if problem and "is not allowed" not in problem:   # it names one of the paths from x to y
                assert any(f"path {p} " in problem or f"path {p}:" in problem for p in paths), problem
    table = adjustment_table(edges, x, y)
    assert len(table) == 2 ** len(others) and table["valid"].sum() == sum(
        by_hand_valid(edges, x, y, z) for s in range(len(others) + 1) for z in itertools.combinations(others, s))


@pytest.mark.parametrize("name", GRAPHS)
def test_the_minimal_sets_are_the_ones_pgmpy_causal_inference_finds(name):
    edges, x, y = GRAPHS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)     # deprecated in pgmpy 1.1, removed in 1.3
        from pgmpy.inference import CausalInference
        theirs = CausalInference(to_dag(edges)).get_all_backdoor_adjustment_sets(x, y)
    assert adjustment_sets(edges, x, y) == (sorted(theirs, key=lambda s: (len(s), sorted(s))) or [frozenset()])


# ---------------------------------------------------------------- the forms a graph comes in

def test_edges_networkx_and_pgmpy_give_the_same_answers():
    for graph in (list(PAPER_GRAPH), nx.DiGraph(PAPER_GRAPH), to_dag(PAPER_GRAPH)):
        assert adjustment_sets(graph, "X", "Y") == [{"M"}] and mediators(graph, "X", "Y") == ["D"]
    dag = to_dag(COVID_GRAPH)
    assert type(dag).__name__ == "DAG" and set(dag.edges()) == set(COVID_GRAPH)
    cut = do_graph(PAPER_GRAPH, "X")
    assert set(cut.edges()) == set(PAPER_GRAPH) - {("M", "X")} and dag.has_edge("age", "infected")


@pytest.mark.parametrize("graph,match", [
    ([("A", "B"), ("B", "C"), ("C", "A")], r"^the graph has a cycle A → B → C → A; a causal graph must be acyclic$"),
    ([("A", "B", "C")], r"edge \('A', 'B', 'C'\) is not a \(cause, effect\) pair"),
    ([("A", "A")], r"edge \('A', 'A'\) points from 'A' to itself"),
    ("A->B", r"graph must be a list of \(cause, effect\) edges.*got str"),
    (nx.Graph([("A", "B")]), "the graph is undirected"),
])
def test_a_bad_graph_is_one_value_error(graph, match):
    with pytest.raises(ValueError, match=match):
        adjustment_sets(graph, "A", "B")


def test_bad_roles_and_unobserved_variables():
    with pytest.raises(ValueError, match=r"treatment 'T' is not a node of the graph; nodes: age, infected, deaths"):
        adjustment_sets(COVID_GRAPH, "T", Y)
    with pytest.raises(ValueError, match=r"adjustment variable 'sex' is not a node"):
        check_adjustment_set(COVID_GRAPH, X, Y, ["sex"])
    with pytest.raises(ValueError, match=r"contains the treatment 'infected'"):
        check_adjustment_set(COVID_GRAPH, X, Y, [X])
    hidden = to_dag([("U", "X"), ("U", "Y"), ("X", "Y")], latents={"U"})
    with pytest.raises(ValueError, match=r"'U' is unobserved"):
        check_adjustment_set(hidden, "X", "Y", "U")
    with pytest.raises(ValueError, match=r"no valid backdoor adjustment set for X → Y: .* blocks the backdoor path X ← U → Y$"):
        adjustment_sets(hidden, "X", "Y")


# ---------------------------------------------------------------- the formula with graph=, and pgmpy's do-query

def test_backdoor_adjustment_finds_or_checks_the_column_from_the_graph():
    covid = lc.load_example("covid")
    named = lc.backdoor_adjustment(covid, **COVID)
    found = lc.backdoor_adjustment(covid, treatment=X, outcome=Y, population="population", graph=COVID_GRAPH)
    assert found.table.index.name == "age" and found.adjusted == named.adjusted
    assert lc.backdoor_adjustment(covid, **COVID, graph=to_dag(COVID_GRAPH)).adjusted == named.adjusted
    with pytest.raises(ValueError, match=r"^adjusting for \{'pneumonia'\} blocks the causal path infected → pneumonia"):
        lc.backdoor_adjustment(covid, treatment=X, outcome=Y, adjustment="pneumonia", population="population",
                               graph=PNEUMONIA)
    with pytest.raises(ValueError, match=r"give adjustment= .* or graph="):
        lc.backdoor_adjustment(covid, treatment=X, outcome=Y, population="population")
    with pytest.raises(ValueError, match=r"adjustment set for X → Y is \[\], but the formula stratifies by one column"):
        adjustment_from_graph(M_BIAS, "X", "Y")


@pytest.mark.parametrize("change", [None, ">=65", "0-14"])
def test_pgmpy_do_query_equals_the_formula(change):
    covid = lc.load_example("covid")
    if change:                                    # the same check on another table: more cases in one group
        covid.loc[covid["age"] == change, ["infected", "deaths"]] *= 3
    formula = lc.backdoor_adjustment(covid, **COVID)
    query = lc.pgmpy_do_query(covid, **COVID)
    assert abs(query.adjusted - formula.adjusted) < 1e-9
    assert abs(query.observational - formula.observational) < 1e-9
    assert abs(query.adjusted - query.observational) > 1e-3             # the two queries differ
    if change is None:
        assert round(query.adjusted, 4) == 0.0430 and round(query.observational, 4) == 0.0643
    assert sorted(query.network.edges()) == sorted([("age", X), ("age", Y), (X, Y)])


def test_pgmpy_do_query_refuses_more_treated_than_people():
    covid = lc.load_example("covid")
    covid.loc[0, "population"] = 5
    with pytest.raises(ValueError, match=r"stratum '0-14': infected = 9 exceeds population = 5"):
        lc.pgmpy_do_query(covid, **COVID)


def test_import_loads_neither_pgmpy_nor_networkx():
    code = "import sys, lt_causal; print(sorted(m for m in ('pgmpy', 'networkx') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- the views draw the graph object

def test_draw_dag_draws_the_objects_edges(close_figures):
    dag = to_dag(COVID_GRAPH)
    positions = {"age": (0.5, 0.8), "infected": (0, 0), "deaths": (1, 0)}
    fig = lc.draw_dag(dag, positions, highlight=backdoor_paths(dag, X, Y))
    arrows = [t.arrow_patch for t in fig.axes[0].texts if getattr(t, "arrow_patch", None)]
    assert len(arrows) == len(COVID_GRAPH)
    red = [a for a in arrows if a.get_edgecolor()[:3] == pytest.approx((0.839, 0.153, 0.157), abs=1e-2)]
    assert len(red) == 2                                              # infected ← age → deaths
    with pytest.raises(ValueError, match=r"node 'pneumonia' has no position"):
        lc.draw_dag(PNEUMONIA, positions)


def test_the_momentum_figure_reads_its_edges_from_the_paper_graph():
    from lt_causal.views import momentum_toy_plots as view

    assert [(a, b) for a, b, _ in view.GRAPH_EDGES] == list(PAPER_GRAPH)
    assert set(view._highlight_colors("backdoor")) == {("M", "X"), ("M", "D"), ("D", "Y")}
    assert view._highlight_colors("mediator") == {("X", "Y"): "tab:green", ("X", "D"): "tab:orange",
                                                 ("D", "Y"): "tab:orange"}


# ---------------------------------------------------------------- the exercises of notebook 01, by hand

def test_exercise_answers_by_the_backdoor_criterion():
    # 01.3: pneumonia is a child of infected (a mediator), so b (age alone) is the one valid choice.
    # 01.4: infected ← exposure → hospital ← frailty → deaths is blocked at the collider hospital; only
    # c (age with hospital, nothing to close it again) opens it.
    assert lc.check("01.3", "b").correct and lc.check("01.4", "c").correct
    assert lc.check("01.3", "age").correct and lc.check("01.4", "age and hospital").correct
