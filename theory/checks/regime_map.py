r"""A regime map of the teacher-student reward experiment (``docs/theory.md`` section 6, E12).

The paper measures reward error falling as about $90\,n^{-0.96}$ and dynamics error as $0.34\,n^{-0.11}$; its
setup beyond the architecture is not public. Which regimes of a teacher-student experiment give which
exponent? Each regime trains scalar students (the paper's architecture: two ReLU layers of 64 units,
:mod:`theory.mdp.neural`) on $n$ labelled inputs $x\sim\mathcal N(0, I_{16})$ of a frozen random teacher and
fits $\varepsilon(n) = a\,n^{-\alpha}$ (E12) on three measures of the held-out error against the clean target:
``"mean"`` $\mathbb E|\hat f - f|$, ``"mse"`` $\mathbb E(\hat f - f)^2$ and ``"relative"``
$\mathbb E(\hat f - f)^2 / \mathrm{Var}\,f$ (the MSE in units of the target's scale: the same exponent, another
coefficient). The factors:

- ``label_noise``: Gaussian noise on the training labels, its standard deviation relative to the target's;
- ``teacher_width``: the teacher's hidden width against the student's 64 (16: the student is over-specified,
  64: well-specified, 256: under-specified, it cannot represent the teacher);
- ``intrinsic_dim``: the teacher reads only its first $k$ inputs (its first layer's other rows are zero);
- ``steps``: the training budget (Adam steps; few steps: an optimisation-limited student).

Predicted exponents where theory gives one (on the MSE; the mean error's are half, as $\mathbb E|e| \propto
\sqrt{\mathbb E e^2}$ for a fixed error shape):

- *parametric*: with label noise $\sigma$ and a student that can represent the teacher, the excess risk of a
  well-specified model at its optimum is $\sigma^2 p / n$ (asymptotically, $n \gg p$ parameters): $\alpha = 1$.
- *nonparametric*: the teacher is Lipschitz (ReLU layers; smoothness $s = 1$) in $k$ dimensions. With label
  noise the minimax rate of the MSE over that class is $n^{-2s/(2s+k)}$ (Stone 1982): $\alpha = 2/(2+k)$.
  Without noise, recovering a Lipschitz function from $n$ exact values has worst-case error of the order of the
  fill distance $n^{-1/k}$ (optimal recovery; Novak 1988): $\alpha = 2/k$ on the MSE. Both are worst cases over
  the class, the exponent a method that only uses smoothness can guarantee, not laws for this teacher: a
  faster measured exponent does not contradict them.
- *approximation-limited*: an under-specified student's error tends to a floor, so the fitted exponent tends
  to 0 as the grid grows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from theory import _validate as V
from theory.maths.scaling import FitError, PowerLaw, PowerLawFit, fit_power_law
from theory.mdp import neural as NN
from theory.results import NOT_JSON, Result

D_IN, STUDENT_WIDTH = 16, 64
MEASURES = ("mean", "mse", "relative")


@dataclass(frozen=True)
class Regime(Result):
    """One cell of the map.

    Parameters
    ----------
    name : str
        A short label for tables and figures.
    label_noise : float
        Standard deviation of the label noise relative to the target's, >= 0.
    teacher_width : int
        The teacher's hidden width (the student's is 64).
    intrinsic_dim : int
        How many of the 16 inputs the teacher reads, 1..16.
    steps : int
        Adam steps per student.
    """

    name: str
    label_noise: float
    teacher_width: int
    intrinsic_dim: int
    steps: int

    json_properties = ("specification",)

    @property
    def specification(self) -> str:
        """``"under"``, ``"well"`` or ``"over"``: the student's width against the teacher's."""
        return "over" if self.teacher_width < STUDENT_WIDTH else "well" if self.teacher_width == STUDENT_WIDTH else "under"

    def predicted_exponents(self, measure: str) -> dict[str, float | None]:
        """The exponents theory predicts on ``measure`` (module docstring): ``parametric``, ``nonparametric``
        and ``approximation`` (``None`` where a rate does not apply)."""
        half = 0.5 if measure == "mean" else 1.0
        noisy = self.label_noise > 0
        return {"parametric": half * 1.0 if noisy and self.specification != "under" else None,
                "nonparametric": half * 2.0 / (2.0 * noisy + self.intrinsic_dim),
                "approximation": 0.0 if self.specification == "under" else None}


@dataclass(frozen=True)
class RegimeFit(Result):
    """The law fitted in one regime on one measure, beside the predicted exponents.

    Parameters
    ----------
    regime : Regime
        The cell.
    measure : str
        ``"mean"``, ``"mse"`` or ``"relative"``.
    fit : PowerLawFit or None
        The fitted law, ``None`` where the fit failed.
    predicted_exponents : dict
        :meth:`Regime.predicted_exponents` on this measure.
    message : str
        Why the fit failed, or what it cannot support; empty otherwise.
    success : bool
        Whether a law was fitted.
    """

    regime: Regime
    measure: str
    fit: PowerLawFit | None
    predicted_exponents: dict
    message: str = ""
    success: bool = True

    def agrees_with(self, law: PowerLaw, coefficient: bool = True) -> bool:
        """Whether ``law``'s exponent (and, with ``coefficient``, its coefficient too) lies in this fit's intervals."""
        if self.fit is None:
            return False
        (a_lo, a_hi), (al_lo, al_hi) = self.fit.ci["a"], self.fit.ci["alpha"]
        return bool(al_lo <= law.alpha <= al_hi and (not coefficient or a_lo <= law.a <= a_hi))


@dataclass(frozen=True)
class RegimeMap(Result):
    """Every regime's fitted laws on every measure (:func:`regime_map`).

    Parameters
    ----------
    fits : list of RegimeFit
        One per regime and measure.
    sizes : list of int
        The dataset sizes of the grid.
    seed_count : int
        Independent replicates per size (each with its own teacher).
    errors : dict
        The measured errors by regime name, then measure, with the sizes ``n``.
    """

    fits: list
    sizes: list
    seed_count: int
    errors: dict = field(metadata=NOT_JSON)

    def closest(self, law: PowerLaw) -> RegimeFit:
        """The fit whose exponent is nearest ``law``'s, in units of its interval's half-width."""
        def distance(f: RegimeFit) -> float:
            lo, hi = f.fit.ci["alpha"]
            return abs(f.fit.law.alpha - law.alpha) / max((hi - lo) / 2, 1e-9)
        return min((f for f in self.fits if f.fit is not None), key=distance)

    def agreeing(self, law: PowerLaw, coefficient: bool = True) -> list[RegimeFit]:
        """The fits that reproduce ``law``: its exponent and (with ``coefficient``) its coefficient within their
        intervals."""
        return [f for f in self.fits if f.agrees_with(law, coefficient)]


def regimes(size: str = "default") -> tuple[tuple[Regime, ...], tuple[int, ...], int]:
    """The regimes, sizes and seeds of a map: ``quick`` (the tests), ``default`` (in ``reproduce``: a slice of two
    regimes, the intrinsic dimension that separates slow from fast laws in the full map), ``full`` (eleven regimes,
    one factor at a time from the noise-free well-specified base)."""
    if size == "quick":
        return (Regime("noise-free, k=16", 0.0, 64, 16, 600), Regime("noise-free, k=2", 0.0, 64, 2, 600)), \
            (64, 128, 256, 512, 1024), 2
    if size == "default":
        return (Regime("noise-free, k=16", 0.0, 64, 16, 3000), Regime("noise-free, k=2", 0.0, 64, 2, 3000)), \
            (128, 256, 512, 1024, 2048), 2
    if size == "full":
        steps = 24000
        return (Regime("noise-free, well-specified, k=16", 0.0, 64, 16, steps),
                Regime("noisy, well-specified, k=16", 0.5, 64, 16, steps),
                Regime("noise-free, over-specified (teacher 16)", 0.0, 16, 16, steps),
                Regime("noisy, over-specified (teacher 16)", 0.5, 16, 16, steps),
                Regime("noise-free, under-specified (teacher 256)", 0.0, 256, 16, steps),
                Regime("noise-free, k=8", 0.0, 64, 8, steps),
                Regime("noise-free, k=4", 0.0, 64, 4, steps),
                Regime("noise-free, k=2", 0.0, 64, 2, steps),
                Regime("slightly noisy (0.1), k=2", 0.1, 64, 2, steps),
                Regime("noisy, k=2", 0.5, 64, 2, steps),
                Regime("noise-free, k=16, 1/8 of the steps", 0.0, 64, 16, steps // 8)), \
            (128, 256, 512, 1024, 2048, 4096, 8192, 16384), 3
    raise V.InputError(f"size must be 'quick', 'default' or 'full', got {size!r}")


def _teacher(regime: Regime, rng: np.random.Generator) -> NN.MLP:
    """The paper's teacher (standard normal weights, zero biases, output scaled by 1/sqrt(width)) reading
    only its first ``intrinsic_dim`` inputs."""
    net = NN.init(1, D_IN, regime.teacher_width, 1, "scaled", rng, teacher=True)
    net.params["W1"][:, regime.intrinsic_dim:, :] = 0.0
    return net


def _regime_task(params: dict, seed_seq) -> dict:
    """One regime: a teacher and data per replicate, every replicate's and size's students trained as one stack."""
    regime, sizes, seeds, test = params["regime"], params["sizes"], params["seeds"], params["test"]
    rng = np.random.default_rng(seed_seq)
    X, Y, x_test, f_test, scale = [], [], [], [], []
    for _ in range(seeds):
        teacher = _teacher(regime, rng)
        x = rng.standard_normal((test, D_IN))
        f = NN.forward(teacher, x[None])[0, :, 0]
        sd = float(f.std())  # the target's scale, which the label noise and the relative measure are in units of
        for n in sizes:
            X.append(rng.standard_normal((n, D_IN)))
            Y.append(NN.forward(teacher, X[-1][None])[0] + regime.label_noise * sd * rng.standard_normal((n, 1)))
            x_test.append(x)
            f_test.append(f)
            scale.append(sd)
    student = NN.init(len(X), D_IN, STUDENT_WIDTH, 1, "scaled", rng, dtype="float32")
    from theory._progress import Progress

    with Progress(regime.steps, f"training {len(X)} students ({regime.name})") as progress:
        NN.train(student, X, Y, regime.steps, rng, batch=256, lr=3e-3, schedule="cosine", validation=0.1,
                 progress=progress)
    err = NN.forward(student, np.stack(x_test).astype(np.float32))[:, :, 0].astype(float) - np.stack(f_test)
    mse = (err**2).mean(1)
    return {"mean": np.abs(err).mean(1).tolist(), "mse": mse.tolist(), "relative": (mse / np.square(scale)).tolist()}


def regime_map(size: str = "default", seed: int = 0, *, test: int = 4000, progress: bool | None = None,
               executor=None, results=None, chosen: tuple[Regime, ...] | None = None) -> RegimeMap:
    """Train and fit every regime of ``size`` (or the ``chosen`` regimes on that size's grid).

    One task per regime through :func:`theory.sweep.run_sweep`, so ``executor`` (local processes or a Dask
    cluster) runs them in parallel and ``results`` (a JSON-lines file) lets an interrupted map resume.
    """
    cells, sizes, seeds = regimes(size)
    cells = chosen or cells
    from theory.sweep import run_sweep

    outcome = run_sweep(_regime_task, [(r.name, {"regime": r, "sizes": sizes, "seeds": seeds, "test": test})
                                       for r in cells], seed=seed, name="regime-map",
                        args={"size": size, "regimes": [dataclasses.asdict(r) for r in cells]},
                        executor=executor, results=results, progress=progress)
    n = np.tile(np.asarray(sizes, float), seeds)
    rng = np.random.default_rng(seed)
    fits, errors = [], {"n": n.tolist()}
    for regime, measured in zip(cells, outcome.results):
        errors[regime.name] = measured
        for measure in MEASURES:
            try:
                fit = fit_power_law(n, measured[measure], bootstrap=500, rng=rng)
                message = fit.message
            except FitError as err:
                fit, message = None, str(err)
            fits.append(RegimeFit(regime, measure, fit, regime.predicted_exponents(measure), message, fit is not None))
    return RegimeMap(fits, list(sizes), seeds, errors)
