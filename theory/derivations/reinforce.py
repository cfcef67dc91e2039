r"""Derivation of REINFORCE with noisy rewards (E15-E17, E20), in the classical teaching order: the
log-derivative trick, the expected grad-log-prob lemma, causality (reward-to-go with its leading gamma^t),
baselines, and then the noise: unbiasedness, the exact variance, the paper's bound, bias, and why the MSE."""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.derivations import Derivation

LABELS = ("E15", "E16", "E16b", "E17", "E20")


def _enumerated_check(kind: str) -> tuple[int, float]:
    """Exact checks on random small MDPs by enumerating every trajectory: slack >= 0 required."""
    from theory.mdp.finite import small_mdp
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


def _descent_check() -> tuple[int, float]:
    """The descent lemma on random l-smooth functions: quadratics with curvature in [-l, l] plus l-smooth sines."""
    rng = np.random.default_rng(20)
    worst = np.inf
    for _ in range(2000):
        ell = rng.uniform(0.1, 5)
        a, c = rng.uniform(-0.5, 0.5, 2)
        b = rng.uniform(-1, 1)
        # J'' = ell a - ell c sin(x) / 2, so |J''| <= 0.75 ell: J is ell-smooth
        J = lambda x, a=a, c=c, ell=ell, b=b: 0.5 * ell * a * x**2 + 0.5 * ell * c * np.sin(x) + b * x  # noqa: E731
        dJ = lambda x, a=a, c=c, ell=ell, b=b: ell * a * x + 0.5 * ell * c * np.cos(x) + b  # noqa: E731
        x, h = rng.normal(0, 3), rng.normal(0, 2)
        worst = min(worst, J(x + h) - (J(x) + dJ(x) * h - ell / 2 * h**2))
    return 2000, worst


def derive_reinforce(strict: bool = True) -> Derivation:
    d = Derivation("REINFORCE with noisy rewards (docs/theory.md E15 to E17, E20)", strict=strict)
    theta = sp.Symbol("theta", real=True)
    t, k, H = sp.symbols("t k H", integer=True, nonnegative=True)
    pi_f, P_f, mu_f, r_f = (sp.Function(n, positive=True) for n in ("pi", "P", "mu", "r"))
    # the trajectory: pi(t, theta) stands for pi_theta(a_t | s_t), P(t) for P(s_{t+1} | s_t, a_t), mu(0) for mu(s_0)
    log_p = sp.log(mu_f(0) * sp.Product(pi_f(t, theta) * P_f(t), (t, 0, H - 1)))
    d.identity("The log-likelihood of a trajectory", sp.expand_log(log_p, force=True),
               sp.log(mu_f(0)) + sp.Sum(sp.log(pi_f(t, theta)) + sp.log(P_f(t)), (t, 0, H - 1)),
               shown=r"$$\log p_\theta(\tau)=\log\mu(s_0)+\sum_{t=0}^{H-1}\Big(\log\pi_\theta(a_t\mid s_t)"
                     r"+\log P(s_{t+1}\mid s_t,a_t)\Big)$$",
               note=r"$p_\theta(\tau)=\mu(s_0)\prod_t\pi_\theta(a_t\mid s_t)P(s_{t+1}\mid s_t,a_t)$ for "
                    r"$\tau=(s_0,a_0,\dots,s_H)$; the policy and the transitions are symbolic functions and $H$ is symbolic.")
    d.identity(r"Only the policy depends on $\theta$",
               sp.diff(sp.log(mu_f(0)) + sp.Sum(sp.log(pi_f(t, theta)) + sp.log(P_f(t)), (t, 0, H - 1)), theta),
               sp.Sum(sp.diff(sp.log(pi_f(t, theta)), theta), (t, 0, H - 1)),
               shown=r"$$\nabla_\theta\log p_\theta(\tau)=\sum_{t=0}^{H-1}\nabla_\theta\log\pi_\theta(a_t\mid s_t)$$",
               note=r"the environment's factors $\mu$ and $P$ do not depend on $\theta$: their derivatives vanish, so the "
                    "score of a trajectory needs no model of the environment.")
    p_f, R_f = sp.Function("p", positive=True), sp.Function("R")
    d.identity("The log-derivative trick", sp.diff(p_f(theta), theta), p_f(theta) * sp.diff(sp.log(p_f(theta)), theta),
               shown=r"$$\nabla_\theta p_\theta(\tau)=p_\theta(\tau)\,\nabla_\theta\log p_\theta(\tau)\quad\Longrightarrow\quad"
                     r"\nabla_\theta J=\sum_\tau R(\tau)\nabla_\theta p_\theta(\tau)=\mathbb E_\tau\Big[R(\tau)\sum_t"
                     r"\nabla_\theta\log\pi_\theta(a_t\mid s_t)\Big]$$",
               note=r"with $R(\tau)=\sum_t\gamma^tr_t$ not depending on $\theta$; summed over trajectories this is the "
                    "full-return REINFORCE estimator's mean.")
    a, K = sp.Symbol("a", integer=True), sp.Symbol("K", integer=True, positive=True)
    pa = sp.Function("pi_a", positive=True)
    d.identity("The expected grad-log-prob lemma, term by term", pa(a, theta) * sp.diff(sp.log(pa(a, theta)), theta),
               sp.diff(pa(a, theta), theta),
               shown=r"$$\sum_a\pi_\theta(a\mid s)\,\nabla_\theta\log\pi_\theta(a\mid s)=\sum_a\nabla_\theta\pi_\theta(a\mid s)"
                     r"=\nabla_\theta\sum_a\pi_\theta(a\mid s)=\nabla_\theta1=0$$",
               note="each term is the derivative of the probability; the next step exchanges sum and derivative for any "
                    "number of actions.")
    d.identity("... and the sum of the derivatives is the derivative of the sum",
               sp.Derivative(sp.Sum(pa(a, theta), (a, 1, K)), theta).doit(), sp.Sum(sp.diff(pa(a, theta), theta), (a, 1, K)),
               shown=r"$$\frac{\partial}{\partial\theta}\sum_{a=1}^{K}\pi_\theta(a\mid s)=\sum_{a=1}^{K}\frac{\partial\pi_\theta(a\mid s)}{\partial\theta}$$",
               note=r"for a symbolic number $K$ of actions; the probabilities sum to 1 whatever $\theta$, so this is 0.")
    gam = sp.Symbol("gamma", positive=True)
    d.identity("Causality: split the return at the action's step", sp.Sum(gam**k * r_f(k), (k, 0, t - 1)) + sp.Sum(gam**k * r_f(k), (k, t, H - 1)),
               sp.Sum(gam**k * r_f(k), (k, 0, H - 1)),
               shown=r"$$\sum_{k=0}^{H-1}\gamma^kr_k=\sum_{k<t}\gamma^kr_k+\gamma^t\sum_{k\ge t}\gamma^{k-t}r_k=\sum_{k<t}\gamma^kr_k+\gamma^tG_t$$",
               note=r"Given the history up to $s_t$, the rewards $r_k$, $k<t$, are fixed, so by the lemma "
                    r"$\mathbb E\big[\nabla\log\pi_\theta(a_t\mid s_t)\sum_{k<t}\gamma^kr_k\big]=\mathbb E\big[\sum_{k<t}\gamma^kr_k\,"
                    r"\mathbb E[\nabla\log\pi_\theta(a_t\mid s_t)\mid s_t]\big]=0$: the reward-to-go estimator "
                    r"$\sum_t\gamma^t\nabla\log\pi_\theta(a_t\mid s_t)G_t$ has the same mean, with its leading $\gamma^t$ (dropping "
                    "it changes the objective).")
    b = sp.Symbol("b", real=True)
    ra = sp.Function("q")
    d.identity(r"Baselines: subtracting $b(s)$ changes nothing in expectation",
               pa(a, theta) * sp.diff(sp.log(pa(a, theta)), theta) * (ra(a) - b) - pa(a, theta) * sp.diff(sp.log(pa(a, theta)), theta) * ra(a),
               -b * sp.diff(pa(a, theta), theta),
               shown=r"$$\sum_a\pi_\theta(a\mid s)\nabla\log\pi_\theta(a\mid s)\big(q(a)-b\big)-\sum_a\pi_\theta(a\mid s)"
                     r"\nabla\log\pi_\theta(a\mid s)\,q(a)=-b\sum_a\nabla\pi_\theta(a\mid s)=0$$",
               note="for any b that does not depend on the action (a batch mean that includes the rollout itself does, "
                    "which the checker catches).")
    xi_f, S_sc = sp.Function("xi"), sp.Symbol("S", real=True)
    d.identity("E15: zero-mean noise adds nothing to the mean",
               S_sc * sp.Sum(gam**k * (r_f(k) + xi_f(k)), (k, 0, H - 1)).expand(),
               S_sc * sp.Sum(gam**k * r_f(k), (k, 0, H - 1)) + S_sc * sp.Sum(gam**k * xi_f(k), (k, 0, H - 1)),
               shown=r"$$S(\tau)\sum_{k<H}\gamma^k(r_k+\xi_k)=S(\tau)\sum_{k<H}\gamma^kr_k+S(\tau)\sum_{k<H}\gamma^k\xi_k$$",
               note=r"the estimator is linear in the rewards, so with $\mathbb E[\xi_k\mid\tau]=0$ the last term has mean "
                    r"zero and the noisy mean is the clean mean; the same holds for reward-to-go, term by term.")
    d.inequality("E15 on MDPs: both estimators' exact means equal the policy gradient under noise",
                 r"$$\mathbb E\hat g=\nabla_\theta J$$", lambda: _enumerated_check("unbiased"),
                 on="every trajectory of 25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)",
               note='the full return and reward-to-go, each mean computed exactly over every trajectory, against the policy gradient theorem.')
    G, S, Xi, sig2, Gam, gradJ = sp.symbols(r"G S \Xi \sigma^2 \Gamma \nabla{J}", real=True)
    E = {Xi: 0, Xi**2: sig2 * Gam}
    expanded = sp.expand(((G + Xi) * S - gradJ) ** 2)
    averaged = sum(term.subs(E) if term.has(Xi) else term for term in sp.Add.make_args(expanded))
    d.identity("E16: the noise variance separates from the clean one",
               averaged, sp.expand((G * S - gradJ) ** 2) + sig2 * Gam * S**2,
               note=r"$\Xi=\sum_t\gamma^t\xi_t$ is independent of $\tau$ with $\mathbb E\Xi=0$ and $\mathbb E\Xi^2=\sigma^2\Gamma$, "
                    r"$\Gamma=\sum_t\gamma^{2t}$; averaging over $\tau$ gives $V_0+\sigma^2\Gamma G_2$ per rollout, over $K$ rollouts $1/K$ of it.",
               shown=r"$$\mathbb E_\Xi\big((G+\Xi)S-\nabla J\big)^2=(GS-\nabla J)^2+\sigma^2\Gamma S^2$$")
    d.inequality("E16b: the paper's bound on the noise term holds", r"$$\sigma^2HW_H^2/(1-\gamma)^2\ge\text{exact noise weight}$$",
                 lambda: _enumerated_check("e16b"), on="25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)",
                 note="slack = bound minus exact.")
    d.inequality("E17: a state-action bias shifts the mean by the gradient of its discounted sum",
                 r"$$\mathbb E\tilde g-\nabla J=\nabla_\theta\mathbb E\sum_t\gamma^tb(s_t,a_t)$$", lambda: _enumerated_check("bias"),
                 on="25 random MDPs, S = 3, A = 2, H = 4 (exact enumeration)",
                 note="the shift does not depend on the number of rollouts.")
    bias_f = sp.Function("B")
    d.identity("E17 in one line: a bias adds its own policy gradient",
               p_f(theta) * sp.diff(sp.log(p_f(theta)), theta) * (R_f(0) + bias_f(0)) - p_f(theta) * sp.diff(sp.log(p_f(theta)), theta) * R_f(0),
               sp.diff(p_f(theta) * bias_f(0), theta),
               shown=r"$$\mathbb E\big[(R+B)\nabla\log p_\theta\big]-\mathbb E\big[R\nabla\log p_\theta\big]="
                     r"\sum_\tau B(\tau)\nabla_\theta p_\theta(\tau)=\nabla_\theta\,\mathbb E_\tau\Big[\sum_t\gamma^tb(s_t,a_t)\Big]$$",
               note=r"term by term over trajectories, with $B(\tau)=\sum_t\gamma^tb(s_t,a_t)$ not depending on $\theta$; the "
                    r"shift does not shrink with the number of rollouts, and a constant $b$ shifts nothing (the lemma).")
    h, s_, ell = sp.Symbol("h", real=True), sp.Symbol("s", nonnegative=True), sp.Symbol("ell", positive=True)
    d.identity("E20: the descent lemma's remainder", sp.integrate(ell * s_ * h**2, (s_, 0, 1)), ell * h**2 / 2,
               shown=r"$$J(\theta+h)-J(\theta)-\nabla J(\theta)^\top h=\int_0^1\big(\nabla J(\theta+sh)-\nabla J(\theta)\big)^\top h\,ds"
                     r"\ge-\int_0^1\ell s\|h\|^2ds=-\frac{\ell}{2}\|h\|^2$$",
               note=r"the first equality is the fundamental theorem of calculus along $\theta+sh$; the inequality is "
                    r"Cauchy-Schwarz with the $\ell$-Lipschitz gradient, $\|\nabla J(\theta+sh)-\nabla J(\theta)\|\le\ell s\|h\|$; "
                    "SymPy evaluates the integral.")
    d.inequality("E20: the descent lemma", r"$$J(\theta+h)\ge J(\theta)+\nabla J(\theta)^\top h-\frac{\ell}{2}\|h\|^2$$",
                 _descent_check, cite="the descent lemma for l-smooth functions (Nesterov 2004, Introductory Lectures on "
                 "Convex Optimization, Lemma 1.2.3)", on="2,000 random l-smooth functions (quadratics plus sines) and steps")
    g2, tr, eta = sp.symbols(r"\|\nabla{J}\|^2 \mathrm{tr}\,\mathrm{Cov}\,\hat{g} eta", positive=True)
    gain = eta * g2 - ell * eta**2 / 2 * (g2 + tr)
    d.identity(r"E20: the expected one-step gain with $h=\eta\hat g$",
               sp.expand(gain), sp.expand(eta * g2 - ell * eta**2 / 2 * g2 - ell * eta**2 / 2 * tr),
               shown=r"$$\mathbb E\big[J(\theta+\eta\hat g)\big]-J(\theta)\ge\eta\|\nabla J\|^2-\frac{\ell\eta^2}{2}"
                     r"\big(\|\nabla J\|^2+\mathrm{tr}\,\mathrm{Cov}\,\hat g\big)$$",
               note=r"with $\mathbb E\hat g=\nabla J$ and $\mathbb E\|\hat g\|^2=\|\nabla J\|^2+\mathrm{tr\,Cov}\,\hat g$: at a fixed "
                    "step size the gain falls with the variance, so the price with the smallest MSE (E18) is the best for one step.")
    return d
