"""The recipe's classifier hyper-parameters, read from the package (TrainConfig) so that a test
building a head or a model by hand uses the same K, τ, γ and μ as training does."""
from lt_causal.training.config import TrainConfig

K, TAU, GAMMA, MU = TrainConfig.num_heads, TrainConfig.tau, TrainConfig.gamma, TrainConfig.momentum
CAUSAL_NORM = {"num_heads": K, "tau": TAU, "gamma": GAMMA}
MODEL = {"mu": MU, **CAUSAL_NORM}
