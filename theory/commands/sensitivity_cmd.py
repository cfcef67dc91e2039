"""``imagination sensitivity``: E6 elasticities, and which constant to lower first."""

from __future__ import annotations

import argparse

from theory.commands import BOUND_OPTIONS, command, options, table
from theory.maths.sensitivity import sensitivity
from theory.commands.bound_cmd import add_bound_options


@command("sensitivity")
class SensitivityCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        add_bound_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        with options(**BOUND_OPTIONS):
            return sensitivity(args.gamma, args.horizon, args.eps_dyn, args.eps_rew,
                               K_f=args.lip_dyn, K_r=args.lip_rew, K_pi=args.lip_pi).to_dict()

    @staticmethod
    def render(out: dict) -> str:
        rows = [(f"elasticity {k}", v) for k, v in out["elasticity"].items()]
        rows += [(f"bound falls per 1% cut of {k}", f"{100 * v:.3g}%") for k, v in out["drop_per_percent"].items()]
        rows += [("lower first", out["lower_first"]), ("bound", out["bound"])]
        return table(rows, "Sensitivity of the bound (docs/theory.md E6)") + "\n  note: " + out["message"]
