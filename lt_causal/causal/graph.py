"""Identification from a causal graph (docs/method.md §1-2): which sets Z make the backdoor sum
P(Y | do(X)) = Σ_z P(Y | X, z) P(z) valid, found and checked with pgmpy, and the paths and
mediators a learner reads off the graph.

    >>> adjustment_sets(COVID_GRAPH, "infected", "deaths")
    [frozenset({'age'})]
    >>> backdoor_paths(PAPER_GRAPH, "X", "Y"), mediators(PAPER_GRAPH, "X", "Y")
    ([GraphPath('X ← M → D → Y')], ['D'])
    >>> check_adjustment_set(PAPER_GRAPH, "X", "Y", "D")
    Traceback (most recent call last):
    ValueError: adjusting for {'D'} blocks the causal path X → D → Y: D is a mediator (a descendant of X)

A graph is a list of (cause, effect) edges, a networkx ``DiGraph`` or a pgmpy ``DAG`` (whose
``latents`` are never adjusted for). pgmpy's backdoor criterion (``pgmpy.identification.Adjustment``)
decides which sets are valid; the paths, enumerated here, name the path a refused set leaves open or
opens. pgmpy is imported inside the functions that use it: ``import lt_causal`` stays fast.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from lt_causal.language import text

# notebook 01's fork, its nodes named by the columns of load_example("covid")
COVID_GRAPH = (("age", "infected"), ("age", "deaths"), ("infected", "deaths"))
# notebook 01's China / Italy comparison: the country shapes the age mix of its cases, and age and
# country both act on death; age is a mediator (von Kügelgen, Gresele, Schölkopf 2020)
COUNTRY_GRAPH = (("country", "age_group"), ("age_group", "deaths"), ("country", "deaths"))
# the paper's graph (docs/method.md §2): M momentum, X feature, D the projection of X on the head
# direction, Y prediction; notebook 02's figure numbers the edges (1)-(5) in this order
PAPER_GRAPH = (("M", "X"), ("M", "D"), ("X", "D"), ("D", "Y"), ("X", "Y"))


@dataclass(frozen=True)
class GraphPath:
    """A path between two nodes that ignores the edges' directions: ``nodes`` in order and, per
    step, ``forward[i]`` (the edge points from ``nodes[i]`` to ``nodes[i + 1]``)."""

    nodes: tuple
    forward: tuple

    def __str__(self) -> str:
        steps = (f"{'→' if f else '←'} {n}" for n, f in zip(self.nodes[1:], self.forward))
        return " ".join([str(self.nodes[0]), *steps])

    def __repr__(self) -> str:
        return f"GraphPath({str(self)!r})"

    @property
    def edges(self) -> tuple:
        """The path's edges as (cause, effect) pairs."""
        return tuple((a, b) if f else (b, a) for a, b, f in zip(self.nodes, self.nodes[1:], self.forward))

    @property
    def colliders(self) -> tuple:
        """The inner nodes both of whose edges on the path point into them (→ C ←)."""
        return tuple(n for n, a, b in zip(self.nodes[1:-1], self.forward, self.forward[1:]) if a and not b)


def _read(graph) -> tuple[tuple, tuple, frozenset]:
    """(nodes, edges, latents) of a list of edges, a networkx DiGraph or a pgmpy DAG."""
    if hasattr(graph, "edges") and hasattr(graph, "nodes"):
        if hasattr(graph, "is_directed") and not graph.is_directed():
            raise ValueError("the graph is undirected; a causal graph needs directed edges (cause, effect)")
        nodes, edges = list(graph.nodes()), [tuple(e[:2]) for e in graph.edges()]
        latents = frozenset(getattr(graph, "latents", None) or ())
    elif isinstance(graph, (list, tuple, set, frozenset)):
        nodes, edges, latents = [], list(graph), frozenset()
    else:
        raise ValueError("graph must be a list of (cause, effect) edges, a networkx DiGraph or a pgmpy "
                         f"DAG; got {type(graph).__name__}")
    for edge in edges:
        if not (isinstance(edge, (tuple, list)) and len(edge) == 2
                and all(isinstance(n, str) and n for n in edge)):
            raise ValueError(f"edge {edge!r} is not a (cause, effect) pair of node names (strings)")
        if edge[0] == edge[1]:
            raise ValueError(f"edge {tuple(edge)!r} points from {edge[0]!r} to itself")
    for bad in (n for n in nodes if not (isinstance(n, str) and n)):
        raise ValueError(f"node {bad!r} is not a name (a non-empty string)")
    edges = tuple(dict.fromkeys(tuple(e) for e in edges))
    return tuple(dict.fromkeys([*nodes, *(n for e in edges for n in e)])), edges, latents


class _Graph:
    """Nodes, edges, parents, children and latents of a graph, checked once (acyclic, named nodes)."""

    def __init__(self, graph):
        self.nodes, self.edges, self.latents = _read(graph)
        self.children = {n: [] for n in self.nodes}
        self.parents = {n: [] for n in self.nodes}
        for a, b in self.edges:
            self.children[a].append(b)
            self.parents[b].append(a)
        left = dict.fromkeys(self.nodes)               # Kahn: peel off nodes without parents left
        while (free := [n for n in left if not any(p in left for p in self.parents[n])]):
            for n in free:
                del left[n]
        if left:                                       # every node left has a parent left: walk up
            walk = [next(iter(left))]
            while walk.count(walk[-1]) < 2:
                walk.append(next(p for p in self.parents[walk[-1]] if p in left))
            cycle = walk[walk.index(walk[-1]):][::-1]
            raise ValueError(f"the graph has a cycle {' → '.join(cycle)}; a causal graph must be acyclic")

    def descendants(self, node: str) -> set:
        return set(self.children[node]).union(*(self.descendants(c) for c in self.children[node]))

    def require(self, node, role: str) -> None:
        if not isinstance(node, str) or node not in self.children:
            raise ValueError(f"{role} {node!r} is not a node of the graph; nodes: {', '.join(self.nodes)}")

    def paths(self, start: str, end: str) -> list[GraphPath]:
        """Every simple path between start and end, edge directions ignored, shortest first."""
        found = []

        def walk(nodes, forward):
            if nodes[-1] == end:
                found.append(GraphPath(tuple(nodes), tuple(forward)))
                return
            for nxt, fwd in [(c, True) for c in self.children[nodes[-1]]] + [(p, False) for p in self.parents[nodes[-1]]]:
                if nxt not in nodes:
                    walk(nodes + [nxt], forward + [fwd])

        walk([start], [])
        return sorted(found, key=lambda p: (len(p.nodes), str(p)))

    def is_open(self, path: GraphPath, given: set) -> bool:
        """d-connection along ``path`` given ``given``: no non-collider on it is in ``given`` and
        every collider is, or has a descendant that is."""
        for node, into, out in zip(path.nodes[1:-1], path.forward, path.forward[1:]):
            collider = into and not out
            if (collider and not ({node} | self.descendants(node)) & given) or (not collider and node in given):
                return False
        return True


def _setup(graph, treatment, outcome) -> _Graph:
    g = graph if isinstance(graph, _Graph) else _Graph(graph)
    g.require(treatment, "treatment")
    g.require(outcome, "outcome")
    if treatment == outcome:
        raise ValueError(f"treatment and outcome are the same node {treatment!r}")
    return g


def _as_set(g: _Graph, adjustment, role: str = "adjustment variable") -> frozenset:
    names = [] if adjustment is None else [adjustment] if isinstance(adjustment, str) else list(adjustment)
    for name in names:
        g.require(name, role)
    return frozenset(names)


def _show(z) -> str:
    return "{" + ", ".join(repr(n) for n in sorted(z)) + "}"


def backdoor_paths(graph, treatment: str, outcome: str, given=None) -> list[GraphPath]:
    """The paths between ``treatment`` and ``outcome`` that start with an arrow into the treatment
    (X ← …); with ``given`` (a set of nodes) only those it leaves open."""
    g = _setup(graph, treatment, outcome)
    paths = [p for p in g.paths(treatment, outcome) if not p.forward[0]]
    return paths if given is None else [p for p in paths if g.is_open(p, _as_set(g, given))]


def causal_paths(graph, treatment: str, outcome: str) -> list[GraphPath]:
    """The directed paths X → … → Y (the direct edge and every route through mediators)."""
    g = _setup(graph, treatment, outcome)
    return [p for p in g.paths(treatment, outcome) if all(p.forward)]


def mediators(graph, treatment: str, outcome: str) -> list[str]:
    """The nodes on a directed path from ``treatment`` to ``outcome`` (X → … → D → … → Y), sorted."""
    return sorted({n for p in causal_paths(graph, treatment, outcome) for n in p.nodes[1:-1]})


def _dag(g: _Graph, treatment=None, outcome=None):
    """A pgmpy DAG of ``g``; with treatment and outcome given, they carry pgmpy's roles."""
    from pgmpy.base import DAG

    dag = DAG(g.edges, latents=set(g.latents))
    dag.add_nodes_from(g.nodes)
    return dag if treatment is None else dag.with_role("exposures", treatment).with_role("outcomes", outcome)


def to_dag(graph, latents=()):
    """The graph as a new pgmpy ``DAG``; ``latents`` (and a given DAG's own) are unobserved."""
    g = _Graph(graph)
    g.latents |= _as_set(g, latents, "latent")
    return _dag(g)


def do_graph(graph, treatment: str):
    """The graph after the intervention do(treatment): every edge into the treatment is cut."""
    g = _Graph(graph)
    g.require(treatment, "treatment")
    dag = _dag(g)
    dag.remove_edges_from([(p, treatment) for p in g.parents[treatment]])
    return dag


def _explain(g: _Graph, x: str, y: str, z: frozenset, descendants: list) -> str:
    """One line naming the path ``z`` leaves open, opens or blocks (z invalid), in the learner's language."""
    shown, paths = _show(z), g.paths(x, y)
    opened = [(p, c) for p in paths if not all(p.forward) and g.is_open(p, z) for c in p.colliders]
    if descendants:
        d = descendants[0]
        causal = [p for p in paths if all(p.forward) and d in p.nodes]
        if causal:
            return text("adjust_blocks_causal", shown=shown, path=causal[0], d=d, x=x)
        opened = [(p, c) for p, c in opened if d in {c} | g.descendants(c)]
        if not opened:
            route = next(p for p in g.paths(x, d) if all(p.forward))
            return text("adjust_descendant", shown=shown, d=d, x=x, route=route)
    if opened:
        p, c = opened[0]
        opener = sorted(({c} | g.descendants(c)) & z)[0]
        tail = "" if opener == c else text("adjust_opener_tail", opener=opener)
        return text("adjust_opens" if p.forward[0] else "adjust_opens_backdoor", shown=shown, path=p, c=c) + tail
    still = [p for p in paths if not p.forward[0] and g.is_open(p, z)]
    if still:
        return text("adjust_leaves_open" if z else "adjust_none_leaves_open", shown=shown, path=still[0])
    return text("adjust_refused", shown=shown, x=x, y=y)


def adjustment_problem(graph, treatment: str, outcome: str, adjustment) -> str | None:
    """Why ``adjustment`` (a node name or a set of them) is not a valid backdoor adjustment set for
    the effect of ``treatment`` on ``outcome``, as one line naming the path; None when it is valid.

    Valid (Pearl's backdoor criterion): no member is a descendant of the treatment, and the set
    blocks every backdoor path (pgmpy's ``Adjustment.validate`` decides this part)."""
    from pgmpy.identification import Adjustment

    g = _setup(graph, treatment, outcome)
    z = _as_set(g, adjustment)
    for node, role in ((treatment, "treatment"), (outcome, "outcome")):
        if node in z:
            raise ValueError(f"the adjustment set {_show(z)} contains the {role} {node!r}")
    if z & g.latents:
        raise ValueError(f"{sorted(z & g.latents)[0]!r} is unobserved (a latent of the graph): it cannot be adjusted for")
    descendants = sorted(z & g.descendants(treatment))
    if not descendants and Adjustment().validate(_dag(g, treatment, outcome).with_role("adjustment", z)):
        return None
    return _explain(g, treatment, outcome, z, descendants)


def check_adjustment_set(graph, treatment: str, outcome: str, adjustment) -> frozenset:
    """``adjustment`` as a frozenset if it is a valid backdoor adjustment set, else one ValueError
    naming the path it leaves open or opens (:func:`adjustment_problem`)."""
    problem = adjustment_problem(graph, treatment, outcome, adjustment)
    if problem:
        raise ValueError(problem)
    return _as_set(_Graph(graph), adjustment)


def adjustment_sets(graph, treatment: str, outcome: str) -> list[frozenset]:
    """All minimal valid backdoor adjustment sets (found by pgmpy), smallest first; ``[frozenset()]``
    when no adjustment is needed, one ValueError when no observed set is valid."""
    from pgmpy.identification import Adjustment

    g = _setup(graph, treatment, outcome)
    found, ok = Adjustment(variant="all").identify(_dag(g, treatment, outcome))
    sets = {frozenset(d.get_role("adjustment")) for d in found} if ok else set()
    sets = {s for s in sets if not (s & g.descendants(treatment)) and not any(o < s for o in sets)}
    if not sets:
        observed = frozenset(g.nodes) - g.latents - g.descendants(treatment) - {treatment, outcome}
        path = (backdoor_paths(g, treatment, outcome, given=observed) or backdoor_paths(g, treatment, outcome))[0]
        raise ValueError(f"no valid backdoor adjustment set for {treatment} → {outcome}: no set of observed "
                         f"variables blocks the backdoor path {path}")
    return sorted(sets, key=lambda s: (len(s), sorted(s)))


def adjustment_set(graph, treatment: str, outcome: str) -> frozenset:
    """The adjustment set the package uses: the smallest minimal one (ties: alphabetical)."""
    return adjustment_sets(graph, treatment, outcome)[0]


def adjustment_table(graph, treatment: str, outcome: str):
    """Every set of observed variables (other than treatment and outcome) as a row: ``valid`` and,
    when not, ``why`` (the path it leaves open or opens), smallest sets first."""
    import pandas as pd

    g = _setup(graph, treatment, outcome)
    others = [n for n in g.nodes if n not in (treatment, outcome) and n not in g.latents]
    sets = [z for size in range(len(others) + 1) for z in itertools.combinations(sorted(others), size)]
    why = [adjustment_problem(g, treatment, outcome, z) or "" for z in sets]
    return pd.DataFrame({"valid": [not w for w in why], "why": why},
                        index=pd.Index(["{" + ", ".join(z) + "}" for z in sets], name="adjustment set"))


def adjustment_from_graph(graph, treatment: str, outcome: str, adjustment: str | None = None) -> str:
    """The one stratum column the formula adjusts for: ``adjustment`` checked against ``graph``
    (one ValueError naming the path if the graph forbids it), or the graph's smallest valid set."""
    if adjustment is not None:
        return next(iter(check_adjustment_set(graph, treatment, outcome, [adjustment])))
    found = adjustment_set(graph, treatment, outcome)
    if len(found) != 1:
        raise ValueError(f"the graph's adjustment set for {treatment} → {outcome} is {sorted(found)}, but the "
                         "formula stratifies by one column: name it with adjustment=")
    return next(iter(found))
