"""``python -m lt_causal backdoor``: backdoor adjustment on a shipped example or a CSV file.

    python -m lt_causal backdoor --example covid
    python -m lt_causal backdoor --example china-italy --standard Italy
    python -m lt_causal backdoor --csv strata.csv --treatment infected --outcome deaths \\
        --adjustment age --population population
    python -m lt_causal backdoor --csv cfr.csv --group country --adjustment age \\
        --treatment cases --outcome deaths            # standardise each group (Simpson)
"""
from __future__ import annotations

EXAMPLE_COLUMNS = {
    "covid": {"treatment": "infected", "outcome": "deaths", "adjustment": "age",
              "population": "population"},
    "china-italy": {"treatment": "confirmed_cases", "outcome": "confirmed_deaths",
                    "adjustment": "age_group", "group": "country"},
}
OPTIONS = ("treatment", "outcome", "adjustment", "weights", "population", "group")


def register(sub) -> None:
    import argparse

    p = sub.add_parser(
        "backdoor", help="P(Y|X) vs the backdoor-adjusted P(Y|do(X)) over strata",
        description="Backdoor adjustment P(Y|do(X)) = sum_z P(Y|X,z) P(z) on a shipped example\n"
                    "or a CSV file with one row per stratum z.",
        epilog="examples:\n" + __doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--example", choices=sorted(EXAMPLE_COLUMNS),
                        help="a table shipped with the package")
    source.add_argument("--csv", metavar="FILE",
                        help='your own table, one row per stratum (counts may use thousands separators: "1,000")')
    p.add_argument("--treatment", metavar="COL", help="column: count of treated units (X) per stratum")
    p.add_argument("--outcome", metavar="COL", help="column: count of outcomes (Y) among them")
    p.add_argument("--adjustment", metavar="COL", help="column: stratum label of the confounder Z")
    p.add_argument("--weights", metavar="COL", help="column: P(z) (normalised by its sum)")
    p.add_argument("--population", metavar="COL", help="column: population count per stratum")
    p.add_argument("--group", metavar="COL",
                   help="column naming groups to compare (e.g. country); each group is adjusted "
                        "to the same reference P(z) (direct standardisation)")
    p.add_argument("--standard", default="pooled", metavar="NAME",
                   help="with --group: reference P(z) = 'pooled' cases (default) or one group's")
    p.set_defaults(func=run)


def resolve_columns(args) -> dict:
    """Column options from the command line, falling back on the example's defaults."""
    given = {k: getattr(args, k) for k in OPTIONS if getattr(args, k) is not None}
    columns = dict(EXAMPLE_COLUMNS.get(args.example, {}))
    if "weights" in given:
        columns.pop("population", None)
    if "population" in given:
        columns.pop("weights", None)
    columns.update(given)
    required = ("treatment", "outcome", "adjustment")
    missing = [f"--{k}" for k in required if k not in columns]
    if "group" not in columns and "weights" not in columns and "population" not in columns:
        missing.append("--weights or --population")
    if missing:
        raise ValueError(f"missing column option(s): {', '.join(missing)}")
    return columns


def format_groups(data, columns: dict, standard: str) -> str:
    from lt_causal.causal.simpson import backdoor_by_group, standardized_rates

    kw = dict(group=columns["group"], adjustment=columns["adjustment"],
              cases=columns["treatment"], deaths=columns["outcome"], standard=standard)
    parts = [f"== {columns['group']} = {name} (reference P(z): {standard}) ==\n{r.to_string()}"
             for name, r in backdoor_by_group(data, **kw).items()]
    summary = standardized_rates(data, **kw)
    pct = summary.assign(crude=100 * summary["crude"], standardized=100 * summary["standardized"])
    parts.append(f"== crude vs standardised rate (%), reference P(z): {standard} ==\n"
                 + pct.rename(columns={"standardized": "standardised"})
                 .to_string(float_format=lambda v: f"{v:.2f}"))
    return "\n\n".join(parts)


def read_table(path):
    """The CSV file ``path`` as a DataFrame; one ValueError / FileNotFoundError naming the file
    if it is missing, a folder, empty or not CSV text. Numeric cells may use thousands
    separators when quoted ("1,000"); a bad cell is reported by the adjustment, with its stratum."""
    import os

    import pandas as pd

    if os.path.isdir(path):
        raise ValueError(f"--csv {path} is a folder, not a CSV file")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"--csv {path}: no such file")
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"--csv {path} is empty: it needs a header row and one row per stratum") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else "unreadable"
        raise ValueError(f"--csv {path} is not a valid CSV table ({detail})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"--csv {path} is not a text CSV file ({exc.reason} at byte {exc.start})") from None


def run(args) -> int:
    from lt_causal.causal.backdoor import backdoor_adjustment, load_example

    columns = resolve_columns(args)
    if args.standard != "pooled" and "group" not in columns:
        raise ValueError("--standard only applies together with --group")
    data = load_example(args.example) if args.example else read_table(args.csv)
    try:
        if "group" in columns:
            print(format_groups(data, columns, args.standard))
            return 0
        weight = {k: columns[k] for k in ("weights", "population") if k in columns}
        result = backdoor_adjustment(data, treatment=columns["treatment"], outcome=columns["outcome"],
                                     adjustment=columns["adjustment"], **weight)
    except ValueError as exc:
        if args.csv is None:
            raise
        raise ValueError(f"{args.csv}: {exc}") from None
    print(result.to_string())
    return 0
