"""The precision knob (lt_causal.precision): detection, resolution, autocast and the trainer's use."""
import json

import pytest
import torch

from lt_causal.commands.bench import parse_pipeline
from lt_causal.training.config import TrainConfig, recipe
from lt_causal.training.steps import TrainNet
from lt_causal.methods.registry import build_model
from lt_causal.precision import autocast, cpu_has_native_bf16, memory_format, resolve_precision
from recipe_values import MODEL


@pytest.mark.parametrize("flags,expected", [("fpu avx512f avx512_bf16 sse", True), ("fpu amx_bf16", True),
                                            ("fpu avx512f avx2", False)])
def test_native_bf16_is_read_from_the_cpu_flags(tmp_path, flags, expected):
    (tmp_path / "cpuinfo").write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert cpu_has_native_bf16(str(tmp_path / "cpuinfo")) is expected
    assert cpu_has_native_bf16(str(tmp_path / "missing")) is False


@pytest.mark.parametrize("native", [True, False])
def test_auto_is_bf16_only_where_native(monkeypatch, native):
    monkeypatch.setattr("lt_causal.precision.cpu_has_native_bf16", lambda *a: native)
    assert resolve_precision("auto", "cpu") == ("bf16" if native else "fp32")
    assert resolve_precision("fp32", "cpu") == "fp32" and resolve_precision("bf16", "cpu") == "bf16"


def test_bad_precision_is_one_value_error():
    with pytest.raises(ValueError, match="precision 'fp16' is not one of auto, fp32, bf16"):
        resolve_precision("fp16", "cpu")
    with pytest.raises(ValueError, match=r"TrainConfig.precision = 'half' \(choose one of auto, fp32, bf16\)"):
        TrainConfig(precision="half")


def test_bf16_autocast_lowers_the_backbone_but_not_the_head():
    model = build_model("deconfound", "resnet32", 3, 10, **MODEL)
    net = TrainNet(model.backbone, model.head).to(memory_format=memory_format("cpu", "bf16"))
    x = torch.randn(4, 3, 32, 32).contiguous(memory_format=torch.channels_last)
    with autocast("cpu", "bf16"):
        feats, logits = net(x)
    assert feats.dtype == torch.bfloat16 and logits.dtype == torch.float32
    torch.testing.assert_close(logits, model.head(feats.float()))   # the head's formula in fp32
    with autocast("cpu", "fp32"):
        feats, logits = net(x)
    assert feats.dtype == logits.dtype == torch.float32
    assert memory_format("cpu", "fp32") == torch.contiguous_format


def test_trainer_records_the_resolved_precision_and_resumes_with_auto(tmp_path, monkeypatch):
    from lt_causal.training.config import check_run_config
    from lt_causal.training.trainer import train

    monkeypatch.setattr("lt_causal.precision.cpu_has_native_bf16", lambda *a: True)
    config = recipe("mnist-lt", quick=True, epochs=1, device="cpu", out=str(tmp_path / "run"))
    run = train(config, progress=False)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    assert saved["precision"] == "bf16" and run.config["precision"] == "bf16"
    check_run_config(tmp_path / "run", config)   # "auto" resolves to the saved bf16 here
    monkeypatch.setattr("lt_causal.precision.cpu_has_native_bf16", lambda *a: False)
    with pytest.raises(ValueError, match="precision: saved 'bf16' vs now 'fp32'"):
        check_run_config(tmp_path / "run", config)


@pytest.mark.parametrize("spec,expected", [
    ("plain", ("plain", "auto")), ("plain@fp32", ("plain", "fp32")), ("official", ("official", "fp32")),
    ("fast@bf16", ("fast", "bf16")), ("fast:default@fp32", ("fast", "fp32")),
])
def test_bench_pipelines_take_a_precision(spec, expected):
    p = parse_pipeline(spec, cuda=False)
    assert (p["kind"], p["precision"]) == expected
    assert p["name"] == ("fast:none@bf16" if spec == "fast@bf16" else spec)   # "fast" names its resolved mode


@pytest.mark.parametrize("spec", ["plain@fp16", "official@bf16", "fast:none@"])
def test_bench_rejects_a_bad_precision(spec):
    with pytest.raises(ValueError, match="unknown pipeline"):
        parse_pipeline(spec, cuda=False)
