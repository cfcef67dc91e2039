"""``imagination diagnose``: a user's own world model from its data (``docs/theory.md`` section 7)."""

from __future__ import annotations

import argparse
import math

from theory._validate import InputError
from theory.commands import _types as T
from theory.commands import command, option, table


@command("diagnose")
class DiagnoseCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "data", note="columns s, a, r, s_next, s_next_model, r_model, "
                                      "optional a_policy, gamma, horizon")
        option(p, "gamma", type=T.probability, note="default: the file's, else 0.99")
        option(p, "horizon", type=T.horizon, note="default: the file's, else inf")
        option(p, "multiple", type=T.positive, default=1.0,
                       note="horizon_max is the longest H with bound <= MULTIPLE x reward span x C_rew(H); "
                            "default 1")
        option(p, "curves")
        option(p, "budget", type=T.positive, note="with --curves: the next budget to split")
        option(p, "price_dyn", type=T.positive, default=1.0, note="default 1")
        option(p, "price_rew", type=T.positive, default=1.0, note="default 1")
        option(p, "bootstrap", type=T.count(0, 100_000), default=200,
                       note="mean errors: at least 40; curves: 0 for none; default 200")
        option(p, "seed", type=T.seed, default=0, note="of the bootstraps and the pair subsample")

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        from theory.maths.diagnose import advise, diagnose, read_curves, read_transitions

        if args.data is None and args.curves is None:
            raise InputError("give --data FILE (transitions and predictions), --curves FILE (learning curves), or both")
        if args.budget is not None and args.curves is None:
            raise InputError("--budget needs --curves (the learning curves the split is computed from)")
        out: dict = {}
        diagnosis = None
        if args.data is not None:
            diagnosis = diagnose(read_transitions(args.data), gamma=args.gamma, horizon=args.horizon,
                                 multiple=args.multiple, bootstrap=max(args.bootstrap, 40), rng=args.seed)
            out = diagnosis.to_dict()
        if args.curves is not None:
            if diagnosis is None and args.budget is not None:
                raise InputError("the split needs C_dyn and C_rew: give --data too (they come from its diagnosis)")
            advice = advise(read_curves(args.curves), diagnosis, budget=args.budget, price_dyn=args.price_dyn,
                            price_rew=args.price_rew, bootstrap=args.bootstrap, rng=args.seed)
            out["advice"] = advice.to_dict()
        return out

    @staticmethod
    def render(out: dict) -> str:
        parts = []
        if "n" in out:
            def est(key):
                e = out[key]
                iv = f"  [{e['interval'][0]:.4g}, {e['interval'][1]:.4g}]" if e["interval"] else ""
                return f"{e['value']:.4g}{iv}  ({e['kind']})"

            lip = out["lipschitz"]
            rows = [("transitions", out["n"]),
                    ("eps_dyn mean / max", f"{est('eps_dyn_mean')} / {est('eps_dyn_max')}"),
                    ("eps_rew mean / max", f"{est('eps_rew_mean')} / {est('eps_rew_max')}")]
            for k, v in lip.items():
                q = v["local_quantiles"]
                rows.append((k, f"{v['value']:.4g} (empirical lower bound; near pairs 50/90/99%: "
                                f"{q['50%']:.3g}, {q['90%']:.3g}, {q['99%']:.3g})"))
            H = "inf" if out["horizon"] is None else f"{out['horizon']:g}"
            rows += [("gamma, horizon", f"{out['gamma']:g}, {H}"),
                     ("gamma L = gamma K_f (1 + K_pi)", f"{out['gamma_L']:.4g}" + ("  VACUOUS: the discounted bound is infinite"
                                                                                   if out["vacuous"] else "")),
                     ("bound (plug-in estimate)", "inf" if out["bound"] is None else
                      f"{out['bound']:.4g} = {out['reward_term']:.4g} (reward) + {out['dynamics_term']:.4g} (dynamics)"),
                     ("lower first (E6)", out["lower_first"] or "-"),
                     (f"longest horizon with bound <= {out['multiple']:g} x return scale",
                      _horizon_max(out))]
            parts.append(table(rows, "Your world model, from its data (docs/theory.md section 7)") + "\n  note: " + out["message"])
        if "advice" in out:
            adv = out["advice"]
            rows = []
            for k, f in adv["fits"].items():
                ci = f["ci"]
                iv = f"  [{ci['alpha'][0]:.3g}, {ci['alpha'][1]:.3g}]" if ci else ""
                rows.append((f"{k} law", f"{f['law']['a']:.4g} n^-{f['law']['alpha']:.4g}{iv}"))
            if adv["split"]:
                sp = adv["split"]
                iv = f"  [{sp['share_dyn_ci'][0]:.3g}, {sp['share_dyn_ci'][1]:.3g}]" if "share_dyn_ci" in sp else ""
                rows += [("budget", adv["budget"]), ("dynamics share", f"{sp['share_dyn']:.4g}{iv}"),
                         ("n_d, n_r", f"{sp['n_dyn']:.6g}, {sp['n_rew']:.6g}")]
            parts.append(table(rows, "Learning curves to advice (E9-E12)") + "\n  note: " + adv["message"])
        return "\n".join(parts)


def _horizon_max(out: dict) -> str:
    """``horizon_max`` in words: JSON has null both for 'every horizon' (inf) and 'not even H = 1'."""
    if out["horizon_max"] is not None:
        return f"{out['horizon_max']:.6g}"
    return "every horizon" if out.get("horizon_max_is_inf") else "none: not even H = 1"
