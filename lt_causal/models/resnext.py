"""ImageNet-size residual networks for the paper's large-scale setting: ResNeXt-50 (32×4d), the
backbone of Table 2 (Xie et al., "Aggregated residual transformations for deep neural networks",
CVPR 2017), and ResNet-10, the quick backbone of OLTR and of the Decoupling paper.

The standard architecture: a 7×7 stride-2 stem and 3×3 stride-2 max-pool, four stages of
64/128/256/512 planes, the stride of a stage in its first block (in the 3×3 convolution of a
bottleneck), projection shortcuts (1×1 convolution + BN) where the shape changes, global average
pooling. A bottleneck of ResNeXt-50 has width planes × 4/64 × 32 split in 32 groups, expansion 4,
stages 3-4-6-3; with a ``Linear(2048, 1000)`` classifier that is the standard 25,028,904
parameters. ResNet-10 has one 3×3-3×3 block per stage and 512-d features.

Choices: convolutions are initialised He-normal (fan-out), BN γ = 1, β = 0, as the OLTR and
Decoupling code do; ``zero_init_residual=True`` zeroes the last BN γ of every block (Goyal et al.
2017), off by default. Any input size ≥ 32 works (224 for ImageNet-LT, 64 in the tests); the
modules hold no fixed spatial size, so channels_last and bf16 autocast apply unchanged.
"""
from __future__ import annotations

import torch
from torch import nn


def _conv_bn(c_in: int, c_out: int, kernel: int, stride: int = 1, groups: int = 1) -> list:
    return [nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, groups=groups, bias=False), nn.BatchNorm2d(c_out)]


class _Block(nn.Module):
    """Residual block: ``body`` (ending in a BN) plus the identity or a projection shortcut, then ReLU."""

    expansion = 1

    def __init__(self, body: list, c_in: int, c_out: int, stride: int):
        super().__init__()
        self.body = nn.Sequential(*body)
        self.shortcut = nn.Sequential(*_conv_bn(c_in, c_out, 1, stride)) if stride != 1 or c_in != c_out \
            else nn.Identity()
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.body(x) + self.shortcut(x))

    def last_bn(self) -> nn.BatchNorm2d:
        return self.body[-1]


class BasicBlock(_Block):
    """3×3 → BN → ReLU → 3×3 → BN (ResNet-10/18/34)."""

    def __init__(self, c_in: int, planes: int, stride: int = 1, groups: int = 1, width_per_group: int = 64):
        if groups != 1 or width_per_group != 64:
            raise ValueError("BasicBlock has no groups: use groups=1, width_per_group=64")
        body = [*_conv_bn(c_in, planes, 3, stride), nn.ReLU(inplace=True), *_conv_bn(planes, planes, 3)]
        super().__init__(body, c_in, planes, stride)


class Bottleneck(_Block):
    """1×1 → 3×3 grouped, stride here → 1×1 ×4 channels (ResNet-50 when groups = 1, ResNeXt otherwise)."""

    expansion = 4

    def __init__(self, c_in: int, planes: int, stride: int = 1, groups: int = 1, width_per_group: int = 64):
        width = planes * width_per_group // 64 * groups
        body = [*_conv_bn(c_in, width, 1), nn.ReLU(inplace=True), *_conv_bn(width, width, 3, stride, groups),
                nn.ReLU(inplace=True), *_conv_bn(width, planes * 4, 1)]
        super().__init__(body, c_in, planes * 4, stride)


class ImageNetResNet(nn.Module):
    """Stem + four stages; ``forward`` = globally average-pooled ``trunk`` (features ≥ 0, as every
    backbone of :mod:`lt_causal.models.backbones`), ``feature_dim`` = 512 × expansion."""

    bilateral = False

    def __init__(self, block: type, layers, in_channels: int = 3, groups: int = 1, width_per_group: int = 64,
                 zero_init_residual: bool = False):
        super().__init__()
        stem = [*_conv_bn(in_channels, 64, 7, 2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
        stages, c_in = [], 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(n):
                blocks.append(block(c_in, planes, 2 if (i > 0 and j == 0) else 1, groups, width_per_group))
                c_in = planes * block.expansion
            stages.append(nn.Sequential(*blocks))
        self.stem, self.stages = nn.Sequential(*stem), nn.Sequential(*stages)
        self.feature_dim = c_in
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, _Block):
                    nn.init.zeros_(m.last_bn().weight)

    def trunk(self, x: torch.Tensor) -> torch.Tensor:
        """The last feature map (B, feature_dim, H/32, W/32), before pooling."""
        return self.stages(self.stem(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk(x).mean(dim=(2, 3))


def resnext50_32x4d(in_channels: int = 3, **kw) -> ImageNetResNet:
    """ResNeXt-50 (32×4d): bottlenecks, stages 3-4-6-3, 32 groups of width 4; 2048-d features."""
    return ImageNetResNet(Bottleneck, (3, 4, 6, 3), in_channels, groups=32, width_per_group=4, **kw)


def resnet10(in_channels: int = 3, **kw) -> ImageNetResNet:
    """ResNet-10: one basic block per stage; 512-d features (the OLTR / Decoupling quick backbone)."""
    return ImageNetResNet(BasicBlock, (1, 1, 1, 1), in_channels, **kw)
