"""``imagination reproduce``: the main job."""

from __future__ import annotations

import argparse

from theory.commands import add_sweep_options, command, run_size


@command("reproduce")
class ReproduceCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        from theory.reproduce import STAGE_NAMES

        p.add_argument("--out", default="figures", help="folder for the figures (default: figures)")
        p.add_argument("--derivations", default=None,
                       help="folder for the checked derivations (default: derivations/ beside the default figures/, "
                            "else DIR/derivations inside --out DIR)")
        p.add_argument("--quick", action="store_true", help="small sweeps: seconds, for a first look and the tests")
        p.add_argument("--full", action="store_true", help="publication grade: the large grids and the slow experiments")
        p.add_argument("--only", nargs="+", metavar="STAGE", help=f"run only these stages: {', '.join(STAGE_NAMES)}")
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory import reproduce as R

        from theory.checks.sweep import executor_for

        with executor_for(args.workers, args.scheduler) as executor:
            summary = R.reproduce(args.out, size=run_size(args), only=args.only, derivations_dir=args.derivations,
                                  executor=executor, results=args.results)
        summary["exit_code"] = 1 if summary["failed"] else 0
        return summary

    @staticmethod
    def render(out: dict) -> str:
        from theory.reproduce import render

        return render(out)
