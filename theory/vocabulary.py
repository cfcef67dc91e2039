r"""The vocabulary: every concept a user can name, with its one name on every surface.

Each :class:`Concept` has **one name**, used as the JSON key, as the explorer's query key and (with
hyphens) as the command-line flag, plus the Python name where the code follows the maths (``K_f`` for
``lip_dyn``), the LaTeX symbol, the paper's symbol and a one-line meaning. The command line's options
(:func:`theory.commands.option`), the explorer's controls (:data:`theory.explorer.PARAMETERS`) and the
notation map of ``docs/theory.md`` section 0 (:func:`notation_table`) are generated from :data:`CONCEPTS`;
``tests/face/test_vocabulary.py`` walks every flag, every JSON key of every command and every query key
and resolves each here, and checks that no name means two things.

Old names kept for this release are listed per concept with the surface they belong to (``"flag"`` or
``"query"``) and, for a flag, the commands where the old spelling is accepted: using one prints a
one-line notice naming the new one. This module imports nothing heavy (no SymPy): the command line
reads it before its first computation.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONCEPTS", "Concept", "OldName", "concept", "notation_table", "write_notation"]


@dataclass(frozen=True)
class OldName:
    """A name replaced in this release, still accepted with a notice.

    Parameters
    ----------
    name : str
        The old spelling (a flag without its dashes, or a query key).
    surface : str
        ``"flag"`` or ``"query"``.
    commands : tuple of str
        For a flag, the commands that accept the old spelling (empty: every command with the concept).
    """

    name: str
    surface: str
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """One concept and its names (``docs/theory.md`` section 0, the notation map).

    Parameters
    ----------
    name : str
        The one name: JSON key, query key, and the flag ``--name-with-hyphens``.
    meaning : str
        One line, shown as the flag's help and in the notation map.
    surfaces : str
        Where the concept appears: any of ``"f"`` (a command-line flag), ``"j"`` (a JSON key),
        ``"q"`` (an explorer query key).
    python : str or None
        The Python name where it differs from ``name`` (the maths' name, as in ``K_f=``).
    latex : str or None
        The symbol in ``docs/theory.md``.
    paper : str or None
        The symbol in the paper, where it differs.
    old : tuple of OldName
        Names replaced in this release.
    keys : str or None
        For a JSON object whose keys are not concepts themselves: ``"data"`` (quantiles, statements,
        stage names) or ``"concepts"`` (its keys are concept names, as in an elasticity by constant).
    """

    name: str
    meaning: str
    surfaces: str = "j"
    python: str | None = None
    latex: str | None = None
    paper: str | None = None
    old: tuple[OldName, ...] = ()
    keys: str | None = None

    @property
    def flag(self) -> str | None:
        """``--name-with-hyphens`` when the concept is a command-line option, else ``None``."""
        return "--" + self.name.replace("_", "-") if "f" in self.surfaces else None

    @property
    def json_key(self) -> str | None:
        """The JSON key (the name), or ``None`` when the concept is never in a JSON result."""
        return self.name if "j" in self.surfaces else None

    @property
    def query_key(self) -> str | None:
        """The explorer's query key (the name), or ``None`` when the page has no such control."""
        return self.name if "q" in self.surfaces else None

    def old_flags(self, command: str) -> list[str]:
        """Old spellings of the flag accepted by ``command``, with their dashes."""
        return ["--" + o.name.replace("_", "-") for o in self.old
                if o.surface == "flag" and (not o.commands or command in o.commands)]


def _flag(name: str, *commands: str) -> OldName:
    return OldName(name, "flag", commands)


def _query(name: str) -> OldName:
    return OldName(name, "query")


C = Concept
CONCEPTS: tuple[Concept, ...] = (
    # -- the command line itself
    C("help", "show the options and exit", "f"),
    C("version", "print the version and exit", "f"),
    C("json", "print one JSON object instead of a table", "f"),
    C("debug", "show the traceback of an unexpected error", "f"),
    # -- the MDP and the bound (docs/theory.md sections 0 and 1)
    C("gamma", "discount factor gamma, in [0, 1]", "fjq", latex=r"\gamma"),
    C("horizon", "horizon H: a whole number >= 1, or inf", "fjq", python="H", latex="H",
      old=(_query("H"),)),
    C("lip_dyn", "Lipschitz constant K_f of the dynamics model (W1 sense)", "fjq", python="K_f", latex="K_f",
      paper="L_f", old=(_query("K_f"),)),
    C("lip_rew", "Lipschitz constant K_r of the reward model", "fjq", python="K_r", latex="K_r", paper="L_r",
      old=(_query("K_r"),)),
    C("lip_pi", "Lipschitz constant K_pi of the policy", "fjq", python="K_pi", latex=r"K_\pi", paper=r"L_\pi",
      old=(_query("K_pi"),)),
    C("L", "closed-loop dynamics constant: K_f (1 + K_pi), or Lip(P_pi) exactly on a finite MDP", latex="L"),
    C("K_rpi", "closed-loop reward constant: K_r (1 + K_pi), or Lip(r_pi) exactly on a finite MDP",
      latex=r"K_{r\pi}"),
    C("L_pair", "the two states whose ratio attains L"),
    C("K_rpi_pair", "the two states whose ratio attains K_rpi"),
    C("eps_dyn", "one-step dynamics error eps_dyn, sup over (s, a) of W1(P_hat, P)", "fjq", latex=r"\varepsilon_{dyn}",
      paper=r"\epsilon_f"),
    C("eps_rew", "one-step reward error eps_rew, sup over (s, a) of |r_hat - r|", "fjq", latex=r"\varepsilon_{rew}",
      paper=r"\epsilon_r"),
    C("eps_dyn_mean", "mean one-step dynamics error on the data's state-action distribution"),
    C("eps_rew_mean", "mean one-step reward error on the data's state-action distribution"),
    C("eps_dyn_max", "largest one-step dynamics error in the data (a lower bound on eps_dyn)"),
    C("eps_rew_max", "largest one-step reward error in the data (a lower bound on eps_rew)"),
    C("c_dyn", "coefficient of eps_dyn in the bound (E3)", "fj", python="C_dyn", latex="C_{dyn}"),
    C("c_rew", "coefficient of eps_rew in the bound (E3)", "fj", python="C_rew", latex="C_{rew}"),
    C("bound", "the return-error bound B = C_rew eps_rew + C_dyn eps_dyn (E3)", latex="B"),
    C("reward_term", "the bound's reward term C_rew eps_rew"),
    C("dynamics_term", "the bound's dynamics term C_dyn eps_dyn"),
    C("reward_share", "the reward term's share of the bound"),
    C("dynamics_share", "the dynamics term's share of the bound"),
    C("finite", "whether the bound is finite"),
    C("latex", "also print the closed form in LaTeX", "f"),
    C("gamma_L", "gamma L: at an infinite horizon the bound is finite only below 1"),
    # -- sensitivity (E6)
    C("partials", "partial derivatives of the bound, by constant", keys="concepts"),
    C("elasticity", "elasticities d log B / d log x of the bound, by constant (E6)", keys="concepts"),
    C("drop_per_percent", "relative drop of the bound when a constant falls by 1%, by constant", keys="concepts"),
    C("lower_first", "the constant whose 1% decrease lowers the bound most"),
    C("sensitivities", "the sensitivity of the bound to each constant (E6)"),
    # -- scaling laws and the split (section 2)
    C("budget", "budget N = price_dyn n_dyn + price_rew n_rew, spent on dynamics samples and reward labels (E8)",
      "fjq", python="N", latex="N", old=(_query("N"),)),
    C("price_dyn", "price kappa_d of one dynamics sample", "fjq", python="kappa_d", latex=r"\kappa_d",
      old=(_query("kappa_d"),)),
    C("price_rew", "price kappa_r of one reward label", "fjq", python="kappa_r", latex=r"\kappa_r",
      old=(_query("kappa_r"),)),
    C("prices", "the two prices (price_dyn, price_rew)", python="Prices"),
    C("a_dyn", "coefficient a_d of the dynamics error law eps_dyn = e_d + a_d n_d^-alpha_d (E7)", "fjq",
      python="a_d", latex="a_d", old=(_query("a_d"),)),
    C("alpha_dyn", "exponent alpha_d of the dynamics error law", "fjq", python="alpha_d", latex=r"\alpha_d",
      old=(_query("alpha_d"),)),
    C("e_dyn", "floor of the dynamics error law (does not move the optimum)", "f", python="e_d", latex="e_d"),
    C("a_rew", "coefficient a_r of the reward error law eps_rew = e_r + a_r n_r^-alpha_r (E7)", "fjq",
      python="a_r", latex="a_r", old=(_query("a_r"),)),
    C("alpha_rew", "exponent alpha_r of the reward error law", "fjq", python="alpha_r", latex=r"\alpha_r",
      old=(_query("alpha_r"),)),
    C("e_rew", "floor of the reward error law (does not move the optimum)", "f", python="e_r", latex="e_r"),
    C("law", "a power law error = e + a n^-alpha: its a, alpha and e", python="PowerLaw"),
    C("a", "coefficient of a power law error = e + a n^-alpha", python="PowerLaw.a"),
    C("alpha", "exponent of a power law error = e + a n^-alpha", python="PowerLaw.alpha", latex=r"\alpha"),
    C("e", "floor of a power law error = e + a n^-alpha", python="PowerLaw.e"),
    C("dyn", "the dynamics model's entry of a pair (a law, a fit)"),
    C("rew", "the reward model's entry of a pair (a law, a fit)"),
    C("laws", "the two error laws, dyn and rew"),
    C("fits", "the fitted error laws with their intervals: dyn and rew, or one per regime and measure of the regime map"),
    C("dyn_csv", "fit the dynamics law to this CSV (columns n,error)", "f"),
    C("rew_csv", "fit the reward law to this CSV (columns n,error)", "f"),
    C("n_dyn", "number of dynamics samples (transitions); column n_d of a learning-curve CSV", "fj", python="n_d",
      latex="n_d", paper="N_f", old=(_flag("samples_dyn", "verify-bound"),)),
    C("n_rew", "number of reward labels; column n_r of a learning-curve CSV", "fj", python="n_r", latex="n_r",
      paper="N_r", old=(_flag("samples_rew", "verify-bound"),)),
    C("share_dyn", "share of the budget spent on dynamics samples, price_dyn n_dyn / budget", latex="x"),
    C("sample_ratio", "n_dyn / n_rew at the optimum (E10)"),
    C("sample_ratio_ci", "bootstrap interval of sample_ratio"),
    C("share_dyn_ci", "bootstrap interval of share_dyn"),
    C("integer", "whole numbers of samples (or of rollouts)", "fj"),
    C("corner", "where the optimum sits in the range searched: null inside it, \"low\" or \"high\" at an end"),
    C("iterations", "iterations the solver took"),
    C("residual", "residual of the optimality condition at the answer"),
    C("success", "whether the solver reached its answer, or the check held"),
    C("message", "what the solver or the check has to say, in words"),
    C("split", "the optimal split of the next budget (E9-E11)"),
    C("advice", "where to spend the next budget, from the learning curves"),
    C("floor", "fit an error floor e too (robust Huber fit)", "fj"),
    C("ci", "confidence intervals [low, high] of a fit's parameters", keys="concepts"),
    C("level", "confidence level of the intervals", "fj"),
    C("points", "number of (n, error) points fitted"),
    C("bootstrap", "bootstrap replicates (0: no intervals)", "fj"),
    C("seed", "seed of the random numbers", "f"),
    C("seed_count", "number of seeds (independent repetitions)", "fj", old=(_flag("seeds", "verify-allocation"),)),
    # -- the allocation check
    C("coefficients", "the bound's coefficients, global and realised"),
    C("global", "with the global (worst-case) constants of E3"),
    C("realised", "with the realised sensitivities of this MDP's return to each error"),
    C("predicted", "the splits the bound predicts, global and realised"),
    C("empirical_best", "the split with the smallest measured return error"),
    C("curve", "the measured return error at each share on the grid"),
    C("return_error", "measured |J - J_hat| at a split, mean over seeds"),
    C("return_error_se", "standard error of return_error"),
    C("suboptimality", "J* - J of the policy planned in the learned model, mean over seeds"),
    # -- your own model (section 7)
    C("data", "transitions with the model's predictions (.npz or CSV; - for standard input)", "f"),
    C("curves", "CSV of learning curves: columns n_d,eps_dyn and/or n_r,eps_rew (E12)", "f"),
    C("multiple", "how many times the bound may exceed the return's scale before it is called vacuous", "fj"),
    C("n", "number of transitions in the data"),
    C("value", "the number itself"),
    C("kind", "what a number or a line is: estimate, lower bound, exact, checked, measured, compared"),
    C("interval", "confidence interval [low, high]"),
    C("lipschitz", "the Lipschitz estimates, by constant", keys="concepts"),
    C("pair", "the two data points whose ratio attains the estimate"),
    C("pairs", "number of pairs of data points examined"),
    C("local_quantiles", "quantiles of the pairwise ratios among near neighbours, by quantile", keys="data"),
    C("method", "how the pairs were chosen"),
    C("vacuous", "whether the bound exceeds multiple times the return's scale"),
    C("horizon_max", "the longest horizon at which the bound is not vacuous"),
    C("horizon_max_is_inf", "whether horizon_max is infinite (JSON has no infinity)"),
    # -- noisy rewards in REINFORCE (section 4)
    C("rollout_budget", "budget B = rollouts (price + c0) for rollouts with noisy reward labels (section 4)", "fjq",
      python="BudgetProblem.budget", latex=r"\mathcal{B}", old=(_flag("budget", "noise-budget"),)),
    C("price", "price of one rollout's reward labels", latex="c"),
    C("price_min", "cheapest price of one rollout's labels searched", "fjq", latex=r"c_{min}", old=(_query("cmin"),)),
    C("price_max", "dearest price of one rollout's labels searched", "fjq", latex=r"c_{max}", old=(_query("cmax"),)),
    C("noise", "how the label noise depends on its price: power, floor, bounded, averaging or menu", "fjq",
      python="NoiseFamily", latex=r"\sigma^2(c)", old=(_query("family"),)),
    C("v0", "variance of one rollout's clean gradient estimate", "fjq", python="V_0", latex="V_0",
      old=(_query("V0"),)),
    C("w", "noise weight: the gradient variance added per unit of label noise variance (E16)", "fjq", python="W",
      latex="W", old=(_query("W"),)),
    C("c0", "imagination (compute) cost per rollout", "fjq", python="c_0", latex="c_0"),
    C("A", "scale of the noise: sigma^2 = A c^-p (power) or sigma2_floor + A / c (floor)", "fjq", latex="A"),
    C("p", "exponent of the power noise family sigma^2 = A c^-p", "fjq", latex="p"),
    C("sigma2_floor", "noise floor of the floor family", "fjq", python="sigma2_f", latex=r"\sigma_f^2",
      old=(_query("sigma2_f"),)),
    C("sigma2_0", "noise variance at price 0 of the bounded family", "fjq", latex=r"\sigma_0^2"),
    C("price_perfect", "price at which the bounded family's labels are noise-free", "fjq", python="c_max",
      latex=r"c_{perfect}", old=(_query("c_perfect"),)),
    C("sigma2_1", "variance of one label of the averaging family", "fjq", latex=r"\sigma_1^2"),
    C("k", "price of one label of the averaging family", "fjq", latex="k"),
    C("offer", "a menu's offers, PRICE:SIGMA2 each", "f"),
    C("sigma2", "variance of the label noise at the chosen price", latex=r"\sigma^2"),
    C("rollouts", "number of rollouts", "fj", latex="n"),
    C("mse", "mean squared error of the gradient estimate at the chosen price (E18)"),
    C("closed_form_price", "the price from the closed form, where the family has one (E19)"),
    C("noise_only_price", "the price that minimises the noise term alone (the paper's reduction)"),
    C("noise_only_corner", "the corner of noise_only_price"),
    C("noise_only_mse", "the full objective's MSE at noise_only_price"),
    # -- the REINFORCE checker (E15-E17)
    C("estimator", "REINFORCE estimator: full return or reward-to-go", "fj"),
    C("engine", "the rollout engine: numpy, numba (the fast extra) or auto", "fj"),
    C("noise_sd", "standard deviation of the zero-mean noise on each reward", "fj", latex=r"\sigma",
      old=(_flag("sigma", "check-reinforce", "verify-bound", "bounds"),)),
    C("noise_distribution", "distribution of the reward noise"),
    C("bias", "a constant added to every reward (E17: it shifts nothing)", "fj"),
    C("significance", "family-wise significance level of the z-tests"),
    C("exact_grad", "exact policy gradient of the true MDP (E15)"),
    C("expected_mean", "exact mean of the estimator under the reward noise and bias"),
    C("mc_grad", "Monte Carlo mean of the estimator"),
    C("max_abs_z", "largest |z| of mc_grad against expected_mean"),
    C("z_crit", "Bonferroni threshold of |z| at the significance level"),
    C("unbiased", "whether no component of mc_grad rejects the exact gradient at the significance level"),
    C("variance_exact", "exact variance of the estimator, summed over components (E16)"),
    C("variance_mc", "Monte Carlo variance of the estimator, summed over components"),
    C("batch_sizes", "the batch sizes N of the variance sweep"),
    C("trace_by_N", "the measured covariance trace of batch means, at each batch size (E16)"),
    C("exact_by_N", "the covariance trace of batch means by E16, at each batch size"),
    C("slope_N", "the fitted log-log slope of the trace in N (E16: -1)"),
    C("trace_by_sigma2", "the measured single-rollout covariance trace, at each noise variance"),
    C("exact_by_sigma2", "the exact single-rollout covariance trace, at each noise variance"),
    C("slope_sigma2", "the fitted slope of the trace in the noise variance"),
    C("noise_weight_exact", "the exact noise weight: the trace's slope in the noise variance (E16)"),
    C("Gamma_G2", "Gamma G_2, the full return's noise weight (E16)"),
    C("cov_trace_clean", "the clean single-rollout covariance trace V_0"),
    C("sigma_ref", "the noise standard deviation of the batch-size sweep"),
    # -- the lab (finite MDPs, files, sweeps)
    C("mdp_file", "an MDP as .npz: keys P, R, D, gamma, horizon (-1 = inf), optional mu, pi", "f"),
    C("model_file", "the model as an MDP file of the same shape", "f"),
    C("trajectory_file", ".npy latent trajectories, shape (T, d) or (batch, T, d)", "f"),
    C("mdps", "how many MDPs (random ones, or repetitions on the file's)", "f"),
    C("learn", "learn the model from N_D transitions and N_R reward labels", "f"),
    C("J", "exact return of the policy"),
    C("J_model", "exact return of the policy in the model"),
    C("J_uniform_policy", "exact return of the uniform policy"),
    C("gap", "exact return gap |J - J_model|"),
    C("levels", "each bound on the gap, from the exact gap to the classical bound"),
    C("name", "the name of an item (a level, a derivation, an environment, a line)"),
    C("looseness", "a level divided by the exact gap"),
    C("holds", "whether a level is at least the exact gap"),
    C("orderings", "each ordering between levels the theory proves, as checked here", keys="data"),
    C("identity_residual", "residual of the simulation identity, relative to the returns' scale"),
    C("states", "number of states"),
    C("actions", "number of actions"),
    C("start_states", "the states the initial distribution puts mass on"),
    C("cases", "number of (MDP, model) cases"),
    C("violations", "cases where |J - J_hat| exceeds the bound"),
    C("infinite_bounds", "cases whose bound is infinite"),
    C("max_ratio", "largest |J - J_hat| / B over the cases"),
    C("median_ratio", "median of |J - J_hat| / B over the cases"),
    C("ratio_quantiles", "quantiles of |J - J_hat| / B, by quantile", keys="data"),
    C("learned_constants_tighter", "fraction of cases where the learned model's constants give the smaller bound"),
    C("samples", "the (n_dyn, n_rew) given, or null for the default sweep"),
    C("family", "the family of random systems calibrated: lipschitz, lq or lqg"),
    C("per_config", "the median overestimation bound/gap per (gamma, horizon) configuration"),
    # -- MBPO's branched rollouts (section 7)
    C("k_star", "the real minimiser of MBPO's penalty over the rollout length"),
    C("k_best", "the whole rollout length with the smallest penalty"),
    C("penalty", "MBPO's penalty C(k) at each whole rollout length k"),
    C("errors", "the exact error at each item (rollout length, size); for the neural experiment, by name", keys="data"),
    C("k_best_true", "the rollout length with the smallest exact error"),
    C("k_best_bound", "the rollout length with the smallest penalty"),
    C("eps_pi", "policy shift of MBPO's penalty"),
    C("eps_model", "model error of MBPO's penalty"),
    # -- LQG levels and allocation (section 6)
    C("identity", "the simulation identity's value, from second moments"),
    C("value_aware", "the on-policy value-aware level, by Monte Carlo"),
    C("value_aware_se", "its standard error"),
    C("infinite_levels", "the levels that are infinite on an unbounded state space"),
    C("best_ratio", "the measured best n_d / n_r of each system"),
    C("global_ratio", "n_d / n_r predicted with the exact closed-loop constants"),
    C("realised_ratio", "n_d / n_r predicted with the realised sensitivities"),
    C("structured_ratio", "n_d / n_r predicted with the structured constants K_f (1 + K_pi)"),
    C("global_factor", "factor between global_ratio and best_ratio"),
    C("realised_factor", "factor between realised_ratio and best_ratio"),
    C("structured_factor", "factor between structured_ratio and best_ratio"),
    C("exponents", "the fitted alpha_dyn and alpha_rew of each system"),
    # -- the equal-budget and straightening experiments
    C("rollouts_per_step", "rollouts each training step buys at each price"),
    C("optimum", "the best return of a deterministic stationary policy, by enumeration"),
    C("mean_return_over_run", "mean return over the run at each price (area under the learning curve)"),
    C("final_return", "mean return at the last step, at each price"),
    C("fastest", "the price whose run has the largest mean return"),
    C("encoder", "the latent encoder of the straightening experiment"),
    C("true_error", "the measured multi-step error"),
    # -- the neural scaling experiment
    C("sizes", "the dataset sizes of the grid"),
    C("steps", "training steps per student"),
    C("shares_by_budget", "the optimal dynamics share at each budget", keys="data"),
    C("reward_falls_faster", "whether the reward error's exponent exceeds the dynamics error's"),
    C("largest_n", "train and held-out errors at the largest size", keys="data"),
    C("split_check", "students trained at the bound-optimal split and at others, with the bound they measure"),
    C("measured_bound", "the bound with measured errors at a split"),
    C("bound_optimal", "whether a split is the bound-optimal one"),
    C("other_measures", "the laws fitted with the other error measures, by measure", keys="data"),
    # -- the regime map of the teacher-student experiment
    C("regime", "one cell of the regime map: label noise, teacher width, intrinsic dimension, training steps"),
    C("label_noise", "standard deviation of the noise on the training labels, relative to the target's"),
    C("teacher_width", "hidden width of the teacher network (the student's is 64)"),
    C("intrinsic_dim", "how many of its inputs the teacher reads"),
    C("specification", "the student against the teacher: under-, well- or over-specified"),
    C("predicted_exponents", "the exponents theory predicts: parametric, nonparametric, approximation-limited"),
    C("parametric", "the parametric rate: MSE exponent 1 with label noise and a student that can represent the teacher"),
    C("nonparametric", "the minimax rate of a Lipschitz target in k dimensions: MSE exponent 2 / (2 + k) with label noise, 2 / k without"),
    C("approximation", "an under-specified student's error tends to a floor: exponent 0"),
    C("fit", "a fitted power law with its intervals, or null where the fit failed"),
    C("agreeing", "the regime-map fits whose intervals contain both the paper's exponent and coefficient"),
    C("workers", "run the tasks in this many local processes", "f"),
    C("scheduler", "run on a Dask distributed scheduler at this address", "f"),
    C("results", "append each finished task to this JSON-lines file; rerun to resume", "f"),
    # -- curvature (E14)
    C("mean_curvature", "mean curvature 1 - cos between consecutive steps (E14)"),
    C("per_step", "curvature at each step"),
    C("per_trajectory_mean", "mean curvature of each trajectory"),
    # -- derivations, the explorer, reproduce
    C("format", "md (Markdown) or tex (a LaTeX fragment)", "f"),
    C("standalone", "with --format tex: a complete document pdflatex compiles", "f"),
    C("list", "list the derivations with the labels they cover", "f"),
    C("derivations", "the checked derivations"),
    C("labels", "the theory's labels a derivation covers"),
    C("kinds", "how many steps of each kind (proved, cited, numeric, definition)", keys="data"),
    C("out", "the file or folder to write", "f"),
    C("path", "the file written"),
    C("bytes", "its size in bytes"),
    C("limit_bytes", "the size it must stay under"),
    C("external", "what the page would fetch from elsewhere (empty)"),
    C("derivations_out", "folder for the checked derivations written by reproduce", "f",
      old=(_flag("derivations", "reproduce"),)),
    C("quick", "small sweeps: seconds, for a first look and the tests", "f"),
    C("full", "publication grade: the large grids and the slow experiments", "f"),
    C("only", "run only these stages", "f"),
    C("measure", "error measure to fit: mean, sup, mse or rmse; the regime map adds relative (the MSE over the target's variance)", "fj"),
    C("lines", "the report's lines: each check, measurement and comparison"),
    C("detail", "what a line says, in words"),
    C("held", "whether a checked line's criteria all held"),
    C("numbers", "the numbers behind a line, by name", keys="data"),
    C("criteria", "the computed criteria of a checked line"),
    C("rule", "a criterion's rule"),
    C("statement", "a criterion in words, with its numbers"),
    C("paper", "the paper's numbers beside ours"),
    C("quantity", "what a compared line measures"),
    C("ours", "our number"),
    C("ratio", "our number over the paper's"),
    C("agree", "whether ours agrees with the paper's, by the line's criterion"),
    C("why", "why they agree or differ"),
    C("paper_table", "every compared line: the paper's number beside ours"),
    C("out_dir", "the folder the figures were written to"),
    C("derivations_dir", "the folder the derivations were written to"),
    C("size", "the run's size: quick, default or full"),
    C("cpu_seconds", "CPU seconds of each stage in the main process (with --workers or --scheduler the workers' share is not counted)", keys="data"),
    C("url", "the page's file:// address"),
    C("checked", "number of checked lines"),
    C("measured", "number of measured lines"),
    C("compared", "number of compared lines"),
    C("failed", "number of checked lines that failed"),
    C("stages", "the stages run, with their seconds", keys="data"),
    C("figures", "the figures written"),
    C("exit_code", "the process's exit status"),
)
del C

_BY_NAME: dict[str, Concept] = {c.name: c for c in CONCEPTS}


def concept(name: str) -> Concept:
    """The concept called ``name``.

    Parameters
    ----------
    name : str
        Its one name (a JSON key, a query key, or a flag without dashes and with underscores).

    Returns
    -------
    Concept
        The registry's entry.

    Raises
    ------
    KeyError
        When the vocabulary has no such concept (the message names ``theory/vocabulary.py``).

    References
    ----------
    ``docs/theory.md`` section 0, the notation map (generated from this registry).
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not in the vocabulary (theory/vocabulary.py)") from None


def notation_table() -> str:
    """The notation map of ``docs/theory.md`` section 0: every concept with a LaTeX symbol, as a Markdown table
    (paper, here, Python, flag or key, meaning)."""
    rows = ["| paper | here | Python | command line, JSON, explorer | meaning |", "|---|---|---|---|---|"]
    for c in CONCEPTS:
        if c.latex is None:
            continue
        paper = f"${c.paper}$" if c.paper else ""
        names = ", ".join(f"`{n}`" for n in (c.flag, c.name if c.surfaces != "f" else None) if n)
        meaning = c.meaning.replace("|", "\\|")
        rows.append(f"| {paper} | ${c.latex}$ | `{c.python or c.name}` | {names} | {meaning} |")
    return "\n".join(rows)


NOTATION_START = "<!-- notation map: generated from theory/vocabulary.py -->"
NOTATION_END = "<!-- end of notation map -->"


def write_notation(path) -> None:
    """Replace the notation map between the markers of the theory document at ``path`` with
    :func:`notation_table` (``tests/face/test_vocabulary.py`` holds the document to it)."""
    from pathlib import Path

    p = Path(path)
    text = p.read_text(encoding="utf-8")
    head, rest = text.split(NOTATION_START, 1)
    _, tail = rest.split(NOTATION_END, 1)
    p.write_text(f"{head}{NOTATION_START}\n{notation_table()}\n{NOTATION_END}{tail}", encoding="utf-8")
