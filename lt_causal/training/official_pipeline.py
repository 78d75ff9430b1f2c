"""The official-style input pipeline (the baseline of ``python -m lt_causal bench``), as the public
LDAM / BBN / Tang et al. CIFAR code trains: images kept as HWC uint8 arrays, per-image PIL
transforms in a ``torch.utils.data.Dataset``, a ``DataLoader`` with worker processes, fp32 and
a plain eager step. The transforms are torchvision's ``RandomCrop(32, padding=4)``,
``RandomHorizontalFlip()``, ``ToTensor()`` and ``Normalize(mean, std)``, written here with Pillow
and numpy so the package does not depend on torchvision.

    seconds = train_official(recipe("cifar10-lt", epochs=3), data, workers=12)
"""
from __future__ import annotations

import os
import time

import numpy as np
import torch
from PIL import Image, ImageOps

from lt_causal.datasets.augment import normalize_with
from lt_causal.training.config import TrainConfig
from lt_causal.schedule import lr_at
from lt_causal.training.distributed import resolve_device
from lt_causal.training.steps import make_loss


def default_workers() -> int:
    """DataLoader workers of the baseline: 12 (the issue's measurement) or fewer CPUs."""
    return min(12, os.cpu_count() or 1)


class PILTransform:
    """RandomCrop(size, padding) + RandomHorizontalFlip + ToTensor + Normalize on one PIL image."""

    def __init__(self, mean, std, crop_padding: int = 4, flip: bool = True, augment: bool = True):
        self.mean = torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1)
        self.std = torch.tensor(std, dtype=torch.float32).view(-1, 1, 1)
        self.padding, self.flip, self.augment = crop_padding, flip, augment

    def __call__(self, img: Image.Image) -> torch.Tensor:
        if self.augment and self.padding:
            w, h = img.size
            img = ImageOps.expand(img, border=self.padding, fill=0)
            i = int(torch.randint(0, 2 * self.padding + 1, (1,)))
            j = int(torch.randint(0, 2 * self.padding + 1, (1,)))
            img = img.crop((j, i, j + w, i + h))
        if self.augment and self.flip and torch.rand(1) < 0.5:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        a = np.array(img, dtype=np.uint8, copy=True)
        t = torch.from_numpy(a[:, :, None] if a.ndim == 2 else a).permute(2, 0, 1).contiguous()
        return normalize_with(t, self.mean, self.std)


class ArrayImageDataset(torch.utils.data.Dataset):
    """(PIL image → transform, label) from uint8 arrays, like torchvision's CIFAR10 class."""

    def __init__(self, x_uint8: torch.Tensor, y: torch.Tensor, transform):
        x = np.ascontiguousarray(x_uint8.permute(0, 2, 3, 1).numpy())   # N, H, W, C as CIFAR's pickles
        self.x = np.ascontiguousarray(x[..., 0]) if x.shape[-1] == 1 else x
        self.y = y.tolist()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i):
        return self.transform(Image.fromarray(self.x[i])), self.y[i]


def make_loader(data, config: TrainConfig, workers: int, device: torch.device):
    """Shuffled DataLoader over the train split with the per-image PIL transforms."""
    transform = PILTransform(data.mean, data.std, config.crop_padding, config.flip, config.augment)
    dataset = ArrayImageDataset(data.train_x, data.train_y, transform)
    return torch.utils.data.DataLoader(dataset, batch_size=config.batch_size, shuffle=True,
                                       num_workers=workers, pin_memory=device.type == "cuda",
                                       persistent_workers=workers > 0, drop_last=False)


def train_official(config: TrainConfig, data, workers: int | None = None, callback=None):
    """Train ``config.epochs`` epochs the official way; returns the model and one dict per epoch
    (epoch, seconds, loss, train_acc). Same model, SGD, schedule and head-direction update as
    :func:`lt_causal.train`, without bf16, channels_last or a resident data set."""
    workers = default_workers() if workers is None else int(workers)
    if workers < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    model = config.build_model(data.train_x.shape[1], len(data.classes)).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                          weight_decay=config.weight_decay)
    loss_fn = make_loss(config, data.train_counts, device)
    loader = make_loader(data, config, workers, device)
    steps = len(loader)
    history = []
    for epoch in range(config.epochs):
        model.train()
        t0 = time.perf_counter()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device)
        for step, (xb, yb) in enumerate(loader):
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            for group in opt.param_groups:
                group["lr"] = lr_at(config, epoch + step / steps)
            feats = model.backbone(xb)
            logits = model.head(feats)
            loss = loss_fn(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            model.direction.update(feats)
            loss_sum += loss.detach() * len(yb)
            correct += (logits.detach().argmax(1) == yb).sum()
        n = len(loader.dataset)
        info = {"epoch": epoch + 1, "loss": loss_sum.item() / n, "train_acc": 100.0 * correct.item() / n,
                "seconds": time.perf_counter() - t0}
        history.append(info)
        if callback is not None:
            callback(dict(info, model=model))
    return model, history
