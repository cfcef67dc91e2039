r"""Derivation of the rollouts-versus-noise tradeoff E18 and E19, every step checked."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.maths import noise_budget as NB
from theory.symbols import A, V_0, W, c, c_0, c_max, k, m, p, rollout_budget, sigma2_0, sigma2_1, sigma2_f
from theory.derivations import Derivation

s2 = sp.Function("sigma^2")


def mse(sig2, cost_per_rollout=c_0 + c):
    """E18 with continuous K = B / (c0 + c)."""
    return cost_per_rollout / rollout_budget * (V_0 + W * sig2)


def _solver_spot_check() -> tuple[int, float]:
    """The numeric solver never does worse than a brute-force grid of 200001 prices (slack = relative gap)."""
    rng = np.random.default_rng(6)
    worst = np.inf
    for _ in range(60):
        prob = NB.BudgetProblem(V0=rng.uniform(0.1, 10), W=rng.uniform(0.1, 10), budget=1000.0,
                                price_min=rng.uniform(0.01, 1), price_max=rng.uniform(2, 100), c0=rng.choice([0.0, 0.5]))
        fam = [NB.power(rng.uniform(0.5, 5), rng.uniform(0.3, 3)), NB.floor(rng.uniform(0, 1), rng.uniform(0.5, 5)),
               NB.bounded(rng.uniform(0.5, 5), prob.price_max)][rng.integers(3)]
        best = NB.solve(fam, prob).mse
        grid = np.geomspace(prob.price_min, prob.price_max, 200001)
        worst = min(worst, float(prob.mse(grid, fam).min() - best) / best + 1e-12)
    return 60, worst


def derive_noise_budget(strict: bool = True) -> Derivation:
    d = Derivation("Many cheap noisy rollouts or few clean ones (docs/theory.md E18, E19)", strict=strict)
    d.define("E18: mean squared error at a fixed budget", r"\mathrm{MSE}(c)", mse(s2(c)),
             note=r"$K=\mathcal B/(c_0+c)$ rollouts, each with clean variance $V_0$ and noise weight $W$ (E16: $W=\Gamma G_2$).")
    cond = sp.diff(mse(s2(c)), c)
    d.identity("E19: stationarity of the full objective",
               sp.Eq(cond, 0).lhs * rollout_budget, V_0 + W * s2(c) + (c_0 + c) * W * sp.diff(s2(c), c),
               shown=r"$$\frac{d\,\mathrm{MSE}}{dc}=0\iff V_0+W\sigma^2(c)+(c_0+c)W\sigma^{2\prime}(c)=0$$",
               note=r"with $c_0=0$: $-\frac{c\,\sigma^{2\prime}(c)}{\sigma^2(c)}=\frac{V_0+W\sigma^2(c)}{W\sigma^2(c)}$.")
    # power law, c0 = 0
    power = A * c ** (-p)
    sol = sp.solve(sp.diff(mse(power, c), c), c)
    d.identity("E19: power law, interior optimum for p > 1 (c0 = 0)", sol[0],
               ((p - 1) * W * A / V_0) ** (1 / p), shown=r"$$c^*=\Big(\frac{(p-1)WA}{V_0}\Big)^{1/p}$$",
               note=r"$\frac{d}{dc}\big[c(V_0+WAc^{-p})\big]=V_0+(1-p)WAc^{-p}$: positive everywhere for $p\le1$ "
                    r"(buy the cheapest), one root for $p>1$, which tends to the dearest price only as $V_0\to0$.")
    d.identity("E19: power law, derivative of the full objective",
               sp.diff(c * (V_0 + W * power), c), V_0 + (1 - p) * W * A * c ** (-p),
               shown=r"$$\frac{d}{dc}\,c\,(V_0+WAc^{-p})=V_0+(1-p)WAc^{-p}$$",
               note='setting it to zero gives the interior optimum for $p>1$.')
    d.identity("Noise-only reduction for the power law", sp.diff(c * power, c), (1 - p) * A * c ** (-p),
               shown=r"$$\Phi'(c)=(1-p)Ac^{-p}$$", note=r"$p>1$: dearest; $p<1$: cheapest; $p=1$: flat (indifferent).")
    d.identity("Noise-only, bounded fidelity: concave, so an end",
               sp.diff(c * sigma2_0 * (1 - c / c_max), c, 2), -2 * sigma2_0 / c_max,
               shown=r"$$\Phi''(c)=-2\sigma_0^2/c_{max}<0$$",
               note='a concave function of $c$ on an interval is smallest at an end.')
    d.identity("Noise-only, noise floor: increasing, so the cheapest",
               sp.diff(c * (sigma2_f + A / c), c), sigma2_f, shown=r"$$\Phi'(c)=\sigma_f^2\ge0$$",
               note="$\\Phi'(c)=\\sigma_f^2\\ge0$, so the smallest price is best.")
    avg = mse(sigma2_1 / m, c_0 + k * m)
    m_star = [r for r in sp.solve(sp.diff(avg, m), m) if r.is_positive is not False]
    d.identity("E19: label averaging with imagination cost c0 > 0", m_star[-1] ** 2, c_0 * W * sigma2_1 / (k * V_0),
               shown=r"$$m^{*2}=\frac{c_0W\sigma_1^2}{kV_0}$$",
               note=r"$\mathrm{MSE}(m)=\frac{c_0+km}{\mathcal B}\big(V_0+W\sigma_1^2/m\big)$; with $c_0=0$ the "
                    r"optimum is $m=1$ (more labels per rollout never pay).")
    d.inequality("The numeric solver matches brute force over prices", r"$$\mathrm{MSE}(c_{solver})\le\min_{grid}\mathrm{MSE}$$",
                 _solver_spot_check, on="60 random problems from the power, floor and bounded families",
                 note="relative slack.")
    return d


