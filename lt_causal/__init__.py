"""lt_causal: long-tailed classification by keeping the good and removing the bad momentum
causal effect (Tang, Huang, Zhang, NeurIPS 2020), as a small library behind teaching notebooks."""
from lt_causal.settings import default_data_root, default_runs_dir, quick_mode

__version__ = "0.1.0"

__all__ = ["default_data_root", "default_runs_dir", "quick_mode"]
