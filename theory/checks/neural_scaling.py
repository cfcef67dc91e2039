r"""The paper's scaling-law measurement with torch-free neural models (``docs/theory.md`` E7, E12, section 6).

Teacher: frozen random networks (two ReLU layers of 64 units, weights standard normal, zero biases) on
$x=[s,a]$ with $d_s=12$, $d_a=4$: dynamics $s'=\tanh(f_{dyn}(x))$, reward $r=f_{rew}(x)/\sqrt{64}$. Data:
episodes of uniformly random actions in $[-1,1]^4$ from $s_0\sim\mathcal N(0,I)$ through the teacher
dynamics. Students: the same architecture (He-initialised), trained by minibatch Adam.

Error measures on held-out transitions (``measure`` picks the fitted one, another is reported beside):
``"mean"``: $\mathbb E\|\hat s'-s'\|_2$ and $\mathbb E|\hat r-r|$; ``"sup"``: the maximum of the same over
the held-out set (a sample proxy of $\varepsilon_{dyn}$, $\varepsilon_{rew}$, which are sups); ``"mse"``: the
mean squared error per output coordinate (the training loss; squared, so its exponent is about twice
the mean-style one); ``"rmse"``: its square root.

All students of a run (every sample size, seed and both models) train together as one stacked model
for the same number of Adam steps, so each size sees ``steps * batch / n`` epochs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.mdp import neural as NN
from theory.maths.allocation import Prices, optimal_split
from theory.maths.scaling import FitError, fit_power_law
from theory.results import Result

D_S, D_A, HIDDEN = 12, 4, 64
MEASURES = ("mean", "sup", "mse", "rmse")


@dataclass(frozen=True)
class ScalingExperiment(Result):
    """The teacher-student measurement (``docs/theory.md`` E7, E12, section 6) and the allocation it implies.

    Parameters
    ----------
    fits : dict
        ``"dyn"`` and ``"rew"`` to the fitted error laws (:class:`~theory.maths.scaling.PowerLawFit`) on
        ``measure``.
    share_dyn : float
        The bound-optimal dynamics share at the first budget.
    shares_by_budget : dict
        The optimal share at each budget (keys are the budgets as text).
    reward_falls_faster : bool
        Whether the reward exponent exceeds the dynamics exponent.
    message : str
        Whether the exponents can be told apart, judged by their intervals.
    measure : str
        The error measure fitted.
    sizes : list of int
        The dataset sizes of the grid.
    seed_count : int
        Independent replicates per size.
    steps : int
        Adam steps per student.
    errors : dict
        Every measured error, by ``{dyn,rew}_{measure}`` and ``{dyn,rew}_train``, with the sizes ``n``.
    largest_n : dict
        Train and held-out errors at the largest size.
    prices : list of float
        Price of a dynamics sample and of a reward label.
    c_dyn, c_rew : float
        The bound's coefficients used for the split.
    split_check : list of dict
        Students trained at the bound-optimal split and at others: ``budget``, ``share_dyn``, ``n_d``, ``n_r``,
        ``measured_bound``, ``bound_optimal``.
    other_measures : dict
        The laws fitted on the other measures: ``"dyn"`` and ``"rew"`` fits, or a ``message`` where a fit failed.
    success : bool
        True: a fit that fails on ``measure`` raises instead.
    """

    fits: dict
    share_dyn: float
    shares_by_budget: dict
    reward_falls_faster: bool
    message: str
    measure: str
    sizes: list
    seed_count: int
    steps: int
    errors: dict
    largest_n: dict
    prices: list
    c_dyn: float
    c_rew: float
    split_check: list
    other_measures: dict
    success: bool = True


@dataclass(frozen=True)
class Teacher:
    dyn: NN.MLP
    rew: NN.MLP

    def step(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``x (B, 16)`` -> next states ``(B, 12)`` and rewards ``(B,)``."""
        return NN.forward(self.dyn, x[None])[0], NN.forward(self.rew, x[None])[0, :, 0]


def make_teacher(rng: np.random.Generator) -> Teacher:
    return Teacher(NN.init(1, D_S + D_A, HIDDEN, D_S, "tanh", rng, teacher=True),
                   NN.init(1, D_S + D_A, HIDDEN, 1, "scaled", rng, teacher=True))


def episodes(teacher: Teacher, n: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` transitions from episodes of ``length`` random actions: inputs ``[s, a]``, next states, rewards."""
    if int(length) != length or length < 1:
        raise V.InputError(f"episode length must be an integer >= 1, got {length}")
    count = -(-int(n) // int(length))
    s = rng.standard_normal((count, D_S))
    xs, ys, rs = [], [], []
    for _ in range(int(length)):
        x = np.concatenate([s, rng.uniform(-1, 1, (count, D_A))], 1)
        s, r = teacher.step(x)
        xs.append(x); ys.append(s); rs.append(r)  # noqa: E702
    order = np.arange(count * int(length)).reshape(int(length), count).T.ravel()  # episode by episode
    X, Y, Rw = (np.concatenate(a)[order][: int(n)] for a in (xs, ys, rs))
    return X, Y, Rw


def errors(net: NN.MLP, X: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
    """Per-model mean and sup of the held-out error (L2 norm per transition, or absolute for rewards), taken
    in float64 whatever the networks' precision."""
    W1 = net.params["W1"]
    pred = NN.forward(net, np.broadcast_to(np.asarray(X, W1.dtype), (W1.shape[0],) + X.shape)).astype(float)
    t = target if target.ndim == 2 else target[:, None]
    e = np.linalg.norm(pred - t[None], axis=2)
    mse = (e**2).mean(1) / t.shape[1]
    return {"mean": e.mean(1), "sup": e.max(1), "mse": mse, "rmse": np.sqrt(mse)}


@dataclass(frozen=True)
class Config:
    sizes: tuple[int, ...]
    seeds: int
    steps: int
    episode_length: int = 10
    test: int = 4000
    batch: int = 256
    lr: float = 1e-3

    schedule: str = "constant"  # or "cosine": the learning rate decays to 1% along a cosine
    validation: float = 0.0  # share of each training set held out for early stopping (0: none)
    split_shares: tuple[float, ...] = (0.1, 0.3, 0.55, 0.8, 0.95)  # the splits beside the bound-optimal one
    split_seeds: int | None = None  # replicates per split in the split check (None: ``seeds``)
    dtype: str = "float32"  # the students' precision: 2.3x the float64 speed here, and the fits are unchanged

    @staticmethod
    def of_size(size: str) -> Config:
        """``quick`` (seconds, for the tests), ``default`` (the main job), ``full`` (trained to convergence)."""
        if size == "quick":
            return Config(sizes=(64, 128, 256, 512, 1024), seeds=2, steps=150, test=1000)
        if size == "default":
            return Config(sizes=(64, 128, 256, 512, 1024, 2048, 4096), seeds=2, steps=1500)
        if size == "full":
            # 48,000 steps: the doubling probe measured 24k -> 48k changing the reward error 3.4% (dynamics 3.6%),
            # 48k -> 96k changing it 0.7% (dynamics 1.5%; float32), under the 2% rule of convergence;
            # three splits beside the optimum, two replicates each: the split check illustrates, the grid measures
            return Config(sizes=(64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384), seeds=4, steps=48000,
                          lr=3e-3, schedule="cosine", validation=0.1, split_shares=(0.1, 0.5, 0.9), split_seeds=2)
        raise V.InputError(f"size must be 'quick', 'default' or 'full', got {size!r}")


def train_students(dyn: NN.MLP, rew: NN.MLP, data: list[tuple[np.ndarray, np.ndarray, np.ndarray]], cfg: Config,
                   rng: np.random.Generator, test) -> tuple[dict, dict]:
    """Train one dynamics and one reward student per dataset (the stacks ``dyn``, ``rew``); held-out errors."""
    X = [d[0] for d in data]
    _train(dyn, rew, X, [d[1] for d in data], X, [d[2] for d in data], cfg, rng)
    e_dyn, e_rew = errors(dyn, test[0], test[1]), errors(rew, test[0], test[2])
    e_dyn["train"] = _training_errors(dyn, X, [d[1] for d in data])
    e_rew["train"] = _training_errors(rew, X, [d[2] for d in data])
    return e_dyn, e_rew


def _train_pair(X_dyn, Y_dyn, X_rew, r_rew, cfg: Config, rng: np.random.Generator,
                executor=None) -> tuple[NN.MLP, NN.MLP]:
    """A stack of dynamics students and a stack of reward students, model m trained on the m-th dataset."""
    dyn, rew = _students(len(X_dyn), len(X_rew), cfg, rng)
    _train(dyn, rew, X_dyn, Y_dyn, X_rew, r_rew, cfg, rng, executor)
    return dyn, rew


def _train(dyn: NN.MLP, rew: NN.MLP, X_dyn, Y_dyn, X_rew, r_rew, cfg: Config, rng: np.random.Generator,
           executor=None) -> None:
    """Train both stacks in place, each from its own child of ``rng`` so the numbers do not depend on where they
    run: in two processes of ``executor`` (the two cores of a small machine), else one after the other under
    one progress bar (neither alone may last long enough to show)."""
    from theory._progress import Progress

    jobs = [(dyn, X_dyn, Y_dyn), (rew, X_rew, [r[:, None] for r in r_rew])]
    seeds = rng.spawn(len(jobs))
    if executor is not None:
        futures = [executor.submit(_train_stack, net, X, Y, cfg, seed) for (net, X, Y), seed in zip(jobs, seeds)]
        for (net, _, _), future in zip(jobs, futures):
            for k, w in future.result().params.items():
                net.params[k][...] = w
        return
    with Progress(2 * cfg.steps, f"training {len(X_dyn)} dynamics and {len(X_rew)} reward students") as progress:
        for (net, X, Y), seed in zip(jobs, seeds):
            _train_stack(net, X, Y, cfg, seed, progress)


def _train_stack(net: NN.MLP, X, Y, cfg: Config, rng: np.random.Generator, progress=None) -> NN.MLP:
    """One stack trained as ``cfg`` says (a task of its own when it runs in another process)."""
    NN.train(net, X, Y, cfg.steps, rng, cfg.batch, cfg.lr, schedule=cfg.schedule, validation=cfg.validation,
             progress=progress)
    return net


def _students(m_dyn: int, m_rew: int, cfg: Config, rng: np.random.Generator) -> tuple[NN.MLP, NN.MLP]:
    """Freshly initialised stacks of dynamics and reward students, in that order from ``rng``."""
    return (NN.init(m_dyn, D_S + D_A, HIDDEN, D_S, "tanh", rng, dtype=cfg.dtype),
            NN.init(m_rew, D_S + D_A, HIDDEN, 1, "scaled", rng, dtype=cfg.dtype))


def _training_errors(net: NN.MLP, X: list[np.ndarray], Y: list[np.ndarray]) -> np.ndarray:
    """Mean error of each model on its own training data (beside the held-out error: a small gap with a
    flattening held-out curve means the students are limited by optimisation, not by data)."""
    out = np.empty(len(X))
    for m, (x, y) in enumerate(zip(X, Y)):
        out[m] = errors(net.model(m), x, y)["mean"][0]
    return out


def _verdict(fits: dict) -> str:
    """Whether reward error falls faster than dynamics error, judged by the exponents' 95% intervals."""
    d, r = fits["dyn"], fits["rew"]
    if r.ci["alpha"][0] > d.ci["alpha"][1]:
        return f"reward error falls faster than dynamics error (alpha {r.law.alpha:.3f} vs {d.law.alpha:.3f}; the intervals do not overlap)"
    if d.ci["alpha"][0] > r.ci["alpha"][1]:
        return f"dynamics error falls faster than reward error (alpha {d.law.alpha:.3f} vs {r.law.alpha:.3f}; the intervals do not overlap)"
    return (f"the exponents cannot be told apart at this grid (reward {r.law.alpha:.3f}, dynamics {d.law.alpha:.3f}; "
            "their intervals overlap)")


def _replicate_setup(cfg: Config, teacher: Teacher, seed_seq) -> tuple:
    """A replicate's generator, its data of every size and its untrained students, all from ``seed_seq``
    (shared with :func:`convergence_probe`, which retrains the replicate's largest-size students)."""
    rng = np.random.default_rng(seed_seq)
    data = [episodes(teacher, n, cfg.episode_length, rng) for n in cfg.sizes]
    return (rng, data) + _students(len(data), len(data), cfg, rng)


def _replicate_task(params: dict, seed_seq) -> dict:
    """One replicate of the grid: data of every size from its own seed, the students trained as one stack."""
    cfg, teacher, test = params["cfg"], params["teacher"], params["test"]
    rng, data, dyn, rew = _replicate_setup(cfg, teacher, seed_seq)
    e_dyn, e_rew = train_students(dyn, rew, data, cfg, rng, test)
    return {"dyn": {k: v.tolist() for k, v in e_dyn.items()}, "rew": {k: v.tolist() for k, v in e_rew.items()}}


def scaling_experiment(size: str = "default", seed: int = 0, measure: str = "mean", prices: Prices = Prices(1.0, 10.0),
        c_dyn: float = 0.9 / (0.1 * 0.55), c_rew: float = 10.0, budgets=(2000.0, 8000.0), progress: bool | None = None,
        config: Config | None = None, *, executor=None, results=None) -> ScalingExperiment:
    """Measure both error laws, fit them (E12), and close the loop with the allocation (E9-E11).

    The default coefficients are $C_{dyn}$, $C_{rew}$ of E3 at $\\gamma=0.9$, $L=0.5$, $K_{r\\pi}=1$, $H=\\infty$.
    ``executor`` runs the grid's replicates as tasks and then the split check's dynamics and reward students in
    two processes; ``results`` (a JSON-lines file) keeps the finished replicates for a resumed run.
    """
    if measure not in MEASURES:
        raise V.InputError(f"measure must be one of {MEASURES}, got {measure!r}")
    cfg = config or Config.of_size(size)
    rng = np.random.default_rng(seed)
    teacher = make_teacher(rng)
    test = episodes(teacher, cfg.test, cfg.episode_length, rng)
    from theory.sweep import run_sweep

    # one task per replicate: its own data for every size, its students trained as one stack
    outcome = run_sweep(_replicate_task, [(f"replicate {r}", {"teacher": teacher, "test": test, "cfg": cfg})
                                          for r in range(cfg.seeds)], seed=seed, name="scaling-experiment",
                        args={"size": size, "config": dataclasses.asdict(cfg)}, executor=executor, results=results,
                        progress=progress)
    parts = outcome.results
    err_dyn = {k: np.concatenate([np.asarray(p["dyn"][k]) for p in parts]) for k in parts[0]["dyn"]}
    err_rew = {k: np.concatenate([np.asarray(p["rew"][k]) for p in parts]) for k in parts[0]["rew"]}
    labels = [n for _ in parts for n in cfg.sizes]
    n = np.asarray(labels, dtype=float)
    fits = {"dyn": fit_power_law(n, err_dyn[measure], bootstrap=500, rng=rng),
            "rew": fit_power_law(n, err_rew[measure], bootstrap=500, rng=rng)}
    other_report = {}
    for other in (m for m in MEASURES if m != measure):
        try:  # the other measures are reported beside; a failure there does not stop the run
            other_report[other] = {k: fit_power_law(n, e[other], bootstrap=500, rng=rng)
                                    for k, e in (("dyn", err_dyn), ("rew", err_rew))}
        except FitError as err:
            other_report[other] = {"message": str(err)}
    split = optimal_split(np.asarray(budgets, dtype=float), prices, fits["dyn"].law, fits["rew"].law, c_dyn, c_rew)
    # the loop closed: at each budget, students at the bound-optimal split and at other splits
    check_data, keys = [], []
    for N, x_opt in zip(budgets, np.atleast_1d(split.share_dyn)):
        for x in sorted({*cfg.split_shares, round(float(x_opt), 4)}):
            nd = max(int(x * N / prices.kappa_d), 8)
            nr = max(int((1 - x) * N / prices.kappa_r), 8)
            for _ in range(cfg.split_seeds or cfg.seeds):
                d = episodes(teacher, max(nd, nr), cfg.episode_length, rng)
                check_data.append((d[0][:nd], d[1][:nd], d[0][:nr], d[2][:nr]))
                keys.append((float(N), x, nd, nr, x == round(float(x_opt), 4)))
    dyn, rew = _train_pair(*([c[k] for c in check_data] for k in range(4)), cfg, rng, executor)
    e_d = errors(dyn, test[0], test[1])[measure]
    e_r = errors(rew, test[0], test[2])[measure]
    rows: dict[tuple, list[float]] = {}
    for key, a, b in zip(keys, e_d, e_r):
        rows.setdefault(key, []).append(c_dyn * a + c_rew * b)
    split_check = [{"budget": N, "share_dyn": x, "n_dyn": nd, "n_rew": nr, "measured_bound": float(np.mean(v)),
                    "bound_optimal": bool(opt)} for (N, x, nd, nr, opt), v in rows.items()]
    return ScalingExperiment(
        fits=fits, share_dyn=float(np.atleast_1d(split.share_dyn)[0]),
        shares_by_budget=dict(zip([str(b) for b in budgets], np.atleast_1d(split.share_dyn).tolist())),
        reward_falls_faster=bool(fits["rew"].law.alpha > fits["dyn"].law.alpha), message=_verdict(fits),
        measure=measure, sizes=list(cfg.sizes), seed_count=cfg.seeds, steps=cfg.steps,
        errors={"n": n.tolist(), "dyn_mean": err_dyn["mean"].tolist(), "dyn_sup": err_dyn["sup"].tolist(),
                "rew_mean": err_rew["mean"].tolist(), "rew_sup": err_rew["sup"].tolist(),
                "dyn_mse": err_dyn["mse"].tolist(), "rew_mse": err_rew["mse"].tolist(),
                "dyn_train": err_dyn["train"].tolist(), "rew_train": err_rew["train"].tolist()},
        largest_n={"n": float(n.max()), "dyn_train": float(err_dyn["train"][n == n.max()].mean()),
                   "dyn_heldout": float(err_dyn["mean"][n == n.max()].mean()),
                   "rew_train": float(err_rew["train"][n == n.max()].mean()),
                   "rew_heldout": float(err_rew["mean"][n == n.max()].mean())},
        prices=[prices.kappa_d, prices.kappa_r], c_dyn=c_dyn, c_rew=c_rew, split_check=split_check,
        other_measures=other_report)


def convergence_probe(experiment: ScalingExperiment | None = None, size: str = "full", seed: int = 0,
                      config: Config | None = None, executor=None) -> dict:
    """Retrain the grid's students of the largest size, on the same data from the same initial weights, with
    twice the steps; the relative change of the mean held-out error says whether training had converged
    (``docs/theory.md`` E12). ``experiment``: the grid run with this ``size`` (or ``config``) and ``seed``,
    whose errors at the largest size are the first column; without it, the configured steps are trained here
    too. ``executor``: the dynamics and reward students train in two of its processes.
    """
    cfg = config or Config.of_size(size)
    rng = np.random.default_rng(seed)
    teacher = make_teacher(rng)
    test = episodes(teacher, cfg.test, cfg.episode_length, rng)
    data, first = [], {"dyn": [], "rew": []}
    for child in np.random.SeedSequence(seed).spawn(cfg.seeds):  # as run_sweep seeds the grid's replicates
        _, d, dyn, rew = _replicate_setup(cfg, teacher, child)
        data.append(d[-1])
        first["dyn"].append(dyn.params)
        first["rew"].append(rew.params)
    X = [d[0] for d in data]
    out = {}
    for steps in (cfg.steps, 2 * cfg.steps):
        if steps == cfg.steps and experiment is not None:
            big = np.asarray(experiment.errors["n"]) == cfg.sizes[-1]
            out[steps] = tuple(float(np.mean(np.asarray(experiment.errors[f"{k}_mean"])[big])) for k in ("dyn", "rew"))
            continue
        nets = {k: NN.MLP({name: np.concatenate([p[name][-1:] for p in first[k]]) for name in NN.NAMES}, output)
                for k, output in (("dyn", "tanh"), ("rew", "scaled"))}
        _train(nets["dyn"], nets["rew"], X, [d[1] for d in data], X, [d[2] for d in data],
               dataclasses.replace(cfg, steps=steps), np.random.default_rng([seed, steps]), executor)
        out[steps] = (float(errors(nets["dyn"], test[0], test[1])["mean"].mean()),
                      float(errors(nets["rew"], test[0], test[2])["mean"].mean()))
    (d1, r1), (d2, r2) = out[cfg.steps], out[2 * cfg.steps]
    return {"n": cfg.sizes[-1], "steps": cfg.steps, "dyn": [d1, d2], "rew": [r1, r2],
            "relative_change": max(abs(d2 - d1) / d1, abs(r2 - r1) / r1)}
