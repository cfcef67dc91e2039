"""``imagination bound``: the return-error bound E3 for given constants and errors."""

from __future__ import annotations

import argparse

from theory.maths import bound as B
from theory.commands import BOUND_OPTIONS, command, options, table
from theory.commands import _types as T


def add_bound_options(p: argparse.ArgumentParser, errors: bool = True) -> None:
    """Options shared by every subcommand that evaluates the bound."""
    p.add_argument("--gamma", type=T.probability, required=True, help="discount in [0, 1]")
    p.add_argument("--horizon", type=T.horizon, default="inf", help="integer >= 1, or 'inf' (default)")
    p.add_argument("--lip-dyn", type=T.nonnegative, required=True, help="K_f, Lipschitz constant of the dynamics model")
    p.add_argument("--lip-rew", type=T.nonnegative, required=True, help="K_r, Lipschitz constant of the reward model")
    p.add_argument("--lip-pi", type=T.nonnegative, default=0.0, help="K_pi, Lipschitz constant of the policy (default 0)")
    if errors:
        p.add_argument("--eps-dyn", type=T.nonnegative, required=True, help="one-step dynamics error (sup W1)")
        p.add_argument("--eps-rew", type=T.nonnegative, required=True, help="one-step reward error (sup abs)")


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
        p.add_argument("--latex", action="store_true", help="also print the closed form in LaTeX")

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
        if out["reason"]:
            text += "\n  note: " + out["reason"]
        if out.get("latex"):
            text += "\n" + out["latex"]
        return text
