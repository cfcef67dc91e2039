"""``imagination reproduce``: the main job."""

from __future__ import annotations

import argparse

from theory import reproduce as R
from theory._validate import InputError
from theory.commands import command


@command("reproduce")
class ReproduceCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", default="figures", help="folder for figures and derivations (default: figures)")
        p.add_argument("--quick", action="store_true", help="smaller sweeps, for a first look")
        p.add_argument("--full", action="store_true", help="the larger grids of the slow experiments")
        p.add_argument("--only", nargs="+", metavar="STAGE", help=f"run only these stages: {', '.join(R.STAGES)}")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        if args.only:
            unknown = sorted(set(args.only) - set(R.STAGES))
            if unknown:
                raise InputError(f"--only: unknown stage(s) {unknown}; valid: {list(R.STAGES)}")
        summary = R.reproduce(args.out, quick=args.quick, only=args.only, full=args.full)
        summary["exit_code"] = 1 if summary["failed"] else 0
        return summary

    @staticmethod
    def render(out: dict) -> str:
        return R.render(out)
