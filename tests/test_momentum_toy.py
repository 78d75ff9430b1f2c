"""The SGD-momentum toy against torch.optim.SGD and against plain loops and closed forms."""
import time

import numpy as np
import pytest
import torch

from lt_causal.momentum.toy import (PROFILES, class_alignment, figure_data, head_drift, make_toy,
                                    momentum_arrows, momentum_head_cosine, mu_sweep, shared_loss, simulate)
from lt_causal.datasets.profiles import long_tail_counts


@pytest.fixture(scope="module")
def toy():
    return make_toy()


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_update_matches_torch_sgd(toy, profile, mu):
    """Same minibatch gradients fed to torch.optim.SGD give the same θ_t and momentum buffer v_t."""
    run = simulate(toy, mu, profile)
    theta = torch.tensor(toy.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([theta], lr=toy.lr, momentum=mu)
    h = torch.tensor(toy.curvature)
    optima = torch.tensor(toy.optima)
    for t, labels in enumerate(toy.batch_labels[profile], start=1):
        opt.zero_grad()
        # the minibatch loss: mean over its samples of ½ (θ − a_y)ᵀ H (θ − a_y)
        loss = (0.5 * h * (theta - optima[torch.as_tensor(labels)]) ** 2).sum(1).mean()
        loss.backward()
        opt.step()
        np.testing.assert_allclose(run.theta[t], theta.detach().numpy(), rtol=1e-10, atol=1e-12)
        buf = opt.state[theta]["momentum_buffer"] if mu else theta.grad
        np.testing.assert_allclose(run.velocity[t], buf.numpy(), rtol=1e-10, atol=1e-12)


def test_gradients_are_minibatch_means_of_class_gradients(toy):
    run = simulate(toy, 0.8, "long-tailed")
    for t in (0, 17, len(run.grads) - 1):
        labels = toy.batch_labels["long-tailed"][t]
        per_sample = [toy.curvature * (run.theta[t] - toy.optima[y]) for y in labels]
        np.testing.assert_allclose(run.grads[t], np.mean(per_sample, axis=0), rtol=1e-12)
    assert run.velocity[0].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(run.velocity[1:], 0.8 * run.velocity[:-1] + run.grads, rtol=1e-12)


def test_batches_follow_the_profiles():
    toy = make_toy(num_classes=4, imbalance=50, steps=4000, batch_size=8, seed=3)
    counts = np.asarray(long_tail_counts(4, 1000, 50), dtype=float)
    np.testing.assert_allclose(toy.class_probs["long-tailed"], counts / counts.sum())
    np.testing.assert_allclose(toy.class_probs["balanced"], 0.25)
    for profile in PROFILES:
        freq = np.bincount(toy.batch_labels[profile].ravel(), minlength=4) / toy.batch_labels[profile].size
        # 32,000 draws: 5 binomial standard deviations
        tol = 5 * np.sqrt(toy.class_probs[profile] * (1 - toy.class_probs[profile]) / 32000)
        assert np.all(np.abs(freq - toy.class_probs[profile]) <= tol), (profile, freq)


def test_seeded_and_batches_shared_across_mu():
    a, b, c = make_toy(seed=1), make_toy(seed=1), make_toy(seed=2)
    for p in PROFILES:
        np.testing.assert_array_equal(a.batch_labels[p], b.batch_labels[p])
    assert not np.array_equal(a.batch_labels["long-tailed"], c.batch_labels["long-tailed"])
    targets = a.batch_targets("long-tailed")
    simulate(a, 0.3), simulate(a, 0.95)
    assert a.batch_targets("long-tailed") is targets


@pytest.mark.parametrize("profile", PROFILES)
def test_optimum_minimises_expected_loss(toy, profile):
    best = toy.optimum(profile)
    eps = 1e-6
    grad = [(toy.loss(best + e, profile) - toy.loss(best - e, profile)) / (2 * eps)
            for e in (np.array([eps, 0.0]), np.array([0.0, eps]))]
    np.testing.assert_allclose(grad, 0.0, atol=1e-8)
    # the loss as a plain double loop over classes and coordinates
    theta = np.array([0.3, -0.7])
    loop = sum(p * sum(0.5 * h * (x - a) ** 2 for h, x, a in zip(toy.curvature, theta, opt))
               for p, opt in zip(toy.class_probs[profile], toy.optima))
    assert toy.loss(theta, profile) == pytest.approx(loop, rel=1e-12)


@pytest.mark.parametrize("profile", PROFILES)
def test_long_runs_settle_at_their_profile_optimum(profile):
    toy = make_toy(steps=6000, batch_size=64, seed=0)
    run = simulate(toy, 0.9, profile)
    np.testing.assert_allclose(run.theta[-2000:].mean(0), toy.optimum(profile), atol=0.05)


def test_momentum_carries_long_tailed_runs_towards_the_head(toy):
    drift = {p: [head_drift(toy, simulate(toy, mu, p)) for mu in (0.0, 0.5, 0.9)] for p in PROFILES}
    lt = drift["long-tailed"]
    assert lt[0] < lt[1] < lt[2]
    assert max(abs(d) for d in drift["balanced"]) < 0.2 * lt[0]
    assert np.mean(momentum_head_cosine(toy, simulate(toy, 0.5, "long-tailed"))) > \
        abs(np.mean(momentum_head_cosine(toy, simulate(toy, 0.5, "balanced")))) + 0.3


def test_momentum_also_speeds_up_the_shared_direction(toy):
    """The good effect: along θ₂, where all classes agree, momentum learns faster."""
    for profile in PROFILES:
        plain, fast = simulate(toy, 0.0, profile), simulate(toy, 0.7, profile)
        assert shared_loss(toy, fast) < 0.1 * shared_loss(toy, plain)
        # the balanced loss minus its minimum splits into the θ₁ and θ₂ parts of ½(θ − θ*)ᵀH(θ − θ*)
        gap = fast.theta[-1] - toy.optimum("balanced")
        excess = toy.loss(fast.theta[-1], "balanced") - toy.loss(toy.optimum("balanced"), "balanced")
        assert excess == pytest.approx(0.5 * toy.curvature[0] * gap[0] ** 2 + shared_loss(toy, fast))


def test_head_drift_is_the_projection_on_the_head_direction(toy):
    run = simulate(toy, 0.7, "long-tailed")
    start_to_head = toy.optima[0] - toy.optima.mean(0)         # balanced optimum = mean of optima
    expected = (run.theta[-1] - toy.optima.mean(0)) @ start_to_head / np.linalg.norm(start_to_head)
    assert head_drift(toy, run) == pytest.approx(expected)
    assert head_drift(toy, run, step=0) == pytest.approx((toy.start - toy.optima.mean(0)) @ start_to_head
                                                         / np.linalg.norm(start_to_head))


def test_alignment_and_cosines_against_loops(toy):
    run = simulate(toy, 0.6, "long-tailed")
    h_dir = toy.head_direction()
    for t in (1, 40, len(run.grads)):
        v = run.velocity[t]
        assert momentum_head_cosine(toy, run)[t - 1] == pytest.approx(-v @ h_dir / np.linalg.norm(v))
    loop = np.zeros(toy.num_classes)
    for t in range(1, len(run.theta)):
        v = run.velocity[t]
        for c in range(toy.num_classes):
            g = toy.curvature * (run.theta[t - 1] - toy.optima[c])
            loop[c] += g @ v / (np.linalg.norm(g) * np.linalg.norm(v))
    np.testing.assert_allclose(class_alignment(toy, run), loop / len(run.grads), rtol=1e-10)


def test_arrows_point_along_minus_velocity(toy):
    run = simulate(toy, 0.9, "long-tailed")
    arrows = momentum_arrows(run, every=7, length=0.5)
    assert len(arrows) == len(range(1, len(run.theta), 7))
    for row, t in zip(arrows, range(1, len(run.theta), 7)):
        np.testing.assert_allclose(row[:2], run.theta[t - 1])
        np.testing.assert_allclose(row[2:], -0.5 * run.velocity[t] / np.linalg.norm(run.velocity[t]))


def test_figure_data_and_sweep_agree_with_simulate(toy):
    data = figure_data(toy, 0.8)
    for p in PROFILES:
        np.testing.assert_array_equal(data[p]["momentum"], simulate(toy, 0.8, p).theta)
        np.testing.assert_array_equal(data[p]["plain"], simulate(toy, 0.0, p).theta)
    sweep = mu_sweep(toy, [0.0, 0.8])
    row = sweep[(sweep.profile == "long-tailed") & (sweep.mu == 0.8)].iloc[0]
    assert row["head_drift"] == pytest.approx(data["long-tailed"]["summary"]["head_drift"])


def test_fast_enough_for_a_slider(toy):
    best = min(_timed(lambda: simulate(toy, 0.9, "long-tailed")) for _ in range(5))
    assert best < 0.02


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


@pytest.mark.parametrize("kwargs,match", [({"mu": 1.0}, "mu must be in"), ({"mu": -0.1}, "mu must be in"),
                                          ({"mu": 0.5, "profile": "zipf"}, "unknown profile 'zipf'")])
def test_bad_input_names_the_value(toy, kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate(toy, **kwargs)


def test_bad_toy_settings():
    with pytest.raises(ValueError, match="curvature"):
        make_toy(curvature=(0.1, -1.0))
    with pytest.raises(ValueError, match="num_classes"):
        make_toy(num_classes=1)
