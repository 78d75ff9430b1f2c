"""``python -m lt_causal backdoor``: examples, user CSV files and error messages."""
import argparse
import subprocess
import sys

import pytest

from lt_causal.causal.backdoor import backdoor_adjustment
from lt_causal.causal.simpson import standardized_rates
from lt_causal.commands import backdoor as command
from lt_causal.causal.backdoor import load_example


def run_backdoor(argv, capsys):
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["backdoor", *argv])
    assert args.func(args) == 0
    return capsys.readouterr().out


def covid_result():
    return backdoor_adjustment(load_example("covid"), treatment="infected", outcome="deaths",
                               adjustment="age", population="population")


def test_example_covid_prints_table_and_both_probabilities(capsys):
    out = run_backdoor(["--example", "covid"], capsys)
    r = covid_result()
    assert "P(Y | X)     = 0.0643" in out
    assert f"P(Y | do(X)) = {r.adjusted:.4f}" in out
    for label in ("0-14", "15-49", "50-64", ">=65"):
        assert label in out
    assert "P(Y|X,z)" in out and "P(z|X)" in out


def test_example_china_italy_prints_crude_and_standardised(capsys):
    out = run_backdoor(["--example", "china-italy", "--standard", "Italy"], capsys)
    s = standardized_rates(load_example("china-italy"), group="country", adjustment="age_group",
                           cases="confirmed_cases", deaths="confirmed_deaths", standard="Italy")
    summary = out.split("crude vs standardised")[1]
    for country in ("China", "Italy"):
        line = next(l for l in summary.splitlines() if l.startswith(country))
        assert f"{100 * s.loc[country, 'crude']:.2f}" in line
        assert f"{100 * s.loc[country, 'standardized']:.2f}" in line
    assert "4.45" in summary and "2.29" in summary


def test_csv_with_column_options(tmp_path, capsys):
    path = tmp_path / "strata.csv"
    load_example("covid").rename(columns={"infected": "n", "deaths": "k", "age": "z"}).assign(
        w=[1, 1, 1, 1]).to_csv(path, index=False)
    out = run_backdoor(["--csv", str(path), "--treatment", "n", "--outcome", "k",
                        "--adjustment", "z", "--weights", "w"], capsys)
    covid = load_example("covid").assign(w=1)
    r = backdoor_adjustment(covid, treatment="infected", outcome="deaths", adjustment="age",
                            weights="w")
    assert f"P(Y | do(X)) = {r.adjusted:.4f}" in out and "units (n)" in out


def test_example_columns_can_be_overridden(capsys):
    out = run_backdoor(["--example", "covid", "--weights", "infected"], capsys)
    assert "P(Y | do(X)) = 0.0643" in out   # weights = P(z|X): no adjustment


@pytest.mark.parametrize("argv,message", [
    (["--csv", "{csv}", "--treatment", "infected"],
     "missing column option(s): --outcome, --adjustment, --weights or --population"),
    (["--csv", "{csv}", "--treatment", "cases", "--outcome", "deaths", "--adjustment", "age",
      "--population", "population"], "column 'cases' (treatment) is not in the data"),
    (["--example", "covid", "--standard", "Italy"], "--standard only applies together with --group"),
    (["--example", "china-italy", "--standard", "Spain"], "standard='Spain'"),
])
def test_bad_input_raises_value_error(tmp_path, argv, message):
    path = tmp_path / "covid.csv"
    load_example("covid").to_csv(path, index=False)
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["backdoor", *[a.replace("{csv}", str(path)) for a in argv]])
    with pytest.raises(ValueError) as info:
        args.func(args)
    assert message in str(info.value)


def test_python_m_lt_causal_backdoor_example_covid():
    proc = subprocess.run([sys.executable, "-m", "lt_causal", "backdoor", "--example", "covid"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "P(Y | X)     = 0.0643" in proc.stdout
    assert f"P(Y | do(X)) = {covid_result().adjusted:.4f}" in proc.stdout


def test_python_m_lt_causal_backdoor_bad_csv_exits_2(tmp_path):
    path = tmp_path / "bad.csv"
    load_example("covid").assign(deaths=[0, 600, 21, 32]).to_csv(path, index=False)
    proc = subprocess.run([sys.executable, "-m", "lt_causal", "backdoor", "--csv", str(path),
                           "--treatment", "infected", "--outcome", "deaths", "--adjustment", "age",
                           "--population", "population"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {path}: stratum '15-49': deaths = 600 exceeds infected = 557"


def test_help_lists_every_subcommand():
    proc = subprocess.run([sys.executable, "-m", "lt_causal", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("backdoor", "info", "train", "evaluate"):
        assert name in proc.stdout
