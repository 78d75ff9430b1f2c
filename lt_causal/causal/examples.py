"""Small example tables shipped inside the package (``lt_causal/data/*.csv``; sources in
``lt_causal/data/README.md``), read with ``importlib.resources`` so they load from any folder."""
from __future__ import annotations

from importlib import resources

import pandas as pd

EXAMPLES = {
    # PAPER.md §1 / the seed slides: infected and deaths by age, China's population by age.
    "covid": "covid_age_china.csv",
    # China CDC (2020-02-17) and ISS Italy (2020-03-09) via von Kügelgen, Gresele, Schölkopf 2020.
    "china-italy": "covid_cfr_china_italy.csv",
}


def load_example(name: str) -> pd.DataFrame:
    """Return a fresh copy of the example table ``name`` ("covid" or "china-italy")."""
    if name not in EXAMPLES:
        raise ValueError(f"unknown example {name!r}; valid names: {', '.join(EXAMPLES)}")
    with resources.files("lt_causal").joinpath("data", EXAMPLES[name]).open("r", encoding="utf-8") as f:
        return pd.read_csv(f)
