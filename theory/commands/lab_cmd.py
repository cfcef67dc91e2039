"""Laboratory subcommands: ``evaluate``, ``lipschitz``, ``verify-bound``, ``verify-allocation``."""

from __future__ import annotations

import argparse

from theory.commands import add_sweep_options, command, option, table
from theory.commands import _types as T
from theory.mdp.analysis import closed_loop_constants
from theory.mdp.finite import evaluate, load_npz


@command("evaluate")
class EvaluateCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "mdp_file", required=True)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        mdp = load_npz(args.mdp_file)
        return {"J": evaluate(mdp), "states": mdp.S, "actions": mdp.A, "gamma": mdp.gamma, "horizon": mdp.horizon}

    @staticmethod
    def render(out: dict) -> str:
        return table([("J", out["J"]), ("states, actions", f"{out['states']}, {out['actions']}"),
                      ("gamma, horizon", f"{out['gamma']:g}, {out['horizon']:g}")], "Exact return")


@command("lipschitz")
class LipschitzCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "mdp_file", required=True)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        mdp = load_npz(args.mdp_file)
        return closed_loop_constants(mdp).to_dict()

    @staticmethod
    def render(out: dict) -> str:
        return table([("L = Lip_W1(P_pi)", out["L"]), ("  attained at states", tuple(out["L_pair"])),
                      ("K_rpi = Lip(r_pi)", out["K_rpi"]), ("  attained at states", tuple(out["K_rpi_pair"]))],
                     "Closed-loop Lipschitz constants (docs/theory.md E13)")


@command("toy-text")
class ToyTextCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        from theory.mdp.toy_text import TOY_TEXT

        p.add_argument("name", choices=sorted(TOY_TEXT), help="the environment")
        option(p, "out", required=True, note="an .npz MDP file")
        option(p, "gamma", type=T.probability, default=0.99, note="default 0.99")
        option(p, "horizon", type=T.horizon, default="inf", note="default inf")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory._validate import horizon as check_horizon
        from theory.commands import options
        from theory.mdp.finite import save_npz
        from theory.mdp.toy_text import toy_text_mdp

        with options(gamma="--gamma", horizon="--horizon"):
            mdp = toy_text_mdp(args.name, gamma=args.gamma, horizon=float(check_horizon(args.horizon)))
        save_npz(mdp, args.out)
        return {"path": args.out, "name": args.name, "states": mdp.S, "actions": mdp.A, "gamma": mdp.gamma,
                "horizon": mdp.horizon, "start_states": int((mdp.mu > 0).sum()), "J_uniform_policy": evaluate(mdp)}

    @staticmethod
    def render(out: dict) -> str:
        return table([("file", out["path"]), ("states, actions", f"{out['states']}, {out['actions']}"),
                      ("start states", out["start_states"]), ("J of the uniform policy", out["J_uniform_policy"])],
                     f"{out['name']} written")


@command("verify-bound")
class VerifyBoundCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "mdp_file", note="default: random chains and grids")
        option(p, "mdps", type=T.count(1, 10**6), default=24, note="default 24")
        option(p, "n_dyn", type=T.count(1), note="default: a sweep of 1 to 64 per pair")
        option(p, "n_rew", type=T.count(1), note="default: a sweep")
        option(p, "noise_sd", type=T.nonnegative, default=0.5, note="on the reward labels; default 0.5")
        option(p, "seed", type=T.seed, default=0)
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory._validate import InputError
        from theory.checks.bound_sweep import verify_bound
        from theory.sweep import executor_for

        mdp = load_npz(args.mdp_file) if args.mdp_file else None
        samples = None
        if (args.n_dyn is None) != (args.n_rew is None):
            raise InputError("give both --n-dyn and --n-rew, or neither")
        if args.n_dyn is not None:
            if args.n_dyn < 1 or args.n_rew < 1:
                raise InputError("--n-dyn and --n-rew must be >= 1")
            if mdp is None:
                raise InputError("--n-dyn/--n-rew need --mdp-file (random MDPs differ in size)")
            samples = ((args.n_dyn, args.n_rew),)
        with executor_for(args.workers, args.scheduler) as executor:
            sweep = verify_bound(mdp, n_mdps=args.mdps, samples=samples, sigma=args.noise_sd, seed=args.seed,
                                 executor=executor, results=args.results)
        out = sweep.summary()
        out["samples"] = [[int(a), int(b)] for a, b in zip(sweep.n_dyn, sweep.n_rew)][: len(samples or ())] or None
        return out

    @staticmethod
    def render(out: dict) -> str:
        rows = [("cases", out["cases"]), ("violations", out["violations"]), ("infinite bounds", out["infinite_bounds"]),
                ("median gap/bound", out["median_ratio"]), ("max gap/bound", out["max_ratio"]),
                ("learned constants tighter in", f"{100 * out['learned_constants_tighter']:.0f}% of cases")]
        return table(rows, "The bound on learned tabular models (docs/theory.md E3, section 5)")


@command("verify-allocation")
class VerifyAllocationCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "seed", type=T.seed, default=0)
        option(p, "seed_count", type=T.count(2, 10**6), default=100,
                       note="learned models averaged per split; default 100; --seed is the root seed")
        add_sweep_options(p)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory._validate import InputError
        from theory.checks.allocation_check import check_allocation

        if args.seed_count < 2:
            raise InputError("--seed-count must be >= 2")
        from theory.sweep import executor_for

        with executor_for(args.workers, args.scheduler) as executor:
            return check_allocation(seed=args.seed, seeds=args.seed_count, executor=executor, results=args.results).to_dict()

    @staticmethod
    def render(out: dict) -> str:
        rows = []
        for k, fit in out["fits"].items():
            law, ci = fit["law"], fit["ci"]["alpha"]
            rows.append((f"measured eps_{k}", f"{law['a']:.3g} n^-{law['alpha']:.3f}  (alpha 95% CI [{ci[0]:.3f}, {ci[1]:.3f}])"))
        for k, v in out["predicted"].items():
            c = out["coefficients"][k]
            rows.append((f"{k} (C_dyn {c['c_dyn']:.3g}, C_rew {c['c_rew']:.3g})",
                         f"share {v['share_dyn']:.2f}: |J-J_hat| {v['return_error']:.4g} +- {v['return_error_se']:.2g}, "
                         f"suboptimality {v['suboptimality']:.4g}"))
        b = out["empirical_best"]
        rows.append(("empirically best", f"share {b['share_dyn']:.2f}: |J-J_hat| {b['return_error']:.4g} +- {b['return_error_se']:.2g}, "
                                         f"suboptimality {b['suboptimality']:.4g}"))
        return table(rows, f"Allocation check, budget {out['budget']:g}, prices {out['prices']}") + "\n  " + out["message"]


@command("bounds")
class BoundsCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "mdp_file", required=True, note="the true MDP; - for standard input")
        option(p, "model_file", note="its P and R are the model's; gamma, horizon, mu and pi come from the true file")
        option(p, "learn", nargs=2, type=T.count(1), metavar=("N_D", "N_R"), note="instead of --model-file")
        option(p, "noise_sd", type=T.nonnegative, default=0.5, note="with --learn: on the reward labels; default 0.5")
        option(p, "seed", type=T.seed, default=0, note="with --learn: of the samples")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        import numpy as np

        from theory._validate import InputError
        from theory.mdp.hierarchy import bound_hierarchy
        from theory.mdp.learned import learn

        if (args.model_file is None) == (args.learn is None):
            raise InputError("give --model-file MODEL.npz or --learn N_D N_R, one of the two")
        mdp = load_npz(args.mdp_file)
        if args.model_file is not None:
            model = load_npz(args.model_file)
            if model.P.shape != mdp.P.shape:
                raise InputError(f"--model-file: P has shape {model.P.shape}, the true file's {mdp.P.shape}; a model "
                                 "lives on the same states and actions")
        else:
            model = learn(mdp, args.learn[0], args.learn[1], args.noise_sd, np.random.default_rng(args.seed))
        return bound_hierarchy(mdp, model).to_dict()

    @staticmethod
    def render(out: dict) -> str:
        rows = [("J (true), J_hat (model)", f"{out['J']:.6g}, {out['J_model']:.6g}")]
        for lv in out["levels"]:
            ratio = "" if lv["looseness"] is None else f"  ({lv['looseness']:.3g} x the gap)"
            rows.append((lv["name"], f"{lv['value']:.4g}{ratio}{'' if lv['holds'] else '  VIOLATED'}"))
        return (table(rows, "Bounds on |J - J_hat|, from the exact gap up (docs/theory.md section 7)") + "\n  " + out["message"])
