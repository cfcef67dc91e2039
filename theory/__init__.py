"""imagination-theory: the theory of training in imagination as checked code.

The public API is the list below; ``DESIGN.md`` equation labels are cited in every docstring.
Submodules hold the rest (``theory.mdp`` for the tabular laboratory, ``theory.derivations`` for the
checked derivations, ``theory.figures`` for the figures).
"""

from ._validate import InputError
from .allocation import Allocation, Prices, equal_exponent_ratio, optimal_split, split_interval
from .bound import BoundResult, compounding_factor, resolve_constants, return_bound, suboptimality_bound
from .noise_budget import BudgetOptimum, BudgetProblem, averaging, bounded, custom, floor, menu, power, solve
from .reinforce_check import CheckResult, Noise, check, variance_scaling
from .scaling import FitError, FitWarning, PowerLaw, PowerLawFit, fit_power_law, read_csv
from .sensitivity import Sensitivity, sensitivity
from .straightening import (
    Curvature,
    LowerEstimateWarning,
    closed_loop_linear,
    curvature,
    linear_lipschitz,
    sampled_lipschitz,
    straightening_bound,
)
from .verify import BoundSweep, verify_bound

__all__ = [
    "InputError",
    # the bound, E1-E6
    "BoundResult", "compounding_factor", "resolve_constants", "return_bound", "suboptimality_bound",
    "Sensitivity", "sensitivity",
    # scaling laws and allocation, E7-E12
    "PowerLaw", "PowerLawFit", "FitError", "FitWarning", "fit_power_law", "read_csv",
    "Prices", "Allocation", "optimal_split", "equal_exponent_ratio", "split_interval",
    # verification on tabular MDPs
    "BoundSweep", "verify_bound",
    # noisy-reward REINFORCE, E15-E20
    "Noise", "CheckResult", "check", "variance_scaling",
    "BudgetProblem", "BudgetOptimum", "solve", "power", "bounded", "floor", "averaging", "menu", "custom",
    # Lipschitz constants and straightening, E13-E14
    "Curvature", "curvature", "linear_lipschitz", "closed_loop_linear", "sampled_lipschitz", "straightening_bound",
    "LowerEstimateWarning",
]
