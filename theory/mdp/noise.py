r"""Reward-noise models for the REINFORCE laboratory (``docs/theory.md`` section 4, E15-E17).

$\tilde r_t=r_t+b(s_t,a_t)+\xi_t$: zero-mean noise $\xi_t$ (homoscedastic, heteroscedastic or the
mean of several labels) and a bias $b$ (constant or state-action dependent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V

NOISE_KINDS = ("none", "gaussian", "heteroscedastic", "constant-bias", "state-action-bias", "averaging")


@dataclass(frozen=True)
class Noise:
    r"""A reward-noise model (E15-E17): $\tilde r_t=r_t+b(s_t,a_t)+\xi_t$.

    * ``gaussian``: $\xi_t\sim\mathcal N(0,\sigma^2)$;
    * ``heteroscedastic``: $\xi_t\sim\mathcal N(0,\sigma(s_t,a_t)^2)$ with ``sigma_sa (S, A)``;
    * ``constant-bias``: $b\equiv$ ``bias`` (plus Gaussian noise of ``sigma``);
    * ``state-action-bias``: $b(s,a)=$ ``bias_sa[s, a]`` (plus Gaussian noise of ``sigma``);
    * ``averaging``: the mean of ``m`` labels of variance ``sigma1**2``, i.e. $\sigma^2=\sigma_1^2/m$.

    Parameters
    ----------
    kind : str
        One of ``NOISE_KINDS``: ``"none"``, ``"gaussian"``, ``"heteroscedastic"``, ``"constant-bias"``,
        ``"state-action-bias"`` or ``"averaging"``.
    sigma : float
        Standard deviation of the Gaussian noise (``gaussian`` and the two bias kinds).
    sigma_sa : (S, A) ndarray, optional
        Standard deviations per state-action pair (``heteroscedastic``).
    bias : float
        The constant bias (``constant-bias``).
    bias_sa : (S, A) ndarray, optional
        The bias per state-action pair (``state-action-bias``).
    m : int
        Labels averaged (``averaging``).
    sigma1 : float
        Standard deviation of one label (``averaging``).
    """

    kind: str = "none"
    sigma: float = 0.0
    sigma_sa: np.ndarray | None = None
    bias: float = 0.0
    bias_sa: np.ndarray | None = None
    m: int = 1
    sigma1: float = 0.0

    def __post_init__(self):
        if self.kind not in NOISE_KINDS:
            raise V.InputError(f"noise kind must be one of {NOISE_KINDS}, got {self.kind!r}")
        V.nonnegative("sigma", self.sigma)
        V.nonnegative("sigma1", self.sigma1)
        if int(self.m) != self.m or self.m < 1:
            raise V.InputError(f"m (labels averaged) must be an integer >= 1, got {self.m}")
        if self.kind == "heteroscedastic" and self.sigma_sa is None:
            raise V.InputError("heteroscedastic noise needs sigma_sa, an (S, A) array of standard deviations")
        if self.kind == "state-action-bias" and self.bias_sa is None:
            raise V.InputError("state-action bias needs bias_sa, an (S, A) array")

    def variance(self, S: int, A: int) -> np.ndarray:
        """Noise variance per state-action pair."""
        if self.kind == "heteroscedastic":
            return np.asarray(self.sigma_sa, dtype=float) ** 2
        if self.kind == "averaging":
            return np.full((S, A), self.sigma1**2 / self.m)
        if self.kind == "none":
            return np.zeros((S, A))
        return np.full((S, A), float(self.sigma) ** 2)

    def bias_table(self, S: int, A: int) -> np.ndarray:
        if self.kind == "constant-bias":
            return np.full((S, A), float(self.bias))
        if self.kind == "state-action-bias":
            return np.asarray(self.bias_sa, dtype=float)
        return np.zeros((S, A))

    def apply(self, states, actions, rewards, rng: np.random.Generator, S: int, A: int) -> np.ndarray:
        """Noisy rewards for rollouts in an MDP with ``S`` states and ``A`` actions. Noise of variance zero
        everywhere draws nothing from ``rng`` (a third of the checker's time went into multiplying zeros)."""
        table = self.variance(S, A)
        bias = self.bias_table(S, A)
        noisy = rewards if not bias.any() else rewards + bias[states, actions]
        if not table.any():
            return noisy
        return noisy + np.sqrt(table[states, actions]) * rng.standard_normal(rewards.shape)
