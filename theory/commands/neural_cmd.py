"""``imagination scaling-experiment`` and ``regime-map``: the paper's neural scaling measurement and the map of
teacher-student regimes behind its exponents, torch-free."""

from __future__ import annotations

import argparse

from theory.commands import add_sweep_options, command, run_size, table, option
from theory.commands import _types as T


@command("scaling-experiment")
class ScalingExperimentCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "quick", action="store_true", note="a tiny grid (seconds)")
        option(p, "full", action="store_true", note="the larger grid, trained to convergence (long)")
        option(p, "measure", choices=("mean", "sup", "mse", "rmse"), default="mean", note="default mean")
        option(p, "seed", type=T.seed, default=0)
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory.checks.neural_scaling import scaling_experiment

        from theory.sweep import executor_for

        with executor_for(args.workers, args.scheduler) as executor:
            out = scaling_experiment(run_size(args), seed=args.seed, measure=args.measure, executor=executor, results=args.results)
        return out.to_dict()

    @staticmethod
    def render(out: dict) -> str:
        from theory.report.paper import LAWS

        def law(kind: str) -> str:
            f, p = out["fits"][kind], LAWS[kind]
            return (f"{f['law']['a']:.3g} n^-{f['law']['alpha']:.3f}  alpha 95% CI [{f['ci']['alpha'][0]:.3f}, "
                    f"{f['ci']['alpha'][1]:.3f}]   paper: {p.a:g} n^-{p.alpha:g}")

        rows = [("dynamics error", law("dyn")), ("reward error", law("rew")),
                ("verdict", out["message"]),
                ("optimal dynamics share", ", ".join(f"{v:.3f} at budget {k}" for k, v in out["shares_by_budget"].items())),
                ("prices, C_dyn, C_rew", f"{out['prices']}, {out['c_dyn']:.4g}, {out['c_rew']:.4g}")]
        for name, o in out["other_measures"].items():
            if "dyn" in o:
                d, r = o["dyn"]["law"], o["rew"]["law"]
                rows.append((f"{name} measure", f"dynamics {d['a']:.3g} n^-{d['alpha']:.3f}, reward {r['a']:.3g} n^-{r['alpha']:.3f}"))
        for r in out["split_check"]:
            rows.append((f"budget {r['budget']:g}, share {r['share_dyn']:.3f}{' (optimal)' if r['bound_optimal'] else ''}",
                         f"n_d {r['n_dyn']}, n_r {r['n_rew']}: measured bound {r['measured_bound']:.4g}"))
        return table(rows, f"Neural scaling laws ({out['measure']} error, {len(out['sizes'])} sizes x {out['seed_count']} seeds, "
                           f"{out['steps']} Adam steps)")


@command("regime-map")
class RegimeMapCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "quick", action="store_true", note="two regimes on a tiny grid (seconds)")
        option(p, "full", action="store_true", note="eleven regimes on the large grid (minutes; use --workers)")
        option(p, "seed", type=T.seed, default=0)
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory.checks.regime_map import regime_map
        from theory.sweep import executor_for

        with executor_for(args.workers, args.scheduler) as executor:
            out = regime_map(run_size(args), seed=args.seed, executor=executor, results=args.results)
        return out.to_dict()

    @staticmethod
    def render(out: dict) -> str:
        from theory.report.paper import LAWS

        rows = []
        for f in out["fits"]:
            law = f["fit"]["law"] if f["fit"] else None
            predicted = ", ".join(f"{k} {v:.3g}" for k, v in f["predicted_exponents"].items() if v is not None)
            rows.append((f"{f['regime']['name']} ({f['measure']})",
                         (f"{law['a']:.3g} n^-{law['alpha']:.3f} alpha [{f['fit']['ci']['alpha'][0]:.3f}, "
                          f"{f['fit']['ci']['alpha'][1]:.3f}]" if law else f"no fit: {f['message']}")
                         + f"   predicted: {predicted}"))
        return table(rows, f"Regime map ({len(out['sizes'])} sizes x {out['seed_count']} seeds); the paper: reward "
                           f"{LAWS['rew'].a:g} n^-{LAWS['rew'].alpha:g}, dynamics {LAWS['dyn'].a:g} n^-{LAWS['dyn'].alpha:g}")
