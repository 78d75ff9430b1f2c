"""Long-tail profiles (docs/method.md §5), seeded subsampling and shot groups."""
import math

import numpy as np
import pytest
import torch

from lt_causal.datasets.profiles import long_tail_counts, shot_groups, subsample_long_tail

CIFAR10_LT_100 = [5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]


def test_cifar10_lt_counts_are_the_papers():
    counts = long_tail_counts(10, 5000, 100)
    assert counts == CIFAR10_LT_100
    assert sum(counts) == 12406


def test_cifar100_lt_total():
    counts = long_tail_counts(100, 500, 100)
    assert sum(counts) == 10847
    assert counts[0] == 500 and counts[-1] == 5


@pytest.mark.parametrize("classes,n_max,imbalance,total", [
    (10, 5000, 50, 13996), (10, 5000, 10, 20431), (100, 500, 50, 12608), (100, 500, 10, 19573)])
def test_other_published_cifar_lt_sizes(classes, n_max, imbalance, total):
    """The CIFAR-LT sizes of LDAM/BBN (and Tang et al.) for the other imbalance ratios."""
    assert sum(long_tail_counts(classes, n_max, imbalance)) == total


def test_exp_profile_follows_the_formula():
    for i, n in enumerate(long_tail_counts(7, 1000, 37.5)):
        assert n == int(1000 * (1 / 37.5) ** (i / 6))


def test_step_profile_and_balanced():
    assert long_tail_counts(10, 5000, 100, "step") == [5000] * 5 + [50] * 5
    assert long_tail_counts(5, 400, 10, profile="step") == [400, 400, 40, 40, 40]
    assert long_tail_counts(10, 500, 1) == [500] * 10
    assert long_tail_counts(10, 500, 1, "step") == [500] * 10
    assert long_tail_counts(1, 500, 100) == [500]


@pytest.mark.parametrize("bad", [0.5, 0, -3, math.nan, math.inf, "lots", None])
def test_bad_imbalance_names_the_value(bad):
    with pytest.raises(ValueError, match="imbalance") as err:
        long_tail_counts(10, 5000, bad)
    assert repr(bad) in str(err.value)


def test_bad_profile_classes_and_empty_tail():
    with pytest.raises(ValueError, match="'linear'"):
        long_tail_counts(10, 5000, 100, "linear")
    with pytest.raises(ValueError, match="num_classes"):
        long_tail_counts(0, 5000, 100)
    with pytest.raises(ValueError, match="imbalance 1000 .* 0 images"):
        long_tail_counts(10, 400, 1000)


def test_subsample_counts_sorted_and_reproducible():
    labels = torch.arange(5).repeat_interleave(100)[torch.randperm(500, generator=torch.Generator().manual_seed(1))]
    counts = [100, 40, 16, 6, 2]
    idx = subsample_long_tail(labels, counts, seed=3)
    assert idx.dtype == torch.int64
    assert torch.equal(idx, idx.sort().values) and len(idx.unique()) == len(idx)
    assert torch.bincount(labels[idx], minlength=5).tolist() == counts
    assert torch.equal(idx, subsample_long_tail(labels, counts, seed=3))
    assert torch.equal(idx, subsample_long_tail(labels.numpy(), counts, seed=3))  # numpy labels too
    assert not torch.equal(idx, subsample_long_tail(labels, counts, seed=4))


def test_subsample_refuses_more_than_a_class_has():
    labels = np.array([0] * 10 + [1] * 3)
    with pytest.raises(ValueError, match="class 1 has 3 samples but 5 were asked"):
        subsample_long_tail(labels, [5, 5], seed=0)
    with pytest.raises(ValueError, match="label 2"):
        subsample_long_tail(np.array([0, 1, 2]), [1, 1], seed=0)


def test_shot_groups_boundaries():
    assert shot_groups([5000, 101, 100, 20, 19, 1]) == ["many", "many", "medium", "medium", "few", "few"]
    groups = shot_groups(long_tail_counts(100, 500, 100))
    assert (groups.count("many"), groups.count("medium"), groups.count("few")) == (35, 35, 30)


def test_the_class_counts_figure_shows_the_counts_their_total_and_the_group_thresholds():
    """Notebooks 00, 03 and 05 point at this figure for the split's size: the title's total, each
    bar's label and the legend's thresholds are the data's and the library's, not typed."""
    import matplotlib

    matplotlib.use("agg")
    import lt_causal as lc
    from lt_causal.datasets.profiles import FEW_BELOW, MANY_ABOVE

    data = lc.load_dataset("mnist-lt", imbalance=100)
    ax = lc.class_counts_figure(data).axes[0]
    counts = [int(n) for n in data.train_counts]
    assert f"{sum(counts):,} training images" in ax.get_title() and f"{counts[0]:,} → {counts[-1]:,}" in ax.get_title()
    assert [t.get_text() for t in ax.texts] == [f"{n:,}" for n in counts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [f"many (> {MANY_ABOVE} images)", f"medium ({FEW_BELOW}–{MANY_ABOVE})", f"few (< {FEW_BELOW})"]
    groups = shot_groups(counts)
    colours = {g: matplotlib.colors.to_hex(p.get_facecolor()) for g, p in zip(("many", "medium", "few"), ax.get_legend().get_patches())}
    assert [matplotlib.colors.to_hex(b.get_facecolor()) for b in ax.patches[:len(counts)]] == [colours[g] for g in groups]
