"""``imagination allocate`` and ``imagination fit``: the optimal split (E9-E11) and power-law fits (E12)."""

from __future__ import annotations

import argparse
import warnings

from .. import allocation as A
from .. import bound as B
from .._validate import InputError
from ..cli import command, table
from ..scaling import FitError, FitWarning, PowerLaw, fit_power_law, read_csv


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
    res = B.return_bound(args.gamma, args.horizon, 1.0, 1.0, K_f=args.lip_dyn, K_r=args.lip_rew, K_pi=args.lip_pi)
    if not bool(res.finite):
        raise InputError("the bound is infinite for these constants (H = inf with gamma * L >= 1): no split can lower it")
    if float(res.c_dyn) == 0:
        raise InputError("C_dyn = 0 for these constants (gamma = 0, H = 1 or K_r = 0): dynamics data cannot lower the bound")
    return float(res.c_dyn), float(res.c_rew)


@command("allocate", "Split a budget between dynamics samples and reward labels to minimise the bound (E9-E11).")
class AllocateCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("--budget", type=float, required=True, help="total budget N")
        p.add_argument("--price-dyn", type=float, required=True, help="price of one dynamics sample (kappa_d)")
        p.add_argument("--price-rew", type=float, required=True, help="price of one reward label (kappa_r)")
        p.add_argument("--a-dyn", type=float, required=True, help="dynamics law coefficient a_d")
        p.add_argument("--alpha-dyn", type=float, required=True, help="dynamics law exponent alpha_d")
        p.add_argument("--a-rew", type=float, required=True, help="reward law coefficient a_r")
        p.add_argument("--alpha-rew", type=float, required=True, help="reward law exponent alpha_r")
        p.add_argument("--e-dyn", type=float, default=0.0, help="dynamics error floor (does not move the optimum)")
        p.add_argument("--e-rew", type=float, default=0.0, help="reward error floor (does not move the optimum)")
        p.add_argument("--c-dyn", type=float, help="C_dyn of the bound, given directly")
        p.add_argument("--c-rew", type=float, help="C_rew of the bound, given directly")
        p.add_argument("--gamma", type=float, help="discount (to compute C_dyn, C_rew from the bound)")
        p.add_argument("--horizon", default="inf", help="integer >= 1 or 'inf'")
        p.add_argument("--lip-dyn", type=float, help="K_f")
        p.add_argument("--lip-rew", type=float, help="K_r")
        p.add_argument("--lip-pi", type=float, default=0.0, help="K_pi (default 0)")
        p.add_argument("--integer", action="store_true", help="whole numbers of samples")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        c_dyn, c_rew = coefficients_from_args(args)
        prices = A.Prices(args.price_dyn, args.price_rew)
        dyn = PowerLaw(args.a_dyn, args.alpha_dyn, args.e_dyn)
        rew = PowerLaw(args.a_rew, args.alpha_rew, args.e_rew)
        out = A.optimal_split(args.budget, prices, dyn, rew, c_dyn, c_rew, integer=args.integer).to_dict()
        out.update(c_dyn=c_dyn, c_rew=c_rew, budget=args.budget)
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [("dynamics samples n_d", out["n_dyn"]), ("reward labels n_r", out["n_rew"]),
                ("dynamics share of budget", out["share_dyn"]), ("ratio n_d/n_r", out["ratio"]),
                ("bound at the optimum", out["bound"]), ("C_dyn, C_rew", f"{out['c_dyn']:.6g}, {out['c_rew']:.6g}")]
        if out["corner"]:
            rows.append(("corner", f"{out['corner']} (one sample of that kind is the minimum)"))
        return table(rows, f"Optimal split of budget {out['budget']:g} (DESIGN.md E9-E11)")


@command("fit", "Fit a power law error = e + a n^-alpha to a CSV with columns n,error, with bootstrap intervals (E12).")
class FitCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="CSV file with columns n,error")
        p.add_argument("--floor", action="store_true", help="fit an error floor e too (robust Huber fit)")
        p.add_argument("--bootstrap", type=int, default=200, help="bootstrap resamples (default 200)")
        p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
        p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")

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
        fmt = lambda k: f"{out[k]:.6g}  [{out['ci'][k][0]:.4g}, {out['ci'][k][1]:.4g}]"  # noqa: E731
        rows = [("a", fmt("a")), ("alpha", fmt("alpha"))]
        if out["floor"]:
            rows.append(("e", fmt("e")))
        rows.append(("points, bootstrap", f"{out['points']}, {out['bootstrap']}"))
        text = table(rows, f"error = e + a n^-alpha, {100 * out['level']:.0f}% bootstrap intervals (DESIGN.md E12)")
        return text + "".join(f"\n  warning: {w}" for w in out["warnings"])
