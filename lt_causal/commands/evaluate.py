"""``python -m lt_causal evaluate RUN --alpha ... [--test-prior P]``: many/medium/few/overall
accuracy per α, overall optionally re-weighted for a long-tailed (or inverse) test set."""
from __future__ import annotations

import json

from lt_causal.datasets.profiles import ACCURACY_KEYS

PRIOR_HELP = ("class distribution of the test set the overall accuracy is for: balanced (the paper's), "
              "train (the training distribution), inverse (tail classes most frequent) or an imbalance "
              "ratio RATIO >= 1 (long-tailed like training, n_max/n_min = RATIO); many/medium/few are "
              "per-group means either way (default: the test set as it is, balanced for the shipped data sets)")


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="accuracy of a trained run for several TDE strengths α")
    p.add_argument("run", help="run directory written by `train`, or pretrained:NAME")
    p.add_argument("--alpha", nargs="+", default=["0", "1"], metavar="A",
                   help="TDE strengths (default: 0 1)")
    p.add_argument("--test-prior", default=None, metavar="balanced|train|inverse|RATIO", help=PRIOR_HELP)
    p.add_argument("--split", choices=("test", "val"), default="test",
                   help="the split to score: test (default) or val, kept by runs on imagenet-lt / places-lt "
                        "(the official protocol tunes alpha on val: Fig. 4)")
    p.add_argument("--json", action="store_true", help="print one JSON object keyed by α")
    p.set_defaults(func=run)


def parse_alphas(values) -> list[float]:
    from lt_causal.models.tde import check_alpha
    return [check_alpha(v) for v in values]


def parse_prior(value):
    """``--test-prior`` as a :class:`~lt_causal.evaluation.metrics.TestPrior` (``balanced``, ``train``,
    ``inverse`` or a ratio ≥ 1; no weights on the command line); None stays None."""
    from lt_causal.evaluation.metrics import PRIORS, TestPrior

    if value is None:
        return None
    try:
        prior = TestPrior.parse(str(value))
    except ValueError:
        prior = None
    if prior is None or prior.kind == "weights":
        raise ValueError(f"--test-prior must be {', '.join(PRIORS)} or an imbalance ratio >= 1, got {value!r}")
    return prior


def format_table(run, alphas, prior=None) -> str:
    from lt_causal.evaluation.metrics import prior_name

    where = "" if prior is None else f", overall for a {prior_name(prior)} test prior"
    lines = [f"{run.method} on {run.data_name}: accuracy (%){where}",
             f"{'alpha':>6} {'overall':>8} {'many':>8} {'medium':>8} {'few':>8}"]
    fmt = lambda v: f"{v:8.2f}" if v is not None else f"{'-':>8}"
    results = {a: run.evaluate(a, prior=prior) for a in alphas}
    for a, r in results.items():
        lines.append(f"{a:6g} " + " ".join(fmt(r[k]) for k in ACCURACY_KEYS))
    if prior is not None and len(results) > 1:
        best = max(results, key=lambda a: (results[a]["overall"], -a))
        lines.append(f"best of these alphas for the {prior_name(prior)} test prior: {best:g} "
                     "(many/medium/few: per-group means, not re-weighted)")
    return "\n".join(lines)


def print_table(run, alphas, prior=None) -> None:
    print(format_table(run, alphas, prior))
    if run.head.kind != "linear":
        cos = ", ".join(f"{c:.3f}" for c in run.mean_cos())
        print(f"mean cos(x, d_hat) per head: {cos}; suggested alpha (alpha*cos = 1): {run.suggested_alpha():.2f}")


def print_selection(run) -> None:
    """The epoch a run on a data set with a val split reports (best on val), if it has one."""
    from lt_causal.evaluation.val_runs import selected_epoch

    chosen = selected_epoch(run) if run.path is not None else None
    if chosen:
        print(f"selected epoch {chosen['epoch']} of {chosen['epochs']}: best on {chosen['split']} "
              f"({chosen['val_acc']:.2f}% at alpha {chosen['alpha']:g}); test is reported with its weights")


def run(args) -> int:
    from lt_causal.evaluation.val_runs import load_split_run

    alphas = parse_alphas(args.alpha)
    prior = parse_prior(getattr(args, "test_prior", None))
    result = load_split_run(args.run, getattr(args, "split", "test"))
    if prior is not None:
        prior.weights(result.train_counts)           # a prior that does not fit the run: one ValueError
    if args.json:
        print(json.dumps({str(a): result.evaluate(a, prior=prior) for a in alphas}, indent=2))
    else:
        if getattr(args, "split", "test") == "val":
            print("scored on the val split (the split that tunes alpha and selects the epoch)")
        print_table(result, alphas, prior)
        print_selection(result)
    return 0
