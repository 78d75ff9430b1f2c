"""Feature extractors: ResNet-32 for 32×32 images (plain 64-d and the BBN 128-d variant the
paper's CIFAR numbers use), a small CNN for the embedded MNIST digits, and by name the
ImageNet-size ResNeXt-50 and ResNet-10 of :mod:`lt_causal.models.resnext`.

Every backbone maps normalised float images (B, C, H, W) to features (B, feature_dim) taken
after a ReLU and global average pooling, so features are non-negative as in the paper.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lt_causal.checks import check_choice
from lt_causal.models.resnext import resnet10, resnext50_32x4d


class BasicBlock(nn.Module):
    """3×3-3×3 residual block with an option-A (parameter-free) shortcut (He et al. 2016, §4.2)."""

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride = stride
        self.pad = planes - in_planes

    def shortcut(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1 and self.pad == 0:
            return x
        x = x[:, :, :: self.stride, :: self.stride]
        return F.pad(x, (0, 0, 0, 0, self.pad // 2, self.pad - self.pad // 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _Backbone(nn.Module):
    """Shared forward: the trunk, then the last stage (or its two parallel branches, their
    outputs concatenated), globally average-pooled. Subclasses define ``trunk`` and ``bilateral``
    (and ``branch_a``/``branch_b`` when bilateral)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.trunk(x)
        if self.bilateral:
            out = torch.cat([self.branch_a(out), self.branch_b(out)], dim=1)
        return out.mean(dim=(2, 3))

    def branch_features(self, x: torch.Tensor, branch: int) -> torch.Tensor:
        """The pooled feature of one branch (0: ``branch_a``, 1: ``branch_b``), as BBN trains them."""
        if not self.bilateral:
            raise ValueError(f"{type(self).__name__} has one branch; BBN needs a bilateral backbone")
        if branch not in (0, 1):
            raise ValueError(f"branch must be 0 or 1, got {branch!r}")
        return (self.branch_a if branch == 0 else self.branch_b)(self.trunk(x)).mean(dim=(2, 3))


class ResNet32(_Backbone):
    """ResNet-32 for CIFAR: 3 stages × 5 blocks of 16/32/64 channels.

    ``variant="bbn"`` replaces the last block by two parallel blocks whose pooled outputs are
    concatenated into a 128-d feature (the BBN backbone used by the paper's public CIFAR code);
    ``variant="plain"`` is the usual 64-d network.
    """

    def __init__(self, variant: str = "bbn", in_channels: int = 3, blocks: int = 5):
        super().__init__()
        if variant not in ("bbn", "plain"):
            raise ValueError(f"unknown ResNet-32 variant {variant!r}: use 'bbn' or 'plain'")
        self.variant = variant
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        layers, in_planes = [], 16
        for stage, planes in enumerate((16, 32, 64)):
            n = blocks - 1 if (variant == "bbn" and stage == 2) else blocks
            for i in range(n):
                stride = 2 if (stage > 0 and i == 0) else 1
                layers.append(BasicBlock(in_planes, planes, stride))
                in_planes = planes
        self.layers = nn.Sequential(*layers)
        self.bilateral = variant == "bbn"
        if variant == "bbn":
            self.branch_a = BasicBlock(64, 64)
            self.branch_b = BasicBlock(64, 64)
            self.feature_dim = 128
        else:
            self.feature_dim = 64
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        """Everything before the (parallel) last block(s)."""
        return self.layers(F.relu(self.bn1(self.conv1(x))))



class SmallCNN(_Backbone):
    """Three conv-BN-ReLU stages (16/32/64 channels) + global pooling: a 64-d feature for
    28×28 digits that trains on a laptop CPU in seconds.

    ``bilateral=True`` (for BBN) doubles the last stage into two parallel branches whose pooled
    outputs are concatenated into a 128-d feature, as the BBN variant of ResNet-32 does."""

    def __init__(self, in_channels: int = 1, width: int = 16, bilateral: bool = False):
        super().__init__()
        chans = (width, 2 * width, 4 * width)
        layers, c_in = [], in_channels
        def stage(c_in, c):
            return [nn.Conv2d(c_in, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]

        for i, c in enumerate(chans):
            if i < len(chans) - 1:
                layers += stage(c_in, c) + [nn.MaxPool2d(2)]
            elif bilateral:
                self.branch_a, self.branch_b = nn.Sequential(*stage(c_in, c)), nn.Sequential(*stage(c_in, c))
            else:
                layers += stage(c_in, c)
            c_in = c
        self.net = nn.Sequential(*layers)
        self.bilateral = bilateral
        self.feature_dim = chans[-1] * (2 if bilateral else 1)

    @property
    def trunk(self) -> nn.Module:
        return self.net



ARCHS = ("resnet32", "resnet32-plain", "small-cnn", "resnext50", "resnet10")
IMAGENET_ARCHS = {"resnext50": resnext50_32x4d, "resnet10": resnet10}   # no bilateral variant


def build_backbone(arch: str, in_channels: int, bilateral: bool = False) -> nn.Module:
    """Backbone by name: ``resnet32`` (BBN 128-d), ``resnet32-plain`` (64-d), ``small-cnn``,
    ``resnext50`` (2048-d) or ``resnet10`` (512-d); ``bilateral=True`` asks for two parallel last
    stages (BBN): ``resnet32`` has them already, ``small-cnn`` gets them, the others cannot."""
    check_choice(arch, ARCHS, "architecture")
    if bilateral and arch not in ("resnet32", "small-cnn"):
        raise ValueError(f"BBN needs a backbone with two branches: use arch 'resnet32' (the BBN "
                         f"variant) or 'small-cnn', not {arch!r}")
    if arch in IMAGENET_ARCHS:
        return IMAGENET_ARCHS[arch](in_channels)
    if arch == "resnet32":
        return ResNet32("bbn", in_channels)
    if arch == "resnet32-plain":
        return ResNet32("plain", in_channels)
    return SmallCNN(in_channels, bilateral=bilateral)
