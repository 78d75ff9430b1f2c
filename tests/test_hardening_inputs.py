"""Bad input: backdoor CSV files (the real row and value of a bad cell, thousands
separators, a folder / empty file / non-CSV file named, overflowing weights and counts) and a
one-class image folder that cannot honour --imbalance."""
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lt_causal.causal.backdoor import backdoor_adjustment
from lt_causal.causal.simpson import standardized_rates
from lt_causal.cli import main
from lt_causal.datasets.registry import dataset_info, load_dataset

COLS = ["--treatment", "infected", "--outcome", "deaths", "--adjustment", "age"]


def backdoor_cli(capsys, csv, *extra, weight=("--population", "population")):
    rc = main(["backdoor", "--csv", str(csv), *COLS, *weight, *extra])
    out, err = capsys.readouterr()
    return rc, out, err.strip()


def one_line(err: str) -> str:
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def write(tmp_path, text, name="strata.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_bad_cell_is_reported_with_its_own_row_and_value(tmp_path, capsys):
    csv = write(tmp_path, "age,infected,deaths,population\na,10,1,100\nb,20,abc,200\nc,30,3,300\n")
    rc, _, err = backdoor_cli(capsys, csv)
    assert rc == 2
    assert one_line(err) == f"error: {csv}: stratum 'b': deaths = 'abc' is not a number"


def test_thousands_separators_are_read_as_numbers(tmp_path, capsys):
    csv = write(tmp_path, 'age,infected,deaths,population\na,"1,000",1,"12,500"\nb,20,2,200\n')
    rc, out, err = backdoor_cli(capsys, csv)
    assert rc == 0, err
    plain = write(tmp_path, "age,infected,deaths,population\na,1000,1,12500\nb,20,2,200\n", "plain.csv")
    assert backdoor_cli(capsys, plain)[1] == out
    # a decimal comma is not a thousands separator: named, not guessed
    csv = write(tmp_path, 'age,infected,deaths,population\na,"1,5",1,100\nb,20,2,200\n', "comma.csv")
    rc, _, err = backdoor_cli(capsys, csv)
    assert rc == 2 and one_line(err).endswith("stratum 'a': infected = '1,5' is not a number")


def test_library_reads_numeric_strings_and_names_the_bad_one():
    data = pd.DataFrame({"age": ["a", "b"], "n": ["10", "20"], "k": ["1", "x"], "w": [1, 1]})
    with pytest.raises(ValueError, match=r"^stratum 'b': k = 'x' is not a number$"):
        backdoor_adjustment(data, treatment="n", outcome="k", adjustment="age", weights="w")
    data["k"] = ["1", "2,000"]
    with pytest.raises(ValueError, match=r"stratum 'b': k = 2000 exceeds n = 20"):
        backdoor_adjustment(data, treatment="n", outcome="k", adjustment="age", weights="w")


@pytest.mark.parametrize("case", ["folder", "empty", "binary", "missing", "header only"])
def test_unusable_csv_files_are_named(tmp_path, capsys, case):
    path = tmp_path / "strata.csv"
    if case == "folder":
        path.mkdir()
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "binary":
        path.write_bytes(bytes(range(256)) * 8)
    elif case == "header only":
        path.write_text("age,infected,deaths,population\n")
    rc, _, err = backdoor_cli(capsys, path)
    assert rc == 2 and str(path) in one_line(err)
    expected = {"folder": "is a folder, not a CSV file", "empty": "is empty", "binary": "--csv",
                "missing": "no such file", "header only": "no rows"}[case]
    assert expected in err


def test_huge_weights_do_not_overflow_to_zero(tmp_path, capsys):
    csv = write(tmp_path, "age,infected,deaths,w\na,10,1,1e308\nb,30,20,1e308\n")
    rc, out, err = backdoor_cli(capsys, csv, weight=("--weights", "w"))
    assert rc == 0, err
    assert "P(Y | do(X)) = 0.3833" in out   # (0.1 + 0.6667) / 2, not 0.0
    r = backdoor_adjustment(pd.DataFrame({"z": ["a", "b"], "n": [10, 30], "k": [1, 20], "w": [1e308, 1e308]}),
                            treatment="n", outcome="k", adjustment="z", weights="w")
    assert r.adjusted == pytest.approx((0.1 + 20 / 30) / 2) and r.table["p_z"].tolist() == [0.5, 0.5]
    r = backdoor_adjustment(pd.DataFrame({"z": ["a", "b"], "n": [1e308, 1e308], "k": [1e307, 0], "w": [1, 1]}),
                            treatment="n", outcome="k", adjustment="z", weights="w")
    assert r.observational == pytest.approx(0.05) and r.table["p_z_given_x"].tolist() == [0.5, 0.5]


def test_huge_counts_stay_positive(tmp_path, capsys):
    csv = write(tmp_path, "age,infected,deaths,population\na,1e20,1,100\nb,30,20,200\n")
    rc, out, err = backdoor_cli(capsys, csv)
    assert rc == 0, err
    assert "100000000000000000000" in out and "-9223372036854775808" not in out
    r = backdoor_adjustment(pd.read_csv(csv), treatment="infected", outcome="deaths", adjustment="age",
                            population="population")
    assert list(r.table["units"]) == [10 ** 20, 30] and (r.table["units"] > 0).all()
    assert r.table["units"].sum() == 10 ** 20 + 30
    small = backdoor_adjustment(pd.read_csv(csv).assign(infected=[10, 30]), treatment="infected",
                                outcome="deaths", adjustment="age", population="population")
    assert small.table["units"].dtype == np.int64   # ordinary counts keep their int64 column
    data = pd.DataFrame({"country": ["X", "X", "Y", "Y"], "age": ["a", "b", "a", "b"],
                         "cases": [1e20, 10, 5, 10], "deaths": [1, 1, 1, 1]})
    rates = standardized_rates(data, group="country", adjustment="age", cases="cases", deaths="deaths")
    assert rates.loc["X", "cases"] == 10 ** 20 + 10


# ---------------------------------------------------------------- one-class image folder

def one_class_tree(root):
    for split, n in (("train", 4), ("test", 2)):
        folder = root / split / "cat"
        folder.mkdir(parents=True)
        for k in range(n):
            Image.new("RGB", (8, 8), (k, 0, 0)).save(folder / f"{k}.png")
    return root


def test_one_class_folder_does_not_ignore_imbalance(tmp_path, capsys):
    root = one_class_tree(tmp_path / "tree")
    kw = dict(data_root=tmp_path / "cache", progress=False)
    with pytest.raises(ValueError, match=rf"image folder {root} has one class \('cat'\), so imbalance 100 cannot"):
        load_dataset("folder", root=root, imbalance=100, **kw)
    assert not (tmp_path / "cache").exists()   # refused before decoding anything
    with pytest.raises(ValueError, match=rf"image folder {root} has one class"):
        dataset_info("folder", 10, root=root)
    assert load_dataset("folder", root=root, imbalance=1, **kw).train_counts == [4]
    assert load_dataset("folder", root=root, imbalance=None, **kw).train_counts == [4]
    rc = main(["train", "--dataset", "folder", "--folder", str(root), "--imbalance", "50", "--epochs", "1",
               "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.splitlines()[-1].startswith(f"error: image folder {root} has one class")
