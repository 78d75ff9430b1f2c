"""The fast path on CPU: same augmentation draws, torch's SGD update, and the same training
result as the plain path (bitwise without torch.compile; within float reassociation with it)."""
import dataclasses

import pytest
import torch

from lt_causal.datasets.augment import crop_flip
from lt_causal.training.config import TrainConfig, recipe
from lt_causal.datasets.registry import load_dataset
from lt_causal.training.distributed import DistContext
from lt_causal.training.fast_step import check_fast_setup, FastStep, momentum_buffers, sgd_foreach_
from lt_causal.training.steps import TrainNet
from lt_causal.datasets.augment import apply_crop_flip, draw_crop_flip
from lt_causal.methods.losses import build_loss
from lt_causal.training.trainer import train


@pytest.fixture(scope="module")
def mnist():
    return load_dataset("mnist-lt", imbalance=100, seed=0)


@pytest.fixture(scope="module")
def mnist960(mnist):
    """mnist-lt cut to 960 images: 15 full batches of 64, so plain and fast take the same steps."""
    return dataclasses.replace(mnist, train_x=mnist.train_x[:960], train_y=mnist.train_y[:960])


@pytest.mark.parametrize("padding,flip", [(4, True), (2, False), (0, True), (0, False)])
def test_drawn_crop_flip_equals_augment_crop_flip(padding, flip):
    x = torch.randint(0, 256, (16, 3, 8, 8), dtype=torch.uint8)
    expected = crop_flip(x, padding, flip, torch.Generator().manual_seed(5))
    aug = draw_crop_flip(16, padding, flip, torch.Generator().manual_seed(5), "cpu")
    got = x.clone() if aug is None else apply_crop_flip(x, *aug, padding)
    assert torch.equal(got, expected)


def test_sgd_foreach_is_torch_sgd():
    torch.manual_seed(0)
    params = [torch.randn(5, 3, requires_grad=True), torch.randn(7, requires_grad=True)]
    mine = [p.detach().clone() for p in params]
    opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=5e-4)
    bufs = momentum_buffers(torch.optim.SGD(mine, lr=0.1, momentum=0.9), mine)
    for step in range(4):
        grads = [torch.randn_like(p) for p in params]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        lr = 0.1 / (step + 1)
        opt.param_groups[0]["lr"] = lr
        opt.step()
        sgd_foreach_(mine, grads, bufs, lr, 0.9, 5e-4)
        for p, q in zip(params, mine):
            assert torch.equal(p.detach(), q), step


def test_sgd_foreach_with_tensor_lr_is_within_an_ulp():
    torch.manual_seed(0)
    a, b = [torch.randn(100)], [None]
    b[0] = a[0].clone()
    grads = [torch.randn(100)]
    sgd_foreach_(a, grads, [torch.zeros(100)], 0.05, 0.9, 5e-4)
    sgd_foreach_(b, grads, [torch.zeros(100)], torch.tensor(0.05), 0.9, 5e-4)
    torch.testing.assert_close(a[0], b[0], rtol=1e-6, atol=1e-7)


def test_fast_eager_equals_plain_bitwise(mnist960):
    plain = train(recipe("mnist-lt", epochs=3), data=mnist960, progress=False)
    fast = train(recipe("mnist-lt", epochs=3, fast=True, compile_mode="none"), data=mnist960, progress=False)
    assert torch.equal(fast.test_features, plain.test_features)
    assert torch.equal(fast.direction, plain.direction)
    assert fast.history["loss"].tolist() == plain.history["loss"].tolist()
    assert fast.history["test_acc"].tolist() == plain.history["test_acc"].tolist()


class _FakeStream:
    def wait_stream(self, other):
        pass


def test_cuda_graph_bookkeeping_on_cpu(mnist960, monkeypatch):
    """The whole-step CUDA-graph logic (static buffers refreshed before every replay, eager warm-up
    steps, tensor lr), with a stand-in capture that runs the step and returns a replay re-running
    it on the static buffers: it must train exactly like the eager fast path with a tensor lr."""
    import contextlib

    replays = []

    def fake_capture(self, args):
        self._step(*args, self.lr)
        return lambda: (replays.append(1), self._step(*args, self.lr))

    original_init = FastStep.__init__

    def init_with_graph(self, *a, **kw):
        original_init(self, *a, **kw)
        self.use_graph = self.tensor_lr = True

    monkeypatch.setattr(torch.cuda, "Stream", _FakeStream)
    monkeypatch.setattr(torch.cuda, "current_stream", lambda: _FakeStream())
    monkeypatch.setattr(torch.cuda, "stream", lambda s: contextlib.nullcontext())
    monkeypatch.setattr(FastStep, "_capture", fake_capture)
    monkeypatch.setattr(FastStep, "__init__", init_with_graph)
    graph = train(recipe("mnist-lt", epochs=2, fast=True, compile_mode="none"), data=mnist960, progress=False)
    assert len(replays) == 2 * 15 - 4          # 3 warm-up steps, 1 capture, then replays

    def init_tensor_lr(self, *a, **kw):
        original_init(self, *a, **kw)
        self.tensor_lr = True

    monkeypatch.setattr(FastStep, "__init__", init_tensor_lr)
    eager = train(recipe("mnist-lt", epochs=2, fast=True, compile_mode="none"), data=mnist960, progress=False)
    assert torch.equal(graph.test_features, eager.test_features)
    plain = train(recipe("mnist-lt", epochs=2), data=mnist960, progress=False)   # float lr: ulps apart
    assert graph.history["loss"].tolist() == pytest.approx(plain.history["loss"].tolist(), rel=1e-3)


def test_fast_drops_the_ragged_last_batch(mnist, monkeypatch):
    calls = []
    original = FastStep.__call__
    monkeypatch.setattr(FastStep, "__call__", lambda self, idx, aug, lr: (calls.append(len(idx)),
                                                                           original(self, idx, aug, lr)))
    train(recipe("mnist-lt", epochs=1, fast=True, compile_mode="none"), data=mnist, progress=False)
    assert calls == [64] * (len(mnist.train_y) // 64)     # 988 images: 15 batches, 28 dropped


def test_fast_resume_is_exact(tmp_path, mnist):
    config = lambda d: recipe("mnist-lt", epochs=2, fast=True, compile_mode="none", out=str(tmp_path / d))
    straight = train(config("a"), data=mnist, progress=False)

    def crash(info):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config("b"), data=mnist, callback=crash, progress=False)
    resumed = train(config("b"), data=mnist, progress=False)
    assert torch.equal(resumed.test_features, straight.test_features)


@pytest.mark.parametrize("overrides,message", [
    ({"compile_mode": "fastest"}, "compile_mode = 'fastest'"),
    ({"compile_mode": "reduce-overhead"}, "set cuda_graph=False"),
    ({"compile_mode": "reduce-overhead", "cuda_graph": False}, "needs a CUDA device"),
    ({"batch_size": 2048, "compile_mode": "none"}, "batch_size 2048 is larger than the 988"),
    ({"device": "cuda:3"} if not torch.cuda.is_available() else {"device": "mps"}, "not (available|supported)"),
])
def test_bad_fast_settings_are_one_value_error(overrides, message, mnist):
    with pytest.raises(ValueError, match=message):
        train(recipe("mnist-lt", epochs=1, fast=True, **overrides), data=mnist, progress=False)


def test_compile_on_cpu_without_a_compiler_is_refused(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(ValueError, match="C\\+\\+ compiler"):
        check_fast_setup(TrainConfig(fast=True), torch.device("cpu"))
    check_fast_setup(TrainConfig(fast=True, compile_mode="none"), torch.device("cpu"))


@pytest.mark.slow
def test_compiled_step_matches_eager_step(mnist):
    """torch.compile (inductor, CPU): one step within float reassociation of the eager step;
    then whole epochs drift apart only as chaotically as reordered float sums do."""
    def build(mode):
        config = recipe("mnist-lt", fast=True, compile_mode=mode)
        torch.manual_seed(0)
        model = config.build_model(mnist.train_x.shape[1], len(mnist.classes))
        opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=0.9, weight_decay=5e-4)
        step = FastStep(model, TrainNet(model.backbone, model.head), opt, build_loss("ce", mnist.train_counts),
                        mnist.train_x, mnist.train_y, mnist, config, DistContext())
        return model, step

    (m_eager, eager), (m_comp, comp) = build("none"), build("default")
    gen_a, gen_b = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    idx = torch.randperm(len(mnist.train_y), generator=torch.Generator().manual_seed(0))[:64]
    eager(idx, draw_crop_flip(64, 2, False, gen_a, "cpu"), 0.05)
    comp(idx, draw_crop_flip(64, 2, False, gen_b, "cpu"), 0.05)
    for (name, a), b in zip(m_eager.state_dict().items(), m_comp.state_dict().values()):
        torch.testing.assert_close(b, a, rtol=1e-5, atol=1e-5, msg=name)
    torch.testing.assert_close(comp.loss_sum, eager.loss_sum, rtol=1e-6, atol=0)
