"""``imagination bound``: the return-error bound E3 for given constants and errors."""

from __future__ import annotations

import argparse

from theory.maths import bound as B
from theory.commands import BOUND_OPTIONS, command, options, table, option
from theory.commands import _types as T


def add_bound_options(p: argparse.ArgumentParser, errors: bool = True) -> None:
    """Options shared by every subcommand that evaluates the bound."""
    option(p, "gamma", type=T.probability, required=True)
    option(p, "horizon", type=T.horizon, default="inf", note="default inf")
    option(p, "lip_dyn", type=T.nonnegative, required=True)
    option(p, "lip_rew", type=T.nonnegative, required=True)
    option(p, "lip_pi", type=T.nonnegative, default=0.0, note="default 0")
    if errors:
        option(p, "eps_dyn", type=T.nonnegative, required=True)
        option(p, "eps_rew", type=T.nonnegative, required=True)


def bound_from_args(args: argparse.Namespace, eps_dyn=None, eps_rew=None) -> B.BoundResult:
    with options(**BOUND_OPTIONS):
        return B.return_bound(
            args.gamma,
            args.horizon,
            args.eps_dyn if eps_dyn is None else eps_dyn,
            args.eps_rew if eps_rew is None else eps_rew,
            K_f=args.lip_dyn,
            K_r=args.lip_rew,
            K_pi=args.lip_pi,
        )


def bound_latex(args: argparse.Namespace) -> str:
    """LaTeX of the branch of the bound that applies to these numbers (SymPy loads only here)."""
    from theory.maths.bound_symbolic import branch_expr, branch_of
    from theory.symbols import latex

    branch = branch_of(args.gamma, args.horizon, args.lip_dyn * (1 + args.lip_pi))
    return f"B = {latex(branch_expr(branch))}  % branch: {branch}"


@command("bound")
class BoundCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        add_bound_options(p)
        option(p, "latex", action="store_true")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        res = bound_from_args(args)
        out = res.to_dict()
        total = float(res.bound)
        if res.finite and total > 0:
            out["reward_share"] = float(res.reward_term) / total
            out["dynamics_share"] = float(res.dynamics_term) / total
        else:
            out["reward_share"] = out["dynamics_share"] = None
        if args.latex:
            out["latex"] = bound_latex(args)
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [
            ("L = K_f(1+K_pi)", out["L"]),
            ("K_rpi = K_r(1+K_pi)", out["K_rpi"]),
            ("C_rew", out["c_rew"]),
            ("C_dyn", out["c_dyn"] if out["c_dyn"] is not None else float("inf")),
            ("reward term", out["reward_term"]),
            ("dynamics term", out["dynamics_term"] if out["dynamics_term"] is not None else float("inf")),
            ("bound", out["bound"] if out["bound"] is not None else float("inf")),
        ]
        if out["reward_share"] is not None:
            rows += [("reward share", out["reward_share"]), ("dynamics share", out["dynamics_share"])]
        text = table(rows, "Return-error bound (docs/theory.md E3)")
        if out["message"]:
            text += "\n  note: " + out["message"]
        if out.get("latex"):
            text += "\n" + out["latex"]
        return text
