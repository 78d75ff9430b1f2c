"""describe_device: the CPU message, a (simulated) CUDA GPU, and bad device names."""
import types

import pytest
import torch

import lt_causal.device_info as di
from lt_causal.device_info import describe_device, fast_path_available


def test_cpu_is_described_with_a_clear_message():
    info = describe_device("cpu")
    assert (info.device, info.kind, info.has_gpu, info.memory_gib, info.fast_path) == ("cpu", "cpu", False, None, False)
    assert "No CUDA GPU" in info.message and "200 epochs" in info.message
    assert "no CUDA GPU" in repr(info)
    assert info.message in info._repr_markdown_()


def test_auto_without_cuda_is_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert describe_device().kind == "cpu"


def test_simulated_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=0: "NVIDIA H200")
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda i=0: types.SimpleNamespace(total_memory=141 * 2**30))
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    info = describe_device("auto")
    assert (info.device, info.name, info.has_gpu, info.bf16) == ("cuda:0", "NVIDIA H200", True, True)
    assert info.memory_gib == pytest.approx(141.0)
    assert info.fast_path == fast_path_available()
    assert "NVIDIA H200" in info.message and "141.0 GiB" in info.message and "bf16" in info.message
    assert repr(info) == "DeviceInfo(cuda:0: NVIDIA H200, 141.0 GiB, bf16)"


def test_fast_path_follows_train_config_fields():
    import dataclasses

    from lt_causal.config import TrainConfig

    names = {f.name for f in dataclasses.fields(TrainConfig)}
    assert fast_path_available() == ("fast" in names)


@pytest.mark.parametrize("device,match", [("tpu", "unknown device 'tpu'"),
                                          ("cuda:7", "CUDA is not available")])
def test_bad_device_is_one_value_error(monkeypatch, device, match):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=match):
        describe_device(device)


def test_message_constant_is_used_on_cpu():
    assert describe_device("cpu").message == di.CPU_MESSAGE
