"""``python -m lt_causal reproduce``: the Table 3 grid (data set × imbalance × method × seed),
mean ± std over seeds beside the paper's numbers, written as results.md / results.csv.

    python -m lt_causal reproduce --dataset cifar10-lt --imbalance 100 50 10 --methods ce deconfound --seeds 0 1
    python -m lt_causal reproduce --dataset folder --folder ../shared/data/cifar10-jpeg --imbalance 100 --fast
"""
from __future__ import annotations

import sys

from lt_causal.commands._common import FOLDER_HELP, add_recipe_options, recipe_overrides
from lt_causal.datasets.registry import DATASETS
from lt_causal.methods.registry import METHODS


def register(sub) -> None:
    p = sub.add_parser("reproduce", help="reproduce Table 3: every data set x imbalance x method x seed",
                       description="Train every combination with the paper's recipe (options override it), "
                                   "evaluate alpha = 0 and the configured alpha, and print mean ± std over "
                                   "seeds beside Table 3 of the paper. Finished runs are loaded, unfinished "
                                   "ones resume: running the same command again continues the grid.")
    p.add_argument("--dataset", nargs="+", choices=DATASETS, default=["cifar10-lt"], metavar="NAME",
                   help=f"data sets ({', '.join(DATASETS)}; default cifar10-lt)")
    p.add_argument("--folder", help=FOLDER_HELP)
    p.add_argument("--imbalance", nargs="+", type=float, default=[100.0], metavar="R",
                   help="imbalance ratios n_max/n_min (Table 3: 100 50 10)")
    p.add_argument("--methods", nargs="+", choices=tuple(METHODS), default=["ce", "deconfound"], metavar="M",
                   help=f"methods ({', '.join(METHODS)}; default ce deconfound)")
    p.add_argument("--seeds", nargs="+", type=int, default=[0, 1], metavar="S")
    add_recipe_options(p)
    p.add_argument("--out", help="folder for the run directories and results.md/csv "
                                 "(default: runs/reproduce)")
    p.set_defaults(func=run)


def run(args) -> int:
    from lt_causal.experiments.reproduce import reproduce
    from lt_causal.experiments.results_table import results_markdown
    from lt_causal.settings import default_runs_dir

    def report(event):
        if event["status"] != "starting":
            print(f"[{event['index']}/{event['total']}] {event['run']}: {event['status']}", file=sys.stderr)

    summary = reproduce(args.dataset, args.imbalance, args.methods, args.seeds, base=recipe_overrides(args),
                        root=args.out, folder=args.folder, quick=args.quick, callback=report)
    root = args.out or default_runs_dir() / "reproduce"
    print(f"results written to {root}/results.md, results.csv and runs.csv", file=sys.stderr)
    print(results_markdown(summary))
    return 0
