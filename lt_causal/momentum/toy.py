"""SGD momentum on a 2-D toy problem: balanced vs long-tailed minibatches (slides of Tang et al.
2020, "Accumulative momentum effect"; docs/method.md §2).

Class c has the loss ½ (θ − a_c)ᵀ H (θ − a_c) with a diagonal curvature H. All optima a_c lie
on the θ₁ axis, so θ₂ is *shared* (every class wants θ₂ = 0: the "good" learning that momentum
speeds up) while θ₁ is where classes *conflict* (head at the right, tail at the left). Both
directions are flat, so plain SGD is slow along both and momentum speeds up both.
Minibatches are drawn once per profile with the class frequencies of a balanced or a
long-tailed count profile and reused for every μ, so a μ slider only re-runs the update

    v_t = μ v_{t−1} + g_t,   θ_t = θ_{t−1} − lr v_t        (PyTorch's SGD with momentum)

    >>> toy = make_toy()
    >>> run = simulate(toy, mu=0.9, profile="long-tailed")
    >>> head_drift(toy, run) > head_drift(toy, simulate(toy, mu=0.0, profile="long-tailed"))
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lt_causal.datasets.profiles import long_tail_counts
from lt_causal.models.tde import check_mu

PROFILES = ("balanced", "long-tailed")


@dataclass
class MomentumToy:
    """A 2-D problem with one quadratic loss per class and pre-sampled minibatches per profile."""

    optima: np.ndarray          # (C, 2): a_c, class 0 = head (most frequent in "long-tailed")
    curvature: np.ndarray       # (2,): diagonal of H, shared by all classes
    start: np.ndarray           # (2,): θ_0
    lr: float
    class_probs: dict           # profile -> (C,) sampling probabilities
    batch_labels: dict          # profile -> (T, B) int class of every sample of every step
    _targets: dict = field(default_factory=dict, repr=False)

    @property
    def num_classes(self) -> int:
        return len(self.optima)

    @property
    def steps(self) -> int:
        return next(iter(self.batch_labels.values())).shape[0]

    @property
    def batch_size(self) -> int:
        return next(iter(self.batch_labels.values())).shape[1]

    def check_profile(self, profile: str) -> str:
        if profile not in self.batch_labels:
            raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(self.batch_labels)}")
        return profile

    def batch_targets(self, profile: str) -> np.ndarray:
        """(T, 2) mean optimum of each minibatch: the batch gradient is H (θ − target)."""
        self.check_profile(profile)
        if profile not in self._targets:
            self._targets[profile] = self.optima[self.batch_labels[profile]].mean(axis=1)
        return self._targets[profile]

    def class_gradients(self, theta) -> np.ndarray:
        """∇ of every class's loss at θ (..., 2) → (..., C, 2)."""
        theta = np.asarray(theta, dtype=float)
        return self.curvature * (theta[..., None, :] - self.optima)

    def optimum(self, profile: str = "balanced") -> np.ndarray:
        """Minimiser of the expected loss Σ_c p_c L_c: the p-weighted mean of the optima.
        ``balanced`` is the "global optimum for all categories" of the slides."""
        return self.class_probs[self.check_profile(profile)] @ self.optima

    def head_direction(self) -> np.ndarray:
        """Unit vector from the balanced optimum towards the head class's optimum."""
        h = self.optima[0] - self.optimum("balanced")
        return h / np.linalg.norm(h)

    def loss(self, theta, profile: str = "balanced") -> np.ndarray:
        """Expected loss Σ_c p_c ½ (θ − a_c)ᵀH(θ − a_c) at θ (..., 2) → (...)."""
        diff = np.asarray(theta, dtype=float)[..., None, :] - self.optima
        per_class = 0.5 * (self.curvature * diff ** 2).sum(-1)
        return per_class @ self.class_probs[self.check_profile(profile)]


@dataclass
class Trajectory:
    """θ_0..θ_T and v_0..v_T (v_0 = 0) of one SGD-momentum run; ``grads[t-1]`` is g_t."""

    profile: str
    mu: float
    lr: float
    theta: np.ndarray           # (T+1, 2)
    velocity: np.ndarray        # (T+1, 2)
    grads: np.ndarray           # (T, 2), g_t evaluated at θ_{t−1}

    def __repr__(self) -> str:
        end = ", ".join(f"{v:.2f}" for v in self.theta[-1])
        return f"Trajectory({self.profile}, mu={self.mu:g}, {len(self.grads)} steps, end=({end}))"


def make_toy(num_classes: int = 5, imbalance: float = 100.0, *, steps: int = 150, batch_size: int = 4,
             lr: float = 0.5, curvature=(0.01, 0.03), spread: float = 1.5, start=(0.0, 3.0),
             seed: int = 0) -> MomentumToy:
    """The toy of notebook 02: ``num_classes`` optima from x = +spread (head) to −spread (tail).

    The long-tailed profile has the class counts of :func:`lt_causal.datasets.profiles.long_tail_counts`
    (exponential, n_max/n_min = ``imbalance``); both profiles use the same uniform draws, so a
    batch differs between them only through the class frequencies.
    """
    if num_classes < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes!r}")
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps and batch_size must be positive, got steps={steps!r}, batch_size={batch_size!r}")
    curvature = np.asarray(curvature, dtype=float)
    if curvature.shape != (2,) or (curvature <= 0).any():
        raise ValueError(f"curvature must be two positive numbers, got {curvature.tolist()!r}")
    optima = np.stack([np.linspace(spread, -spread, num_classes), np.zeros(num_classes)], axis=1)
    counts = np.asarray(long_tail_counts(num_classes, 1000, imbalance), dtype=float)
    probs = {"balanced": np.full(num_classes, 1.0 / num_classes), "long-tailed": counts / counts.sum()}
    uniform = np.random.default_rng(seed).random((steps, batch_size))
    labels = {name: np.minimum(np.searchsorted(np.cumsum(p), uniform, side="right"), num_classes - 1)
              for name, p in probs.items()}
    return MomentumToy(optima, curvature, np.asarray(start, dtype=float), float(lr), probs, labels)


def simulate(toy: MomentumToy, mu: float, profile: str = "long-tailed") -> Trajectory:
    """Run SGD with momentum μ (PyTorch's update, no dampening) on one profile's minibatches."""
    mu = check_mu(mu)
    targets = toy.batch_targets(profile)
    steps = len(targets)
    theta = np.empty((steps + 1, 2))
    velocity = np.zeros((steps + 1, 2))
    theta[0] = toy.start
    h, lr = toy.curvature, toy.lr
    # plain Python floats: ~3x faster than numpy on 2-vectors, so a slider move costs < 1 ms
    tx, ty = float(toy.start[0]), float(toy.start[1])
    vx = vy = 0.0
    hx, hy = float(h[0]), float(h[1])
    out_t, out_v = [], []
    for ax, ay in targets.tolist():
        vx = mu * vx + hx * (tx - ax)
        vy = mu * vy + hy * (ty - ay)
        tx -= lr * vx
        ty -= lr * vy
        out_t.append((tx, ty))
        out_v.append((vx, vy))
    theta[1:] = out_t
    velocity[1:] = out_v
    grads = h * (theta[:-1] - targets)
    return Trajectory(profile, mu, lr, theta, velocity, grads)


def head_drift(toy: MomentumToy, traj: Trajectory, step: int | None = None) -> float:
    """How far θ_step (default: the last step) has moved from the balanced optimum towards the
    head class's optimum, along :meth:`MomentumToy.head_direction` (0 = fair to all classes)."""
    theta = traj.theta[-1 if step is None else step]
    return float((theta - toy.optimum("balanced")) @ toy.head_direction())


def momentum_head_cosine(toy: MomentumToy, traj: Trajectory) -> np.ndarray:
    """cos(−v_t, ĥ) for t = 1..T: how much each update points towards the head (ĥ: head direction)."""
    step = -traj.velocity[1:]
    norm = np.linalg.norm(step, axis=1)
    return np.where(norm > 0, step @ toy.head_direction() / np.maximum(norm, 1e-300), 0.0)


def class_alignment(toy: MomentumToy, traj: Trajectory) -> np.ndarray:
    """(C,) mean over steps of cos(v_t, ∇L_c(θ_{t−1})): +1 when every update descends class c's
    loss as steeply as possible, −1 when every update climbs it."""
    g = toy.class_gradients(traj.theta[:-1])                      # T, C, 2
    v = traj.velocity[1:, None, :]                                 # T, 1, 2
    denom = np.linalg.norm(g, axis=-1) * np.linalg.norm(v, axis=-1)
    cos = np.where(denom > 0, (g * v).sum(-1) / np.maximum(denom, 1e-300), 0.0)
    return cos.mean(0)


def shared_loss(toy: MomentumToy, traj: Trajectory, step: int | None = None) -> float:
    """½ h₂ θ₂² at θ_step (default: the last step): the loss left along θ₂, the direction on
    which all classes agree (their optima share θ₂ = 0), i.e. the *good* learning still to do."""
    theta = traj.theta[-1 if step is None else step]
    return float(0.5 * toy.curvature[1] * (theta[1] - toy.optima[0, 1]) ** 2)


def summary(toy: MomentumToy, traj: Trajectory) -> dict:
    """The numbers the μ slider shows for one run."""
    return {"profile": traj.profile, "mu": traj.mu, "head_drift": head_drift(toy, traj),
            "shared_loss": shared_loss(toy, traj),
            "mean_cos_head": float(momentum_head_cosine(toy, traj).mean()),
            "balanced_loss": float(toy.loss(traj.theta[-1], "balanced")),
            "end_x": float(traj.theta[-1, 0]), "end_y": float(traj.theta[-1, 1])}


def momentum_arrows(traj: Trajectory, every: int = 10, length: float = 0.5) -> np.ndarray:
    """(n, 4) rows (x, y, dx, dy): at every ``every``-th step, an arrow of fixed ``length`` from
    θ_{t−1} along −v_t, the direction in which momentum moves θ (Fig. 2 of the slides)."""
    if every < 1:
        raise ValueError(f"arrow spacing must be a positive number of steps, got {every!r}")
    t = np.arange(1, len(traj.theta), every)
    step = -traj.velocity[t]
    norm = np.linalg.norm(step, axis=1, keepdims=True)
    keep = norm[:, 0] > 0
    return np.column_stack([traj.theta[t - 1][keep], length * step[keep] / norm[keep]])


def figure_data(toy: MomentumToy, mu: float, *, arrow_every: int = 10, plain: dict | None = None) -> dict:
    """Everything the toy figures draw for one μ: per profile the path without momentum
    (``plain``, reused when given as {profile: Trajectory}), the path with momentum μ, arrows
    and :func:`summary`."""
    data = {"mu": float(mu), "profiles": list(toy.batch_labels)}
    for profile in data["profiles"]:
        base = plain[profile] if plain and profile in plain else simulate(toy, 0.0, profile)
        run = simulate(toy, mu, profile)
        data[profile] = {"plain": base.theta, "momentum": run.theta,
                         "arrows": momentum_arrows(run, arrow_every), "summary": summary(toy, run),
                         "summary_plain": summary(toy, base)}
    return data


def mu_sweep(toy: MomentumToy, mus):
    """:func:`summary` for every μ and profile, plus ``optimum_drift``: the drift of the
    profile's own optimum (where SGD ends up after infinitely many steps)."""
    import pandas as pd

    rows = []
    for profile in toy.batch_labels:
        best = float((toy.optimum(profile) - toy.optimum("balanced")) @ toy.head_direction())
        rows += [dict(summary(toy, simulate(toy, mu, profile)), optimum_drift=best) for mu in mus]
    return pd.DataFrame(rows)
