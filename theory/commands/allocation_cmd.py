"""``imagination allocate`` and ``imagination fit``: the optimal split (E9-E11) and power-law fits (E12)."""

from __future__ import annotations

import argparse
import math
import warnings

from theory.maths import allocation as A
from theory.maths import bound as B
from theory._validate import InputError
from theory.commands import BOUND_OPTIONS, command, options, table, option
from theory.commands import _types as T
from theory.maths.scaling import FitError, FitWarning, PowerLaw, fit_power_law, read_csv


def coefficients_from_args(args: argparse.Namespace) -> tuple[float, float]:
    """C_dyn and C_rew: given directly, or from the bound options (E3)."""
    direct = args.c_dyn is not None or args.c_rew is not None
    if direct:
        if args.c_dyn is None or args.c_rew is None:
            raise InputError("give both --c-dyn and --c-rew, or the bound options (--gamma, --lip-dyn, --lip-rew, ...)")
        if args.gamma is not None or args.lip_dyn is not None:
            raise InputError("give either --c-dyn/--c-rew or the bound options, not both")
        return args.c_dyn, args.c_rew
    if args.gamma is None or args.lip_dyn is None or args.lip_rew is None:
        raise InputError("give --c-dyn and --c-rew, or --gamma, --lip-dyn and --lip-rew (with --horizon, --lip-pi)")
    with options(**BOUND_OPTIONS):
        c_dyn, c_rew = (float(c) for c in B.coefficients(args.gamma, args.horizon, K_f=args.lip_dyn, K_r=args.lip_rew,
                                                              K_pi=args.lip_pi))
    if not math.isfinite(c_dyn):
        raise InputError("the bound is infinite for these constants (H = inf with gamma * L >= 1, or beyond the float "
                         "range): no split can lower it")
    if c_dyn == 0:
        raise InputError("C_dyn = 0 for these constants (gamma = 0, H = 1 or K_r = 0): dynamics data cannot lower the bound")
    return c_dyn, c_rew


def _law(args: argparse.Namespace, kind: str):
    """A power law from its parameters, or fitted (with bootstrap replicates) to a CSV file."""
    path = getattr(args, f"{kind}_csv")
    a, alpha, e = getattr(args, f"a_{kind}"), getattr(args, f"alpha_{kind}"), getattr(args, f"e_{kind}")
    if path is not None:
        if a is not None or alpha is not None:
            raise InputError(f"give either --{kind}-csv or --a-{kind}/--alpha-{kind}, not both")
        n, err = read_csv(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)
            try:
                fit = fit_power_law(n, err, bootstrap=args.bootstrap, rng=args.seed)
            except FitError as exc:
                raise InputError(f"{path}: {exc}") from None
        return fit.law, fit
    if a is None or alpha is None:
        raise InputError(f"give --a-{kind} and --alpha-{kind}, or --{kind}-csv")
    return PowerLaw(a, alpha, e), None


@command("allocate")
class AllocateCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "budget", type=T.positive, required=True)
        option(p, "price_dyn", type=T.positive, required=True)
        option(p, "price_rew", type=T.positive, required=True)
        option(p, "a_dyn", type=T.positive)
        option(p, "alpha_dyn", type=T.positive)
        option(p, "a_rew", type=T.positive)
        option(p, "alpha_rew", type=T.positive)
        option(p, "dyn_csv", note="instead of --a-dyn/--alpha-dyn")
        option(p, "rew_csv", note="instead of --a-rew/--alpha-rew")
        option(p, "bootstrap", type=T.count(0, 100_000), default=200, note="with CSVs: for the split's interval")
        option(p, "seed", type=T.seed, default=0, note="with CSVs: of the bootstrap")
        option(p, "e_dyn", type=T.nonnegative, default=0.0)
        option(p, "e_rew", type=T.nonnegative, default=0.0)
        option(p, "c_dyn", type=T.positive, note="given directly")
        option(p, "c_rew", type=T.positive, note="given directly")
        option(p, "gamma", type=T.probability, note="to compute C_dyn, C_rew from the bound")
        option(p, "horizon", type=T.horizon, default="inf")
        option(p, "lip_dyn", type=T.nonnegative)
        option(p, "lip_rew", type=T.nonnegative)
        option(p, "lip_pi", type=T.nonnegative, default=0.0, note="default 0")
        option(p, "integer", action="store_true")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        c_dyn, c_rew = coefficients_from_args(args)
        prices = A.Prices(args.price_dyn, args.price_rew)
        dyn, dyn_fit = _law(args, "dyn")
        rew, rew_fit = _law(args, "rew")
        out = A.optimal_split(args.budget, prices, dyn, rew, c_dyn, c_rew, integer=args.integer).to_dict()
        out.update(c_dyn=c_dyn, c_rew=c_rew, budget=args.budget)
        out["laws"] = {"dyn": dyn.to_dict(), "rew": rew.to_dict()}
        if dyn_fit is not None or rew_fit is not None:
            boot = [f.boot if f is not None else [[law.a, law.alpha, law.e]] * args.bootstrap
                    for f, law in ((dyn_fit, dyn), (rew_fit, rew))]
            ci = A.split_interval(args.budget, prices, *boot, c_dyn, c_rew)
            out["share_dyn_ci"] = list(ci["share_dyn"])
            out["sample_ratio_ci"] = list(ci["sample_ratio"])
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [("dynamics samples n_d", out["n_dyn"]), ("reward labels n_r", out["n_rew"]),
                ("dynamics share of budget", out["share_dyn"]), ("ratio n_d/n_r", out["sample_ratio"]),
                ("bound at the optimum", out["bound"]), ("C_dyn, C_rew", f"{out['c_dyn']:.6g}, {out['c_rew']:.6g}")]
        if "share_dyn_ci" in out:
            rows.append(("95% interval of the share", f"[{out['share_dyn_ci'][0]:.4g}, {out['share_dyn_ci'][1]:.4g}] (from the fits' bootstrap)"))
        if out["corner"]:
            kind = "dynamics samples" if out["corner"] == "low" else "reward labels"
            rows.append(("corner", f"{out['corner']}: one of the {kind} is the minimum"))
        return table(rows, f"Optimal split of budget {out['budget']:g} (docs/theory.md E9-E11)")


@command("fit")
class FitCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="CSV file with columns n,error")
        option(p, "floor", action="store_true")
        option(p, "bootstrap", type=T.count(0, 100_000), default=200, note="default 200")
        option(p, "level", type=T.real(0.0, 1.0, open_low=True, open_high=True), default=0.95, note="default 0.95")
        option(p, "seed", type=T.seed, default=0, note="of the bootstrap")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        n, err = read_csv(args.file)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitWarning)  # reported in the output instead
            try:
                fit = fit_power_law(n, err, floor=args.floor, bootstrap=args.bootstrap, level=args.level, rng=args.seed)
            except FitError as e:
                raise InputError(str(e)) from None
        return fit.to_dict()

    @staticmethod
    def render(out: dict) -> str:
        def fmt(k):
            value = out["law"][k]
            return f"{value:.6g}  [{out['ci'][k][0]:.4g}, {out['ci'][k][1]:.4g}]" if out["ci"] else f"{value:.6g}"

        rows = [("a", fmt("a")), ("alpha", fmt("alpha"))]
        if out["floor"]:
            rows.append(("e", fmt("e")))
        rows.append(("points, bootstrap", f"{out['points']}, {out['bootstrap']}"))
        title = f"{100 * out['level']:g}% bootstrap intervals" if out["ci"] else "no intervals (--bootstrap 0)"
        text = table(rows, f"error = e + a n^-alpha, {title} (docs/theory.md E12)")
        return text + (f"\n  warning: {out['message']}" if out["message"] else "")
