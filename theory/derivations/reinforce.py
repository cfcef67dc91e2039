r"""Derivation of REINFORCE with noisy rewards (E15-E17, E20), in the classical teaching order: the
log-derivative trick, the expected grad-log-prob lemma, causality (reward-to-go with its leading gamma^t),
baselines, and then the noise: unbiasedness, the exact variance, the paper's bound, bias, and why the MSE."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.derivations import Derivation

LABELS = ("E15", "E16", "E16b", "E17", "E20")


def _softmax(k: int):
    th = sp.symbols(f"theta1:{k + 1}", real=True)
    z = sum(sp.exp(t) for t in th)
    return th, [sp.exp(t) / z for t in th]


def _enumerated_check(kind: str) -> tuple[int, float]:
    """Exact checks on random small MDPs by enumerating every trajectory: slack >= 0 required."""
    from theory.checks.equal_budget import small_mdp
    from theory.mdp.exact_gradients import enumerate_trajectories, exact_bias_shift, exact_moments, policy_gradient_theorem
    from theory.mdp.rollouts import softmax_policy

    worst, trials = np.inf, 25
    for seed in range(trials):
        mdp = small_mdp(seed, S=3, A=2, horizon=4, gamma=0.8)
        rng = np.random.default_rng(seed)
        theta = rng.normal(0, 1, (3, 2))
        pi = softmax_policy(theta)
        enum = enumerate_trajectories(mdp.P, mdp.R, pi, mdp.mu, 4)
        grad = policy_gradient_theorem(mdp.P, mdp.R, pi, mdp.mu, mdp.gamma, 4)
        if kind == "unbiased":
            for est in ("full", "reward-to-go"):
                m = exact_moments(enum, pi, mdp.gamma, est, noise_var=np.full((3, 2), 2.0)).mean
                worst = min(worst, 1e-9 - float(np.abs(m - grad).max()))
        elif kind == "e16b":
            mom = exact_moments(enum, pi, mdp.gamma, "reward-to-go")
            worst = min(worst, float(mom.e16b_noise_weight(mdp.gamma, 4) - mom.noise_weight))
        elif kind == "bias":
            b = rng.normal(0, 1, (3, 2))
            shift = exact_bias_shift(enum, pi, mdp.gamma, "full", b)
            biased = policy_gradient_theorem(mdp.P, mdp.R + b, pi, mdp.mu, mdp.gamma, 4)
            worst = min(worst, 1e-9 - float(np.abs(shift - (biased - grad)).max()))
    return trials, worst


def derive_reinforce(strict: bool = True) -> Derivation:
    d = Derivation("REINFORCE with noisy rewards (docs/theory.md E15 to E17, E20)", strict=strict)
    th, pi = _softmax(3)
    r = sp.symbols("r1:4", real=True)
    J = sum(p * rr for p, rr in zip(pi, r))
    score = [[sp.diff(sp.log(p), t) for t in th] for p in pi]
    d.identity("The log-derivative trick (a softmax policy over three actions)",
               sp.diff(J, th[0]), sum(p * s[0] * rr for p, s, rr in zip(pi, score, r)),
               shown=r"$$\frac{\partial}{\partial\theta_1}\sum_a\pi_\theta(a)\,r_a=\sum_a\pi_\theta(a)\,r_a\,"
                     r"\frac{\partial\log\pi_\theta(a)}{\partial\theta_1}$$",
               note=r"$\nabla_\theta\mathbb E_{a\sim\pi_\theta}[r(a)]=\mathbb E[r(a)\nabla_\theta\log\pi_\theta(a)]$: "
                    "the gradient of an expectation is the expectation of the reward times the score (checked by SymPy "
                    "with the softmax written out in full).", lhs_tex=r"\frac{\partial}{\partial\theta_1}\sum_a\pi_\theta(a)\,r_a")
    d.identity("The expected grad-log-prob lemma", sum(p * s[0] for p, s in zip(pi, score)), sp.Integer(0),
               note=r"$\mathbb E_{a\sim\pi}[\nabla\log\pi(a)]=0$: a score times anything fixed before the action averages to zero.", lhs_tex=r"\sum_a\pi_\theta(a)\,\frac{\partial\log\pi_\theta(a)}{\partial\theta_1}")
    b = sp.Symbol("b", real=True)
    d.identity("Baselines: subtracting b changes nothing in expectation",
               sum(p * s[0] * (rr - b) for p, s, rr in zip(pi, score, r)), sum(p * s[0] * rr for p, s, rr in zip(pi, score, r)),
               note="by the lemma, for any b that does not depend on the action (a batch mean that includes the "
                    "rollout itself does, which the checker catches).", lhs_tex=r"\sum_a\pi(a)\,\partial_{\theta_1}\log\pi(a)\,(r_a-b)")
    g = sp.Symbol("gamma", positive=True)
    r0 = sp.Symbol("r_0", real=True)
    d.identity("Causality: an action cannot move rewards already received (reward-to-go)",
               sum(p * s[0] * g**0 * r0 for p, s in zip(pi, score)), sp.Integer(0),
               note=r"the term $\nabla\log\pi(a_1)\,r_0$ averages to zero over $a_1$; what remains is "
                    r"$\sum_t\gamma^t\nabla\log\pi(a_t|s_t)G_t$, with the leading $\gamma^t$ (dropping it changes the objective).", lhs_tex=r"\sum_{a_1}\pi(a_1)\,\partial_{\theta_1}\log\pi(a_1)\,r_0")
    xi = sp.symbols("xi1:4", real=True)
    noisy = sum(p * s[0] * (rr + e) for p, s, rr, e in zip(pi, score, r, xi))
    d.identity("E15: zero-mean noise adds nothing to the mean",
               noisy.subs({e: 0 for e in xi}), sum(p * s[0] * rr for p, s, rr in zip(pi, score, r)),
               note=r"the estimator is linear in the rewards, so $\mathbb E[\xi\mid\tau]=0$ leaves its mean unchanged.", lhs_tex=r"\mathbb E_\xi\sum_a\pi(a)\,\partial_{\theta_1}\log\pi(a)\,(r_a+\xi_a)")
    d.inequality("E15 on MDPs: both estimators' exact means equal the policy gradient under noise",
                 r"$$\mathbb E\hat g=\nabla_\theta J$$", lambda: _enumerated_check("unbiased"),
                 on="every trajectory of 25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)")
    G, S, Xi, sig2, Gam, gradJ = sp.symbols("G S Xi sigma2 Gamma nablaJ", real=True)
    E = {Xi: 0, Xi**2: sig2 * Gam}
    expanded = sp.expand(((G + Xi) * S - gradJ) ** 2)
    averaged = sum(term.subs(E) if term.has(Xi) else term for term in sp.Add.make_args(expanded))
    d.identity("E16: the noise variance separates from the clean one",
               averaged, sp.expand((G * S - gradJ) ** 2) + sig2 * Gam * S**2,
               note=r"$\Xi=\sum_t\gamma^t\xi_t$ is independent of $\tau$ with $\mathbb E\Xi=0$ and $\mathbb E\Xi^2=\sigma^2\Gamma$, "
                    r"$\Gamma=\sum_t\gamma^{2t}$; averaging over $\tau$ gives $V_0+\sigma^2\Gamma G_2$ per rollout, over $K$ rollouts $1/K$ of it.", lhs_tex=r"\mathbb E_\Xi\big((G+\Xi)S-\nabla J\big)^2")
    d.inequality("E16b: the paper's bound on the noise term holds", r"$$\sigma^2HW_H^2/(1-\gamma)^2\ge\text{exact noise weight}$$",
                 lambda: _enumerated_check("e16b"), on="25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)",
                 note="slack = bound minus exact.")
    d.inequality("E17: a state-action bias shifts the mean by the gradient of its discounted sum",
                 r"$$\mathbb E\tilde g-\nabla J=\nabla_\theta\mathbb E\sum_t\gamma^tb(s_t,a_t)$$", lambda: _enumerated_check("bias"),
                 on="25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)",
                 note="the shift does not depend on the number of rollouts.")
    gnorm2, tr, eta, ell = sp.symbols("gnorm2 trCov eta ell", positive=True)
    gain = eta * gnorm2 - ell * eta**2 / 2 * (gnorm2 + tr)
    d.identity("E20: the expected one-step gain of an l-smooth objective",
               sp.expand(gain), sp.expand(eta * gnorm2 - ell * eta**2 / 2 * gnorm2 - ell * eta**2 / 2 * tr),
               note=r"$J(\theta+\eta\hat g)\ge J+\eta\nabla J^\top\hat g-\frac{\ell\eta^2}2\|\hat g\|^2$ and "
                    r"$\mathbb E\|\hat g\|^2=\|\nabla J\|^2+\mathrm{tr\,Cov}\,\hat g$: at a fixed step size the gain falls "
                    "with the variance, so the price with the smallest MSE (E18) is the best for one step.", lhs_tex=r"\eta\|\nabla J\|^2-\frac{\ell\eta^2}{2}\,\mathbb E\|\hat g\|^2")
    return d
