"""The catalogue of every string a learner sees in a figure or widget: ``key: (English, 中文)``.
Chinese uses the terms of the reading-group deck (the glossary). Fields in braces are
filled by :func:`lt_causal.language.text`; both languages of an entry use the same fields.
Chinese text avoids matplotlib's ``$...$`` mathtext, which has no fallback to the CJK font.

The names the code holds as values (shot groups, table columns) are in :mod:`lt_causal.language_terms`."""

STRINGS = {
    # the knobs' axes (lt_causal.evaluation.knobs.Knob.axis)
    "axis_tde": ("TDE strength α", "TDE 强度 α"), "axis_tau_norm": ("τ-norm τ", "τ-norm 的 τ"),
    "axis_logit_adjustment": ("logit-adjustment τ", "logit 调整的 τ"),
    # notebook 08 (views/scale_plots.py)
    "lr_title": ("Learning rate over training", "训练过程中的学习率"),
    "lr_x": ("fraction of the epochs done", "已完成的 epoch 比例"), "lr_y": ("learning rate", "学习率"),
    "selection_title": ("Training, and the epoch val selects", "训练过程，以及验证集选出的 epoch"),
    "selected_epoch": ("selected epoch", "选中的 epoch"),
    # shot groups (legends, table headers; the group names themselves are TERMS)
    "group_shot": ("{group}-shot", "{group}类别"),
    "group_shot_images": ("{group}-shot images", "{group}类别的图像"),
    "accuracy_axis": ("accuracy (%)", "准确率 (%)"),
    "probability": ("probability", "概率"),
    # knob explorer (notebooks 04-06)
    "prior_balanced": ("balanced (the paper's test sets)", "均衡（论文的测试集）"),
    "prior_train": ("as in training", "与训练集相同"),
    "prior_inverse": ("inverse (tail most frequent)", "反向（尾部类别最多）"),
    "prior_ratio": ("long-tailed, r = {ratio:g}", "长尾，r = {ratio:g}"),
    "prior_given": ("{name} (given)", "{name}（指定）"),
    "prior_menu": ("test prior:", "测试先验:"),
    "prior_overall": ("overall ({prior} test prior)", "总体（{prior} 测试先验）"),
    "explorer_run": ("run", "运行"),
    "explorer_best": ("oracle view (uses the {split} labels): best {sym} for the <i>{prior}</i> test prior: <b>{best:.2f}</b> "
                      "(overall {overall:.2f} %)",
                      "神谕视角（用到了{split}标签）：<i>{prior}</i> 测试先验下最佳的 {sym}: <b>{best:.2f}</b>（总体 {overall:.2f} %）"),
    "explorer_accuracy": ("accuracy", "准确率"),
    "explorer_change": ("change vs {sym} = 0", "相对 {sym} = 0 的变化"),
    "picker_this": ("this notebook: {cell} ({label})", "本 notebook: {cell}（{label}）"),
    "picker_shipped": ("shipped: {cell}", "随包提供: {cell}"),
    "not_shipped": ("No shipped run of {name}: training it here takes about {hours:.1f} h ({seconds:.0f} s per epoch "
                    "× {epochs}, measured now); set TRAIN_HERE = True to train it. Until then this notebook "
                    "shows {fallback}.",
                    "没有随包提供的 {name}：在这里训练它大约需要 {hours:.1f} 小时（每个 epoch {seconds:.0f} 秒 × {epochs}，"
                    "刚刚测得）；设 TRAIN_HERE = True 即可训练。在那之前，本 notebook 显示 {fallback}。"),
    # Table 3 as measured (notebook 05, docs/results.md)
    "gain_title": ("TDE's gain over α = 0, CIFAR-10-LT", "TDE 相对 α = 0 的提升，CIFAR-10-LT"),
    "gain_x": ("imbalance ratio n_max / n_min", "不平衡比 n_max / n_min"),
    "gain_y": ("TDE − de-confound (points)", "TDE − 去混杂（百分点）"),
    "gain_paper": ("paper (Table 3)", "论文（表 3）"),
    "gain_seeds": ("lt_causal, each seed", "lt_causal，每个种子"),
    "gain_mean": ("lt_causal, mean over its seeds ± std", "lt_causal，各种子的均值 ± 标准差"),
    "seed_n": ("seed {n}", "种子 {n}"),
    "alpha_reading": ("On this run the rule α · mean cos ≈ 1, which looks at no labels, gives α = {rule:.2f} "
                      "({rule_acc:.2f} % overall); the configured α = {preset:g} gives {preset_acc:.2f} %; the best α "
                      "on the test set is {oracle:.2f} ({oracle_acc:.2f} %) — an oracle, because it looks at the test "
                      "labels. The rule lands {rule_gap:.2f} points below the oracle, the configured α "
                      "{preset_gap:.2f}; {better}",
                      "在这个运行上，不看任何标签的规则 α · mean cos ≈ 1 给出 α = {rule:.2f}（总体 {rule_acc:.2f} %）；"
                      "所配置的 α = {preset:g} 给出 {preset_acc:.2f} %；测试集上最好的 α 是 {oracle:.2f}（{oracle_acc:.2f} %）"
                      "——这是一个“神谕”，因为它看了测试标签。规则比神谕低 {rule_gap:.2f} 个百分点，所配置的 α 低 "
                      "{preset_gap:.2f} 个百分点；{better}"),
    "alpha_rule_better": ("here the rule does better than the preset.", "这里规则比预设值更好。"),
    "alpha_preset_better": ("here the preset does better than the rule.", "这里预设值比规则更好。"),
    "alpha_tie": ("here the two tie.", "这里两者持平。"),
    # a backdoor adjustment's result as a notebook shows it (lt_causal.causal.backdoor.BackdoorResult)
    "backdoor_observational": ("observational", "观测值"),
    "backdoor_adjusted": ("backdoor-adjusted", "后门调整后"),
    "backdoor_units": ("units ({name})", "个体数（{name}）"),
    "backdoor_outcomes": ("outcomes ({name})", "结局数（{name}）"),
    # what the device is and what training costs here (lt_causal.experiments.device_info, scale)
    "device_cpu": ("No CUDA GPU found: training runs on the CPU ({cpu}) in {precision}. Quick mode and MNIST-LT are "
                   "small enough to train here; the paper's CIFAR recipe (ResNet-32, 200 epochs) is a long job on a "
                   "CPU — `measure_epoch_seconds` measures what it costs on this machine. The shipped run "
                   "`pretrained:{pack}` (`python -m lt_causal pretrained`) is that recipe, trained by this package "
                   "on a CPU: explore it instead of waiting.",
                   "未发现 CUDA GPU：训练在 CPU（{cpu}）上以 {precision} 进行。快速模式和 MNIST-LT 足够小，可以在这里训练；"
                   "论文的 CIFAR 方案（ResNet-32，200 个 epoch）在 CPU 上是一项很长的任务——`measure_epoch_seconds` "
                   "会测出它在这台机器上的开销。随包提供的运行 `pretrained:{pack}`（`python -m lt_causal pretrained`）"
                   "就是这个方案，由本包在 CPU 上训练：不必等待，直接探索它。"),
    "device_bf16_native": ("bf16 (native on this CPU)", "bf16（本 CPU 原生支持）"),
    "device_gpu": ("CUDA GPU found: {name} with {memory:.1f} GiB; training uses {precision} and the fast path "
                   "(TrainConfig.fast: compiled training step on GPU-resident data; notebook 05 and `reproduce --fast` "
                   "use it). The paper's 200-epoch CIFAR recipe is practical here.",
                   "发现 CUDA GPU：{name}，{memory:.1f} GiB；训练使用 {precision} 和快速路径（TrainConfig.fast："
                   "在驻留于 GPU 的数据上运行编译后的训练步；notebook 05 和 `reproduce --fast` 都使用它）。"
                   "论文 200 个 epoch 的 CIFAR 方案在这里是可行的。"),
    "measured_epoch": ("Measured here ({machine}, `{device}`, {precision}): **{seconds:.0f} s per epoch** of "
                       "{images:,} images, so **about {hours:.1f} h for {epochs} epochs** (a machine busy with other "
                       "work is slower).",
                       "在这里测得（{machine}，`{device}`，{precision}）：{images:,} 张图像的**每个 epoch {seconds:.0f} 秒**，"
                       "因此 **{epochs} 个 epoch 约需 {hours:.1f} 小时**（机器同时忙于其他工作时会更慢）。"),
    "measured_throughput": ("Measured here ({machine}, `{device}`, {precision}): **{arch} trains {rate:.1f} images/s** "
                            "at {size} × {size} (batch {batch}: forward, backward, SGD, head direction).",
                            "在这里测得（{machine}，`{device}`，{precision}）：**{arch} 每秒训练 {rate:.1f} 张图像**，"
                            "图像 {size} × {size}（批量 {batch}：前向、反向、SGD、头部方向）。"),
    "reading_seed": (" (1 seed)", "（1 个种子）"),
    "reading_seeds": (" ({n} seeds)", "（{n} 个种子）"),
    "reading_gains": ("TDE's gain over α = 0, measured (mean over seeds): {ours}; the paper's: {paper}.",
                      "TDE 相对 α = 0 的提升，实测（种子均值）：{ours}；论文：{paper}。"),
    "reading_one_ratio": ("Only one imbalance ratio is measured so far, so the trend cannot be read yet.",
                          "目前只测了一个不平衡比，还看不出趋势。"),
    "reading_trend_kept": ("As in the paper, the measured gain falls as the imbalance drops (the tail fills in).",
                           "与论文一致：随着不平衡比降低（尾部类别变多），实测的提升也变小。"),
    "reading_trend_broken": ("Unlike the paper, the measured gain does not fall at every step: it does not fall "
                             "from {where}.",
                             "与论文不同，实测的提升并非每一步都变小：在 {where} 时没有变小。"),
    "reading_gap": ("The largest difference from the paper's gain is at r={r:g} ({gap:+.2f} points).",
                    "与论文提升相差最大的是 r={r:g}（{gap:+.2f} 个百分点）。"),
    "reading_level_below": ("The accuracies themselves lie {low:.1f}–{high:.1f} points below the paper's, at every "
                            "measured ratio, with and without TDE.",
                            "准确率本身在每个已测的不平衡比上都比论文低 {low:.1f}–{high:.1f} 个百分点，无论是否使用 TDE。"),
    "reading_level": ("The accuracies themselves differ from the paper's by {low:+.1f} to {high:+.1f} points.",
                      "准确率本身与论文相差 {low:+.1f} 到 {high:+.1f} 个百分点。"),
    # notebook 02's Fig. 3b read from the runs (lt_causal.momentum.analysis.magnitude_reading)
    "trend_falls": ("falls from head to tail", "从头部类别到尾部类别递减"),
    "trend_rises": ("rises from head to tail", "从头部类别到尾部类别递增"),
    "trend_none": ("shows no head-to-tail trend", "没有随类别从头到尾变化的趋势"),
    "magnitude_run": ("{name}: the mean ‖x‖ {trend} (rank correlation with the class sizes {rho:+.2f}; longest "
                      "{longest}, shortest {shortest}).",
                      "{name}：平均 ‖x‖ {trend}（与类别样本数的秩相关 {rho:+.2f}；最长为{longest}，最短为{shortest}）。"),
    "magnitude_all": ("Every run shows the paper's Fig. 3b pattern: head classes have longer features.",
                      "每个运行都呈现论文图 3b 的规律：头部类别的特征更长。"),
    "magnitude_some": ("The paper's Fig. 3b pattern (head classes have longer features) shows only on: {runs}.",
                       "论文图 3b 的规律（头部类别的特征更长）只在以下运行中出现：{runs}。"),
    "magnitude_none": ("None of these runs shows the paper's Fig. 3b pattern (head classes have longer features).",
                       "这些运行都没有呈现论文图 3b 的规律（头部类别的特征更长）。"),
    "cell_label": ("{data} r={r:g} · {method} · seed {seed}", "{data} r={r:g} · {method} · 种子 {seed}"),
    "cell_label_fixed": ("{data} · {method} · seed {seed}", "{data} · {method} · 种子 {seed}"),
    "picker_none": ("No finished runs found: train one in notebook 03/05 or with `python -m lt_causal train`.",
                    "没有找到已完成的运行：请在 notebook 03/05 中训练，或使用 `python -m lt_causal train`。"),
    "picker_run": ("run:", "运行:"),
    "picker_loading": ("loading {label} …", "正在加载 {label} …"),
    "picker_error": ("could not load {label}: ", "无法加载 {label}: "),
    # run figures
    "per_class_title": ("Per-class {split} accuracy (head → tail)", "每个类别在{split}上的准确率（头部 → 尾部）"),
    "per_class_axis": ("class (training images, head → tail)", "类别（训练图像数，头部 → 尾部）"),
    "curve_title": ("Accuracy vs {name}", "准确率随 {name} 的变化"),
    "curve_prior": (" · {prior} test prior", " · {prior} 测试先验"),
    "best_sym": ("best {sym} on {split} (oracle)", "{split}上最佳 {sym}（神谕）"),
    "best_sym_value": ("best {sym} = {value:.2f}", "最佳 {sym} = {value:.2f}"),
    "prior_curves_title": ("Overall accuracy vs {name} for three test sets", "三种测试集上总体准确率随 {name} 的变化"),
    "overall_axis": ("overall accuracy (%)", "总体准确率 (%)"),
    "test_prior_legend": ("{prior} test prior", "{prior} 测试先验"),
    "tradeoff_title": ("Many-shot vs few-shot trade-off of test-time knobs", "测试时旋钮的多样本与少样本权衡"),
    "tradeoff_title_no_few": ("Many-shot vs {group}-shot trade-off of test-time knobs<br><sup>this run has no few-shot class</sup>",
                              "测试时旋钮的多样本与{group}权衡<br><sup>该运行没有少样本类别</sup>"),
    "group_axis": ("{group}-shot accuracy (%)", "{group}准确率 (%)"),
    "many_axis": ("many-shot accuracy (%)", "多样本准确率 (%)"),
    "training": ("Training", "训练"),
    "training_loss": ("training loss", "训练损失"),
    "bars_title": ("Accuracy by shot group", "各样本组的准确率"),
    "benchmark_title": ("Every system on one long-tailed data set", "同一长尾数据集上的所有方法"),
    "method_on": ("{method} on {dataset}", "{method}，数据集 {dataset}"),
    # backdoor adjustment (notebook 01)
    "head_stratum": ("stratum z", "分层 z"),
    "head_units": ("units (X)", "人数 (X)"),
    "head_outcomes": ("outcomes (Y)", "结果 (Y)"),
    "head_population": ("population", "人口数"),
    "observational": ("(observational, weights P(z | X))", "（直接观测，权重 P(z | X)）"),
    "adjusted": ("(backdoor-adjusted, weights P(z))", "（后门调整，权重 P(z)）"),
    "invalid_input": ("invalid input: ", "输入无效: "),
    "bar_observational": ("P(Y|X,z) P(z|X)  (sums to P(Y|X))", "P(Y|X,z) P(z|X)（求和得 P(Y|X)）"),
    "bar_adjusted": ("P(Y|X,z) P(z)  (sums to P(Y|do(X)))", "P(Y|X,z) P(z)（求和得 P(Y|do(X))）"),
    "per_stratum_contribution": ("per-stratum contribution", "每个分层的贡献"),
    "among_treated": ("P(z | X): among the treated", "P(z | X): 感染者中的分布"),
    "whole_population": ("P(z): whole population", "P(z): 全体人口中的分布"),
    "per_stratum": ("per stratum", "按分层"),
    "crude": ("crude (each its own mix)", "粗率（各自的构成）"),
    "standardised": ("{standard} mix for all", "统一用{standard}的构成"),
    "crude_vs_standardised": ("crude vs mix held fixed", "粗率与固定构成后的比率"),
    "fork_age": ("Z\nage", "Z\n年龄"),
    "fork_infected": ("X\ninfected", "X\n感染新冠"),
    "fork_death": ("Y\ndeath", "Y\n死亡"),
    "node_country": ("X\ncountry", "X\n国家"),
    "node_age_mediator": ("age of\nthe cases", "病例的\n年龄"),
    "fork_title": ("fork: Z confounds X and Y", "叉子 (fork)：Z 是 X 和 Y 的混杂因素"),
    "fork_do_title": ("after do(X): Z -> X is cut", "do(X) 之后：Z -> X 被切断"),
    # the causal-norm classifier and class counts (notebook 03)
    "norm_linear": ("linear: ‖w‖ (unbounded)", "线性: ‖w‖（无上界）"),
    "norm_causal": ("causal norm: ‖w‖/(‖w‖+γ), γ={gamma:g}", "因果归一化: ‖w‖/(‖w‖+γ), γ={gamma:g}"),
    "norm_x": (r"class weight norm $\|w_i\|$", "类别权重范数 ‖wᵢ‖"),
    "norm_y": (r"factor multiplying $\cos(x, w_i)$", "乘在 cos(x, wᵢ) 上的系数"),
    "norm_title": ("Why large head-class weights stop winning", "为什么头部类别的大权重不再占优"),
    "tau_x": (r"cosine between $x^k$ and $w_i^k$ (5 classes)", "xᵏ 与 wᵢᵏ 的余弦（5 个类别）"),
    "softmax_y": ("softmax probability", "softmax 概率"),
    "tau_title": ("τ turns cosines in [−1, 1] into confident logits", "τ 把 [−1, 1] 内的余弦变成有把握的 logits"),
    "counts_x": ("class (head → tail)", "类别（头部 → 尾部）"),
    "counts_y": ("training images (log scale)", "训练图像数（对数刻度）"),
    "counts_title": ("{name}: {total:,} training images, {head:,} → {tail:,} per class",
                     "{name}：共 {total:,} 张训练图像，每类 {head:,} → {tail:,} 张"),
    "counts_many": ("{group} (> {above} images)", "{group}（> {above} 张）"),
    "counts_medium": ("{group} ({below}–{above})", "{group}（{below}–{above} 张）"),
    "counts_few": ("{group} (< {below})", "{group}（< {below} 张）"),
    # momentum (notebook 02)
    "profile_balanced": ("balanced data", "均衡数据"),
    "profile_long_tailed": ("long-tailed data", "长尾数据"),
    "node_momentum": ("M\nmomentum", "M\n动量"),
    "node_feature": ("X\nfeature", "X\n特征"),
    "node_head": ("D\nhead proj.", "D\n头部投影"),
    "node_prediction": ("Y\nprediction", "Y\n预测"),
    "graph_plain": ("the causal graph, edges (1)-(5)", "因果图，边 (1)-(5)"),
    "graph_backdoor": ("backdoor path X ← M → D → Y", "后门路径 X ← M → D → Y"),
    "graph_mediator": ("mediator D: indirect X → D → Y (orange)\nvs direct X → Y (green)",
                       "中介 D：间接 X → D → Y（橙）\n与直接 X → Y（绿）"),
    "toy_head": ("head", "头部"),
    "toy_tail": ("tail", "尾部"),
    "toy_optima": ("class optima (area ∝ frequency)", "各类别最优点（面积 ∝ 频率）"),
    "toy_global": ("global optimum (all classes)", "全局最优（所有类别）"),
    "toy_lt_optimum": ("optimum of the long-tailed loss", "长尾损失的最优点"),
    "toy_plain": ("SGD, μ = 0", "SGD（无动量，μ = 0）"),
    "toy_momentum": ("SGD with momentum μ", "带动量 μ 的 SGD"),
    "toy_arrows": ("momentum direction −v_t", "动量方向 −v_t"),
    "toy_theta1": ("θ₁  (tail ← classes conflict → head)", "θ₁（尾部 ← 类别冲突 → 头部）"),
    "toy_theta2": ("θ₂  (shared by all classes)", "θ₂（所有类别共享）"),
    "toy_drift": ("drift towards the head", "向头部的漂移"),
    "toy_bad": ("bad: momentum carries the run to the head", "坏的：动量把训练带向头部"),
    "toy_shared": ("shared loss left  ½ h₂ θ₂²", "剩余共享损失 ½ h₂ θ₂²"),
    "toy_good": ("good: momentum learns the shared direction", "好的：动量学到共享方向"),
    "toy_mu": ("SGD momentum μ", "SGD 动量 μ"),
    "toy_summary_drift": ("drift to head (bad)", "向头部漂移（坏）"),
    "toy_summary_loss": ("shared loss left (good if small)", "剩余共享损失（越小越好）"),
    "toy_summary_after": ("after {steps} steps", "{steps} 步之后"),
    "grid_summary": ("relative change of accuracy, μ = {mu:g} vs μ = {reference:g}",
                     "准确率的相对变化，μ = {mu:g} 对比 μ = {reference:g}"),
    "class_ticks": ("class, with its number of training images (head → tail)", "类别及其训练图像数（头部 → 尾部）"),
    "cos_images": ("mean over images of cos(x, d̂)", "各图像 cos(x, d̂) 的平均"),
    "cos_y": ("cos(mean feature, d̂)", "cos(平均特征, d̂)"),
    "cos_title": ("How much each class's features point along the head direction d̂",
                  "每个类别的特征有多少指向头部方向 d̂"),
    "magnitude_y": ("mean feature magnitude ‖x‖", "平均特征模长 ‖x‖"),
    "magnitude_title": ("Fig. 3b: feature magnitude per class, head → tail", "图 3b：每个类别的特征模长，头部 → 尾部"),
    "magnitude_named": ("Fig. 3b: {name}", "图 3b：{name}"),
    "decomp_x_label": ("x ({name} class {cls})", "x（{name}类别 {cls}）"),
    "decomp_d": ("d = ‖x‖cos(x, d̂) d̂  (indirect, via D)", "d = ‖x‖cos(x, d̂) d̂（间接效应，经过 D）"),
    "decomp_direct": ("ẍ = x − d  (direct)", "ẍ = x − d（直接效应）"),
    "decomp_x": ("‖x‖ cos(x, d̂): length of d, along the head direction", "‖x‖ cos(x, d̂)：d 沿头部方向的长度"),
    "decomp_title": ("x = ẍ + d for every test image", "每张测试图像的 x = ẍ + d"),
    "fig3c_note": ("{note}; n/a: never right at μ = {reference:g}, no ratio", "{note}；n/a：在 μ = {reference:g} 时从未分对，无比值"),
    "fig3c_x": ("class (head → tail; blue many, orange medium, red few-shot)",
                "类别（头部 → 尾部；蓝 多样本，橙 中样本，红 少样本）"),
    "fig3c_y": ("accuracy change vs μ = {reference:g} (%)", "相对 μ = {reference:g} 的准确率变化 (%)"),
    "fig3c_from": ("Fig. 3c: relative change of accuracy from μ = {reference:g}", "图 3c：相对 μ = {reference:g} 的准确率变化"),
    "fig3c_vs": ("Fig. 3c: relative change of accuracy, μ = {mu:g} vs μ = {reference:g}",
                 "图 3c：准确率的相对变化，μ = {mu:g} 对比 μ = {reference:g}"),
    "fig3c_class": ("class", "类别"),
    # lc.check's feedback (lt_causal/exercises: the frame every exercise shares)
    "check_unanswered_label": ("Not answered yet", "尚未作答"),
    "check_correct_label": ("Right!", "正确！"),
    "check_wrong_label": ("Not quite", "还不对"),
    "check_invalid_label": ("Can't read this answer", "无法识别这个答案"),
    "check_hint": ("Hint", "提示"),
    "check_your_answer": ("your answer", "你的答案"),
    "check_unanswered": ("Replace None with your answer and run the cell again.",
                         "把 None 换成你的答案，再运行一次这个单元格。"),
    "check_not_a_number": ("Expected a number here (e.g. {example}), got {answer!r}.",
                           "这里需要一个数字（例如 {example}），收到的是 {answer!r}。"),
    "check_not_an_option": ("Expected one of {options} (as a string, e.g. \"{first}\"), got {answer!r}.",
                            "需要 {options} 之一（写成字符串，例如 \"{first}\"），收到的是 {answer!r}。"),
    "check_fraction_for_percent": ("Right number, wrong unit: this looks like a fraction ({answer:g}), but the "
                                   "question asks for a percentage. Multiply by 100.",
                                   "数字对了，单位不对：这看起来是一个比例（{answer:g}），而题目要的是百分数。请乘以 100。"),
    "check_percent_for_fraction": ("Right number, wrong unit: this looks like a percentage ({answer:g}), but the "
                                   "question asks for a probability between 0 and 1. Divide by 100.",
                                   "数字对了，单位不对：这看起来是一个百分数（{answer:g}），而题目要的是 0 到 1 之间的概率。请除以 100。"),
    "check_close": ("Close, but not within the tolerance (± {tolerance:g}): carry more decimals through "
                    "the intermediate steps.", "很接近，但不在容差（± {tolerance:g}）之内：中间步骤请多保留几位小数。"),
    "check_wrong_number": ("Not quite.", "还不对。"),
    "check_wrong_choice": ("Not this one.", "不是这个。"),
    # identification from a causal graph (lt_causal/causal/graph.py): the backdoor calculator's note
    # why an adjustment set is refused (lt_causal.causal.graph: the adjustment table's "why", the calculator)
    "adjust_blocks_causal": ("adjusting for {shown} blocks the causal path {path}: {d} is a mediator (a descendant of {x})",
                             "对 {shown} 做调整会阻断因果路径 {path}：{d} 是中介（{x} 的后代）"),
    "adjust_descendant": ("adjusting for {shown} is not allowed: {d} is a descendant of {x} ({route}), and the backdoor "
                          "criterion excludes descendants of the treatment",
                          "不能对 {shown} 做调整：{d} 是 {x} 的后代（{route}），而后门准则排除处理变量的后代"),
    "adjust_opens_backdoor": ("adjusting for {shown} opens the backdoor path {path}: {c} is a collider on it",
                              "对 {shown} 做调整会打开后门路径 {path}：{c} 是这条路径上的对撞因子"),
    "adjust_opens": ("adjusting for {shown} opens the path {path}: {c} is a collider on it",
                     "对 {shown} 做调整会打开路径 {path}：{c} 是这条路径上的对撞因子"),
    "adjust_opener_tail": (" and {opener} is its descendant", "，而 {opener} 是它的后代"),
    "adjust_leaves_open": ("adjusting for {shown} leaves the backdoor path {path} open",
                           "对 {shown} 做调整后，后门路径 {path} 仍然畅通"),
    "adjust_none_leaves_open": ("adjusting for no variable leaves the backdoor path {path} open",
                                "不做任何调整时，后门路径 {path} 是畅通的"),
    "adjust_refused": ("pgmpy's backdoor criterion refuses {shown} for {x} → {y}",
                       "pgmpy 的后门准则不接受用 {shown} 调整 {x} → {y}"),
    "calc_graph_adjustment": ("stratum variable found from the causal graph: {name}",
                              "由因果图找到的分层变量：{name}"),
}
