"""Named training methods: a classifier head, a loss and, where the method has one, its own
training step or second stage; and :func:`build_model`, the network of a named method. ``deconfound`` is the paper's de-confound training (multi-head
causal norm + cross-entropy); TDE is applied at test time to any normalised head.

The systems of the paper's Tables 2 and 3, all trained by :func:`lt_causal.train`:

========================  =====================================================================
one stage                 ``ce``, ``cosine``, ``capsule``, ``deconfound`` (heads); ``focal``,
                          ``cb``, ``ldam-drw`` (:mod:`lt_causal.methods.losses`); ``mixup`` and
                          ``bbn`` (their own step, :mod:`lt_causal.methods.method_steps`)
two stages (decoupling)   cross-entropy training, then on the frozen backbone's training
                          features: ``crt``, ``lws``, ``ncm``, ``tau-norm``, ``logit-adjust``
                          (:mod:`lt_causal.methods.decoupling`)
two stages (OLTR)         cross-entropy training, then OLTR's attention, meta-embedding and
                          cosine classifier fine-tuned with the centroid loss: ``oltr``,
                          ``decouple-oltr`` (trunk frozen) (:mod:`lt_causal.methods.oltr`)
========================  =====================================================================

Spelling: a method name is what the command line takes (``tau-norm``, ``logit-adjust``); its
second stage and the test-time knob of the same correction use the Python spelling of
:data:`STAGE_KNOBS` (``tau_norm``, ``logit_adjustment``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lt_causal.checks import check_choice
from lt_causal.language import localized
from lt_causal.methods.losses import LDAM_SCALE
from lt_causal.models.backbones import build_backbone
from lt_causal.models.heads import build_head, head_hparams
from lt_causal.models.ltmodel import LTModel


@dataclass(frozen=True)
class Method:
    head: str
    loss: str
    description: str
    step: str = "standard"          # standard | mixup | bbn: what one training step does
    stage2: str | None = None       # crt | lws | ncm | tau_norm | logit_adjustment (lt_causal.methods.decoupling)
                                    # | oltr | decouple-oltr (lt_causal.methods.oltr)
    tde: bool | None = None         # report a TDE row (None: for normalised heads)
    defaults: dict = field(default_factory=dict)   # TrainConfig defaults that recipe() applies
    zh: str = ""                    # the description in Chinese (method_description under lc.set_language("zh"))

    @property
    def reports_tde(self) -> bool:
        return self.head != "linear" if self.tde is None else self.tde


# the post-hoc corrections that are both a second stage (a method) and a test-time knob
# (lt_causal.evaluation.knobs): method name -> the stage's and the knob's name
STAGE_KNOBS = {"tau-norm": "tau_norm", "logit-adjust": "logit_adjustment"}

METHOD_ID = "--method"   # the name of a table index of method names as the command line takes them

# a method as a learner reads it (tables, legends, run labels)
METHOD_LABELS = {"ce": "Cross-entropy", "cosine": "Cosine", "focal": "Focal loss", "cb": "Class-balanced loss",
                 "capsule": "Capsule", "deconfound": "De-confound", "ldam-drw": "LDAM-DRW", "mixup": "Mixup",
                 "bbn": "BBN", "crt": "cRT", "lws": "LWS", "ncm": "NCM", "tau-norm": "τ-norm",
                 "logit-adjust": "Logit adjustment", "oltr": "OLTR", "decouple-oltr": "Decouple-OLTR"}


def method_description(name: str) -> str:
    """What method ``name`` is, in the active language (its :attr:`Method.description` or :attr:`Method.zh`)."""
    spec = get_method(name)
    return localized(spec.description, spec.zh)


def method_label(name: str) -> str:
    """``De-confound`` for ``deconfound``; a name without a label is its own label."""
    return METHOD_LABELS.get(name, name)


METHODS = {
    "ce": Method("linear", "ce", "cross-entropy baseline (linear classifier)",
                 zh="交叉熵基线（线性分类器）"),
    "cosine": Method("cosine", "ce", "cosine classifier (single-head causal norm, γ=0)",
                     zh="余弦分类器（单头因果归一化，γ=0）"),
    "capsule": Method("capsule", "ce", "capsule-normalised feature ‖x‖/(1+‖x‖)·x/‖x‖ + cosine classifier "
                      "(ablation of Tang et al. 2020)",
                      zh="胶囊归一化特征 ‖x‖/(1+‖x‖)·x/‖x‖ + 余弦分类器（Tang 等人 2020 的消融实验）"),
    "deconfound": Method("causal_norm", "ce", "de-confound training: multi-head causal norm (Tang et al. 2020)",
                         zh="去混杂训练：多头因果归一化（Tang 等人 2020）"),
    "focal": Method("linear", "focal", "focal loss, γ=2 (Lin et al. 2017)",
                    zh="focal loss，γ=2（Lin 等人 2017）"),
    "cb": Method("linear", "cb", "class-balanced CE, effective number β=0.9999 (Cui et al. 2019)",
                 zh="类别平衡交叉熵，有效样本数 β=0.9999（Cui 等人 2019）"),
    "ldam-drw": Method("cosine", "ldam-drw", f"LDAM margins C/n^¼ on a normalised classifier (s={LDAM_SCALE:g}) "
                       "with deferred re-weighting from the first lr decay (Cao et al. 2019)", tde=False,
                       defaults={"tau": LDAM_SCALE},
                       zh=f"归一化分类器上的 LDAM 间隔 C/n^¼（s={LDAM_SCALE:g}），从第一次学习率衰减起延迟重加权（Cao 等人 2019）"),
    "mixup": Method("linear", "ce", "mixup of image pairs and their labels, λ ~ Beta(1, 1) (Zhang et al. 2018)",
                    step="mixup",
                    zh="图像对及其标签的 mixup，λ ~ Beta(1, 1)（Zhang 等人 2018）"),
    "bbn": Method("linear", "ce", "bilateral-branch network: uniform and reversed sampler, cumulative "
                  "learning α = 1 − (T/T_max)² (Zhou et al. 2020)", step="bbn",
                  zh="双分支网络：均匀采样与反向采样，累积学习 α = 1 − (T/T_max)²（Zhou 等人 2020）"),
    "crt": Method("linear", "ce", "decoupling: CE training, then the classifier re-trained from scratch with "
                  "class-balanced sampling on the frozen features (Kang et al. 2020)", stage2="crt",
                  zh="解耦：先做交叉熵训练，再在冻结的特征上用类别平衡采样从头重新训练分类器（Kang 等人 2020）"),
    "lws": Method("linear", "ce", "decoupling: CE training, then learnable per-class weight scales trained "
                  "with class-balanced sampling (Kang et al. 2020)", stage2="lws",
                  zh="解耦：先做交叉熵训练，再用类别平衡采样训练可学习的每类权重缩放（Kang 等人 2020）"),
    "ncm": Method("linear", "ce", "decoupling: CE training, then nearest class mean by cosine to the "
                  "normalised class means of the training features (Kang et al. 2020)", stage2="ncm",
                  tde=False,
                  zh="解耦：先做交叉熵训练，再按余弦取最近的类均值（训练特征归一化后的类均值）（Kang 等人 2020）"),
    "tau-norm": Method("linear", "ce", "decoupling: CE training, then w_i/‖w_i‖^τ, τ = posthoc_tau "
                       "(Kang et al. 2020)", stage2=STAGE_KNOBS["tau-norm"],
                       zh="解耦：先做交叉熵训练，再令 w_i/‖w_i‖^τ，τ = posthoc_tau（Kang 等人 2020）"),
    "logit-adjust": Method("linear", "ce", "CE training, then post-hoc logit adjustment logits − τ log π, "
                           "τ = posthoc_tau, folded into the bias (Menon et al. 2021)", stage2=STAGE_KNOBS["logit-adjust"],
                           zh="先做交叉熵训练，再做事后 logit 调整 logits − τ log π，τ = posthoc_tau，折进偏置（Menon 等人 2021）"),
    "oltr": Method("linear", "ce", "OLTR: CE training, then modulated attention, dynamic meta-embedding (class-"
                   "centroid memory), cosine classifier and centroid loss, the whole network fine-tuned with "
                   "class-balanced sampling (Liu et al. 2019)", stage2="oltr", tde=False,
                   defaults={"retrain_lr": 0.1},
                   zh="OLTR：先做交叉熵训练，再用类别平衡采样微调整个网络：调制注意力、动态元嵌入（类中心记忆）、余弦分类器和中心损失（Liu 等人 2019）"),
    "decouple-oltr": Method("linear", "ce", "Decouple-OLTR: the OLTR second stage decoupled from the CE "
                            "representation: trunk frozen, only attention, fc, meta-embedding and classifier "
                            "learn, at the lr of the cRT stage (Liu et al. 2019; Kang et al. 2020)",
                            stage2="decouple-oltr", tde=False,
                            zh="Decouple-OLTR：OLTR 的第二阶段与交叉熵表示解耦：主干冻结，只有注意力、fc、元嵌入和分类器以 cRT 阶段的学习率学习（Liu 等人 2019；Kang 等人 2020）"),
}


def get_method(name: str) -> Method:
    """The method called ``name``; an unknown name raises one ValueError listing the valid ones."""
    return METHODS[check_choice(name, METHODS, "method")]


def build_model(method: str, arch: str, in_channels: int, num_classes: int, *, mu: float, num_heads: int,
                tau: float, gamma: float) -> LTModel:
    """The network of a named method: its backbone (bilateral for BBN), its head, the head direction."""
    spec = get_method(method)
    backbone = build_backbone(arch, in_channels, bilateral=spec.step == "bbn")
    hparams = head_hparams(spec.head, num_heads=num_heads, tau=tau, gamma=gamma)
    return LTModel(backbone, build_head(spec.head, backbone.feature_dim, num_classes, **hparams), mu)
