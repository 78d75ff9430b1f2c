"""lt_causal: long-tailed classification by keeping the good and removing the bad momentum
causal effect (Tang, Huang, Zhang, NeurIPS 2020), as a small library behind teaching notebooks.

Typical use::

    import lt_causal as lc
    run = lc.train(lc.recipe("mnist-lt", method="deconfound"))
    run.sweep([0, 0.5, 1, 1.5])          # many/medium/few/overall accuracy per TDE strength α
"""
from lt_causal.settings import default_data_root, default_runs_dir, quick_mode

# backdoor adjustment (notebook 01)
from lt_causal.causal.examples import load_example
from lt_causal.causal.backdoor import (BackdoorResult, backdoor_adjustment, backdoor_by_group, plot_backdoor,
                                plot_simpson, reference_distribution, standardized_rates, stratum_rates)
from lt_causal.causal.calculator import BackdoorCalculatorModel, backdoor_calculator
from lt_causal.views.causal_graph import draw_causal_graph, draw_fork_graph, draw_momentum_graph

# long-tailed data
from lt_causal.datasets.profiles import long_tail_counts, shot_groups, subsample_long_tail
from lt_causal.datasets.registry import LTDataset, dataset_info, load_dataset
from lt_causal.datasets.augment import augment_batch, normalize

# models, method, training
from lt_causal.models.backbones import ResNet32, SmallCNN, build_backbone
from lt_causal.models.heads import CapsuleHead, CausalNormHead, CosineHead, LinearHead, build_head, capsule_norm
from lt_causal.models.head_direction import HeadDirection
from lt_causal.models.tde import head_cosines, tde_components, tde_logits
from lt_causal.methods.losses import LDAMDRWLoss, build_loss, class_balanced_weights, focal_loss, ldam_margins
from lt_causal.methods.registry import METHODS, Method, get_method
from lt_causal.methods.samplers import ClassAwareSampler, sampler_probs
from lt_causal.methods.mixup import mixup_batch, sample_lambda
from lt_causal.methods.bbn import bilateral_forward, bilateral_loss, cumulative_weight
from lt_causal.experiments.benchmark import BENCHMARK_METHODS, benchmark, benchmark_figure, benchmark_table, methods_table
from lt_causal.methods.decoupling import (class_means, learn_weight_scaling, logit_adjusted_head, ncm_head,
                                  retrain_classifier, second_stage, tau_norm_head)
from lt_causal.models.ltmodel import LTModel, build_model
from lt_causal.training.config import TrainConfig, lr_at, recipe
from lt_causal.precision import PRECISIONS, resolve_precision
from lt_causal.checkpoint import load_checkpoint, save_checkpoint
from lt_causal.training.trainer import decouple, extract_features, resolve_device, train, train_or_load
from lt_causal.evaluation.runs import TrainedRun, compare_runs, find_runs, load_run
from lt_causal.evaluation.packs import classify, list_pretrained, load_pretrained, pretrained_model
from lt_causal.evaluation.metrics import accuracy_table, per_class_accuracy, shot_accuracy
from lt_causal.methods.posthoc import logit_adjustment, tau_norm_logits, tau_normalize
from lt_causal.experiments.comparison import knob_comparison, knob_models, weight_norms

# the momentum effect (notebook 02)
from lt_causal.momentum.toy import MomentumToy, Trajectory, head_drift, make_toy, mu_sweep, shared_loss, simulate
from lt_causal.momentum.analysis import (accuracy_by_mu, cached_run, class_direction_cosines, decompose,
                                         decomposition_table, feature_magnitude_per_class, momentum_grid,
                                         relative_accuracy_change)
from lt_causal.views.momentum_plots import (class_cosine_figure, decomposition_figure, magnitude_figure, magnitude_figures,
                                      momentum_causal_graph, relative_change_figure, toy_paths_figure)
from lt_causal.views.momentum_widgets import MomentumToyModel, MuGridModel, momentum_toy_view, mu_grid_view

# full training, reproduction of Table 3 (notebook 05)
from lt_causal.experiments.device_info import DeviceInfo, TrainingCost, describe_device, measure_epoch_seconds
from lt_causal.experiments.paper_tables import PAPER_TABLE2, PAPER_TABLE3, paper_accuracy, paper_table2, paper_table3, run_vs_paper
from lt_causal.experiments.reproduce import (notebook05_config, reproduce, reproduction_configs, results_markdown, summarize,
                                 table_from_runs)

# notebook helpers: live training, plots, widgets
from lt_causal.views.live_training import LiveHistory, explore_run, full_runs, notebook05_run, notebook_configs, notebook_run, train_live
from lt_causal.views.run_plots import (accuracy_bars_figure, history_figure, knob_curve_figure, per_class_figure,
                                 tradeoff_figure)
from lt_causal.views.causal_norm_plots import causal_norm_picture, class_counts_figure
from lt_causal.views.knob_explorer import KnobExplorerModel, knob_explorer, run_picker

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
