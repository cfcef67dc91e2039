r"""Derivation of the return-error bound E1 to E5, every step checked."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.maths import bound_symbolic as B
from theory.checks.calibration import calibrate
from theory.symbols import latex
from theory.symbols import H, K_rpi, L, eps_dyn, eps_rew, gamma, i, t, u
from theory.derivations import Derivation



def _kantorovich_spot_check(rng=None, trials: int = 2000) -> tuple[int, float]:
    """|E_p g - E_q g| <= Lip(g) W1(p, q) for random p, q on random points of a line and random Lipschitz g.
    W1 on a line is the integral of |F_p - F_q| (independent of the toolkit's transport solver)."""
    rng = rng or np.random.default_rng(1)
    worst = np.inf
    for _ in range(trials):
        k = rng.integers(2, 8)
        x = np.sort(rng.uniform(-3, 3, k))
        p, q = rng.dirichlet(np.ones(k)), rng.dirichlet(np.ones(k))
        lip = rng.uniform(0.1, 3)
        slopes = rng.uniform(-lip, lip, k - 1)
        g = np.concatenate([[0.0], np.cumsum(slopes * np.diff(x))])
        w1 = np.sum(np.abs(np.cumsum(p - q)[:-1]) * np.diff(x))
        worst = min(worst, lip * w1 - abs((p - q) @ g))
    return trials, float(worst)


def _composition_check() -> tuple[int, float]:
    """|P V(s) - P V(s')| <= L Lip(V) D(s, s') with L the exact W1-Lipschitz constant of a random kernel."""
    from theory.checks.transport_check import random_metric
    from theory.mdp.transport import function_lipschitz, kernel_lipschitz

    rng = np.random.default_rng(12)
    worst = np.inf
    for _ in range(300):
        S = int(rng.integers(2, 8))
        D = random_metric(rng, S)
        P = rng.dirichlet(np.ones(S) * 0.5, size=S)
        V = D[:, int(rng.integers(S))] * rng.uniform(-2, 2)
        Lk, _ = kernel_lipschitz(P, D)
        lipV, _ = function_lipschitz(V, D)
        PV = P @ V
        off = ~np.eye(S, dtype=bool)
        worst = min(worst, float(np.min((Lk * lipV * D - np.abs(PV[:, None] - PV[None, :]))[off])))
    return 300, worst


def _bound_spot_check() -> tuple[int, float]:
    """E3 end to end on random continuous systems (exact returns): slack = bound - gap."""
    cal = calibrate("lipschitz", 36, seed=7, horizons=(5, 20))
    return cal.gaps.size, float(np.min(cal.bounds - cal.gaps))


def _suboptimality_spot_check(trials: int = 5000) -> tuple[int, float]:
    """E5 with H = 1 (a bandit): B = eps_rew, so J(pi*) - J(pi_hat) <= 2 eps_rew."""
    rng = np.random.default_rng(2)
    r = rng.uniform(-1, 1, (trials, 6))
    r_hat = r + rng.uniform(-1, 1, (trials, 1)) * rng.uniform(-0.3, 0.3, (trials, 6))
    eps = np.abs(r_hat - r).max(1)
    gap = r.max(1) - r[np.arange(trials), r_hat.argmax(1)]
    return trials, float(np.min(2 * eps - gap))


def _simulation_step_check() -> tuple[int, float]:
    """E2 at every state and step: exact V_t of the true and learned closed loops by backward recursion, the learned
    model's Lipschitz constants, and the closed-loop errors."""
    from theory.mdp.analysis import closed_loop_constants, model_errors
    from theory.mdp.finite import closed_loop
    from theory.mdp.learned import learn, random_chain, random_grid

    rng = np.random.default_rng(11)
    worst, points = np.inf, 0
    for k in range(40):
        mdp = (random_chain if k % 2 else random_grid)(rng, gamma=0.9, horizon=8)
        model = learn(mdp, 4 * mdp.S * mdp.A, 4 * mdp.S * mdp.A, 0.5, rng)
        P_pi, r_pi = closed_loop(mdp.P, mdp.R, mdp.pi)
        Ph, rh = closed_loop(model.P, model.R, mdp.pi)
        const = closed_loop_constants(model, mdp.pi, mdp.D)
        eps_dyn, eps_rew = model_errors(mdp, model)
        v, vh, ell = np.zeros(mdp.S), np.zeros(mdp.S), 0.0
        for _ in range(8):  # backward from t = H
            delta_next = np.max(np.abs(v - vh))
            rhs = eps_rew + mdp.gamma * ell * eps_dyn + mdp.gamma * delta_next
            v, vh = r_pi + mdp.gamma * P_pi @ v, rh + mdp.gamma * Ph @ vh
            ell = const.K_rpi + mdp.gamma * const.L * ell
            worst = min(worst, float(rhs - np.max(np.abs(v - vh))))
            points += mdp.S
    return points, worst


def derive_bound(strict: bool = True) -> Derivation:
    d = Derivation("The return-error bound for training in imagination (docs/theory.md E1 to E5)", strict=strict)
    L_s, K_s = B.closed_loop_expressions()
    d.define("Closed-loop constants", r"L", L_s,
             note=r"and $K_{r\pi}=" + latex(K_s) + r"$: under the sum metric, following $\pi$ for one step "
             r"moves $(s,a)$ by at most $(1+K_\pi)\,d_S(s,s')$.")

    # E1
    ell_closed = lambda tt: B.value_lipschitz_closed(tt).doit()  # noqa: E731
    d.identity(
        "E1: the closed form solves the value-Lipschitz recursion",
        K_rpi + gamma * L * ell_closed(t + 1), ell_closed(t),
        shown=r"$$\ell_t=K_{r\pi}\sum_{i=0}^{H-t-1}(\gamma L)^i \text{ satisfies } \ell_t=K_{r\pi}+\gamma L\,\ell_{t+1},\ \ell_H=0$$",
        note=r"$\hat V_t=\hat r_\pi+\gamma\hat P_\pi\hat V_{t+1}$, and composing with a $L$-Lipschitz kernel multiplies "
             r"Lipschitz constants by $L$, so $\hat V_t$ is $\ell_t$-Lipschitz.",
    )
    d.identity("E1 at the end of the horizon", ell_closed(H), sp.Integer(0), shown=r"$$\ell_H=0$$",
               note='no step is left after $H$, so no Lipschitz constant accumulates.')
    d.inequality("E1's composition step: an L-Lipschitz kernel multiplies Lipschitz constants by L",
                 r"$$|(P_\pi V)(s)-(P_\pi V)(s')|\le\mathrm{Lip}(V)\,W_1\big(P_\pi(s),P_\pi(s')\big)\le L\,\mathrm{Lip}(V)\,d(s,s')$$",
                 _composition_check, cite="Kantorovich-Rubinstein duality (Villani 2009, Remark 6.5) and the definition of L",
                 on="300 random kernels on random metric spaces of 2-7 states, V = scale * D[:, k]",
                 note=r"under the sum metric, a policy that is $K_\pi$-Lipschitz moves $(s,\pi(s))$ by at most "
                      r"$(1+K_\pi)\,d_S(s,s')$, which is why $L=K_f(1+K_\pi)$ and $K_{r\pi}=K_r(1+K_\pi)$.")
    # E2
    d.inequality(
        "Kantorovich-Rubinstein duality",
        r"$$\big|\mathbb E_{P}g-\mathbb E_{\hat P}g\big|\le \mathrm{Lip}(g)\,W_1(P,\hat P)$$",
        _kantorovich_spot_check,
        cite="Kantorovich-Rubinstein duality (Villani 2009, Optimal Transport, Remark 6.5)",
        on="2,000 random pairs of distributions on 2-7 points of a line, random Lipschitz g, W1 from the CDFs",
    )
    d.inequality(
        "E2: the simulation-lemma step",
        r"$$\begin{aligned}|V_t(s)-\hat V_t(s)|&\le|r_\pi(s)-\hat r_\pi(s)|+\gamma\big|\mathbb E_{P_\pi}\hat V_{t+1}-\mathbb E_{\hat P_\pi}\hat V_{t+1}\big|"
        r"+\gamma\,\mathbb E_{P_\pi}|V_{t+1}-\hat V_{t+1}|\\&\le\varepsilon_{rew}+\gamma\,\ell_{t+1}\varepsilon_{dyn}+\gamma\,\Delta_{t+1}\end{aligned}$$",
        _simulation_step_check,
        cite="the triangle inequality and Kantorovich-Rubinstein duality (the step above)",
        on="every state and step (H = 8) of exact values on 40 learned models of random chains and grids",
        note="Add and subtract $\\gamma\\mathbb E_{P_\\pi}\\hat V_{t+1}$ (triangle inequality); the middle term is bounded by "
             "the duality above, since $\\hat V_{t+1}$ is $\\ell_{t+1}$-Lipschitz (E1). Checked at every state and step of "
             "exact values on 40 learned models of random chains and grids (slack = right side minus left side).",
    )
    # E3
    # E1's closed form of ell_{t+1}, the geometric sum summed (gamma L != 1; the branches follow as limits below)
    ell_next = K_rpi * (1 - (gamma * L) ** (H - t - 1)) / (1 - gamma * L)
    unrolled = sp.Sum(gamma**t * (eps_rew + gamma * ell_next * eps_dyn), (t, 0, H - 1))
    closed = B.c_rew_closed()["general"] * eps_rew + B.c_dyn_closed()["general"] * eps_dyn
    d.identity(
        r"E3: unrolling E2 from $\Delta_H=0$",
        unrolled, closed,
        shown=r"$$\Delta_0\le\sum_{t=0}^{H-1}\gamma^t\big(\varepsilon_{rew}+\gamma\ell_{t+1}\varepsilon_{dyn}\big)"
              r"=C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$$",
        generic=True, note=r"for symbolic $H$, off the removable points $\gamma=1$, $L=1$, $\gamma L=1$ (their values are the limits).",
    )
    reindexed = K_rpi * sp.Sum(gamma**u * (1 - (gamma * L) ** (H - u)) / (1 - gamma * L), (u, 1, H - 1))
    d.identity(
        "Re-indexing the dynamics term",
        reindexed, B.c_dyn_closed()["general"],
        shown=r"$$K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{H-u-1}(\gamma L)^i=K_{r\pi}\sum_{u=1}^{H-1}\gamma^u\sum_{i=0}^{u-1}L^i$$",
        generic=True, note=r"for symbolic $H$: the inner sum $\sum_{i<H-u}(\gamma L)^i=(1-(\gamma L)^{H-u})/(1-\gamma L)$, then the "
                           "outer sum, against the closed form of the next step.",
    )
    generic = sp.summation(gamma**u * sp.summation(L**i, (i, 0, u - 1)), (u, 1, H - 1))
    d.identity(r"Closed form of $C_{dyn}$ for symbolic $H$ ($\gamma\ne1$, $L\ne1$, $\gamma L\ne1$)",
               K_rpi * generic.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[-1][0]),
               B.c_dyn_closed()["general"],
               shown=r"$$C_{dyn}=" + latex(B.c_dyn_closed()["general"]) + "$$",
               note='SymPy sums the double sum for symbolic $H$; the removable points are the branches that follow.')
    for branch, subs in (("L=1", {L: 1}), ("gamma=1", {gamma: 1}), ("gamma=1,L=1", {gamma: 1, L: 1})):
        lim = B.c_dyn_closed()["general"]
        for sym, val in subs.items():
            lim = sp.Limit(lim, sym, val)
        d.identity(f"Branch ${branch.replace('gamma', chr(92) + 'gamma ')}$ is the limit of the general form", lim, B.c_dyn_closed()[branch],
                   shown=f"$$C_{{dyn}}\\big|_{{{branch.replace('gamma', chr(92) + 'gamma ')}}}=" + latex(B.c_dyn_closed()[branch]) + "$$",
                   note="SymPy takes the limits for symbolic H.")
    a_gap, b_gap = sp.symbols("a b", positive=True)  # gamma = 1/(1+a) and gamma L = 1/(1+b): every 0 < gamma, gamma L < 1
    on_cone = {gamma: 1 / (1 + a_gap), L: (1 + a_gap) / (1 + b_gap)}
    d.identity(r"$H=\infty$ with $\gamma L<1$ (Asadi et al. 2018, Thm. 2, plus the reward term)",
               sp.Limit(B.c_dyn_closed()["general"].subs(on_cone), H, sp.oo), B.c_dyn_closed()["infinite"].subs(on_cone),
               shown=r"$$\lim_{H\to\infty}C_{dyn}=" + latex(B.c_dyn_closed()["infinite"]) + r",\qquad \lim_{H\to\infty}C_{rew}=\frac1{1-\gamma}$$",
               note=r"SymPy takes the limit for symbolic $\gamma=1/(1+a)$ and $\gamma L=1/(1+b)$ with $a,b>0$, which is "
                    r"every $0<\gamma<1$, $\gamma L<1$; for $\gamma L\ge1$ the terms $(\gamma L)^H$ do not vanish and the "
                    "bound is infinite.")
    d.inequality("The bound holds on exact returns of continuous systems",
                 r"$$|J(\pi)-\hat J(\pi)|\le C_{rew}\varepsilon_{rew}+C_{dyn}\varepsilon_{dyn}$$", _bound_spot_check,
                 on="exact returns of 36 random globally Lipschitz continuous systems, H = 5 and 20",
               note='the whole chain E1-E3 at once, on systems whose returns are computed exactly.')
    # E4, E5
    d.identity(r"E4: the recursion $\delta_{t+1}\le L\delta_t+\varepsilon_{dyn}$, solved",
               (L ** (t + 1) - 1) / (L - 1), L * (L**t - 1) / (L - 1) + 1,
               shown=r"$$S_{t+1}=LS_t+1\ \text{ for }\ S_t=\frac{L^t-1}{L-1},\qquad\text{so }\ \delta_t\le\varepsilon_{dyn}S_t\ \text{ by induction from }\delta_0=0$$",
               note=r"one step of the model moves two states at distance $\delta_t$ to at most $L\delta_t$ apart "
                    r"($L$-Lipschitz) and adds at most $\varepsilon_{dyn}$ of one-step error; symbolic $t$ and $L\ne1$.")
    d.identity("E4: compounding of the one-step error",
               sp.Sum(L**i, (i, 0, t - 1)).doit(), sp.Piecewise((t, sp.Eq(L, 1)), ((L**t - 1) / (L - 1), True)),
               shown=r"$$\delta_t\le\varepsilon_{dyn}\sum_{i=0}^{t-1}L^i=\varepsilon_{dyn}\frac{L^t-1}{L-1}\quad(t\,\varepsilon_{dyn}\text{ at }L=1)$$",
               note='the geometric sum of the recursion above, with the branch $L=1$ as its limit.')
    d.inequality("E5: suboptimality of the policy that is best in imagination",
                 r"$$J(\pi^*)-J(\hat\pi)=\underbrace{J(\pi^*)-\hat J(\pi^*)}_{\le B(\pi^*)}+\underbrace{\hat J(\pi^*)-\hat J(\hat\pi)}_{\le0}"
                 r"+\underbrace{\hat J(\hat\pi)-J(\hat\pi)}_{\le B(\hat\pi)}$$", _suboptimality_spot_check,
                 cite="the decomposition shown, E3 twice (Asadi, Misra and Littman 2018, Section 4)",
                 on="5,000 random 6-armed bandits (H = 1, where B = eps_rew) with learned rewards",
               note='the middle term is at most 0 because $\\hat\\pi$ maximises $\\hat J$; the outer two are E3 at $\\pi^*$ and at $\\hat\\pi$.')
    d.define("Structured form", r"B", B.branch_expr("infinite").subs({L: L_s, K_rpi: K_s}),
             note=r"for $H=\infty$ in the structured constants $K_f$, $K_r$, $K_\pi$.")
    return d
