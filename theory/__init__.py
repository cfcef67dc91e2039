"""imagination-theory: the theory of training in imagination as checked code.

The public API is the list below; ``docs/theory.md`` equation labels are cited in every docstring.
Names load on first use (as SciPy's submodules do), so ``import theory`` costs no more than NumPy
and never loads SymPy, SciPy's optimisers or matplotlib. Submodules hold the rest (``theory.mdp``
for the tabular laboratory, ``theory.maths.bound_symbolic`` for the bound as SymPy expressions,
``theory.derivations`` for the checked derivations).
"""

from __future__ import annotations

import importlib

from theory._validate import InputError
from theory._version import __version__

# public name -> submodule that defines it
_LAZY = {
    # the bound, E1-E6
    "BoundResult": "maths.bound", "coefficients": "maths.bound", "compounding_factor": "maths.bound", "resolve_constants": "maths.bound",
    "return_bound": "maths.bound", "suboptimality_bound": "maths.bound",
    "Sensitivity": "maths.sensitivity", "sensitivity": "maths.sensitivity",
    "SYMBOLS": "maths.bound_symbolic", "bound_piecewise": "maths.bound_symbolic", "lambdify_bound": "maths.bound_symbolic",
    "substitute": "maths.bound_symbolic",
    # scaling laws and allocation, E7-E12
    "PowerLaw": "maths.scaling", "PowerLawFit": "maths.scaling", "FitError": "maths.scaling", "FitWarning": "maths.scaling",
    "fit_power_law": "maths.scaling", "read_csv": "maths.scaling",
    "Prices": "maths.allocation", "Allocation": "maths.allocation", "optimal_split": "maths.allocation",
    "equal_exponent_ratio": "maths.allocation", "split_interval": "maths.allocation",
    # verification on tabular MDPs
    "BoundSweep": "checks.bound_sweep", "verify_bound": "checks.bound_sweep",
    # noisy-reward REINFORCE, E15-E20
    "Noise": "mdp.noise", "noise_weights": "mdp.exact_gradients", "CheckResult": "checks.reinforce_check", "check_reinforce": "checks.reinforce_check",
    "variance_scaling": "checks.reinforce_check",
    "BudgetProblem": "maths.noise_budget", "BudgetOptimum": "maths.noise_budget",
    "solve_noise_budget": "maths.noise_budget:solve", "noise_power": "maths.noise_budget:power",
    "noise_bounded": "maths.noise_budget:bounded", "noise_floor": "maths.noise_budget:floor",
    "noise_averaging": "maths.noise_budget:averaging", "noise_menu": "maths.noise_budget:menu",
    "noise_custom": "maths.noise_budget:custom",
    # your own world model, from its data (section 7)
    "Transitions": "maths.diagnose", "Diagnosis": "maths.diagnose", "Estimate": "maths.diagnose",
    "diagnose": "maths.diagnose", "read_transitions": "maths.diagnose", "Advice": "maths.diagnose",
    "advise": "maths.diagnose", "read_curves": "maths.diagnose",
    "PairwiseLipschitz": "maths.pairwise", "pairwise_lipschitz": "maths.pairwise",
    "lipschitz_estimates": "maths.pairwise",
    # Lipschitz constants and straightening, E13-E14
    "Curvature": "maths.straightening", "curvature": "maths.straightening", "linear_lipschitz": "maths.straightening",
    "closed_loop_linear": "maths.straightening", "sampled_lipschitz": "maths.straightening",
    "straightening_bound": "maths.straightening", "LowerEstimateWarning": "maths.straightening",
    # one name per concept, one JSON path for every result
    "Concept": "vocabulary", "CONCEPTS": "vocabulary", "concept": "vocabulary", "Result": "results",
    "to_jsonable": "results",
}

__all__ = ["InputError", "__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module, _, attr = _LAZY[name].partition(":")
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attr or name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
