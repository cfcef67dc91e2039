"""imagination-theory: the theory of training in imagination as checked code.

The public API is the list below; ``docs/theory.md`` equation labels are cited in every docstring.
Names load on first use (as SciPy's submodules do), so ``import theory`` costs no more than NumPy
and never loads SymPy, SciPy's optimisers or matplotlib. Submodules hold the rest (``theory.mdp``
for the tabular laboratory, ``theory.bound_symbolic`` for the bound as SymPy expressions,
``theory.derivations`` for the checked derivations).
"""

from __future__ import annotations

import importlib

from ._validate import InputError
from ._version import __version__

# public name -> submodule that defines it
_LAZY = {
    # the bound, E1-E6
    "BoundResult": "bound", "coefficients": "bound", "compounding_factor": "bound", "resolve_constants": "bound",
    "return_bound": "bound", "suboptimality_bound": "bound",
    "Sensitivity": "sensitivity", "sensitivity": "sensitivity",
    "SYMBOLS": "bound_symbolic", "bound_piecewise": "bound_symbolic", "lambdify_bound": "bound_symbolic",
    "substitute": "bound_symbolic",
    # scaling laws and allocation, E7-E12
    "PowerLaw": "scaling", "PowerLawFit": "scaling", "FitError": "scaling", "FitWarning": "scaling",
    "fit_power_law": "scaling", "read_csv": "scaling",
    "Prices": "allocation", "Allocation": "allocation", "optimal_split": "allocation",
    "equal_exponent_ratio": "allocation", "split_interval": "allocation",
    # verification on tabular MDPs
    "BoundSweep": "verify", "verify_bound": "verify",
    # noisy-reward REINFORCE, E15-E20
    "Noise": "reinforce_check", "CheckResult": "reinforce_check", "check": "reinforce_check",
    "variance_scaling": "reinforce_check",
    "BudgetProblem": "noise_budget", "BudgetOptimum": "noise_budget", "solve": "noise_budget",
    "power": "noise_budget", "bounded": "noise_budget", "floor": "noise_budget", "averaging": "noise_budget",
    "menu": "noise_budget", "custom": "noise_budget",
    # Lipschitz constants and straightening, E13-E14
    "Curvature": "straightening", "curvature": "straightening", "linear_lipschitz": "straightening",
    "closed_loop_linear": "straightening", "sampled_lipschitz": "straightening",
    "straightening_bound": "straightening", "LowerEstimateWarning": "straightening",
}

__all__ = ["InputError", "__version__", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
