"""OLTR (Liu et al., "Large-scale long-tailed recognition in an open world", CVPR 2019) as a second
stage of a cross-entropy run (docs/method.md §8).

Stage 1 is plain cross-entropy (the run's epochs). Stage 2 (:func:`oltr_stage`) builds the
network of OLTR around the stage-1 backbone and fine-tunes it on class-balanced batches:

- the last feature map f goes through the **modulated attention**, f + MA(f) ⊙ SA(f):
  SA a non-local self-attention whose output 1×1 convolution starts at zero (so f is unchanged
  at the start), MA a spatial softmax over the H·W positions computed from the whole map;
- pooled, then a fully-connected layer + ReLU: the **direct feature** v_direct;
- the **dynamic meta-embedding** v_meta = γ · (v_direct + e ⊙ v_memory), with the class
  centroids c_1..c_C as memory: v_memory = softmax(T_hal v_direct)ᵀ C (the hallucinated memory
  feature), e = tanh(T_sel v_direct) (the concept selector), γ = s / min_i ‖v_direct − c_i‖
  (the reachability, s = 10);
- the **cosine (norm) classifier** τ · squash(v_meta)·ŵ_i, squash(x) = ‖x‖/(1+‖x‖)·x/‖x‖, which
  is :class:`~lt_causal.models.heads.CapsuleHead` (τ = 16);
- loss: cross-entropy + λ L_DC, the **discriminative centroid loss** (:func:`centroid_loss`).

The centroids are the per-class means of the stage-2 network's direct training features
(:func:`class_centroids`, no augmentation, eval mode) and are then learnt through L_DC only.
The finished run stores the meta-embeddings as its test features and the cosine classifier as its
head, so it is evaluated, loaded and compared like any other run.

``oltr`` fine-tunes the whole backbone at a tenth of the classifier's lr (OLTR's recipe: 0.01 vs
0.1). ``decouple-oltr`` is Decouple-OLTR of Tang et al.'s Table 2 (OLTR with the decoupling of Kang
et al. 2020: the representation learnt by plain cross-entropy is kept): the stage-1 trunk is
frozen, BN statistics included, and only the attention, the fc layer, the meta-embedding, the
classifier and the centroids learn (the ``fix`` option of OLTR's code), with the decoupling
classifier stage's lr (``retrain_lr`` 0.2). Choices: cosine lr decay over ``retrain_epochs`` (OLTR steps it
÷10 every 20 of 60 epochs); the class-balanced sampler draws class then image (OLTR: 4 images per
drawn class); the fc layer keeps the feature dimension D (OLTR: 512, which is D for ResNet-10);
the centroid gradient of the attracting term is averaged per class as in OLTR's loss.
"""
from __future__ import annotations


import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from lt_causal.datasets.augment import channel_tensors, crop_flip, normalize_with
from lt_causal.methods.samplers import ClassAwareSampler
from lt_causal.models.heads import CapsuleHead, LinearHead
from lt_causal.precision import autocast, full_precision, memory_format, resolve_precision
from lt_causal.schedule import cosine_lr

OLTR_STAGES = ("oltr", "decouple-oltr")   # the second stages of this module (method names)
REACHABILITY_SCALE = 10.0   # s of the reachability γ = s / min_i ‖v − c_i‖
CENTROID_WEIGHT = 0.01      # λ of L_DC in the stage-2 loss
REPEL_WEIGHT = 0.01         # weight of the repelling term inside L_DC
REPEL_MARGIN = 10.0         # m of the repelling hinge
FEATURE_LR = 0.1            # lr of the backbone, attention, fc and centroids ÷ the classifier's


class ModulatedAttention(nn.Module):
    """f + MA(f) ⊙ SA(f) on a (B, C, H, W) map of a fixed size ``spatial`` = (H, W)."""

    def __init__(self, channels: int, spatial: tuple, reduction: int = 2):
        super().__init__()
        inner, (h, w) = channels // reduction, spatial
        self.spatial = (int(h), int(w))
        self.g, self.theta, self.phi = (nn.Conv2d(channels, inner, 1) for _ in range(3))
        self.out = nn.Conv2d(inner, channels, 1, bias=False)
        self.fc_spatial = nn.Linear(h * w * channels, h * w)
        for conv in (self.g, self.theta, self.phi):
            nn.init.kaiming_normal_(conv.weight)
            nn.init.zeros_(conv.bias)
        nn.init.zeros_(self.out.weight)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        B, C, H, W = f.shape
        if (H, W) != self.spatial:
            raise ValueError(f"the attention was built for {self.spatial[0]}×{self.spatial[1]} feature maps, "
                             f"got {H}×{W}: train and test images must have one size")
        g, theta, phi = (m(f).flatten(2) for m in (self.g, self.theta, self.phi))   # (B, C', HW)
        attn = torch.softmax(theta.transpose(1, 2) @ phi, dim=-1)                     # (B, HW, HW)
        sa = self.out((attn @ g.transpose(1, 2)).transpose(1, 2).reshape(B, -1, H, W))
        ma = torch.softmax(self.fc_spatial(f.flatten(1)), dim=1).view(B, 1, H, W)
        return f + ma * sa


class MetaEmbedding(nn.Module):
    """v_meta = γ (v_direct + tanh(T_sel v) ⊙ softmax(T_hal v)ᵀ C), γ = s / min_i ‖v − c_i‖."""

    def __init__(self, dim: int, num_classes: int, scale: float = REACHABILITY_SCALE):
        super().__init__()
        self.hallucinator = nn.Linear(dim, num_classes)
        self.selector = nn.Linear(dim, dim)
        self.scale = float(scale)

    def forward(self, direct: torch.Tensor, centroids: torch.Tensor):
        """(v_meta, v_memory) of direct features (B, D) and centroids (C, D)."""
        reach = self.scale / torch.cdist(direct, centroids.to(direct.dtype)).min(dim=1).values.clamp_min(1e-12)
        memory = torch.softmax(self.hallucinator(direct), dim=1) @ centroids.to(direct.dtype)
        return reach[:, None] * (direct + torch.tanh(self.selector(direct)) * memory), memory


def _feature_map(base: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The last feature map of a backbone (both branches of a bilateral one, concatenated)."""
    out = base.trunk(x)
    return torch.cat([base.branch_a(out), base.branch_b(out)], dim=1) if base.bilateral else out


class OLTRBackbone(nn.Module):
    """Stage-1 backbone → modulated attention → pool → fc + ReLU (v_direct) → meta-embedding.
    ``forward`` gives v_meta (the run's features); ``centroids`` are the memory (C, D)."""

    bilateral = False

    def __init__(self, base: nn.Module, num_classes: int, spatial: tuple):
        super().__init__()
        dim = base.feature_dim
        self.base, self.feature_dim = base, dim
        self.attention = ModulatedAttention(dim, spatial)
        self.fc = nn.Linear(dim, dim)
        self.meta = MetaEmbedding(dim, num_classes)
        self.centroids = nn.Parameter(torch.zeros(num_classes, dim))

    def direct(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.fc(self.attention(_feature_map(self.base, x)).mean(dim=(2, 3))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.meta(self.direct(x), self.centroids.detach())[0]


def class_centroids(features: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(C, D) mean feature of each class (every class needs a sample)."""
    counts = torch.bincount(labels, minlength=num_classes)
    if (counts == 0).any():
        raise ValueError(f"classes {torch.nonzero(counts == 0).flatten().tolist()} have no training feature")
    sums = torch.zeros(num_classes, features.shape[1], device=features.device).index_add_(0, labels, features.float())
    return sums / counts[:, None].to(sums.dtype)


def centroid_loss(features: torch.Tensor, labels: torch.Tensor, centroids: torch.Tensor) -> torch.Tensor:
    """L_DC = Σ_i ‖v_i − c_{y_i}‖² / 2B + w · max(0, m − Σ_{i, j≠y_i} ‖v_i − c_j‖² / BC).

    In the attracting term the gradient of c_k is divided by 1 + (images of class k in the batch),
    as OLTR's loss does (its value is unchanged)."""
    B, C = len(labels), centroids.shape[0]
    n = 1.0 + torch.bincount(labels, minlength=C).to(centroids.dtype)[:, None]
    damped = centroids / n + centroids.detach() * (1 - 1 / n)
    attract = (features - damped[labels]).pow(2).sum() / (2 * B)
    dist = torch.cdist(features, centroids).pow(2)
    other = dist.masked_fill(F.one_hot(labels, C).bool(), 0.0)
    return attract + REPEL_WEIGHT * (REPEL_MARGIN - other.sum() / (B * C)).clamp_min(0.0)


def oltr_loss(backbone: OLTRBackbone, head: nn.Module, xb: torch.Tensor, yb: torch.Tensor, precision: str = "fp32"):
    """(loss, logits) of one batch: CE on the cosine classifier of v_meta + λ L_DC on v_direct."""
    with autocast(xb.device, precision):
        direct = backbone.direct(xb)
    with full_precision(xb.device):
        direct = direct.float()
        logits = head(backbone.meta(direct, backbone.centroids.detach())[0])
        loss = F.cross_entropy(logits, yb) + CENTROID_WEIGHT * centroid_loss(direct, yb, backbone.centroids)
    return loss, logits


class MemoryImages:
    """Stage 2's images from a data set held in memory (uint8 ``train_x``): ``train(epoch)``
    yields ``steps`` class-balanced, crop/flip-augmented batches, ``plain()`` every training image
    once without augmentation (for the centroids); both (uint8 images, labels) on ``device``. A
    streamed data set brings its own source with the same three members."""

    def __init__(self, data, config, device):
        self.x, self.y, self.config, self.device = data.train_x, data.train_y, config, torch.device(device)
        self.sampler = ClassAwareSampler(data.train_y, len(data.classes), "class_balanced")
        self.steps = max(1, len(data.train_y) // config.batch_size)
        self.gen = torch.Generator().manual_seed(config.seed)

    def train(self, epoch: int):
        B, c = self.config.batch_size, self.config
        idx = self.sampler.draw(self.steps * B, self.gen)
        for s in range(self.steps):
            b = idx[s * B:(s + 1) * B]
            xb = self.x[b].to(self.device)
            if c.augment:   # the crop/flip draws come from the CPU generator only on the CPU
                xb = crop_flip(xb, c.crop_padding, c.flip, self.gen if self.device.type == "cpu" else None)
            yield xb, self.y[b].to(self.device)

    def plain(self):
        B = self.config.eval_batch_size
        for i in range(0, len(self.y), B):
            yield self.x[i:i + B].to(self.device), self.y[i:i + B].to(self.device)


@torch.no_grad()
def _direct_features(backbone: OLTRBackbone, images, norm, precision: str, layout):
    """(v_direct, labels) of every training image, un-augmented, in eval mode."""
    backbone.eval()
    feats, labels = [], []
    for xb, yb in images.plain():
        with autocast(xb.device, precision):
            feats.append(backbone.direct(normalize_with(xb, *norm).contiguous(memory_format=layout)).float())
        labels.append(yb)
    return torch.cat(feats), torch.cat(labels)


def build_oltr(model, data, config, images=None) -> OLTRBackbone:
    """The OLTR network around the stage-1 ``model`` (an LTModel with a linear head): attention
    sized to the feature map of the training images, the hallucinator initialised from the stage-1
    classifier (as OLTR does), the centroids of the direct training features. ``images``: the
    source of training images (default :class:`MemoryImages`)."""
    device = next(model.parameters()).device
    images = images if images is not None else MemoryImages(data, config, device)
    precision = resolve_precision(config.precision, device)
    layout = memory_format(device, precision)
    x1 = next(iter(images.plain()))[0][:1]
    norm = channel_tensors(x1, data.mean, data.std)
    with torch.no_grad():
        model.backbone.eval()
        spatial = tuple(_feature_map(model.backbone, normalize_with(x1, *norm).contiguous(memory_format=layout)
                                     ).shape[2:])
    backbone = OLTRBackbone(model.backbone, len(data.classes), spatial).to(device).to(memory_format=layout)
    if isinstance(model.head, LinearHead) and model.head.fc.in_features == backbone.feature_dim:
        backbone.meta.hallucinator.load_state_dict(model.head.fc.state_dict())
    feats, labels = _direct_features(backbone, images, norm, precision, layout)
    with torch.no_grad():
        backbone.centroids.copy_(class_centroids(feats, labels, len(data.classes)))
    return backbone


def _optimizer(backbone: OLTRBackbone, head: nn.Module, config, freeze_trunk: bool) -> torch.optim.SGD:
    for p in backbone.base.parameters():
        p.requires_grad_(not freeze_trunk)
    slow = [*backbone.attention.parameters(), *backbone.fc.parameters(), backbone.centroids]
    if not freeze_trunk:
        slow += list(backbone.base.parameters())
    groups = [{"params": slow, "lr_scale": FEATURE_LR},
              {"params": [*backbone.meta.parameters(), *head.parameters()], "lr_scale": 1.0}]
    return torch.optim.SGD(groups, lr=config.retrain_lr, momentum=0.9, weight_decay=config.weight_decay)


def oltr_stage(model, data, config, kind: str = "oltr", progress: bool = False, images=None):
    """Stage 2 of ``oltr`` / ``decouple-oltr`` on a trained cross-entropy ``model`` (LTModel):
    ``retrain_epochs`` of class-balanced fine-tuning (cosine lr from ``retrain_lr``) on the batches
    of ``images`` (default :class:`MemoryImages`); the model is returned with the OLTR backbone and
    the cosine classifier in place of its own."""
    if kind not in OLTR_STAGES:
        raise ValueError(f"unknown OLTR stage {kind!r}; choose one of {', '.join(OLTR_STAGES)}")
    device = next(model.parameters()).device
    images = images if images is not None else MemoryImages(data, config, device)
    precision = resolve_precision(config.precision, device)
    layout = memory_format(device, precision)
    torch.manual_seed(config.seed)
    backbone = build_oltr(model, data, config, images)
    head = CapsuleHead(backbone.feature_dim, len(data.classes), tau=config.tau).to(device)
    freeze = kind == "decouple-oltr"
    opt = _optimizer(backbone, head, config, freeze)
    norm, total = None, config.retrain_epochs * images.steps
    for epoch in tqdm(range(config.retrain_epochs), desc=kind, unit="epoch", disable=not progress, leave=False):
        backbone.train()
        backbone.base.train(not freeze)      # decouple-oltr: the trunk's BN statistics stay those of stage 1
        for s, (xb, yb) in zip(range(images.steps), images.train(epoch)):
            lr = cosine_lr(config.retrain_lr, (epoch * images.steps + s) / total)
            for group in opt.param_groups:
                group["lr"] = lr * group["lr_scale"]
            norm = norm if norm is not None else channel_tensors(xb, data.mean, data.std)
            loss, _ = oltr_loss(backbone, head, normalize_with(xb, *norm).contiguous(memory_format=layout), yb,
                                precision)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    for p in backbone.parameters():
        p.requires_grad_(True)
    model.backbone, model.head = backbone.eval(), head.eval()
    return model
