"""``imagination reproduce``: the main job."""

from __future__ import annotations

import argparse

from theory.commands import add_sweep_options, command, run_size, option


@command("reproduce")
class ReproduceCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        from theory.report.reproduce import STAGE_NAMES

        option(p, "out", default="figures", note="the folder for the figures; default figures")
        option(p, "derivations_out", default=None,
                       note="default: derivations/ beside the default figures/, else "
                            "DIR/derivations inside --out DIR")
        option(p, "quick", action="store_true")
        option(p, "full", action="store_true")
        option(p, "only", nargs="+", metavar="STAGE", note=", ".join(STAGE_NAMES))
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory.report import reproduce as R

        from theory.sweep import executor_for

        with executor_for(args.workers, args.scheduler) as executor:
            summary = R.reproduce(args.out, size=run_size(args), only=args.only, derivations_dir=args.derivations_out,
                                  executor=executor, results=args.results)
        summary["exit_code"] = 1 if summary["failed"] else 0
        return summary

    @staticmethod
    def render(out: dict) -> str:
        from theory.report.reproduce import render

        return render(out)
