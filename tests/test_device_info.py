"""describe_device: the CPU message, a (simulated) CUDA GPU, and bad device names."""
import types

import pytest
import torch

from lt_causal.evaluation.packs import pack_name, pretrained_names
from lt_causal.experiments.device_info import describe_device, measure_epoch_seconds


def test_cpu_is_described_with_a_clear_message():
    info = describe_device("cpu")
    assert (info.device, info.kind, info.has_gpu, info.memory_gib) == ("cpu", "cpu", False, None)
    assert "No CUDA GPU" in info.message and "200 epochs" in info.message
    assert f"pretrained:{pack_name()}" in info.message and info.precision in info.message
    assert pack_name() in pretrained_names()                      # the run it points at ships
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
    assert "NVIDIA H200" in info.message and "141.0 GiB" in info.message and "bf16" in info.message
    assert repr(info) == "DeviceInfo(cuda:0: NVIDIA H200, 141.0 GiB, bf16)"


@pytest.mark.parametrize("native", [True, False])
def test_cpu_precision_follows_native_bf16(monkeypatch, native):
    monkeypatch.setattr("lt_causal.precision.cpu_has_native_bf16", lambda *a: native)
    info = describe_device("cpu")
    assert info.bf16 is native and info.precision == ("bf16" if native else "fp32")
    assert ("bf16" in info.message) is native


def test_measure_epoch_seconds_scales_steps_to_the_epoch():
    from lt_causal.training.config import recipe

    cost = measure_epoch_seconds(recipe("mnist-lt", quick=False, device="cpu", precision="fp32"), train_images=640, steps=1)
    assert cost.seconds_per_epoch == pytest.approx(cost.seconds_per_step * 640 / 64)
    assert cost.hours_for_recipe == pytest.approx(cost.seconds_per_epoch * 30 / 3600)
    assert (cost.precision, cost.device, cost.epochs) == ("fp32", "cpu", 30)
    assert f"{cost.seconds_per_epoch:.0f} s per epoch" in cost._repr_markdown_()


@pytest.mark.parametrize("device,match", [("tpu", "unknown device 'tpu'"),
                                          ("cuda:7", "CUDA is not available")])
def test_bad_device_is_one_value_error(monkeypatch, device, match):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match=match):
        describe_device(device)


def test_the_messages_speak_the_learners_language_and_type_no_duration():
    """What the first cells of notebook 05 print comes from the catalogue (Chinese in the Chinese
    edition) and states no time that was not measured: the cost is measure_epoch_seconds' job."""
    import re

    from lt_causal.language import using_language
    from lt_causal.training.config import recipe
    from test_notebook_prose import typed_durations

    cost = measure_epoch_seconds(recipe("mnist-lt", quick=True, device="cpu", precision="fp32"), train_images=64, steps=1)
    for language in ("en", "zh"):
        with using_language(language):
            info = describe_device("cpu")
            assert typed_durations(info.message) == []
            said = info._repr_markdown_() + cost._repr_markdown_()
            assert bool(re.search(r"[\u4e00-\u9fff]", said)) == (language == "zh")
            assert not re.search(r"[\U0001F300-\U0001FAFF\u2705\u23f1]", said)      # no glyph an emoji font must draw
