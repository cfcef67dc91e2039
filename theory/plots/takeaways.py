"""One takeaway sentence per figure of ``imagination reproduce``, kept here once: the README, the user guide and
the gallery print each under its figure (tests hold them equal), the notebooks use the same words."""

from __future__ import annotations

TAKEAWAYS: dict[str, str] = {
    "bound_horizon": "A finite horizon keeps the bound finite even when gamma L >= 1; past gamma L = 1 it grows "
                     "geometrically with H, below it it levels off.",
    "bound_calibration": "The bound was never exceeded on the calibration families; it is loose by one to three "
                         "orders of magnitude, least where process noise drives the gap.",
    "lipschitz_elasticities": "Near gamma L = 1 the dynamics constant K_f is the one to lower: its elasticity "
                              "grows without limit, while K_r's stays below 1.",
    "allocation_bound_vs_share": "Along the budget line the bound has one minimum, flat on a log axis and clear "
                                 "on a linear one; the slowly falling dynamics term dominates it.",
    "allocation_share_vs_price_ratio": "Dearer reward labels move the optimal split towards dynamics data, and "
                                       "the faster a model's error falls, the less of the budget it needs.",
    "allocation_share_vs_budget": "As the budget grows, the model whose error falls more slowly takes almost all "
                                  "of it (E11); with equal exponents the split does not move (E10).",
    "scaling_fits": "Fits of planted laws recover them, with bootstrap bands that cover the truth.",
    "lab_bound_sweep": "On learned tabular models the exact gap never exceeded the bound; the bound is typically "
                       "a hundred times the gap.",
    "lab_measured_laws": "Tabular model errors fall like n^-1/2, as the central limit theorem says.",
    "lab_allocation": "On a learned chain the split predicted with realised sensitivities lands next to the "
                      "empirically best one; the global Lipschitz coefficients overshoot.",
    "bound_hierarchy": "Taking the expectation under the states the policy visits removes most of the bound's "
                       "looseness; the worst state and the global constants cost one to two orders of magnitude.",
    "reinforce_variance": "The variance of the REINFORCE estimate falls like 1/K in the number of rollouts and "
                          "grows linearly in the noise variance, exactly as E16 says.",
    "reinforce_tradeoff": "Whether to buy cheap noisy or dear clean labels depends on the noise family, and the "
                          "paper's noise-only reduction can pick a corner the full objective does not.",
    "reinforce_learning": "At an equal budget per step, learning is fastest at the price the E18 solver picks.",
    "straightening": "Straighter latent trajectories come with smaller multi-step errors; clipping a model's "
                     "spectral norm below the system's own makes it worse, not better.",
    "neural_scaling_laws": "In our teacher-student networks both errors fall slowly; the paper's fast reward law "
                           "is not reproduced.",
    "neural_split_check": "The bound-optimal split of a budget sits near the best measured split of neural "
                          "students.",
    "regime_map": "The paper's fast reward exponent appears when a noise-free target reads few inputs; label noise, "
                  "a high-dimensional teacher and short training give slow laws.",
}


def takeaway(name: str) -> str:
    """The takeaway sentence of the figure ``name`` (as saved by ``imagination reproduce``)."""
    return TAKEAWAYS[name]
