"""ImageNet-LT at scale on a miniature tree: the streamed batch source, the official recipe and
lr rule, the val-selected epoch, resume (also on another world size), `train` / `evaluate`, and
2-process gloo training over the split list."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lt_causal.checkpoint import BEST, FEATURES, SELECTION, VAL_FEATURES, load_checkpoint
from lt_causal.cli import main
from lt_causal.datasets.miniature import make_miniature_tree
from lt_causal.datasets.split_list import load_split_lists
from lt_causal.evaluation.loading import load_run
from lt_causal.evaluation.val_runs import load_split_run, load_val_run, selected_epoch
from lt_causal.training.batches import StreamedBatches, loader_seed, sized
from lt_causal.training.config import TrainConfig, recipe, run_name
from lt_causal.schedule import lr_at
from lt_causal.training.distributed import DistContext
from lt_causal.training.selection import Selection, selection_alpha, split_features, val_accuracy
from lt_causal.training.trainer import train

WORKER = Path(__file__).with_name("scale_ddp_worker.py")


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return make_miniature_tree(tmp_path_factory.mktemp("mini") / "imagenet", classes=6, n_max=24,
                               imbalance=8, val_per_class=3, test_per_class=4)


@pytest.fixture(scope="module")
def data(tree):
    return load_split_lists("imagenet-lt", tree)


def quick(out=None, **overrides):
    return recipe("imagenet-lt", quick=True, device="cpu", out=str(out) if out else None, **overrides)


class Interrupted(Exception):
    pass


def stop_after_first_epoch(info):
    if info["epoch"] == 1:
        raise Interrupted


# --- recipe and lr rule ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["imagenet-lt", "places-lt"])
def test_recipe_is_the_official_resnext50_recipe(name):
    c = recipe(name, quick=False)
    assert (c.arch, c.batch_size, c.lr, c.schedule, c.epochs, c.alpha) == ("resnext50", 512, 0.2, "cosine", 90, 3.0)
    assert c.warmup_epochs == 0 and c.weight_decay == 5e-4 and c.image_size is None
    q = recipe(name, quick=True)
    assert q.epochs <= 2 and q.image_size <= 32 and q.batch_size <= 16 and q.workers == 0
    assert "-r" not in run_name(c, quick=False).replace(name, "")   # the split files fix the tail


def test_cosine_lr_starts_at_lr_halves_midway_and_ends_at_zero():
    c = TrainConfig(epochs=90, lr=0.2, schedule="cosine", warmup_epochs=0)
    assert lr_at(c, 0) == pytest.approx(0.2)
    assert lr_at(c, 45) == pytest.approx(0.1)
    assert lr_at(c, 90) == pytest.approx(0.0, abs=1e-12)
    assert lr_at(c, 30) == pytest.approx(0.1 * (1 + math.cos(math.pi / 3)))
    warm = TrainConfig(epochs=10, lr=0.3, schedule="cosine", warmup_epochs=2)
    assert lr_at(warm, 1.999999) == pytest.approx(0.3, rel=1e-5)   # continuous at the warm-up's end
    assert lr_at(warm, 6) == pytest.approx(0.15)
    multistep = TrainConfig(epochs=10, lr=0.1, warmup_epochs=0)
    assert [lr_at(multistep, e) for e in (5, 7, 9)] == pytest.approx([0.1, 1e-3, 1e-5])


@pytest.mark.parametrize("field,value", [("schedule", "linear"), ("workers", -1), ("image_size", 4)])
def test_bad_scale_fields_are_one_value_error(field, value):
    with pytest.raises(ValueError, match=f"TrainConfig.{field}"):
        TrainConfig(**{field: value})


# --- the streamed batch source --------------------------------------------------------------------

def test_ranks_get_disjoint_shards_that_cover_the_split(data):
    config = quick(batch_size=8)
    shards = []
    for rank in range(2):
        batches = StreamedBatches(data, config, DistContext(rank=rank, world=2), steps=1)
        batches.sampler.set_epoch(3)
        shards.append(list(batches.sampler))
    assert not set(shards[0]) & set(shards[1])
    assert len(shards[0]) == len(shards[1]) == len(data.train) // 2
    one = StreamedBatches(data, config, DistContext(), steps=1)
    one.sampler.set_epoch(3)
    assert sorted(shards[0] + shards[1]) == sorted(list(one.sampler)[:2 * len(shards[0])])
    one.sampler.set_epoch(4)
    assert list(one.sampler) != sorted(one.sampler)   # shuffled, differently per epoch
    assert loader_seed(0, 1, 0) != loader_seed(0, 2, 0) != loader_seed(0, 2, 1)


def test_streamed_epoch_yields_uint8_batches_of_the_crop_size(data):
    config = quick()
    batches = StreamedBatches(sized(data, 24), config, DistContext(), steps=2)
    got = list(batches.epoch(0))
    assert len(got) == 2
    (x, y), aug, n = got[0]
    assert x.dtype == torch.uint8 and x.shape == (config.batch_size, 3, 24, 24) and aug is None and n == len(y)


def test_bbn_cannot_stream_one_value_error(data):
    with pytest.raises(ValueError, match="bbn"):
        train(quick(method="bbn"), data=data, progress=False)


def test_fast_streams_fixed_shape_batches_through_the_compiled_network(data):
    from lt_causal.training.build import make_step

    run = train(quick(fast=True, compile_mode="none", epochs=1), data=data, progress=False)
    assert run.history["seconds"].notna().all()
    config = quick(fast=True, compile_mode="default")
    model = config.build_model(3, data.num_classes)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    step = make_step(config, model, model, opt, torch.nn.functional.cross_entropy, None, data.labels("train"),
                     data, DistContext(), None, None)
    assert step.net is not model and step.steps == len(data.train) // config.batch_size   # compiled; no ragged batch


# --- the val-selected epoch -----------------------------------------------------------------------

def test_selection_keeps_the_best_epoch_and_its_weights(tmp_path):
    a, b = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    s = Selection()
    assert s.update(a, 1, 50.0, tmp_path) and not s.update(b, 2, 40.0, tmp_path)
    assert not s.update(b, 3, 50.0, tmp_path)   # a tie keeps the earlier epoch
    assert s.epoch == 1 and torch.equal(s.state["weight"], a.weight)
    back = Selection.resume(tmp_path)
    assert (back.epoch, back.val_acc) == (1, 50.0) and torch.equal(back.state["weight"], a.weight)
    assert selection_alpha(quick()) == 3.0 and selection_alpha(quick(method="ce")) == 0.0


@pytest.fixture(scope="module")
def finished(tree, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "mini-dc"
    code = main(["train", "--dataset", "imagenet-lt", "--folder", str(tree), "--splits", str(tree), "--quick",
                 "--epochs", "3", "--device", "cpu", "--out", str(out)])
    assert code == 0
    return out


def test_run_reports_test_with_the_epoch_best_on_val(finished, data):
    chosen = json.loads((finished / SELECTION).read_text())
    history = load_run(finished).history
    best = history["val_acc"].idxmax()                       # the first epoch with the best val accuracy
    assert chosen["split"] == "val" and chosen["epoch"] == int(history.loc[best, "epoch"])
    assert chosen["val_acc"] == pytest.approx(history.loc[best, "val_acc"]) and chosen["alpha"] == 3.0
    weights = load_checkpoint(finished / BEST)
    assert weights["epoch"] == chosen["epoch"]
    config = quick()
    model = config.build_model(3, data.num_classes)
    model.load_state_dict(weights["model"])
    feats, labels = split_features(model, sized(data, config.image_size), "test", config)
    blob = load_checkpoint(finished / FEATURES)
    assert torch.allclose(blob["test_features"], feats, atol=1e-5) and torch.equal(blob["test_labels"], labels)


def test_training_curve_of_a_streamed_run_shows_val_accuracy(finished):
    from lt_causal.views.run_plots import history_figure, update_history_figure

    history = load_run(finished).history
    assert history["test_acc"].isna().all() and history["val_acc"].notna().any()
    fig = history_figure(history)
    assert fig.data[2].name == "val acc" and list(fig.data[2].y) == list(history["val_acc"])
    live = history_figure([], widget=True)                  # a live figure starts empty, then learns
    update_history_figure(live, history)
    assert live.data[2].name == "val acc"


def test_alpha_sweep_on_val(finished, data):
    val = load_val_run(finished)
    assert len(val.test_labels) == len(data.val) and (finished / VAL_FEATURES).is_file()
    sweep = val.sweep([0, 1, 3])
    assert list(sweep.index) == [0, 1, 3] and sweep["overall"].notna().all()
    assert load_split_run(finished, "test").test_labels.tolist() == data.labels("test").tolist()
    assert selected_epoch(finished)["epoch"] >= 1
    with pytest.raises(ValueError, match="unknown split 'train'"):
        load_split_run(finished, "train")


def test_evaluate_command_on_test_and_val(finished, capsys):
    assert main(["evaluate", str(finished), "--alpha", "0", "3"]) == 0
    out = capsys.readouterr().out
    assert "selected epoch" in out and "few" in out
    assert main(["evaluate", str(finished), "--alpha", "0", "3", "--split", "val", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["3.0"] == pytest.approx(load_val_run(finished).evaluate(3.0))


# --- resume ---------------------------------------------------------------------------------------

def test_interrupted_run_resumes_to_the_same_model(data, tmp_path):
    whole = train(quick(tmp_path / "whole"), data=data, progress=False)
    with pytest.raises(Interrupted):
        train(quick(tmp_path / "cut"), data=data, progress=False, callback=stop_after_first_epoch)
    assert not (tmp_path / "cut" / FEATURES).exists()
    resumed = train(quick(tmp_path / "cut"), data=data, progress=False)
    assert list(resumed.history["epoch"]) == [1, 2]
    assert torch.equal(resumed.test_features, whole.test_features)
    assert selected_epoch(tmp_path / "cut")["epoch"] == selected_epoch(tmp_path / "whole")["epoch"]


def test_resnext50_trains_one_short_epoch(tree, tmp_path, capsys):
    out = tmp_path / "rx"
    code = main(["train", "--dataset", "imagenet-lt", "--folder", str(tree), "--quick", "--epochs", "1",
                 "--arch", "resnext50", "--image-size", "32", "--device", "cpu", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run = load_run(out)
    assert run.test_features.shape[1] == 2048 and json.loads((out / "config.json").read_text())["arch"] == "resnext50"


# --- two processes (gloo): DistributedSampler shards, resume across world sizes ------------------

def test_two_process_run_and_resume_across_world_sizes(tree, data, tmp_path):
    with pytest.raises(Interrupted):   # B starts with one process ...
        train(quick(tmp_path / "run-b", epochs=2), data=data, progress=False, callback=stop_after_first_epoch)
    env = dict(os.environ, OMP_NUM_THREADS="1", GLOO_SOCKET_IFNAME=os.environ.get("GLOO_SOCKET_IFNAME", "lo"))
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(WORKER), str(tree), str(tmp_path)], capture_output=True, text=True, timeout=300,
                          env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r0, r1 = (torch.load(tmp_path / f"b-rank{r}.pt", weights_only=True) for r in (0, 1))
    for key in r0["model"]:   # ... and ends with two: both ranks hold the same model
        assert torch.equal(r0["model"][key], r1["model"][key]), key
    assert list(load_run(tmp_path / "run-b").history["epoch"]) == [1, 2]
    best, config = load_checkpoint(tmp_path / "run-b" / BEST), quick()
    model = config.build_model(3, data.num_classes)
    model.load_state_dict(best["model"])   # val accuracy summed over the two ranks' shards = one process's
    assert val_accuracy(model, sized(data, config.image_size), config, DistContext()) == pytest.approx(best["val_acc"])
    a = tmp_path / "run-a"   # A started with two processes, stopped after one epoch ...
    assert load_checkpoint(a / "checkpoint.pt", keys=("epoch",))["epoch"] == 1 and not (a / FEATURES).exists()
    run = train(quick(a, epochs=2), data=data, progress=False)   # ... and ends with one
    assert list(run.history["epoch"]) == [1, 2] and (a / SELECTION).is_file()
    assert sorted(p.name for p in (tmp_path / "run-b").iterdir()) == sorted(
        ["best.pt", "checkpoint.pt", "config.json", "features.pt", "history.csv", "metrics.json",
         "selection.json", "val_features.pt"])


# --- notebook 08's library: the comparison, the run it trains, the cost table ----------------------

def test_scale_comparison_counts_the_split_files_it_is_given(data):
    from lt_causal.datasets.profiles import shot_groups
    from lt_causal.experiments.scale import IMAGENET_LT, scale_comparison

    assert IMAGENET_LT["many"] + IMAGENET_LT["medium"] + IMAGENET_LT["few"] == IMAGENET_LT["classes"]
    table = scale_comparison(data)
    groups = shot_groups(data.train_counts)
    mine = table["ImageNet-LT"]
    assert mine["classes"] == str(data.num_classes)
    assert mine["classes many / medium / few"] == " / ".join(str(groups.count(g)) for g in ("many", "medium", "few"))
    assert mine["α (TDE)"] == "3" and table.loc["α (TDE)", "CIFAR-10-LT (r = 100)"] == "1"
    assert scale_comparison().loc["classes many / medium / few", "ImageNet-LT"] == "385 / 479 / 136"


def test_scale_config_uses_the_miniature_tree_or_the_given_split_files(tmp_path, monkeypatch, tree):
    from lt_causal.experiments.scale import scale_config

    monkeypatch.setenv("LT_CAUSAL_DATA_ROOT", str(tmp_path / "data"))
    mini = scale_config(epochs=3)
    assert (Path(mini.folder_root) / "ImageNet_LT_train.txt").is_file() and mini.epochs == 3
    assert mini.arch == recipe("imagenet-lt", quick=True).arch and mini.out.endswith("-quick")
    real = scale_config(tree, tree)
    official = recipe("imagenet-lt")   # the paper's recipe (the tiny one in quick mode)
    assert (real.arch, real.batch_size, real.splits) == (official.arch, official.batch_size, str(tree))
    with pytest.raises(FileNotFoundError, match="ImageNet_LT_train.txt"):
        scale_config(tmp_path)


def test_cost_table_holds_measured_numbers_only():
    from lt_causal.experiments.scale import NOT_MEASURED, Throughput, cost_table, measure_throughput

    tp = measure_throughput("resnet10", 32, batch_size=4, steps=1, device="cpu")
    assert tp.images_per_second > 0 and tp.device == "cpu" and tp.arch == "resnet10"
    gpu = Throughput("resnext50", 224, 64, "bf16", "cuda:0", "some GPU", 100.0)
    table = cost_table([tp, gpu], gpu_counts=(1, 8), train_images=115_846, epochs=90)
    assert "1 × GPU" not in table.index                      # measured on one GPU: that row is the measurement
    assert table.loc["8 × GPU", "epoch"] == NOT_MEASURED
    row = table.loc["some GPU (cuda:0)"]
    assert row["images/s"] == 100.0 and row["epoch"] == f"{115_846 / 100 / 60:.0f} min"
    assert row["epochs"] == 90 and row["recipe time"] == f"{115_846 / 100 * 90 / 3600:.1f} h"


def test_selection_figure_stars_the_selected_epoch_and_lr_figure_follows_lr_at(finished):
    from lt_causal.views.scale_plots import lr_schedule_figure, selection_figure

    run = load_run(finished)
    star = [t for t in selection_figure(run).data if t.marker.symbol == "star"]
    assert len(star) == 1 and star[0].x[0] == selected_epoch(finished)["epoch"]
    config = recipe("imagenet-lt", quick=False)
    curve = lr_schedule_figure({"cosine": config}, points=5).data[0]
    assert list(curve.y) == pytest.approx([lr_at(config, f * config.epochs) for f in curve.x])
    with pytest.raises(ValueError, match="no val accuracy"):
        selection_figure(load_run("pretrained:cifar10-lt-r100-deconfound"))


@pytest.mark.parametrize("method", ["crt", "oltr"])
def test_second_stages_run_on_the_selected_epoch_of_streamed_data(data, tmp_path, method):
    out = tmp_path / method
    run = train(quick(out, method=method, epochs=1, retrain_epochs=1), data=data, progress=False)
    best = load_checkpoint(out / BEST)["model"]
    stage1_head = {k[len("head."):]: v for k, v in best.items() if k.startswith("head.")}
    changed = any(not torch.equal(v, stage1_head[k]) for k, v in run.head.state_dict().items() if k in stage1_head)
    assert changed or set(run.head.state_dict()) != set(stage1_head)   # the second stage's classifier
    assert len(load_val_run(out).test_labels) == len(data.val) and (out / SELECTION).is_file()


def test_the_miniature_tree_has_no_many_shot_class():
    """Notebook 08 §5 says its explorer shows only the medium and few groups: the miniature tree's
    head keeps no more than MANY_ABOVE training images, whatever its defaults become."""
    import inspect

    from lt_causal.datasets.profiles import MANY_ABOVE, shot_groups, long_tail_counts

    params = inspect.signature(make_miniature_tree).parameters
    n_max, classes = params["n_max"].default, params["classes"].default
    counts = long_tail_counts(classes, n_max, params["imbalance"].default)
    assert max(counts) <= MANY_ABOVE and "many" not in shot_groups(counts)
