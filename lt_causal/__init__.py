"""lt_causal: long-tailed classification by keeping the good and removing the bad momentum
causal effect (Tang, Huang, Zhang, NeurIPS 2020), as a small library behind teaching notebooks.

Typical use::

    import lt_causal as lc
    run = lc.train(lc.recipe("mnist-lt", method="deconfound"))
    run.sweep([0, 0.5, 1, 1.5])          # many/medium/few/overall accuracy per TDE strength α
"""
from lt_causal.settings import default_data_root, default_runs_dir, quick_mode

# backdoor adjustment (notebook 01)
from lt_causal.examples import load_example
from lt_causal.backdoor import (BackdoorResult, backdoor_adjustment, backdoor_by_group, plot_backdoor,
                                plot_simpson, reference_distribution, standardized_rates, stratum_rates)
from lt_causal.backdoor_widget import BackdoorCalculatorModel, backdoor_calculator
from lt_causal.causal_graph_plot import draw_causal_graph, draw_fork_graph, draw_momentum_graph

# long-tailed data
from lt_causal.profiles import long_tail_counts, shot_groups, subsample_long_tail
from lt_causal.datasets import LTDataset, dataset_info, load_dataset
from lt_causal.augment import augment_batch, normalize

# models, method, training
from lt_causal.backbones import ResNet32, SmallCNN, build_backbone
from lt_causal.heads import CapsuleHead, CausalNormHead, CosineHead, LinearHead, build_head, capsule_norm
from lt_causal.head_direction import HeadDirection
from lt_causal.tde import head_cosines, tde_components, tde_logits
from lt_causal.losses import LDAMDRWLoss, build_loss, class_balanced_weights, focal_loss, ldam_margins
from lt_causal.methods import METHODS, Method, get_method
from lt_causal.samplers import ClassAwareSampler, sampler_probs
from lt_causal.mixup import mixup_batch, sample_lambda
from lt_causal.bbn import bilateral_forward, bilateral_loss, cumulative_weight
from lt_causal.benchmark import BENCHMARK_METHODS, benchmark, benchmark_figure, benchmark_table, methods_table
from lt_causal.decoupling import (class_means, learn_weight_scaling, logit_adjusted_head, ncm_head,
                                  retrain_classifier, second_stage, tau_norm_head)
from lt_causal.model import LTModel, build_model
from lt_causal.config import TrainConfig, lr_at, recipe
from lt_causal.precision import PRECISIONS, resolve_precision
from lt_causal.checkpoint import load_checkpoint, save_checkpoint
from lt_causal.trainer import decouple, extract_features, resolve_device, train, train_or_load
from lt_causal.runs import TrainedRun, compare_runs, find_runs, load_run
from lt_causal.pretrained import classify, list_pretrained, load_pretrained, pretrained_model
from lt_causal.metrics import accuracy_table, per_class_accuracy, prior_accuracy, shot_accuracy, test_prior
from lt_causal.posthoc import logit_adjustment, tau_norm_logits, tau_normalize
from lt_causal.comparison import knob_comparison, knob_models, prior_table, prior_tau, weight_norms

# the momentum effect (notebook 02)
from lt_causal.momentum_toy import MomentumToy, Trajectory, head_drift, make_toy, mu_sweep, shared_loss, simulate
from lt_causal.momentum_analysis import (accuracy_by_mu, cached_run, class_direction_cosines, decompose,
                                         decomposition_table, feature_magnitude_per_class, momentum_grid,
                                         relative_accuracy_change)
from lt_causal.momentum_plots import (class_cosine_figure, decomposition_figure, magnitude_figure, magnitude_figures,
                                      momentum_causal_graph, relative_change_figure, toy_paths_figure)
from lt_causal.momentum_widgets import MomentumToyModel, MuGridModel, momentum_toy_view, mu_grid_view

# full training, reproduction of Table 3 (notebook 05)
from lt_causal.device_info import DeviceInfo, TrainingCost, describe_device, measure_epoch_seconds
from lt_causal.paper_table import PAPER_TABLE2, PAPER_TABLE3, paper_accuracy, paper_table2, paper_table3, run_vs_paper
from lt_causal.reproduction import (notebook05_config, reproduce, reproduction_configs, results_markdown, summarize,
                                 table_from_runs)

# notebook helpers: live training, plots, widgets
from lt_causal.live_training import LiveHistory, explore_run, full_runs, notebook05_run, notebook_configs, notebook_run, train_live
from lt_causal.run_plots import (accuracy_bars_figure, history_figure, knob_curve_figure, per_class_figure,
                                 prior_curves_figure, tradeoff_figure)
from lt_causal.causal_norm_plots import causal_norm_picture, class_counts_figure
from lt_causal.knob_explorer import KnobExplorerModel, knob_explorer, run_picker

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
