"""lt_causal: long-tailed classification by keeping the good and removing the bad momentum
causal effect (Tang, Huang, Zhang, NeurIPS 2020), as a small library behind teaching notebooks.

Typical use::

    import lt_causal as lc
    run = lc.train(lc.recipe("mnist-lt", method="deconfound"))
    run.sweep([0, 0.5, 1, 1.5])          # many/medium/few/overall accuracy per TDE strength α

This module is the stable public surface; the subpackages are layered (docs/DESIGN.md).
Importing it loads neither matplotlib's pyplot nor plotly nor ipywidgets.
"""
from lt_causal.settings import default_data_root, default_runs_dir, quick_mode
from lt_causal.language import language, set_language, using_language

# backdoor adjustment (notebook 01)
from lt_causal.causal.backdoor import BackdoorResult, backdoor_adjustment, load_example
from lt_causal.causal.simpson import (backdoor_by_group, mediation_effects, reference_distribution, standardized_rates,
                                      stratum_rates)
from lt_causal.causal.calculator import BackdoorCalculatorModel
from lt_causal.causal.backdoor import DoQuery, pgmpy_do_query   # the cross-check with pgmpy's do-query
from lt_causal.causal.graph import (COUNTRY_GRAPH, COVID_GRAPH, PAPER_GRAPH, GraphPath, adjustment_problem, adjustment_set,
                                    adjustment_sets, adjustment_table, backdoor_paths, causal_paths,
                                    check_adjustment_set, do_graph, mediators, to_dag)   # sets from a graph

# long-tailed data
from lt_causal.datasets.profiles import long_tail_counts, shot_groups, subsample_long_tail
from lt_causal.datasets.registry import LTDataset, dataset_info, fingerprint, load_dataset
from lt_causal.datasets.augment import augment_batch, normalize

# models, methods, evaluation, training
from lt_causal.models.backbones import ResNet32, SmallCNN, build_backbone
from lt_causal.models.heads import CapsuleHead, CausalNormHead, CosineHead, LinearHead, build_head, capsule_norm
from lt_causal.models.tde import HeadDirection, head_cosines, tde_components, tde_logits
from lt_causal.models.ltmodel import LTModel, extract_features
from lt_causal.methods.registry import METHODS, Method, build_model, get_method
from lt_causal.methods.losses import LDAMDRWLoss, build_loss, class_balanced_weights, focal_loss, ldam_margins
from lt_causal.methods.samplers import ClassAwareSampler, sampler_probs
from lt_causal.methods.method_steps import (bilateral_forward, bilateral_loss, cumulative_weight, mixup_batch,
                                            sample_lambda)
from lt_causal.methods.decoupling import (class_means, learn_weight_scaling, logit_adjusted_head, ncm_head,
                                          retrain_classifier, second_stage, tau_norm_head)
from lt_causal.methods.posthoc import logit_adjustment, tau_norm_logits, tau_normalize
from lt_causal.evaluation.metrics import TestPrior, per_class_accuracy, prior_accuracy, shot_accuracy, test_prior
from lt_causal.evaluation.runs import TrainedRun, cell_label, compare_runs, find_runs
from lt_causal.evaluation.loading import load_run
from lt_causal.evaluation.knobs import KNOBS, KnobExplorerModel
from lt_causal.evaluation.packs import list_pretrained, load_pretrained, pack_name
from lt_causal.evaluation.val_runs import choose_alpha, load_split_run, load_val_run, selected_epoch, split_table
from lt_causal.precision import PRECISIONS, resolve_precision
from lt_causal.checkpoint import load_checkpoint, save_checkpoint
from lt_causal.training.config import TrainConfig, recipe, run_name
from lt_causal.schedule import lr_at
from lt_causal.training.distributed import resolve_device
from lt_causal.training.trainer import train, train_or_load
from lt_causal.training.stages import decouple

# experiments: every system, Table 3, the knobs side by side, the device (notebooks 05-07)
from lt_causal.experiments.benchmark import BENCHMARK_METHODS, benchmark, benchmark_table, methods_table
from lt_causal.experiments.comparison import knob_comparison, knob_models, prior_table, prior_tau, weight_norms
from lt_causal.experiments.device_info import DeviceInfo, TrainingCost, describe_device, measure_epoch_seconds
from lt_causal.experiments.packs import classify, pretrained_model
from lt_causal.experiments.paper_tables import (PAPER_TABLE2, PAPER_TABLE3, paper_accuracy, paper_table2,
                                                paper_table3, run_vs_paper, table2_with_runs)
from lt_causal.experiments.reproduce import paper_config, reproduce, reproduction_configs, table_from_runs
from lt_causal.experiments.results_table import results_markdown, summarize
from lt_causal.experiments.table3 import gain_reading, gains, measured_table3, table3_runs
from lt_causal.experiments.alpha_choice import alpha_choices, alpha_reading, alpha_rule_table
from lt_causal.experiments.scale import (IMAGENET_LT, Throughput, cost_table, measure_throughput, scale_comparison,
                                         scale_config)   # ImageNet-LT at scale (notebook 08)

# the momentum effect (notebook 02)
from lt_causal.momentum.toy import (MomentumToy, Trajectory, figure_data, head_drift, make_toy, mu_sweep, shared_loss,
                                    simulate)
from lt_causal.momentum.analysis import (accuracy_by_mu, class_direction_cosines, decompose, decomposition_table,
                                         feature_magnitude_per_class, magnitude_reading, magnitude_table, rank_correlation,
                                         relative_accuracy_change)
from lt_causal.momentum.grid import cached_run, grid_note, momentum_grid, momentum_recipe
from lt_causal.momentum.sliders import MomentumToyModel, MuGridModel

# exercises that answer back (the end of notebooks 01-07)
from lt_causal.exercises.feedback import Feedback
from lt_causal.exercises.registry import EXERCISES, check

# views: figures and widgets (pyplot, plotly and ipywidgets are imported when a view is drawn)
from lt_causal.views.backdoor_plots import plot_backdoor, plot_simpson
from lt_causal.views.backdoor_calculator import backdoor_calculator
from lt_causal.views.causal_graph import draw_causal_graph, draw_fork_graph
from lt_causal.views.causal_graph import draw_dag
from lt_causal.views.causal_norm_plots import causal_norm_picture, class_counts_figure
from lt_causal.views.run_plots import (accuracy_bars_figure, benchmark_figure, history_figure, knob_curve_figure,
                                       per_class_figure, prior_curves_figure, tradeoff_figure)
from lt_causal.views.knob_explorer import knob_explorer, run_picker
from lt_causal.views.live_training import LiveHistory, explore_run, full_runs, train_live, train_or_shipped
from lt_causal.views.table3_plots import table3_gain_figure
from lt_causal.views.tables import show_table
from lt_causal.views.scale_plots import lr_schedule_figure, selection_figure
from lt_causal.views.momentum_toy_plots import (causal_graph_figure, momentum_causal_graph, toy_mu_sweep_figure,
                                               toy_paths_figure)
from lt_causal.views.momentum_plots import (class_cosine_figure, decomposition_figure, magnitude_figure,
                                            magnitude_figures, relative_change_figure)
from lt_causal.views.momentum_widgets import momentum_toy_view, mu_grid_view

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
