r"""Your own world model, from its data: errors, Lipschitz estimates, whether the bound says anything (``docs/theory.md`` section 7).

From transitions of the real environment $(s_i,a_i,r_i,s'_i)$ and the model's predictions
$(\hat s'_i,\hat r_i)$ at the same $(s_i,a_i)$ (any framework, exported as arrays):

- errors: $\|s'_i-\hat s'_i\|$ and $|r_i-\hat r_i|$; their means estimate the on-policy errors (with
  bootstrap intervals; unbiased for a deterministic environment), their maxima are sample maxima,
  lower bounds of the sup errors $\varepsilon_{dyn},\varepsilon_{rew}$ that E3 needs;
- Lipschitz constants of the learned dynamics, reward and policy: the largest ratios over pairs of
  samples under the sum metric on $(s,a)$ (:mod:`theory.maths.pairwise`), lower bounds of the true
  constants $K_f$, $K_r$, $K_\pi$;
- $\gamma L=\gamma K_f(1+K_\pi)$: since $\hat K_f\le K_f$ and $\hat K_\pi\le K_\pi$, an estimate
  $\ge1$ proves the discounted bound infinite (``vacuous``); an estimate below 1 does not prove it finite;
- the bound E3 with these plug-in values (every input a lower estimate, so it is an estimate, not a
  guarantee), both terms, which constant to lower first (E6), and the longest horizon at which it stays
  below a stated multiple of the return scale $(\max r-\min r)\,C_{rew}(H)$;
- with a model callable: realised sensitivities, the local slopes of the model along the data
  (central differences in random directions, with steps from the data's scale).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory.maths.bound import return_bound
from theory.maths.coefficients import c_rew
from theory.maths.pairwise import lipschitz_estimates
from theory.results import Result

FIELDS = ("s", "a", "r", "s_next", "s_next_model", "r_model")
OPTIONAL = ("a_policy",)
MIN_ROWS = 10


@dataclass(frozen=True)
class Transitions:
    r"""A user's data (``docs/theory.md`` section 7).

    Parameters
    ----------
    s : (n, d_s) ndarray
        States.
    a : (n, d_a) ndarray
        Actions.
    r : (n,) ndarray
        Rewards.
    s_next : (n, d_s) ndarray
        Next states.
    s_next_model : (n, d_s) ndarray
        The model's predicted next states.
    r_model : (n,) ndarray
        The model's predicted rewards.
    a_policy : (n, d_a) ndarray, optional
        The policy's actions at ``s_next`` (for the policy's Lipschitz constant).
    gamma : float, optional
        The discount.
    horizon : float, optional
        The horizon (``inf`` for the discounted infinite horizon).
    """

    s: np.ndarray
    a: np.ndarray
    r: np.ndarray
    s_next: np.ndarray
    s_next_model: np.ndarray
    r_model: np.ndarray
    a_policy: np.ndarray | None = None
    gamma: float | None = None
    horizon: float | None = None

    def __post_init__(self):
        n = None
        for name in (*FIELDS, *OPTIONAL):
            value = getattr(self, name)
            if value is None:
                continue
            arr = V.as_array(name, value)
            if not np.isfinite(arr).all():
                raise V.InputError(f"{name} must be finite (found NaN or inf)")
            vector = name in ("r", "r_model")
            arr = arr.ravel() if vector and arr.ndim == 2 and 1 in arr.shape else arr
            if arr.ndim == 1 and not vector:
                arr = arr[:, None]
            if arr.ndim != (1 if vector else 2):
                raise V.InputError(f"{name} must have shape {'(n,)' if vector else '(n, d)'}, got {arr.shape}")
            n = arr.shape[0] if n is None else n
            if arr.shape[0] != n:
                raise V.InputError(f"{name} has {arr.shape[0]} rows, the other fields {n}")
            object.__setattr__(self, name, arr)
        if n < MIN_ROWS:
            raise V.InputError(f"too few rows: {n} transitions, need at least {MIN_ROWS}")
        for name in ("s_next", "s_next_model"):
            if getattr(self, name).shape[1] != self.s.shape[1]:
                raise V.InputError(f"{name} must have d_s = {self.s.shape[1]} columns like s, got {getattr(self, name).shape[1]}")
        if self.a_policy is not None and self.a_policy.shape[1] != self.a.shape[1]:
            raise V.InputError(f"a_policy must have d_a = {self.a.shape[1]} columns like a, got {self.a_policy.shape[1]}")
        if self.gamma is not None:
            object.__setattr__(self, "gamma", float(V.in_closed_interval("gamma", self.gamma, 0.0, 1.0)))
        if self.horizon is not None:
            object.__setattr__(self, "horizon", float(V.horizon(self.horizon)))

    @property
    def n(self) -> int:
        return self.s.shape[0]


@dataclass(frozen=True)
class Estimate(Result):
    r"""A number with what kind of number it is (``docs/theory.md`` section 7).

    Parameters
    ----------
    value : float
        The number.
    kind : str
        ``"exact"`` (of these samples), ``"estimate"`` (with a confidence interval at ``level``) or
        ``"lower bound"`` (empirical: the true quantity is at least this).
    interval : (float, float), optional
        The confidence interval of an estimate.
    level : float, optional
        Its level.
    message : str
        How it was obtained.
    """

    value: float
    kind: str
    interval: tuple[float, float] | None = None
    level: float | None = None
    message: str = ""


@dataclass(frozen=True)
class Diagnosis(Result):
    r"""What the data say about a model (``docs/theory.md`` section 7, E3, E6, E13); every field labelled by its kind.

    The JSON also carries ``horizon_max_is_inf`` (JSON has no infinity).

    Parameters
    ----------
    n : int
        Transitions read.
    eps_dyn_mean, eps_rew_mean : Estimate
        Mean one-step errors of the model, with confidence intervals.
    eps_dyn_max, eps_rew_max : Estimate
        The largest one-step errors seen (lower bounds of the sup errors E3 needs).
    lipschitz : dict
        Sampled Lipschitz constants (lower bounds, E13) by concept: ``lip_dyn``, ``lip_rew`` and (with a policy
        column) ``lip_pi``.
    gamma, horizon : float
        The discount and horizon used.
    gamma_L : float
        $\gamma L$ with the sampled closed-loop constant.
    vacuous : bool
        Whether the discounted bound is infinite for certain: an infinite horizon with $\gamma L\ge1$ from lower
        estimates of the constants.
    bound, reward_term, dynamics_term : float or None
        E3 with the sample maxima of the errors and the sampled constants (plug-in values, an estimate); ``None``
        where the bound is infinite.
    lower_first : str or None
        The constant to lower first (E6), where the bound is finite and positive.
    multiple : float
        The multiple of the return scale $(\max r-\min r)\,C_{rew}(H)$ under which the bound counts as saying
        something (see ``horizon_max``).
    horizon_max : float or None
        The longest horizon with $B(H)\le$ ``multiple`` times the return scale (``None`` when the rewards do
        not vary).
    sensitivities : dict or None
        The elasticities and drops per percent of E6, and with a model the realised sensitivities.
    message : str
        Notes on what the numbers are (plug-in lower estimates) and what follows from them.
    success : bool
        True: bad data raise instead.
    """

    json_properties = ("horizon_max_is_inf",)

    n: int
    eps_dyn_mean: Estimate
    eps_rew_mean: Estimate
    eps_dyn_max: Estimate
    eps_rew_max: Estimate
    lipschitz: dict  # lip_dyn, lip_rew, lip_pi -> PairwiseLipschitz (lip_pi only with a_policy)
    gamma: float
    horizon: float
    gamma_L: float
    vacuous: bool
    bound: float | None
    reward_term: float | None
    dynamics_term: float | None
    lower_first: str | None
    multiple: float
    horizon_max: float | None
    sensitivities: dict | None
    message: str
    success: bool = True

    @property
    def horizon_max_is_inf(self) -> bool:
        """Whether ``horizon_max`` is infinite."""
        return self.horizon_max == math.inf


def _bootstrap_mean(x: np.ndarray, reps: int, level: float, rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean, in blocks of replicates (memory flat in n)."""
    n = x.size
    per = max(1, (1 << 22) // n)
    means = np.concatenate([x[rng.integers(0, n, (min(per, reps - k), n))].mean(1) for k in range(0, reps, per)])
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def _longest_horizon(gamma: float, eps_dyn: float, eps_rew: float, K_f: float, K_r: float, K_pi: float,
                     limit: float) -> float | None:
    r"""The largest $H$ with $B(H)\le$ ``limit`` $\cdot C_{rew}(H)$ (``inf`` if every $H$, the limit included;
    ``None`` if not even $H=1$; $10^{12}$, the largest horizon the command line takes, if that one holds but
    $H=\infty$ does not). $B(H)/C_{rew}(H)=\varepsilon_{rew}+\varepsilon_{dyn}C_{dyn}(H)/C_{rew}(H)$ increases
    with $H$ (a running mean of increasing partial sums), so bisection over the integers up to $10^{12}$ finds it."""
    def ok(H: float) -> bool:
        res = return_bound(gamma, H, eps_dyn, eps_rew, K_f=K_f, K_r=K_r, K_pi=K_pi)
        return bool(res.finite) and float(res.bound) <= limit * float(c_rew(gamma, H))

    if not ok(1):
        return None
    if gamma < 1 and ok(math.inf):
        return math.inf
    lo, hi = 1, 10**12
    if ok(hi):
        return float(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return float(lo)


def _realised(model: Callable, data: Transitions, samples: int, directions: int, rng: np.random.Generator) -> dict:
    r"""Local slopes of ``model(s, a) -> (s_next, r)`` at data points: $\max_u\|f(x+hu)-f(x-hu)\|/(2h)$ over
    random directions $u$ of unit sum-metric length, $h=\epsilon^{1/3}$ times the data's scale (the step
    that balances truncation, $O(h^2)$, and rounding, $O(\epsilon/h)$, of a central difference)."""
    idx = rng.choice(data.n, min(samples, data.n), replace=False)
    s, a = data.s[idx], data.a[idx]
    scale = float(max(np.abs(data.s).max(), np.abs(data.a).max(), 1e-300))
    h = np.finfo(float).eps ** (1 / 3) * scale
    slopes = {"dynamics": np.zeros(idx.size), "reward": np.zeros(idx.size)}
    for _ in range(directions):
        us, ua = rng.standard_normal(s.shape), rng.standard_normal(a.shape)
        norm = np.linalg.norm(us, axis=1, keepdims=True) + np.linalg.norm(ua, axis=1, keepdims=True)
        us, ua = us / norm, ua / norm
        plus, minus = model(s + h * us, a + h * ua), model(s - h * us, a - h * ua)
        try:
            d_s = np.asarray(plus[0], float) - np.asarray(minus[0], float)
            d_r = np.asarray(plus[1], float).ravel() - np.asarray(minus[1], float).ravel()
        except (TypeError, IndexError, ValueError):
            raise V.InputError("model must map (s, a) arrays to a pair (s_next, r) of arrays") from None
        slopes["dynamics"] = np.maximum(slopes["dynamics"], np.linalg.norm(d_s.reshape(idx.size, -1), axis=1) / (2 * h))
        slopes["reward"] = np.maximum(slopes["reward"], np.abs(d_r) / (2 * h))
    return {k: {"median": float(np.median(v)), "90%": float(np.quantile(v, 0.9)), "max": float(v.max()),
                "points": int(idx.size), "directions": directions, "step": h, "kind": "estimate"}
            for k, v in slopes.items()}


def diagnose(data: Transitions | dict, *, gamma: float | None = None, horizon=None, multiple: float = 1.0,
             bootstrap: int = 1000, level: float = 0.95, model: Callable | None = None,
             rng: np.random.Generator | int | None = 0) -> Diagnosis:
    r"""What a user's data say about their world model (module docstring; ``docs/theory.md`` section 7).

    Parameters
    ----------
    data : Transitions or dict
        The arrays (``s, a, r, s_next, s_next_model, r_model``, optional ``a_policy``, ``gamma``,
        ``horizon``).
    gamma, horizon : optional
        Override the data's; defaults 0.99 and ``inf``.
    multiple : float
        ``horizon_max`` is the longest horizon with $B(H)\le$ ``multiple`` $\times(\max r-\min r)C_{rew}(H)$.
    bootstrap, level : int, float
        Bootstrap replicates and confidence level of the intervals on the mean errors.
    model : callable, optional
        ``model(s, a) -> (s_next, r)`` on arrays (any framework wrapped as a NumPy function): adds
        the realised sensitivities.
    rng : Generator or seed
        For the bootstrap, the pair subsample and the directions.

    Returns
    -------
    Diagnosis
        Every number labelled by its kind: exact, estimate (with an interval) or lower bound.

    References
    ----------
    ``docs/theory.md`` E3, E6, E13 and section 7; Asadi, Misra and Littman (2018).
    """
    data = data if isinstance(data, Transitions) else Transitions(**data)
    rng = np.random.default_rng(rng)
    if int(bootstrap) != bootstrap or bootstrap < 2 / (1 - level):
        raise V.InputError(f"bootstrap must be an integer >= {math.ceil(2 / (1 - level))}, got {bootstrap}")
    V.positive("multiple", multiple)
    g = float(V.in_closed_interval("gamma", gamma if gamma is not None else (data.gamma if data.gamma is not None else 0.99), 0, 1))
    h = horizon if horizon is not None else (data.horizon if data.horizon is not None else math.inf)
    H = float(V.horizon(h))
    if math.isinf(H) and g >= 1:
        raise V.InputError("gamma must be < 1 with an infinite horizon; give a finite horizon")
    e_dyn = np.linalg.norm(data.s_next - data.s_next_model, axis=1)
    e_rew = np.abs(data.r - data.r_model)
    means = {}
    for name, e in (("dyn", e_dyn), ("rew", e_rew)):
        means[name] = Estimate(float(e.mean()), "estimate", _bootstrap_mean(e, int(bootstrap), level, rng), level,
                               "on-policy mean error (the data's state-action distribution)")
    maxima = {name: Estimate(float(e.max()), "lower bound", message="sample maximum: the sup error E3 needs is at least this")
              for name, e in (("dyn", e_dyn), ("rew", e_rew))}
    targets = {"lip_dyn": (("s", "a"), data.s_next_model), "lip_rew": (("s", "a"), data.r_model)}
    if data.a_policy is not None:
        targets["lip_pi"] = (("s",), data.a_policy)
    lip = lipschitz_estimates({"s": data.s, "a": data.a}, targets, rng=rng)
    K_f, K_r = lip["lip_dyn"].value, lip["lip_rew"].value
    K_pi = lip["lip_pi"].value if "lip_pi" in lip else 0.0
    gamma_L = g * K_f * (1 + K_pi)
    vacuous = math.isinf(H) and gamma_L >= 1
    res = return_bound(g, H, maxima["dyn"].value, maxima["rew"].value, K_f=K_f, K_r=K_r, K_pi=K_pi)
    finite = bool(res.finite)
    notes = ["plug-in values: every error and constant is a lower estimate of what E3 needs, so the bound is an "
             "estimate, not a guarantee"]
    if "lip_pi" not in lip:
        notes.append("no a_policy given: K_pi taken as 0 (a deterministic policy constant in s)")
    if vacuous:
        notes.append(f"gamma K_f (1 + K_pi) = {gamma_L:.4g} >= 1 with lower estimates of the constants: the discounted "
                     "bound is infinite for certain; a finite horizon (horizon_max) still says something")
    elif math.isinf(H):
        notes.append(f"gamma L = {gamma_L:.4g} < 1 from lower estimates: the true gamma L may still reach 1")
    sens, lower_first = None, None
    if finite and float(res.bound) > 0:
        from theory.maths.sensitivity import sensitivity

        sv = sensitivity(g, H, maxima["dyn"].value, maxima["rew"].value, K_f=K_f, K_r=K_r, K_pi=K_pi)
        lower_first = sv.lower_first
        sens = {"elasticity": sv.elasticity, "drop_per_percent": sv.drop_per_percent, "message": sv.message}
    span = float(max(data.r.max(), data.r_model.max()) - min(data.r.min(), data.r_model.min()))
    H_max = _longest_horizon(g, maxima["dyn"].value, maxima["rew"].value, K_f, K_r, K_pi, multiple * span) if span > 0 else None
    return Diagnosis(data.n, means["dyn"], means["rew"], maxima["dyn"], maxima["rew"], lip, g, H, gamma_L, vacuous,
                     float(res.bound) if finite else None, float(res.reward_term) if finite else None,
                     float(res.dynamics_term) if finite else None, lower_first, float(multiple), H_max,
                     {"realised": _realised(model, data, 512, 8, rng)} | (sens or {}) if model is not None else sens,
                     "; ".join(notes))


# --------------------------------------------------------------------------- files
_COLUMN = re.compile(r"^(s_next_model|s_next|a_policy|s|a)_(\d+)$")


def read_transitions(path) -> Transitions:
    """Read a user's data: ``.npz`` with the arrays by name, or CSV with one column per coordinate.

    In a ``.npz`` file ``gamma`` and ``horizon`` are optional (``-1`` or ``inf`` for an infinite horizon).
    A CSV has the columns ``s_0`` to ``s_{d-1}``, ``a_0`` onwards, ``r``, ``s_next_0`` onwards,
    ``s_next_model_0`` onwards, ``r_model`` and optionally ``a_policy_0`` onwards. ``-`` reads standard input
    (either format). Errors name the file and the field.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Transitions
        The arrays, checked for shapes and finite values.

    References
    ----------
    ``docs/theory.md`` section 7.
    """
    def npz_or_text(name: str, head: bytes) -> None:
        if not head.startswith(b"PK\x03\x04") and b"\x00" in head:
            raise V.InputError(f"{name}: binary content, neither an .npz archive nor a CSV text file")

    name, raw = V.read_input(path, "an .npz or CSV data", V.BINARY_LIMIT, npz_or_text)
    if raw[:4] == b"PK\x03\x04":
        try:
            archive = np.load(io.BytesIO(raw), allow_pickle=False)
            arrays = {k: archive[k] for k in archive.files}
        except Exception as err:  # the user's file, not our bug
            raise V.InputError(f"{name}: not a readable .npz file ({type(err).__name__}: {err})") from None
        unknown = sorted(set(arrays) - set(FIELDS) - set(OPTIONAL) - {"gamma", "horizon"})
        if unknown:
            raise V.InputError(f"{name}: unknown field(s) {unknown}; fields are {list(FIELDS + OPTIONAL)}, gamma, horizon")
        for key in ("gamma", "horizon"):
            if key in arrays:
                if arrays[key].size != 1:
                    raise V.InputError(f"{name}: field {key} must be one number, got shape {arrays[key].shape}")
                value = float(arrays[key].ravel()[0])
                arrays[key] = math.inf if key == "horizon" and value == -1 else value
    else:
        arrays = _csv_arrays(name, raw)
    missing = [k for k in FIELDS if k not in arrays]
    if missing:
        raise V.InputError(f"{name}: missing field(s) {missing} (need {list(FIELDS)}; optional a_policy, gamma, horizon)")
    try:
        return Transitions(**arrays)
    except V.InputError as err:
        raise V.InputError(f"{name}: {err}") from None


def _unique_header(name: str, row: list[str]) -> list[str]:
    """A CSV header with its names stripped; a name given twice is an error (which column is meant?)."""
    header = [c.strip() for c in row]
    if len(set(header)) != len(header):
        raise V.InputError(f"{name}: repeated column(s) {sorted({c for c in header if header.count(c) > 1})}")
    return header


def _csv_arrays(name: str, raw: bytes) -> dict:
    # Binary content was refused from the first chunk by read_transitions' check on V.read_input.
    text = raw.decode("utf-8-sig", errors="replace")
    rows = [row for row in csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))]
    if len(rows) < 2:
        raise V.InputError(f"{name}: no data rows (a CSV needs a header and rows)")
    header = _unique_header(name, rows[0])
    try:
        table = np.array([[float(v) for v in row] for row in rows[1:]])
    except ValueError:
        raise V.InputError(f"{name}: every value must be a number") from None
    if table.ndim != 2 or table.shape[1] != len(header):
        raise V.InputError(f"{name}: every row must have {len(header)} values like the header")
    arrays, groups = {}, {}
    for k, col in enumerate(header):
        m = _COLUMN.match(col)
        if m:
            groups.setdefault(m.group(1), []).append((int(m.group(2)), k))
        elif col in ("r", "r_model"):
            arrays[col] = table[:, k]
        else:
            raise V.InputError(f"{name}: unknown column {col!r} (columns are s_0.., a_0.., r, s_next_0.., "
                               "s_next_model_0.., r_model, optionally a_policy_0..)")
    for field, cols in groups.items():
        idx = sorted(cols)
        if [i for i, _ in idx] != list(range(len(idx))):
            raise V.InputError(f"{name}: columns {field}_0 .. {field}_{len(idx) - 1} must all be present")
        arrays[field] = table[:, [k for _, k in idx]]
    return arrays


# --------------------------------------------------------------------------- learning curves to advice
@dataclass(frozen=True)
class Advice(Result):
    r"""The two error laws fitted to learning curves (E12) and the split of the next budget (E9-E11).

    Parameters
    ----------
    fits : dict
        ``"dyn"`` and ``"rew"`` to their fitted laws, with intervals.
    budget : float or None
        The next budget, when one was given.
    split : dict or None
        The optimal split of that budget, with its interval from the laws' intervals.
    success : bool
        Whether a split could be computed.
    message : str
        Why not, or empty.
    """

    fits: dict  # "dyn"/"rew" -> PowerLawFit
    budget: float | None
    split: dict | None
    success: bool
    message: str


def read_curves(path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Learning curves from a CSV with columns ``n_d, eps_dyn`` and/or ``n_r, eps_rew``.

    A curve's cells may be empty where the other curve has more rows.

    Parameters
    ----------
    path : str or Path
        The CSV file (``-`` reads standard input).

    Returns
    -------
    dict
        ``"dyn"`` and/or ``"rew"`` to ``(n, error)`` arrays.

    References
    ----------
    ``docs/theory.md`` E12.
    """
    from theory.maths.scaling import read_text

    text = read_text(path)
    rows = [row for row in csv.reader(line for line in text.splitlines() if line.strip() and not line.startswith("#"))]
    if not rows:
        raise V.InputError(f"{path}: empty (the curves CSV needs columns n_d,eps_dyn and/or n_r,eps_rew)")
    header = _unique_header(path, rows[0])
    out = {}
    for kind, (nc, ec) in {"dyn": ("n_d", "eps_dyn"), "rew": ("n_r", "eps_rew")}.items():
        if (nc in header) != (ec in header):
            raise V.InputError(f"{path}: columns {nc} and {ec} go together")
        if nc not in header:
            continue
        i, j = header.index(nc), header.index(ec)
        pts = []
        for line, row in enumerate(rows[1:], start=2):
            cells = [row[i].strip() if i < len(row) else "", row[j].strip() if j < len(row) else ""]
            if not any(cells):
                continue
            try:
                pts.append((float(cells[0]), float(cells[1])))
            except ValueError:
                raise V.InputError(f"{path}, row {line}: {nc} and {ec} must be numbers, got {cells}") from None
        out[kind] = (np.array([p[0] for p in pts]), np.array([p[1] for p in pts]))
    if not out:
        raise V.InputError(f"{path}: no curve (need columns n_d,eps_dyn and/or n_r,eps_rew; found {header})")
    return out


def advise(curves: dict, diagnosis: Diagnosis | None = None, *, budget: float | None = None,
           price_dyn: float = 1.0, price_rew: float = 1.0, c_dyn: float | None = None, c_rew: float | None = None,
           bootstrap: int = 200, rng: np.random.Generator | int | None = 0) -> Advice:
    r"""Fit the error laws to learning curves (E12, bootstrap intervals) and split the next budget (E9-E11).

    Parameters
    ----------
    curves : dict
        ``"dyn"`` and/or ``"rew"`` to ``(n, error)`` (:func:`read_curves`).
    diagnosis : Diagnosis, optional
        Supplies $C_{dyn}$ and $C_{rew}$ (E3 at its $\gamma$, $H$ and estimated constants) unless given.
    budget : float, optional
        The next budget; with both curves, the split and its bootstrap interval.
    price_dyn, price_rew : float
        Prices $\kappa_d$, $\kappa_r$ of one dynamics sample and one reward label.
    c_dyn, c_rew : float, optional
        The bound's coefficients, given directly.
    bootstrap : int
        Replicates of each fit (0: no intervals).
    rng : Generator or seed
        Randomness of the bootstrap.

    Returns
    -------
    Advice
        ``success`` False (with ``message``) where no split can be given: one curve only, or an infinite bound.

    References
    ----------
    ``docs/theory.md`` E9-E12.
    """
    import warnings

    from theory.maths.allocation import Prices, optimal_split, split_interval
    from theory.maths.bound import coefficients
    from theory.maths.scaling import FitError, FitWarning, fit_power_law

    rng = np.random.default_rng(rng)
    fits = {}
    for kind, (n, err) in curves.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            try:
                fits[kind] = fit_power_law(n, err, bootstrap=bootstrap, rng=rng)
            except FitError as exc:
                raise V.InputError(f"the {kind} curve: {exc}") from None
    if budget is None:
        return Advice(fits, None, None, True, "laws fitted; give a budget for the split")
    if set(fits) != {"dyn", "rew"}:
        return Advice(fits, budget, None, False, "the split needs both curves (n_d,eps_dyn and n_r,eps_rew)")
    if c_dyn is None or c_rew is None:
        if diagnosis is None:
            raise V.InputError("give c_dyn and c_rew, or a diagnosis to take them from")
        lip = diagnosis.lipschitz
        cd, cr = coefficients(diagnosis.gamma, diagnosis.horizon, K_f=lip["lip_dyn"].value, K_r=lip["lip_rew"].value,
                              K_pi=lip["lip_pi"].value if "lip_pi" in lip else 0.0)
        c_dyn, c_rew = float(cd), float(cr)
    if not (math.isfinite(c_dyn) and c_dyn > 0):
        return Advice(fits, budget, None, False, f"C_dyn = {c_dyn:g}: the bound is infinite or has no dynamics term here; "
                      "give a finite horizon")
    prices = Prices(price_dyn, price_rew)
    split = optimal_split(budget, prices, fits["dyn"].law, fits["rew"].law, c_dyn, c_rew).to_dict()
    split |= {"c_dyn": c_dyn, "c_rew": c_rew}
    if bootstrap:
        ci = split_interval(budget, prices, fits["dyn"].boot, fits["rew"].boot, c_dyn, c_rew)
        split |= {"share_dyn_ci": list(ci["share_dyn"]), "sample_ratio_ci": list(ci["sample_ratio"])}
    return Advice(fits, budget, split, True, "split of the next budget by E9-E11 with the fitted laws")
