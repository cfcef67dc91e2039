"""``imagination noise-budget`` (E18, E19) and ``imagination check-reinforce`` (E15 to E17)."""

from __future__ import annotations

import argparse
import math
import re

from theory._validate import InputError
from theory.commands import command, table, option
from theory.commands import _types as T


def _offer(text: str) -> tuple[float, float]:
    parts = text.split(":")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"an offer is PRICE:SIGMA2 (two numbers), got {text!r}")
    try:
        price = T.positive(parts[0])
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"the price of offer {text!r} must be a number > 0") from None
    try:
        return price, T.nonnegative(parts[1])
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"the noise variance of offer {text!r} must be a number >= 0") from None


def family_from_args(args: argparse.Namespace):
    from theory.maths import noise_budget as NB  # SciPy's optimisers: only the noise-budget command needs them

    need = {"power": ("A", "p"), "floor": ("sigma2_floor", "A"), "bounded": ("sigma2_0",), "averaging": ("sigma2_1", "k"),
            "menu": ("offer",)}[args.noise]
    missing = [name for name in need if getattr(args, name) is None]
    if missing:
        raise InputError(f"--noise {args.noise} needs " + ", ".join("--" + m.replace("_", "-") for m in missing))
    if args.noise == "power":
        return NB.power(args.A, args.p)
    if args.noise == "floor":
        return NB.floor(args.sigma2_floor, args.A)
    if args.noise == "bounded":
        perfect = args.price_perfect
        if perfect is None:  # this release only: --price-max was also the price of perfect labels
            if args.price_max is None:
                raise InputError("--noise bounded needs --price-perfect (the price at which labels are perfect)")
            import warnings

            # shown on one line by the command line's warning hook (FutureWarning: meant for users, shown by default)
            warnings.warn("--price-max as the bounded family's price of perfect labels is deprecated; give "
                          "--price-perfect", FutureWarning, stacklevel=2)
            perfect = args.price_max
        return NB.bounded(args.sigma2_0, perfect)
    if args.noise == "averaging":
        return NB.averaging(args.sigma2_1, args.k)
    return NB.menu(args.offer)


@command("noise-budget")
class NoiseBudgetCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "v0", type=T.nonnegative)
        option(p, "w", type=T.positive, note="Gamma G_2 for the full return")
        option(p, "mdp_file", note="take V0 and W from this finite-horizon MDP (exact, uniform policy) instead")
        option(p, "rollout_budget", type=T.positive, required=True)
        option(p, "c0", type=T.nonnegative, default=0.0, note="default 0")
        option(p, "price_min", type=T.positive, note="default: the smallest offer")
        option(p, "price_max", type=T.positive, note="default: the largest offer")
        option(p, "noise", choices=("power", "floor", "bounded", "averaging", "menu"), required=True)
        option(p, "A", type=T.positive)
        option(p, "p", type=T.positive)
        option(p, "sigma2_floor", type=T.nonnegative)
        option(p, "sigma2_0", type=T.positive)
        option(p, "price_perfect", type=T.positive,
                       note="default: --price-max, deprecated")
        option(p, "sigma2_1", type=T.positive)
        option(p, "k", type=T.positive)
        option(p, "offer", type=_offer, nargs="+", metavar="PRICE:SIGMA2")
        # "-1:1" is a (bad) offer, not an option: argparse hands it to _offer, whose message says what is wrong
        p._negative_number_matcher = re.compile(r"^-\d+$|^-\d*\.\d+$|^-[\d.eE+-]*:[\d.eE+-]*$")
        option(p, "integer", action="store_true", note="rollouts = floor(B / (c0 + c))")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        if args.mdp_file is not None:
            if args.v0 is not None or args.w is not None:
                raise InputError("give --mdp-file or --v0 and --w, not both")
            from theory.mdp.exact_gradients import noise_weights
            from theory.mdp.finite import load_npz

            args.v0, args.w = noise_weights(load_npz(args.mdp_file))
        elif args.v0 is None or args.w is None:
            raise InputError("give --v0 and --w, or --mdp-file")
        if args.noise == "menu":
            if not args.offer:
                raise InputError("--noise menu needs --offer PRICE:SIGMA2 [PRICE:SIGMA2 ...]")
            prices = [o[0] for o in args.offer]
            lo = min(prices) if args.price_min is None else args.price_min
            hi = max(prices) if args.price_max is None else args.price_max
        else:
            if args.price_min is None or args.price_max is None:
                raise InputError("--price-min and --price-max are required for this noise family")
            lo, hi = args.price_min, args.price_max
        from theory.maths import noise_budget as NB

        problem = NB.BudgetProblem(args.v0, args.w, args.rollout_budget, lo, hi, args.c0, args.integer)
        out = NB.solve(family_from_args(args), problem).to_dict()
        out.update(noise=args.noise, price_min=lo, price_max=hi, v0=args.v0, w=args.w, rollout_budget=args.rollout_budget)
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [("price per rollout's labels", out["price"]), ("noise variance sigma^2", out["sigma2"]),
                ("rollouts", out["rollouts"]), ("gradient MSE", out["mse"]), ("corner", out["corner"] or "inside the range"),
                ("closed form (E19)", out["closed_form_price"]),
                ("paper's noise-only price", f"{out['noise_only_price']:.6g} ({out['noise_only_corner'] or 'inside the range'}), "
                                             + (f"MSE there {out['noise_only_mse']:.6g}" if out['noise_only_mse'] is not None else "no whole rollout there"))]
        return table(rows, f"Noise budget, {out['noise']} family, prices in [{out['price_min']:g}, {out['price_max']:g}] "
                           f"(docs/theory.md E18, E19)") + "\n  " + out["message"]


@command("check-reinforce")
class CheckReinforceCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "mdp_file", note="default: a random 3-state, 2-action MDP")
        option(p, "horizon", type=T.count(1, 10_000), note="default: the file's if finite, else 4")
        option(p, "noise_sd", type=T.nonnegative, default=0.0)
        option(p, "bias", type=T.real(), default=0.0)
        option(p, "rollouts", type=T.count(2, 10**9), default=100_000, note="Monte Carlo; default 100000")
        option(p, "estimator", choices=("full", "reward-to-go", "reward-to-go-no-discount-weight"), default="full")
        option(p, "seed", type=T.seed, default=0)
        option(p, "engine", choices=("auto", "numpy", "numba"), default="auto",
                       note="numba: the compiled fast path (pip install \".[fast]\"), the same numbers bit for bit; "
                            "auto takes it when Numba is installed and the run has 2e7 rollout steps or more")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        import dataclasses
        import math

        from theory.mdp.finite import small_mdp
        from theory.checks.reinforce_check import check_reinforce
        from theory.mdp.finite import load_npz
        from theory.mdp.noise import Noise

        mdp = load_npz(args.mdp_file) if args.mdp_file else small_mdp(args.seed, S=3, A=2, horizon=4)
        H = args.horizon if args.horizon is not None else (4 if math.isinf(mdp.horizon) else int(mdp.horizon))
        if H > 10_000:
            raise InputError(f"the file's horizon {H:g} is longer than the checker's rollouts (at most 10000 steps): "
                             "give --horizon")
        if args.rollouts < 2:
            raise InputError("--rollouts must be >= 2")
        if args.noise_sd < 0:
            raise InputError(f"--noise-sd must be >= 0, got {args.noise_sd}")
        noise = Noise("constant-bias", sigma=args.noise_sd, bias=args.bias) if args.bias else Noise("gaussian", sigma=args.noise_sd)
        mdp = dataclasses.replace(mdp, horizon=H)
        res = check_reinforce(mdp, estimator=args.estimator, noise=noise, n_rollouts=args.rollouts, rng=args.seed,
                              engine=args.engine)
        out = res.to_dict()
        out["horizon"] = H
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [("estimator", out["estimator"]), ("rollouts, horizon", f"{out['rollouts']}, {out['horizon']}"),
                ("max |z| against the exact gradient", out["max_abs_z"]),
                (f"Bonferroni threshold ({100 * (1 - out['significance']):g}%)", out["z_crit"]),
                ("unbiased", out["unbiased"]), ("variance exact (single rollout)", out["variance_exact"]),
                ("variance Monte Carlo", out["variance_mc"]), ("engine", out["engine"])]
        return table(rows, "REINFORCE check at the uniform policy (docs/theory.md E15, E16)") + (f"\n  {out['message']}" if out["message"] else "")
