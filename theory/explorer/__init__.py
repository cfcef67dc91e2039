r"""The interactive explorer: one self-contained HTML page with the bound, the split and the noise tradeoff.

:func:`build_html` assembles the page from its parts: the closed forms and their derivatives printed
from SymPy (:mod:`theory.explorer.formulas`, JavaScript to evaluate and MathML to show), a port of the
package's stable numerics (``kernels.js``), number formatting and SVG charts (``chart.js``), the controls
and what each plot shows (``page.js``, ``page.css``, ``page.html``) and :data:`PARAMETERS`, the one table of
query keys, defaults and valid ranges the page, the tests and the docs share. No network, no library: the
file opens from ``file://``.

The page reads its state from the URL query (every key of :data:`PARAMETERS`, each optional) and
writes it back as the controls move. Every computed number sits in an element with a stable id and its
full-precision value in ``data-value`` (JavaScript's shortest round-trip form, ``Infinity`` for an
infinite bound, ``NaN`` where there is no answer and a message says why).
"""

from __future__ import annotations

import json
import re
import dataclasses
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from theory.vocabulary import CONCEPTS, concept

__all__ = ["PARAMETERS", "OUTPUT_IDS", "RENAMED", "Parameter", "build_html", "external_references", "write_explorer"]

#: The page's size limit (bytes) that ``reproduce`` checks.
MAX_BYTES = 1_000_000


def _checked(p: "Parameter") -> "Parameter":
    """``p`` with its key checked against the vocabulary and, without its own, the concept's meaning as help."""
    c = concept(p.key)
    if c.query_key != p.key:
        raise KeyError(f"{p.key!r} is not an explorer query key in the vocabulary (theory/vocabulary.py)")
    return p if p.help else dataclasses.replace(p, help=c.meaning)


@dataclass(frozen=True)
class Parameter:
    """One control of the page: query key, panel, label (HTML), default (as text), validity rule, slider range.

    ``rule`` is ``unit`` ([0, 1]), ``nonneg``, ``pos``, ``horizon`` (whole number >= 1 or ``inf``) or ``choice``;
    ``slider`` is ``(low, high, "lin" | "log")`` and limits only the slider (the box takes any valid value);
    ``family`` names the noise families a parameter belongs to, space-separated (it is shown only for them).
    """

    key: str
    panel: str
    label: str
    default: str
    rule: str
    slider: tuple[float, float, str] | None = None
    family: str | None = None
    choices: tuple[str, ...] = ()
    help: str = ""


PARAMETERS: tuple[Parameter, ...] = tuple(_checked(p) for p in (
    Parameter("gamma", "bound", "discount γ", "0.9", "unit", (0, 1, "lin")),
    Parameter("horizon", "bound", "horizon H", "inf", "horizon", (1, 1000, "log"), help="a whole number, or inf"),
    Parameter("lip_dyn", "bound", "K<sub>f</sub> (dynamics)", "0.5", "nonneg", (0, 3, "lin")),
    Parameter("lip_rew", "bound", "K<sub>r</sub> (reward)", "1", "nonneg", (0, 5, "lin")),
    Parameter("lip_pi", "bound", "K<sub>π</sub> (policy)", "0.5", "nonneg", (0, 3, "lin")),
    Parameter("eps_dyn", "bound", "ε<sub>dyn</sub> (sup W<sub>1</sub>)", "0.01", "nonneg", (1e-4, 1, "log")),
    Parameter("eps_rew", "bound", "ε<sub>rew</sub> (sup |r − r̂|)", "0.02", "nonneg", (1e-4, 1, "log")),
    Parameter("budget", "split", "budget N", "1e5", "pos", (10, 1e9, "log")),
    Parameter("price_dyn", "split", "κ<sub>d</sub> (per sample)", "1", "pos", (0.01, 100, "log")),
    Parameter("price_rew", "split", "κ<sub>r</sub> (per label)", "10", "pos", (0.01, 1000, "log")),
    Parameter("a_dyn", "split", "a<sub>d</sub>", "0.34", "pos", (0.01, 100, "log")),
    Parameter("alpha_dyn", "split", "α<sub>d</sub>", "0.11", "pos", (0.01, 2, "log")),
    Parameter("a_rew", "split", "a<sub>r</sub>", "90", "pos", (0.01, 1000, "log")),
    Parameter("alpha_rew", "split", "α<sub>r</sub>", "0.96", "pos", (0.01, 2, "log")),
    Parameter("v0", "noise", "V<sub>0</sub> (clean variance)", "5", "nonneg", (0.01, 100, "log")),
    Parameter("w", "noise", "W (noise weight)", "6", "pos", (0.01, 100, "log")),
    Parameter("rollout_budget", "noise", "budget 𝓑", "1000", "pos", (1, 1e6, "log")),
    Parameter("c0", "noise", "c<sub>0</sub> (compute per rollout)", "0", "nonneg", (0, 10, "lin")),
    Parameter("price_min", "noise", "lowest price c<sub>min</sub>", "0.1", "pos", (1e-3, 1e3, "log")),
    Parameter("price_max", "noise", "highest price c<sub>max</sub>", "100", "pos", (1e-2, 1e4, "log")),
    Parameter("noise", "noise", "noise family σ²(c)", "power", "choice",
              choices=("power", "floor", "bounded", "averaging")),
    Parameter("A", "noise", "A (scale)", "2", "pos", (0.01, 100, "log"), family="power floor"),
    Parameter("p", "noise", "p (exponent)", "2", "pos", (0.1, 4, "lin"), family="power"),
    Parameter("sigma2_floor", "noise", "σ<sub>f</sub>² (floor)", "0.5", "nonneg", (0, 10, "lin"), family="floor"),
    Parameter("sigma2_0", "noise", "σ<sub>0</sub>² (at price 0)", "2", "pos", (0.01, 100, "log"), family="bounded"),
    Parameter("price_perfect", "noise", "price of perfect labels c<sub>perfect</sub>", "100", "pos", (0.1, 1e4, "log"),
              family="bounded"),
    Parameter("sigma2_1", "noise", "σ<sub>1</sub>² (one label)", "2", "pos", (0.01, 100, "log"), family="averaging"),
    Parameter("k", "noise", "k (price per label)", "1", "pos", (0.01, 100, "log"), family="averaging"),
))

#: Old query keys still read for this release (the page says which key replaces each), from the vocabulary.
RENAMED: dict[str, str] = {o.name: c.name for c in CONCEPTS for o in c.old if o.surface == "query"}

#: The ids whose ``data-value`` the tests hold to the Python API.
OUTPUT_IDS = ("bound", "c_rew", "c_dyn", "L", "K_rpi", "reward_term", "dynamics_term", "share_dyn", "n_dyn", "n_rew",
              "split_bound", "price_full", "price_paper", "mse_full", "mse_paper")


def _asset(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def _math_blocks(panel: str) -> str:
    from theory.explorer.formulas import mathml_blocks

    return "\n".join(f'<div class="formula"><p>{caption}</p>{block}</div>' for caption, block in mathml_blocks()[panel])


def build_html() -> str:
    """The explorer page as one string: deterministic (the same package gives the same bytes)."""
    from theory._version import __version__
    from theory.explorer.formulas import constants, javascript

    params = [{k: v for k, v in asdict(p).items() if v not in (None, (), "")} for p in PARAMETERS]
    script = "\n".join([constants(), "// ---- generated from SymPy by theory.explorer.formulas", javascript(),
                        _asset("kernels.js"), _asset("chart.js"), _asset("page.js")])
    page = _asset("page.html")
    for key, value in {"{{STYLE}}": _asset("page.css"), "{{SCRIPT}}": script, "{{VERSION}}": __version__,
                       "{{PARAMETERS}}": json.dumps(params, ensure_ascii=False),
                       "{{RENAMED}}": json.dumps(RENAMED),
                       **{f"{{{{MATH_{panel}}}}}": _math_blocks(panel) for panel in ("bound", "split", "noise")}}.items():
        page = page.replace(key, value)
    return page


def external_references(html: str) -> list[str]:
    """Everything in ``html`` a browser would fetch from elsewhere: ``src``/``href`` to another address, CSS
    ``url()`` and ``@import``. (The SVG namespace string is a name, not a fetch.)"""
    pattern = r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)[^"'\s>]*|url\(\s*["']?(?!data:)[^)]*\)|@import[^;]*"""
    return re.findall(pattern, html, flags=re.IGNORECASE)


def write_explorer(path: str | Path) -> dict:
    """Write the page to ``path`` (parents created).

    Returns
    -------
    dict
        ``path``, ``bytes``, ``external`` (what the page would fetch from elsewhere: empty) and ``limit_bytes``.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    html = build_html()
    out.write_text(html, encoding="utf-8")
    return {"path": str(out), "bytes": len(html.encode("utf-8")), "external": external_references(html),
            "limit_bytes": MAX_BYTES}
