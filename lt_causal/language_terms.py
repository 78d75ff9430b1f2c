"""The catalogue of names: :data:`TERMS` holds the values the code itself uses as names — shot
groups, test priors, the knobs' labels, the row and column labels of the library's tables — as
``identifier: (English, 中文)``, the shape of :data:`lt_causal.language_strings.STRINGS`;
:func:`lt_causal.language.term` refuses an identifier without an entry. :data:`NAMES` holds the
Chinese of names a data set gives (CIFAR-10's classes, notebook 01's columns);
:func:`lt_causal.language.display_name` shows any other such name as it is."""


def _same(*names: str, chinese: str | None = None) -> dict:
    """Entries whose Chinese is the English (proper names, symbols): ``name: (name, name)``."""
    return {n: (n, n if chinese is None else chinese) for n in names}


# identifier: (English, 中文). The identifier is the value the code holds (a shot group, a test prior,
# a table's column); the English shown may differ from it (method "deconfound" reads "de-confound").
TERMS = {
    # shot groups and test priors (lt_causal.evaluation.metrics)
    "many": ("many", "多样本"), "medium": ("medium", "中样本"), "few": ("few", "少样本"), "overall": ("overall", "总体"),
    "balanced": ("balanced", "均衡"), "train": ("train", "训练分布"), "inverse": ("inverse", "反向"),
    "custom": ("custom", "自定义"),
    # the knobs of lt_causal.evaluation.knobs.KNOBS by their table label, and their columns
    **_same("TDE", "τ-norm"), "logit adjustment": ("logit adjustment", "logit 调整"),
    "TDE: best α": ("TDE: best α", "TDE：最佳 α"), "TDE: overall at best": ("TDE: overall at best", "TDE：最佳处的总体"),
    "logit adjustment: best τ": ("logit adjustment: best τ", "logit 调整：最佳 τ"),
    "logit adjustment: overall at best": ("logit adjustment: overall at best", "logit 调整：最佳处的总体"),
    "logit adjustment: τ the prior asks for": ("logit adjustment: τ the prior asks for", "logit 调整：先验要求的 τ"),
    "TDE α": ("TDE α", "TDE α"), "τ-norm τ": ("τ-norm τ", "τ-norm 的 τ"),          # a knob in a legend: label symbol
    "logit adjustment τ": ("logit adjustment τ", "logit 调整 τ"),
    "test prior": ("test prior", "测试先验"), "knob": ("knob", "旋钮"), "value": ("value", "取值"),
    "none": ("none", "无"), "true": ("True", "是"), "false": ("False", "否"),   # a table's yes/no column
    # methods as a run's label names them (lt_causal.evaluation.runs.cell_label: the label in lower case)
    "de-confound": ("de-confound", "去混杂"), "cross-entropy": ("cross-entropy", "交叉熵"),
    "deconfound": ("deconfound", "去混杂"), "ce": ("ce", "交叉熵"),      # as the notebooks name their runs
    "cosine": ("cosine", "余弦分类器"), "focal loss": ("focal loss", "focal 损失"),
    "class-balanced loss": ("class-balanced loss", "类别平衡损失"), "capsule": ("capsule", "胶囊分类器"),
    **_same("mixup", "ldam-drw", "bbn", "crt", "lws", "ncm", "oltr", "decouple-oltr"),
    # Table 3 as measured (lt_causal.experiments.table3) and the paper's tables
    "De-confound": ("De-confound", "去混杂"), "De-confound-TDE": ("De-confound-TDE", "去混杂-TDE"),
    "Cross-entropy": ("Cross-entropy", "交叉熵"), "TDE gain": ("TDE gain", "TDE 提升"),
    # the other systems as tables and figures label them (lt_causal.methods.registry.METHOD_LABELS, "-TDE" rows)
    "Cosine": ("Cosine", "余弦分类器"), "Cosine-TDE": ("Cosine-TDE", "余弦分类器-TDE"),
    "Capsule": ("Capsule", "胶囊分类器"), "Capsule-TDE": ("Capsule-TDE", "胶囊分类器-TDE"),
    "Focal loss": ("Focal loss", "focal 损失"), "Class-balanced loss": ("Class-balanced loss", "类别平衡损失"),
    "Logit adjustment": ("Logit adjustment", "logit 调整"),
    **_same("LDAM-DRW", "Mixup", "BBN", "cRT", "LWS", "NCM", "OLTR", "Decouple-OLTR"),
    "mean": ("mean", "均值"), "std": ("std", "标准差"), "paper": ("paper", "论文"), "imbalance": ("imbalance", "不平衡比"),
    "system": ("system", "方法"), "method": ("method", "方法"), "paper (Table 3)": ("paper (Table 3)", "论文（表 3）"),
    "paper (Table 2)": ("paper (Table 2)", "论文（表 2）"), "lt_causal method": ("lt_causal method", "lt_causal 的方法"),
    "paper ImageNet-LT (Table 2)": ("paper ImageNet-LT (Table 2)", "论文 ImageNet-LT（表 2）"),
    "paper C10-LT r=100 (Table 3)": ("paper C10-LT r=100 (Table 3)", "论文 C10-LT r=100（表 3）"),
    **_same("C10 r=100", "C10 r=50", "C10 r=10", "C100 r=100", "C100 r=50", "C100 r=10", "α", "τ", "K"),
    # notebook 01: the adjustment table (lt_causal.causal.graph) and the mediation analysis (causal.simpson)
    "adjustment set": ("adjustment set", "调整集"), "valid": ("valid", "有效"), "why": ("why", "原因"),
    "effect": ("effect", "效应"), "total effect": ("total effect", "总效应"), "direct effect": ("direct effect", "直接效应"),
    "indirect effect": ("indirect effect", "间接效应"), "percentage points": ("percentage points", "百分点"),
    "pooled": ("pooled", "合并"),
    # notebook 02's Fig. 3b as numbers (lt_causal.momentum.analysis.MAGNITUDE_COLUMNS), 08's α rule
    "rank corr. (size, ‖x‖)": ("rank corr. (size, ‖x‖)", "秩相关（样本数, ‖x‖）"),
    "rank corr. (size, cos)": ("rank corr. (size, cos)", "秩相关（样本数, cos）"),
    "longest ‖x‖": ("longest ‖x‖", "‖x‖ 最长"), "shortest ‖x‖": ("shortest ‖x‖", "‖x‖ 最短"),
    "highest cos": ("highest cos", "cos 最高"), "feature size": ("feature size", "特征维数"),
    "mean cos": ("mean cos", "平均 cos"), "rule α": ("rule α", "规则给出的 α"), "configured α": ("configured α", "配置的 α"),
    "run": ("run", "运行"), "long-tailed": ("long-tailed", "长尾"), "head": ("head", "头部"), "tail": ("tail", "尾部"),
    "class": ("class", "类别"),
    # notebook 02's x = ẍ + d per test image (lt_causal.momentum.analysis.decomposition_table)
    "label": ("label", "标签"), "group": ("group", "样本组"), "train_count": ("train_count", "训练图像数"),
    "norm": ("norm", "模长 ‖x‖"), "cos": ("cos", "cos(x, d̂)"), "parallel": ("parallel", "沿 d̂ 的分量"),
    "orthogonal": ("orthogonal", "正交分量 ‖ẍ‖"),
    # notebook 04: how α is chosen (lt_causal.experiments.alpha_choice)
    "how α is chosen": ("how α is chosen", "α 的选法"), "uses test labels": ("uses test labels", "用到测试标签"),
    "as trained: overall": ("as trained: overall", "训练所得：总体"),
    "best on the test set (oracle)": ("best on the test set (oracle)", "测试集上最好（神谕）"),
    "α · mean cos ≈ 1": ("α · mean cos ≈ 1", "α · mean cos ≈ 1"),
    # a run's history and its val/test split (lt_causal.evaluation.val_runs, notebook 08)
    "epoch": ("epoch", "轮次 (epoch)"), "loss": ("loss", "损失"), "lr": ("lr", "学习率"),
    "train_acc": ("train acc", "训练准确率"), "val_acc": ("val acc", "验证准确率"), "test_acc": ("test acc", "测试准确率"),
    "alpha": ("alpha", "α"),
    "split": ("split", "数据划分"), "val": ("val", "验证集"), "test": ("test", "测试集"),
    # the cost of ImageNet-LT training (lt_causal.experiments.scale.cost_table)
    "where": ("where", "在哪里"), "devices": ("devices", "设备数"), "arch": ("arch", "网络结构"),
    "image size": ("image size", "图像尺寸"), "precision": ("precision", "精度"), "images/s": ("images/s", "图像/秒"),
    "epochs": ("epochs", "epoch 数"), "recipe time": ("recipe time", "整个配方的时间"), "source": ("source", "来源"),
    "measured": ("measured", "实测"), "not measured yet": ("not measured yet", "尚未测量"),
    # what each method is (lt_causal.experiments.benchmark.methods_table, notebook 07)
    "stages": ("stages", "阶段"), "TDE row": ("TDE row", "TDE 行"), "what it is": ("what it is", "是什么"),
    "one stage": ("one stage", "单阶段"), "one stage (mixup step)": ("one stage (mixup step)", "单阶段（mixup 训练步）"),
    "one stage (two branches)": ("one stage (two branches)", "单阶段（双分支）"), "two stages": ("two stages", "两阶段"),
}

# names a data set gives (its classes, its columns and groups): their Chinese, where the package knows
# it; any other name (a folder's class, a user's column) is shown as the data names it
NAMES = {
    # the CIFAR-10 classes (their standard Chinese names)
    "airplane": "飞机", "automobile": "汽车", "bird": "鸟", "cat": "猫", "deer": "鹿", "dog": "狗", "frog": "青蛙",
    "horse": "马", "ship": "船", "truck": "卡车",
    # notebook 01's China / Italy table: its columns and groups
    "age_group": "年龄组", "China": "中国", "Italy": "意大利", "case-fatality rate": "病死率",
    "confirmed_cases": "确诊病例", "confirmed_deaths": "确诊死亡", "country": "国家",
    # a row name of the paper's Table 2 that is not a method label here
    "Baseline": "基线",
}
