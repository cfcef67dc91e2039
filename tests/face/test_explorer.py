"""The explorer (E3 to E6 the bound, E8 to E11 the split, E18 and E19 the noise tradeoff) in a real browser
(Debian's chromium, headless, one launch): every ``data-value`` against the Python API to 1e-9 relative over
47 query settings (branch points, gamma L >= 1, corners, bad values), the state written back to the URL,
keyboard operation, labels, and a screenshot that is not blank.

Run ``python tests/face/test_explorer.py docs/explorer.png`` to refresh the user guide's screenshot.
"""

from __future__ import annotations

import importlib.util
import io
import math
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from theory import InputError
from theory.explorer import OUTPUT_IDS, PARAMETERS, build_html, external_references, write_explorer

_spec = importlib.util.spec_from_file_location("explorer_browser", Path(__file__).with_name("browser.py"))
browser_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(browser_module)

DEFAULTS = {p.key: p.default for p in PARAMETERS}

# (query, keys whose value is bad (reported beside the field; the default is used instead),
#  keys whose valid value does not fit the others (reported beside the field; that panel shows no numbers))
SETTINGS: list[tuple[dict, tuple[str, ...], tuple[str, ...]]] = [
    ({}, (), ()),
    ({"gamma": "0.9", "horizon": "10"}, (), ()),
    ({"gamma": "1", "horizon": "50", "lip_dyn": "1", "lip_pi": "0"}, (), ()),                        # gamma = 1 and L = 1
    ({"gamma": "1", "horizon": "50", "lip_dyn": "0.5", "lip_pi": "0"}, (), ()),                      # gamma = 1
    ({"gamma": "0.9", "horizon": "40", "lip_dyn": "1", "lip_pi": "0"}, (), ()),                      # L = 1
    ({"gamma": "0.5", "horizon": "40", "lip_dyn": "2", "lip_pi": "0"}, (), ()),                      # gamma L = 1 exactly
    ({"gamma": "0.999", "horizon": "1000", "lip_dyn": "1.001001001001001", "lip_pi": "0"}, (), ()),  # gamma L within 1e-16 of 1
    ({"gamma": "0.9999", "horizon": "100", "lip_dyn": "1.0001", "lip_pi": "0"}, (), ()),             # within 1e-4 of every branch point
    ({"gamma": "0.999999999", "horizon": "100000", "lip_dyn": "1.000000001", "lip_pi": "0"}, (), ()),
    ({"gamma": "1", "horizon": "1000000", "lip_dyn": "1.0000001", "lip_pi": "0"}, (), ()),           # clustered nodes, large H
    ({"gamma": "0.99", "horizon": "1000000000", "lip_dyn": "1", "lip_pi": "0"}, (), ()),
    ({"gamma": "1", "horizon": "1000000", "lip_dyn": "0.5", "lip_pi": "0", "eps_dyn": "0.1", "eps_rew": "0.01"}, (), ()),  # the audit's E6 case
    ({"gamma": "0.999", "horizon": "1000", "lip_dyn": "1.2", "lip_pi": "0"}, (), ()),                # gamma L > 1, long horizon
    ({"gamma": "1", "horizon": "1000", "lip_dyn": "1.0000000000001", "lip_pi": "0"}, (), ()),        # nodes 1e-13 apart
    ({"gamma": "0.9999999999999", "horizon": "100", "lip_dyn": "1", "lip_pi": "0"}, (), ()),
    ({"gamma": "0.9", "horizon": "inf", "lip_dyn": "1.1111111111", "lip_pi": "0"}, (), ()),          # 1 - gamma L = 1e-11, rounded product
    ({"gamma": "0.9", "horizon": "inf", "lip_dyn": "1.2", "lip_pi": "0"}, (), ()),                   # gamma L >= 1: infinite
    ({"gamma": "0.5", "horizon": "inf", "lip_dyn": "2", "lip_pi": "0"}, (), ()),                     # gamma L = 1 exactly: infinite
    ({"gamma": "0.5", "horizon": "inf", "lip_dyn": "1.9999999999", "lip_pi": "0"}, (), ()),          # just below: huge, finite
    ({"gamma": "0.9999999", "horizon": "inf"}, (), ()),
    ({"gamma": "0.9", "horizon": "inf", "lip_dyn": "1.2", "lip_pi": "0", "eps_dyn": "0"}, (), ()),   # no dynamics error: finite
    ({"gamma": "1", "horizon": "100000", "lip_dyn": "2", "lip_pi": "0"}, (), ()),                    # beyond the float range
    ({"horizon": "1"}, (), ()),                                                                # C_dyn = 0: no split
    ({"horizon": "2", "gamma": "0.7"}, (), ()),
    ({"gamma": "0"}, (), ()),
    ({"lip_rew": "0"}, (), ()),
    ({"gamma": "1", "horizon": "inf"}, (), ("horizon",)),                                            # refused: discounted return diverges
    ({"gamma": "abc"}, ("gamma",), ()),
    ({"gamma": "1.5", "lip_dyn": "-1"}, ("gamma", "lip_dyn"), ()),
    ({"horizon": "2.5", "eps_rew": "1e-3"}, ("horizon",), ()),
    ({"budget": "11", "price_dyn": "1", "price_rew": "10"}, (), ()),                              # the smallest budget: a corner
    ({"budget": "1e12"}, (), ()),
    ({"alpha_dyn": "0.5", "alpha_rew": "0.5", "a_dyn": "3", "a_rew": "7"}, (), ()),              # E10
    ({"budget": "5"}, (), ("budget",)),                                                            # below kappa_d + kappa_r
    ({"budget": "1e6", "price_rew": "1000", "alpha_dyn": "0.9", "alpha_rew": "0.05"}, (), ()),
    ({"budget": "-3", "alpha_rew": "0"}, ("budget", "alpha_rew"), ()),
    ({"noise": "floor", "sigma2_floor": "0.5", "A": "3", "c0": "1"}, (), ()),
    ({"noise": "bounded", "sigma2_0": "2", "price_perfect": "50"}, (), ()),                 # a kink inside the price range
    ({"noise": "bounded", "v0": "0", "price_perfect": "10"}, (), ()),                       # zero MSE beyond the kink
    ({"noise": "averaging", "sigma2_1": "2", "k": "0.5", "c0": "2"}, (), ()),
    ({"noise": "power", "p": "1"}, (), ()),                                             # the paper's reduction is flat
    ({"noise": "power", "p": "0.5", "c0": "0.3"}, (), ()),
    ({"noise": "power", "v0": "0"}, (), ()),
    ({"noise": "power", "c0": "3", "p": "1.5", "w": "40"}, (), ()),
    ({"rollout_budget": "0.05"}, (), ("rollout_budget",)),                                               # cannot buy one rollout
    ({"price_min": "10", "price_max": "1"}, (), ("price_max",)),                                        # empty price range
    ({"noise": "banana", "price_min": "0"}, ("noise", "price_min"), ()),
]


def _value(key: str, query: dict, bad: tuple[str, ...]):
    text = DEFAULTS[key] if key in bad or key not in query else query[key]
    if key == "noise":
        return text
    return math.inf if text == "inf" else float(text)


def expected(query: dict, bad: tuple[str, ...]) -> dict[str, float]:
    """What the page must show, from the Python API (NaN where the API refuses the input)."""
    from theory import Prices, PowerLaw, optimal_split, return_bound
    from theory.maths import noise_budget as NB

    v = {key: _value(key, query, bad) for key in DEFAULTS}
    out = {key: math.nan for key in OUTPUT_IDS}
    try:
        r = return_bound(v["gamma"], v["horizon"], v["eps_dyn"], v["eps_rew"], K_f=v["lip_dyn"], K_r=v["lip_rew"], K_pi=v["lip_pi"])
        out |= {"bound": r.bound, "c_rew": r.c_rew, "c_dyn": r.c_dyn, "L": r.L, "K_rpi": r.K_rpi,
                "reward_term": r.reward_term, "dynamics_term": r.dynamics_term}
    except InputError:
        r = None
        out |= {"L": v["lip_dyn"] * (1 + v["lip_pi"]), "K_rpi": v["lip_rew"] * (1 + v["lip_pi"])}
    # the page offers no split where C_dyn is 0 (the dynamics error does not count) or infinite (nothing to minimise)
    if r is not None and 0 < float(r.c_dyn) < math.inf:
        try:
            s = optimal_split(v["budget"], Prices(v["price_dyn"], v["price_rew"]), PowerLaw(v["a_dyn"], v["alpha_dyn"]),
                              PowerLaw(v["a_rew"], v["alpha_rew"]), r.c_dyn, r.c_rew)
            out |= {"share_dyn": s.share_dyn, "n_dyn": s.n_dyn, "n_rew": s.n_rew, "split_bound": s.bound}
        except InputError:
            pass
    family = {"power": lambda: NB.power(v["A"], v["p"]), "floor": lambda: NB.floor(v["sigma2_floor"], v["A"]),
              "bounded": lambda: NB.bounded(v["sigma2_0"], v["price_perfect"]),
              "averaging": lambda: NB.averaging(v["sigma2_1"], v["k"])}[v["noise"]]()
    try:
        o = NB.solve(family, NB.BudgetProblem(v["v0"], v["w"], v["rollout_budget"], v["price_min"], v["price_max"], v["c0"]))
        out |= {"price_full": o.price, "price_paper": o.noise_only_price, "mse_full": o.mse, "mse_paper": o.noise_only_mse}
    except InputError:
        pass
    return {key: float(val) for key, val in out.items()}


def same(page: float, python: float) -> bool:
    if math.isnan(python) or math.isnan(page):
        return math.isnan(python) and math.isnan(page)
    return math.isclose(page, python, rel_tol=1e-9, abs_tol=0.0)


READ = ("Object.fromEntries([...document.querySelectorAll('[data-value]')].map(e => [e.id, e.dataset.value]))")
MESSAGES = ("Object.fromEntries([...document.querySelectorAll('.control .message')]"
            ".map(e => [e.id.slice(4), e.textContent]))")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("explorer") / "explorer.html"
    write_explorer(path)
    browser = browser_module.Browser()
    yield browser, path.resolve().as_uri()
    browser.close()


def test_the_page_is_one_small_self_contained_file(tmp_path):
    info = write_explorer(tmp_path / "e.html")
    html = (tmp_path / "e.html").read_text()
    assert info["bytes"] < 1_000_000 and info["external"] == []
    assert "<script src" not in html and "<link" not in html
    assert build_html() == html  # deterministic: reproduce rewrites it byte for byte
    planted = html.replace("</head>", '<link rel="stylesheet" href="https://cdn.example/x.css"></head>')
    assert external_references(planted)  # the audit sees a fetch when there is one


def test_every_formula_is_printed_from_sympy():
    from theory.explorer.formulas import javascript, mathml_blocks

    js = javascript()
    for name in ("closedLoopL", "splitConst", "splitSlope", "mseSlope_power", "phiSlope_bounded", "partial_K_pi"):
        assert f"function {name}(" in js
    assert sum(len(blocks) for blocks in mathml_blocks().values()) >= 12
    assert all(block.startswith("<math") for blocks in mathml_blocks().values() for _, block in blocks)


@pytest.mark.parametrize("query,bad,clash", SETTINGS, ids=[urlencode(q) or "defaults" for q, _, _ in SETTINGS])
def test_every_value_matches_the_python_api(page, query, bad, clash):
    browser, url = page
    browser.open(f"{url}?{urlencode(query)}" if query else url)
    shown = browser.evaluate(READ)
    want = expected(query, bad)
    wrong = {key: (shown[key], want[key]) for key in OUTPUT_IDS if not same(float(shown[key]), want[key])}
    assert not wrong, f"page vs Python: {wrong}"
    messages = browser.evaluate(MESSAGES)
    assert {key for key, text in messages.items() if text} == set(bad) | set(clash), messages
    for key in bad:
        assert key in messages[key] and "default" in messages[key]


def test_the_elasticities_match_the_python_api(page):
    from theory import sensitivity

    browser, url = page
    for query in ({"gamma": "0.95", "horizon": "30"}, {"gamma": "0.9", "horizon": "inf", "lip_dyn": "0.6"},
                  {"gamma": "1", "horizon": "200", "lip_dyn": "1", "lip_pi": "0"}):
        browser.open(f"{url}?{urlencode(query)}")
        shown = browser.evaluate(READ)
        v = {key: _value(key, query, ()) for key in DEFAULTS}
        s = sensitivity(v["gamma"], v["horizon"], v["eps_dyn"], v["eps_rew"], K_f=v["lip_dyn"], K_r=v["lip_rew"], K_pi=v["lip_pi"])
        for name, value in s.elasticity.items():
            assert same(float(shown[f"elasticity_{name}"]), math.nan if value is None else value), (query, name)


def test_infinity_is_shown_as_such_with_its_reason(page):
    browser, url = page
    browser.open(f"{url}?gamma=0.9&horizon=inf&lip_dyn=1.2&lip_pi=0")
    assert browser.evaluate("document.getElementById('bound').dataset.value") == "Infinity"
    assert browser.evaluate("document.getElementById('bound').textContent") == "∞"
    assert "gamma * L >= 1" in browser.evaluate("document.getElementById('bound_reason').textContent")
    assert "C_dyn = ∞" in browser.evaluate("document.getElementById('split_status').textContent")


def test_an_old_query_key_still_works_and_the_page_names_its_replacement(page):
    """Every old key of the vocabulary (theory.vocabulary) is read for this release, with a notice."""
    from theory.explorer import RENAMED

    browser, url = page
    assert RENAMED["K_f"] == "lip_dyn" and RENAMED["cmax"] == "price_max"
    old = {old: DEFAULTS[new] for old, new in RENAMED.items()} | {"K_f": "1.2", "cmax": "50"}
    browser.open(url + "?" + "&".join(f"{k}={v}" for k, v in old.items()))
    assert browser.evaluate("state.lip_dyn") == 1.2 and browser.evaluate("state.price_max") == 50
    message = browser.evaluate("document.getElementById('query-message').textContent")
    for key, new in RENAMED.items():
        assert f"query key {key} is deprecated; use {new}" in message
    assert "unknown" not in message


def test_the_state_is_written_back_and_the_sliders_work_from_the_keyboard(page):
    from theory import return_bound

    browser, url = page
    browser.open(f"{url}?gamma=0.9&H=25&N=1e5")
    browser.evaluate("document.getElementById('sl-gamma').focus()")
    for _ in range(3):
        browser.key("ArrowLeft", 37)
    gamma = float(browser.evaluate("document.getElementById('in-gamma').value"))
    assert gamma < 0.9
    query = parse_qs(urlparse(browser.evaluate("location.href")).query)
    assert float(query["gamma"][0]) == gamma and query["horizon"] == ["25"] and query["budget"] == ["1e5"]
    bound = float(browser.evaluate("document.getElementById('bound').dataset.value"))
    assert same(bound, float(return_bound(gamma, 25, 0.01, 0.02, K_f=0.5, K_r=1, K_pi=0.5).bound))
    # typing into a number box and leaving it (Tab) applies the value; the URL follows
    browser.evaluate("(() => { const b = document.getElementById('in-lip_dyn'); b.focus(); b.select(); })()")
    browser.send("Input.insertText", {"text": "0.7"}, page=True)
    browser.key("Tab", 9)
    assert browser.evaluate("document.activeElement.id") != "in-lip_dyn"
    assert parse_qs(urlparse(browser.evaluate("location.href")).query)["lip_dyn"] == ["0.7"]
    assert same(float(browser.evaluate("document.getElementById('L').dataset.value")), 0.7 * 1.5)
    # the infinite-horizon box is a checkbox the space bar toggles
    browser.evaluate("document.getElementById('in-horizon-inf').focus()")
    browser.key(" ", 32)
    assert parse_qs(urlparse(browser.evaluate("location.href")).query)["horizon"] == ["inf"]
    # a bad value typed in is reported beside its field, and the page keeps the last good one
    browser.evaluate("(() => { const b = document.getElementById('in-lip_rew'); b.value = '-2'; "
                     "b.dispatchEvent(new Event('change')); })()")
    assert "lip_rew must be >= 0" in browser.evaluate("document.getElementById('msg-lip_rew').textContent")
    assert same(float(browser.evaluate("document.getElementById('K_rpi').dataset.value")), 1.5)


def test_unknown_query_keys_are_named_and_ignored(page):
    browser, url = page
    browser.open(f"{url}?gama=0.5&gamma=0.8")
    assert "gama" in browser.evaluate("document.getElementById('query-message').textContent")
    assert browser.evaluate("document.getElementById('in-gamma').value") == "0.8"


def test_every_control_has_a_label(page):
    browser, url = page
    browser.open(url)
    unlabelled = browser.evaluate(
        "[...document.querySelectorAll('input, select')].filter(e => !(e.labels && e.labels.length) "
        "&& !e.getAttribute('aria-label')).map(e => e.id)")
    assert unlabelled == []
    assert browser.evaluate("document.querySelectorAll('input[type=range]').length") >= 25


def test_the_page_draws(page, tmp_path):
    import matplotlib.image as mpimg

    browser, url = page
    browser.open(url)
    paths = browser.evaluate("[...document.querySelectorAll('svg')].map(s => [s.id, "
                             "[...s.querySelectorAll('path.series')].filter(p => p.getAttribute('d').length > 50).length, "
                             "s.querySelectorAll('.mark, line.series').length])")  # a marked point, or H = inf's line
    assert len(paths) == 5 and all(n_lines >= 1 for _, n_lines, _ in paths), paths
    assert all(marks >= 1 for svg_id, _, marks in paths), paths
    png = browser.screenshot()
    (tmp_path / "explorer.png").write_bytes(png)
    pixels = mpimg.imread(io.BytesIO(png), format="png")[..., :3].mean(axis=2)
    assert pixels.shape[0] > 1500 and pixels.shape[1] >= 1000
    dark = (pixels < 0.5).mean()
    assert 0.01 < dark < 0.3, dark  # text and plots, neither blank nor a black page
    rows = (pixels < 0.5).any(axis=1)
    assert rows[: pixels.shape[0] // 3].mean() > 0.2 and rows[-pixels.shape[0] // 3:].mean() > 0.2  # drawn top to bottom


SCENE_VALUES = "SCENES.map(s => s.values)"


def test_each_scene_sets_exactly_the_values_it_names(page):
    """The lecture-hall scenes: a click sets the values the scene names and no other, asks its question, and every
    output still agrees with the Python API at 1e-9."""
    browser, url = page
    browser.open(url)
    scenes = browser.evaluate(SCENE_VALUES)
    assert len(scenes) == 5
    for i, values in enumerate(scenes):
        browser.open(url)
        before = browser.evaluate("Object.fromEntries(PARAMETERS.map(p => [p.key, raw[p.key] ?? String(state[p.key])]))")
        browser.evaluate(f"document.getElementById('scene-{i}').click()")
        after = browser.evaluate("Object.fromEntries(PARAMETERS.map(p => [p.key, raw[p.key] ?? String(state[p.key])]))")
        changed = {k for k in after if after[k] != before[k]}
        assert changed <= set(values) and all(after[k] == v for k, v in values.items()), (i, values, changed)
        assert browser.evaluate("document.getElementById('scene-question').textContent").strip()
        query = dict(parse_qs(urlparse(browser.evaluate("location.href")).query))
        query = {k: v[0] for k, v in query.items()}
        shown = browser.evaluate(READ)
        want = expected(query, ())
        wrong = {key: (shown[key], want[key]) for key in OUTPUT_IDS if not same(float(shown[key]), want[key])}
        assert not wrong, (i, wrong)


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_readable_at_a_projectors_size_and_on_a_wide_desktop(tmp_path, width, height):
    """Screenshots at 1280x720 (a projector) and 1920x1080: the first screen shows the title, the scenes and the
    bound panel's first numbers; nothing overflows the width. Written to the test's folder to look at."""
    import matplotlib.image as mpimg

    html = tmp_path / "explorer.html"
    write_explorer(html)
    b = browser_module.Browser(width=width, height=height)
    try:
        b.open(html.resolve().as_uri())
        assert b.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scrolling
        top = b.evaluate("document.getElementById('scenes').getBoundingClientRect().bottom")
        assert 0 < top < height
        png = b.screenshot(full_page=False)
    finally:
        b.close()
    (tmp_path / f"explorer-{width}x{height}.png").write_bytes(png)
    pixels = mpimg.imread(io.BytesIO(png), format="png")[..., :3].mean(axis=2)
    assert pixels.shape[:2] == (height, width)
    assert 0.01 < (pixels < 0.5).mean() < 0.3


def test_the_cli_writes_the_page(tmp_path, capsys):
    from theory.cli import main

    assert main(["explore", "--out", str(tmp_path / "x.html"), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"bytes"' in out and (tmp_path / "x.html").read_text() == build_html()
    assert main(["explore", "--out", str(tmp_path)]) == 2
    assert "--out must be a file" in capsys.readouterr().err


if __name__ == "__main__":  # refresh the user guide's screenshot
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/explorer.png")
    html = Path("/tmp/imagination-explorer.html")
    write_explorer(html)
    b = browser_module.Browser(width=1200, height=1250)
    try:
        b.open(html.resolve().as_uri())
        target.write_bytes(b.screenshot(full_page=False))
    finally:
        b.close()
    print(f"wrote {target}")


@pytest.mark.parametrize("query, key, python", [
    ({"budget": "5"}, "budget", lambda: __import__("theory").optimal_split(
        5.0, __import__("theory").Prices(1.0, 10.0), __import__("theory").PowerLaw(1.0, 0.5),
        __import__("theory").PowerLaw(1.0, 0.5), 1.0, 1.0)),
    ({"price_min": "10", "price_max": "1"}, "price_max", lambda: __import__("theory").BudgetProblem(1.0, 1.0, 100.0, 10.0, 1.0)),
])
def test_a_refusal_is_python_s_message_beside_the_field_it_names(page, query, key, python):
    """The page routes a solver's refusal by the parameter the error names (not by its wording), and the words are
    Python's own: the same message the package raises for the same input."""
    browser, url = page
    browser.open(f"{url}?{urlencode(query)}")
    shown = browser.evaluate(MESSAGES)[key]
    with pytest.raises(InputError) as err:
        python()
    assert shown == str(err.value)


def test_the_committed_page_is_the_one_the_package_writes():
    """figures/explorer.html (what `imagination reproduce` writes) is in step with the package: an old copy would
    show a reader the old query keys."""
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "figures" / "explorer.html"
    assert committed.read_text(encoding="utf-8") == build_html(), "regenerate it: imagination explore --out figures/explorer.html"
