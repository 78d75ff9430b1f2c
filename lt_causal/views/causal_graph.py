"""Draw small causal graphs (DAGs) with matplotlib: circles for nodes, arrows for edges.

    >>> draw_causal_graph({"Z": (0.5, 1), "X": (0, 0), "Y": (1, 0)}, [("Z", "X"), ("Z", "Y")])

``draw_fork_graph`` is the confounder example of docs/method.md §1 (Z -> X, Z -> Y); the causal
graph of SGD momentum (§2) is :func:`lt_causal.views.momentum_toy_plots.momentum_causal_graph`.
:func:`draw_dag` draws a graph object itself (the one the code queries, :mod:`lt_causal.causal.graph`).
"""
from __future__ import annotations

from lt_causal.language import text
from lt_causal.views.figures import subplots

Position = tuple[float, float]
# nodes of the package's two graphs drawn with their catalogue labels (COVID_GRAPH, PAPER_GRAPH)
NODE_LABELS = {"age": "fork_age", "infected": "fork_infected", "deaths": "fork_death",
               "country": "node_country", "age_group": "node_age_mediator",
               "M": "node_momentum", "X": "node_feature", "D": "node_head", "Y": "node_prediction"}


def draw_causal_graph(nodes: dict[str, Position], edges, ax=None, *, labels: dict | None = None,
                      node_size: float = 0.12, node_colors: dict | None = None, title: str | None = None,
                      fontsize: float = 9):
    """Draw nodes (name -> (x, y)) and directed edges; return the Figure.

    An edge is ``(source, target)`` or ``(source, target, style)`` where ``style`` is a dict of
    matplotlib arrow properties (``color``, ``linestyle``, ``linewidth``) plus optional
    ``label`` (text at the edge's midpoint) and ``rad`` (curvature). ``labels`` maps a node
    name to the text drawn in it (default: the name); ``node_colors`` maps a name to a colour.
    """
    from matplotlib.patches import Circle

    if ax is None:
        xs = [p[0] for p in nodes.values()]
        ys = [p[1] for p in nodes.values()]
        width = max(xs) - min(xs) + 4 * node_size
        height = max(ys) - min(ys) + 4 * node_size
        scale = 3.0 / max(width, height)
        fig, ax = subplots(figsize=(max(2.0, width * scale * 1.3), max(2.0, height * scale * 1.3)))
    fig = ax.figure
    labels = labels or {}
    node_colors = node_colors or {}
    for name, (x, y) in nodes.items():
        ax.add_patch(Circle((x, y), node_size, facecolor=node_colors.get(name, "#dbe9f6"),
                            edgecolor="black", linewidth=1.2, zorder=2))
        ax.text(x, y, labels.get(name, name), ha="center", va="center", fontsize=fontsize, zorder=3)
    for edge in edges:
        source, target = edge[0], edge[1]
        style = dict(edge[2]) if len(edge) > 2 else {}
        for node in (source, target):
            if node not in nodes:
                raise ValueError(f"edge {source!r} -> {target!r}: node {node!r} has no position; "
                                 f"nodes: {', '.join(nodes)}")
        text = style.pop("label", None)
        rad = style.pop("rad", 0.0)
        arrow = {"arrowstyle": "-|>", "mutation_scale": 16, "color": "black", "linewidth": 1.4,
                 "shrinkA": 0, "shrinkB": 0, "connectionstyle": f"arc3,rad={rad}", **style}
        start, end = _shorten(nodes[source], nodes[target], node_size)
        ax.annotate("", xy=end, xytext=start, arrowprops=arrow, zorder=1)
        if text:
            (x0, y0), (x1, y1) = nodes[source], nodes[target]
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, text, ha="center", va="center", fontsize=9,
                    color=arrow["color"], backgroundcolor="white", zorder=3)
    xs = [p[0] for p in nodes.values()]
    ys = [p[1] for p in nodes.values()]
    pad = 2 * node_size
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def _shorten(a: Position, b: Position, r: float) -> tuple[Position, Position]:
    """The segment a -> b with both ends pulled in by the node radius r."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    return (a[0] + ux * r, a[1] + uy * r), (b[0] - ux * r, b[1] - uy * r)


def draw_fork_graph(ax=None, *, do: bool = False, show_effect: bool = True):
    """The fork Z -> X, Z -> Y (Z = age, X = infected, Y = death) of docs/method.md §1.

    ``do=True`` draws the graph after the intervention do(X): the edge Z -> X is cut.
    ``show_effect`` adds the dashed edge X -> Y whose strength we want to know.
    """
    nodes = {"Z": (0.5, 0.8), "X": (0.0, 0.0), "Y": (1.0, 0.0)}
    labels = {"Z": text("fork_age"), "X": text("fork_infected") if not do else "do(X)", "Y": text("fork_death")}
    edges = [("Z", "Y")]
    if not do:
        edges.append(("Z", "X"))
    if show_effect:
        edges.append(("X", "Y", {"linestyle": "--", "color": "tab:red", "label": "?"}))
    title = text("fork_do_title") if do else text("fork_title")
    colors = {"X": "#fde2c8"} if do else None
    return draw_causal_graph(nodes, edges, ax, labels=labels, node_size=0.2, title=title,
                             node_colors=colors)


def draw_dag(graph, positions: dict[str, Position], ax=None, *, labels: dict | None = None,
             highlight=(), dashed=(), node_size: float = 0.2, title: str | None = None):
    """Draw the causal graph object ``graph`` (a list of edges, a networkx DiGraph or a pgmpy DAG:
    the same object the code queries) with its nodes at ``positions`` (name -> (x, y)); return the Figure.

    ``highlight``: edges, or paths from :func:`lt_causal.causal.graph.backdoor_paths`, drawn in red;
    ``dashed``: edges drawn dashed. Nodes of the package's graphs get their catalogue labels
    (:data:`NODE_LABELS`), others their name, unless ``labels`` says otherwise; unobserved nodes
    (a DAG's ``latents``) are grey.
    """
    from lt_causal.causal.graph import to_dag

    dag = to_dag(graph)
    missing = [n for n in dag.nodes() if n not in positions]
    if missing:
        raise ValueError(f"node {missing[0]!r} has no position; positions: {', '.join(map(str, positions))}")
    red = {tuple(e) for item in highlight for e in (item.edges if hasattr(item, "edges") else [item])}
    dashed = {tuple(e) for e in dashed}
    edges = [(a, b, {"color": "tab:red" if (a, b) in red else "black", "linewidth": 2.4 if (a, b) in red else 1.4,
                     "linestyle": "--" if (a, b) in dashed else "-"}) for a, b in dag.edges()]
    shown = {n: text(NODE_LABELS[n]) for n in dag.nodes() if n in NODE_LABELS} | dict(labels or {})
    return draw_causal_graph({n: positions[n] for n in dag.nodes()}, edges, ax, labels=shown, node_size=node_size,
                             node_colors={n: "#e0e0e0" for n in dag.latents}, title=title, fontsize=8)
