"""``python -m lt_causal evaluate RUN --alpha ...``: many/medium/few/overall accuracy per α."""
from __future__ import annotations

import json

from lt_causal.datasets.profiles import ACCURACY_KEYS


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="accuracy of a trained run for several TDE strengths α")
    p.add_argument("run", help="run directory written by `train`")
    p.add_argument("--alpha", nargs="+", default=["0", "1"], metavar="A",
                   help="TDE strengths (default: 0 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object keyed by α")
    p.set_defaults(func=run)


def parse_alphas(values) -> list[float]:
    from lt_causal.models.tde import check_alpha
    return [check_alpha(v) for v in values]


def format_table(run, alphas) -> str:
    lines = [f"{run.method} on {run.dataset}: accuracy (%)",
             f"{'alpha':>6} {'overall':>8} {'many':>8} {'medium':>8} {'few':>8}"]
    fmt = lambda v: f"{v:8.2f}" if v is not None else f"{'-':>8}"
    for a in alphas:
        r = run.evaluate(a)
        lines.append(f"{a:6g} " + " ".join(fmt(r[k]) for k in ACCURACY_KEYS))
    return "\n".join(lines)


def print_table(run, alphas) -> None:
    print(format_table(run, alphas))
    if run.head.kind != "linear":
        cos = ", ".join(f"{c:.3f}" for c in run.mean_cos())
        print(f"mean cos(x, d_hat) per head: {cos}; suggested alpha (alpha*cos = 1): {run.suggested_alpha():.2f}")


def run(args) -> int:
    from lt_causal.evaluation.runs import load_run

    alphas = parse_alphas(args.alpha)
    result = load_run(args.run)
    if args.json:
        print(json.dumps({str(a): result.evaluate(a) for a in alphas}, indent=2))
    else:
        print_table(result, alphas)
    return 0
