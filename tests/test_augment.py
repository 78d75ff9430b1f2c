"""Batched crop/flip/normalise against a plain per-image reference loop."""
import pytest
import torch

from lt_causal.datasets.augment import augment_batch, crop_flip, normalize

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)


def images(b=8, c=3, h=32, w=32, seed=0):
    return torch.randint(0, 256, (b, c, h, w), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def reference(x, pad, flip, seed):
    """Per-image loop drawing the same random numbers in the same order as augment_batch."""
    gen = torch.Generator().manual_seed(seed)
    B, C, H, W = x.shape
    oy = torch.randint(0, 2 * pad + 1, (B,), generator=gen)
    ox = torch.randint(0, 2 * pad + 1, (B,), generator=gen)
    flips = torch.rand(B, generator=gen) < 0.5 if flip else torch.zeros(B, dtype=torch.bool)
    out = torch.empty_like(x)
    for b in range(B):
        canvas = torch.zeros(C, H + 2 * pad, W + 2 * pad, dtype=torch.uint8)
        canvas[:, pad:pad + H, pad:pad + W] = x[b]
        crop = canvas[:, oy[b]:oy[b] + H, ox[b]:ox[b] + W]
        out[b] = crop.flip(-1) if flips[b] else crop
    return out


@pytest.mark.parametrize("shape,pad,flip", [((16, 3, 32, 32), 4, True), ((16, 1, 28, 28), 2, False),
                                            ((5, 3, 8, 6), 3, True)])
def test_crop_flip_equals_per_image_loop(shape, pad, flip):
    x = images(*shape)
    got = crop_flip(x, pad, flip, torch.Generator().manual_seed(7))
    assert got.shape == x.shape and got.dtype == torch.uint8
    assert torch.equal(got, reference(x, pad, flip, seed=7))


def test_augment_batch_is_normalised_reference_and_deterministic():
    x = images(32)
    a = augment_batch(x, MEAN, STD, generator=torch.Generator().manual_seed(3))
    b = augment_batch(x, MEAN, STD, generator=torch.Generator().manual_seed(3))
    assert a.dtype == torch.float32 and a.shape == (32, 3, 32, 32)
    assert torch.equal(a, b)
    expected = (reference(x, 4, True, 3).float() / 255 - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    torch.testing.assert_close(a, expected)
    c = augment_batch(x, MEAN, STD, generator=torch.Generator().manual_seed(4))
    assert not torch.equal(a, c)


def test_both_offsets_and_flips_occur():
    x = images(256)
    gen = torch.Generator().manual_seed(0)
    out = crop_flip(x, 4, True, gen)
    assert not torch.equal(out, x)
    centred = crop_flip(x, 0, True, torch.Generator().manual_seed(0))  # flip only
    same = (centred == x).flatten(1).all(1)
    mirrored = (centred == x.flip(-1)).flatten(1).all(1)
    assert (same | mirrored).all() and 0.3 < same.float().mean() < 0.7


def test_padding_is_black_and_no_op_without_randomness():
    x = torch.full((64, 1, 28, 28), 255, dtype=torch.uint8)
    out = crop_flip(x, 2, False, torch.Generator().manual_seed(0))
    assert (out == 0).any() and set(out.unique().tolist()) <= {0, 255}
    assert torch.equal(crop_flip(x, 0, False), x)


def test_normalize_values_and_errors():
    x = torch.tensor([0, 51, 255], dtype=torch.uint8).view(3, 1, 1, 1)
    torch.testing.assert_close(normalize(x, (0.2,), (0.5,)).flatten(), torch.tensor([-0.4, 0.0, 1.6]))
    with pytest.raises(ValueError, match="mean has 3 values"):
        normalize(images(2, 1, 4, 4), MEAN, (0.3,))
    with pytest.raises(ValueError, match="torch.float32"):
        augment_batch(torch.zeros(2, 3, 4, 4), MEAN, STD)
    with pytest.raises(ValueError, match="crop_padding .* -1"):
        augment_batch(images(2), MEAN, STD, crop_padding=-1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_the_gpu_with_a_device_generator():
    x = images(64).cuda()
    gen = torch.Generator(device="cuda").manual_seed(0)
    out = augment_batch(x, MEAN, STD, generator=gen)
    assert out.device.type == "cuda" and out.shape == x.shape
