"""The 224 x 224 image pipeline: random-resized-crop bounds, JPEG draft decoding, the test transform,
shapes, determinism, normalisation on the device."""
import math

import numpy as np
import pytest
import torch
from PIL import Image

from lt_causal.datasets.image_pipeline import (IMAGENET_MEAN, IMAGENET_STD, ImageTransform, centre_crop_box,
                                               color_jitter, device_batch, open_scaled, random_resized_crop_box)


def smooth_image(width, height, seed=0):
    """A smooth random RGB image (JPEG-friendly, so decoders and resamplers agree closely)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((width, height), Image.BICUBIC)


@pytest.fixture(scope="module")
def jpegs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jpegs")
    paths = {}
    for name, (w, h) in {"big": (1024, 768), "imagenet": (500, 375), "tall": (200, 500)}.items():
        paths[name] = folder / f"{name}.JPEG"
        smooth_image(w, h).save(paths[name], quality=95)
    paths["gray"] = folder / "gray.JPEG"
    smooth_image(300, 240).convert("L").save(paths["gray"])
    paths["png"] = folder / "rgba.png"
    smooth_image(260, 260).convert("RGBA").save(paths["png"])
    return paths


@pytest.mark.parametrize("width,height", [(500, 375), (375, 500), (64, 48), (224, 224), (3, 3)])
def test_random_resized_crop_inside_the_image_with_scale_and_ratio(width, height):
    rng = np.random.default_rng(0)
    for _ in range(300):
        left, top, w, h = random_resized_crop_box(width, height, rng)
        assert 0 < w and 0 < h and 0 <= left and 0 <= top and left + w <= width and top + h <= height
        if (w, h) != (width, height) and width >= 64:       # a drawn box (not the fallback)
            assert 0.08 * width * height * 0.9 <= w * h <= width * height
            assert 3 / 4 * 0.9 <= w / h <= 4 / 3 * 1.1


def test_random_resized_crop_fallback_is_centred_and_clamped():
    rng = np.random.default_rng(1)
    # a 1000 x 50 strip: no drawn box (square-ish, >= 8 % of the area) fits in 50 rows
    assert random_resized_crop_box(1000, 50, rng) == ((1000 - 67) // 2, 0, 67, 50)
    assert random_resized_crop_box(50, 1000, rng) == (0, (1000 - 67) // 2, 50, 67)


def test_draft_mode_decodes_fewer_pixels(jpegs):
    img, fx, fy = open_scaled(jpegs["big"], (341, 256))
    assert img.size == (512, 384) and (fx, fy) == (0.5, 0.5)         # DCT-domain 1/2
    img, fx, fy = open_scaled(jpegs["big"], (100, 100))      # 768 / 100 < 8: a quarter
    assert img.size == (256, 192) and fx == 1 / 4
    img, fx, fy = open_scaled(jpegs["big"], (100, 90))
    assert img.size == (128, 96) and fx == 1 / 8
    img, fx, _ = open_scaled(jpegs["big"], (341, 256), draft=False)
    assert img.size == (1024, 768) and fx == 1.0
    img, _, _ = open_scaled(jpegs["gray"], (100, 100))
    assert img.mode == "RGB" and img.size == (150, 120)
    img, fx, _ = open_scaled(jpegs["png"], (10, 10))                  # not a JPEG: full size
    assert img.mode == "RGB" and img.size == (260, 260) and fx == 1.0


@pytest.mark.parametrize("name", ["big", "imagenet", "tall"])
def test_test_transform_is_the_centre_224_of_the_resize_to_256(jpegs, name):
    with Image.open(jpegs[name]) as im:
        im = im.convert("RGB")
    w, h = im.size
    new = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
    left, top = int(round((new[0] - 224) / 2)), int(round((new[1] - 224) / 2))
    reference = np.asarray(im.resize(new, Image.BILINEAR).crop((left, top, left + 224, top + 224)))
    reference = torch.from_numpy(reference.transpose(2, 0, 1).copy()).float()
    for draft in (False, True):
        x = ImageTransform(train=False, draft=draft)(jpegs[name])
        assert x.dtype == torch.uint8 and x.shape == (3, 224, 224)
        assert (x.float() - reference).abs().mean() < 1.5, (name, draft)
    assert centre_crop_box(500, 375)[1] == pytest.approx(16 * 375 / 256)


@pytest.mark.parametrize("name", ["imagenet", "gray", "png", "tall"])
def test_train_transform_shapes_and_determinism(jpegs, name):
    t = ImageTransform(train=True)
    a = t(jpegs[name], np.random.default_rng(3))
    assert a.dtype == torch.uint8 and a.shape == (3, 224, 224)
    assert torch.equal(a, t(jpegs[name], np.random.default_rng(3)))
    assert not torch.equal(a, t(jpegs[name], np.random.default_rng(4)))
    with pytest.raises(ValueError, match="needs a numpy Generator"):
        t(jpegs[name])


def test_crop_and_flip_without_jitter(jpegs):
    """With jitter off, the train output is the drawn box resized, mirrored or not."""
    t = ImageTransform(train=True, jitter=0.0, draft=False)
    with Image.open(jpegs["imagenet"]) as im:
        im = im.convert("RGB")
    flips = set()
    for seed in range(8):
        rng = np.random.default_rng(seed)
        box = t.box(*im.size, rng)
        flipped = rng.random() < 0.5
        ref = np.asarray(im.resize((224, 224), Image.BILINEAR, box=box))
        ref = ref[:, ::-1] if flipped else ref
        x = t(jpegs["imagenet"], np.random.default_rng(seed)).permute(1, 2, 0).numpy()
        assert np.array_equal(x, ref)
        flips.add(flipped)
    assert flips == {True, False}


def test_color_jitter_range():
    img = smooth_image(64, 64)
    assert color_jitter(img, np.random.default_rng(0), 0.0) is img
    rng = np.random.default_rng(0)
    means = [np.asarray(color_jitter(img, rng)).mean() for _ in range(40)]
    base = np.asarray(img).mean()
    assert min(means) < base < max(means)
    assert 0.4 * base < min(means) and max(means) < 1.6 * base


def test_normalisation_on_the_device():
    x = torch.randint(0, 256, (2, 3, 8, 8), dtype=torch.uint8)
    xf, y = device_batch(x, torch.tensor([1, 2]), "cpu", IMAGENET_MEAN, IMAGENET_STD)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    assert xf.dtype == torch.float32 and y.dtype == torch.int64
    torch.testing.assert_close(xf, (x.float() / 255 - mean) / std)


def test_bad_sizes():
    with pytest.raises(ValueError, match="image_size 300, resize 256"):
        ImageTransform(train=False, image_size=300)
    assert math.isclose(centre_crop_box(256, 256)[0], 16.0)
