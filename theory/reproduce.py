"""``imagination reproduce``: every derivation checked, optima computed, Monte Carlo checks run,
every figure drawn, and a summary of what was checked and what held.

Each stage is a function ``stage(out_dir, quick) -> list[Check]``; stages are listed in
:data:`STAGES` in the order they run. A stage that raises is reported as a failed check.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm


@dataclass(frozen=True)
class Check:
    """One claim the main job checked: its name, whether it held, and the numbers behind it."""

    name: str
    held: bool
    detail: str
    numbers: dict = field(default_factory=dict)


Stage = Callable[[Path, bool], list[Check]]


def _bound_stage(out: Path, quick: bool) -> list[Check]:
    from .continuous import calibrate
    from .derivations.bound import derive_bound
    from .figures import bound as fig
    from .sensitivity import sensitivity

    d = derive_bound()
    (out / "derivations").mkdir(parents=True, exist_ok=True)
    (out / "derivations" / "bound.md").write_text(d.render())
    checks = [Check("derivation: return-error bound E1-E5", True,
                    f"{d.summary()['identities']} identities and {d.summary()['inequalities']} inequalities checked",
                    d.summary())]
    n_lip, n_lq = (60, 150) if quick else (150, 375)
    cals = [calibrate("lipschitz", n_lip, seed=0), calibrate("lq", n_lq, seed=1)]
    for cal in cals:
        checks.append(Check(f"bound holds on exact returns: {cal.family} systems", cal.violations == 0,
                            f"{cal.cases} systems, {cal.violations} violations, {cal.infinite} with infinite bound; "
                            f"median gap/bound {cal.median_ratio:.2g} (paper {cal.paper_median}), max {cal.max_ratio:.2g}",
                            cal.to_dict()))
    fig.compounding_and_horizon(out)
    fig.calibration(out, cals)
    s = sensitivity(0.9, "inf", 0.01, 0.01, K_f=0.6, K_r=1.0, K_pi=0.3)
    positive = all(s.partials[k] > 0 for k in ("lip_dyn", "lip_rew", "lip_pi"))
    checks.append(Check("E6: the bound rises with every Lipschitz constant", positive,
                        f"elasticities at gamma=0.9, K_f=0.6, K_r=1, K_pi=0.3: "
                        + ", ".join(f"{k} {s.elasticity[k]:.3g}" for k in ("lip_dyn", "lip_rew", "lip_pi"))
                        + f"; lower {s.lower_first} first", s.to_dict()))
    return checks


STAGES: dict[str, Stage] = {"bound": _bound_stage}


def reproduce(out_dir: str | Path = "figures", quick: bool = False, only: list[str] | None = None) -> dict:
    """Run every stage (or those named in ``only``) and return the summary as a dict."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    checks: list[Check] = []
    timings = {}
    names = [n for n in STAGES if not only or n in only]
    for name in tqdm(names, desc="reproduce", disable=None, leave=False):
        start = time.perf_counter()
        try:
            checks += STAGES[name](out, quick)
        except Exception as err:  # a broken stage is a failed check, and the others still run
            checks.append(Check(f"stage {name}", False, f"raised {type(err).__name__}: {err}"))
        timings[name] = round(time.perf_counter() - start, 2)
    return {
        "out_dir": str(out),
        "quick": quick,
        "checks": [asdict(c) for c in checks],
        "held": sum(c.held for c in checks),
        "failed": sum(not c.held for c in checks),
        "seconds": timings,
    }


def render(summary: dict) -> str:
    lines = [f"imagination reproduce: {summary['held']} checks held, {summary['failed']} failed "
             f"(figures and derivations in {summary['out_dir']}/)"]
    for c in summary["checks"]:
        lines.append(f"  [{'held' if c['held'] else 'FAILED'}] {c['name']}: {c['detail']}")
    lines.append("  time per stage (s): " + ", ".join(f"{k} {v}" for k, v in summary["seconds"].items()))
    return "\n".join(lines)
