"""ImageNet-size backbones: ResNeXt-50 (32×4d) and ResNet-10 (lt_causal.models.resnext)."""
import pytest
import torch
from torch import nn

from lt_causal.models.backbones import ARCHS, build_backbone
from lt_causal.models.resnext import resnet10, resnext50_32x4d
from lt_causal.precision import autocast


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def conv(c_in, c_out, k, groups=1):
    return c_in // groups * c_out * k * k


def bn(c):
    return 2 * c


def resnet_params(block: str, layers, groups=1, width_per_group=64, classes=1000) -> int:
    """Parameter count of an ImageNet ResNet(-eXt) from its definition (He et al. 2016, Table 1;
    Xie et al. 2017, Table 1), written independently of the code under test."""
    total, c_in = conv(3, 64, 7) + bn(64), 64
    for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
        for j in range(n):
            if block == "basic":
                c_out = planes
                total += conv(c_in, planes, 3) + bn(planes) + conv(planes, planes, 3) + bn(planes)
            else:
                width, c_out = planes * width_per_group // 64 * groups, planes * 4
                total += (conv(c_in, width, 1) + bn(width) + conv(width, width, 3, groups) + bn(width)
                          + conv(width, c_out, 1) + bn(c_out))
            if c_in != c_out or (i > 0 and j == 0):
                total += conv(c_in, c_out, 1) + bn(c_out)     # projection shortcut
            c_in = c_out
    return total + c_in * classes + classes


def test_resnext50_has_the_standard_parameter_count():
    net = resnext50_32x4d()
    assert net.feature_dim == 2048
    assert n_params(net) + n_params(nn.Linear(2048, 1000)) == 25_028_904
    assert resnet_params("bottleneck", (3, 4, 6, 3), groups=32, width_per_group=4) == 25_028_904
    # ResNet-50 (groups 1, width 64) from the same formula is the other well-known count
    assert resnet_params("bottleneck", (3, 4, 6, 3)) == 25_557_032


def test_resnet10_parameter_count_follows_its_definition():
    net = resnet10()
    assert net.feature_dim == 512
    expected = resnet_params("basic", (1, 1, 1, 1))
    assert expected == 5_418_792       # 4,905,792 in the backbone + 513,000 in Linear(512, 1000)
    assert n_params(net) + n_params(nn.Linear(512, 1000)) == expected
    assert resnet_params("basic", (2, 2, 2, 2)) == 11_689_512   # ResNet-18, the formula's check


@pytest.mark.parametrize("arch,dim", [("resnext50", 2048), ("resnet10", 512)])
def test_registered_and_shapes_at_64px(arch, dim):
    assert arch in ARCHS
    torch.manual_seed(0)
    net = build_backbone(arch, 3)
    x = torch.randn(2, 3, 64, 64)
    assert net.trunk(x).shape == (2, dim, 2, 2)
    feats = net(x)
    assert feats.shape == (2, dim) and (feats >= 0).all()
    with pytest.raises(ValueError, match="two branches"):
        build_backbone(arch, 3, bilateral=True)


def test_resnet10_forward_backward_channels_last_bf16():
    torch.manual_seed(0)
    net, head = resnet10(in_channels=1), nn.Linear(512, 3)
    x = torch.randn(4, 1, 64, 64).contiguous(memory_format=torch.channels_last)
    net = net.to(memory_format=torch.channels_last)
    with autocast(torch.device("cpu"), "bf16"):
        loss = nn.functional.cross_entropy(head(net(x).float()), torch.tensor([0, 1, 2, 0]))
    loss.backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert net.stem[0].weight.grad.abs().sum() > 0


def test_zero_init_residual_zeroes_the_last_bn_of_each_block():
    net = resnet10(zero_init_residual=True)
    assert all(float(b.body[-1].weight.detach().abs().sum()) == 0 for stage in net.stages for b in stage)
    assert float(resnet10().stages[0][0].body[-1].weight.detach().sum()) == 64.0
