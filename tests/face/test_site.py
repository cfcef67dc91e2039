"""The built documentation site, as a reader's browser sees it (issue #24).

Runs when ``IMAGINATION_SITE`` names a built site (``.ci/run`` builds it after the test suite, then runs this
file); skipped otherwise, so that the suite does not need Sphinx. Every page is loaded in headless Chromium over
a local HTTP server:

* every piece of math is typeset by MathJax (an ``mjx-container`` in each ``.math`` element, no ``mjx-merror``),
  and no TeX is left as text outside code (``$$...$$`` or ``$\\command...$``);
* the browser asks for nothing outside the site (every request is to the local server, or a ``data:`` URL);
* every internal link, image and script resolves to a file, and every ``#fragment`` to an element of its page;
* the explorer computes, both on its own page and embedded in the site.
"""

from __future__ import annotations

import functools
import importlib.util
import http.server
import os
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

SITE = os.environ.get("IMAGINATION_SITE")
pytestmark = pytest.mark.skipif(not SITE, reason="set IMAGINATION_SITE to a built site (docs/_build/html)")


class _Refs(HTMLParser):
    """Every URL a page refers to (with the tag and attribute), and every id it defines."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.refs.append((tag, key, a[key]))


@functools.cache
def _parse(path: Path) -> _Refs:
    parser = _Refs()
    parser.feed(path.read_text(errors="replace"))
    return parser


def _pages() -> list[Path]:
    root = Path(SITE or ".").resolve()
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


@pytest.fixture(scope="module")
def site():
    root = Path(SITE).resolve()
    assert (root / "index.html").is_file(), f"{root} is not a built site (no index.html)"
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    # tests/face/browser.py: Chromium over the DevTools protocol (loaded by path: --import-mode=importlib)
    spec = importlib.util.spec_from_file_location("site_browser", Path(__file__).with_name("browser.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    b = module.Browser()
    b.send("Network.enable", page=True)
    yield b
    b.close()


def test_the_site_has_every_part(site):
    root, _ = site
    for page in ("index", "tutorials", "explorer", "_generated/cli", "_generated/api", "_generated/theory/index",
                 "_generated/derivations/index", "_generated/gallery/index", "changelog", "citing"):
        assert (root / f"{page}.html").is_file(), page
    assert (root / "imagination-explorer.html").is_file()
    assert (root / "_static" / "mathjax" / "tex-chtml.js").is_file(), "MathJax is not served from the site"


def test_every_internal_link_image_and_script_resolves(site):
    root, _ = site
    broken = []
    for page in _pages():
        for tag, attr, url in _parse(page).refs:
            parts = urlparse(url)
            if parts.scheme in ("http", "https", "mailto", "data", "javascript") or url.startswith("//"):
                if tag in ("script", "img", "iframe", "source") or (tag == "link" and parts.scheme in ("http", "https")
                                                                    and not url.startswith("//")):
                    if parts.scheme in ("http", "https") or url.startswith("//"):
                        broken.append(f"{page.relative_to(root)}: <{tag} {attr}> loads {url} from outside the site")
                continue
            path, fragment = urldefrag(url)
            target = page if not path else (page.parent / unquote(urlparse(path).path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(root)}: {url} does not exist")
            elif fragment and target.suffix == ".html" and unquote(fragment) not in _parse(target).ids:
                broken.append(f"{page.relative_to(root)}: {url} has no element with id {fragment!r}")
    assert not broken, "\n".join(broken[:40]) + (f"\n... {len(broken)} in all" if len(broken) > 40 else "")


_MATH_STATE = """(() => {
  const math = [...document.querySelectorAll('.math')];
  const prose = document.body.cloneNode(true);  // the text a reader sees, code and typeset math left out
  prose.querySelectorAll('pre, code, script, style, mjx-container, .math').forEach(e => e.remove());
  const raw = prose.textContent.match(/\\$\\$|\\$[^$\\n]*\\\\[a-zA-Z]+[^$\\n]*\\$/g) || [];
  return {math: math.length, typeset: math.filter(m => m.querySelector('mjx-container')).length,
          errors: document.querySelectorAll('mjx-merror').length, raw: raw.slice(0, 3)};
})()"""


def _load(browser, url: str, timeout: float = 30.0) -> dict:
    """Navigate and wait until the page has loaded and MathJax has typeset every ``.math`` element."""
    browser.events.clear()
    browser.send("Page.navigate", {"url": url}, page=True)
    deadline = time.monotonic() + timeout
    state = None
    while time.monotonic() < deadline:
        try:
            if browser.evaluate("document.readyState") == "complete":
                state = browser.evaluate(_MATH_STATE)
                if state["typeset"] == state["math"]:
                    return state
        except RuntimeError:
            pass  # the previous document is going away
        time.sleep(0.05)
    return state or {"math": -1, "typeset": 0, "errors": 0}


def test_every_page_renders_its_math_and_asks_for_nothing_outside(site, browser):
    root, base = site
    problems, typeset = [], 0
    for page in _pages():
        rel = page.relative_to(root).as_posix()
        state = _load(browser, f"{base}/{rel}")
        typeset += state["typeset"]
        if state["typeset"] != state["math"] or state["errors"]:
            problems.append(f"{rel}: {state['typeset']} of {state['math']} math elements typeset, {state['errors']} errors")
        if state.get("raw"):  # TeX that no math element holds: a page (or a notebook's output) left it as text
            problems.append(f"{rel}: TeX shown as text: {state['raw']}")
        for event in browser.events:
            if event.get("method") == "Network.requestWillBeSent":
                url = event["params"]["request"]["url"]
                if not (url.startswith(base) or url.startswith(("data:", "blob:", "about:"))):
                    problems.append(f"{rel}: asked for {url}")
    assert not problems, "\n".join(problems[:40])
    assert typeset > 500, f"only {typeset} math elements typeset across the site"


def test_the_explorer_computes_on_its_own_and_embedded(site, browser):
    root, base = site
    browser.open(f"{base}/imagination-explorer.html")
    bound = browser.evaluate("document.getElementById('bound').dataset.value")
    assert float(bound) > 0, f"the explorer shows no bound: {bound!r}"
    _load(browser, f"{base}/explorer.html")
    deadline = time.monotonic() + 20
    ready = False
    while time.monotonic() < deadline and not ready:
        ready = browser.evaluate("document.querySelector('iframe')?.contentDocument?.body?.dataset?.ready === 'true'")
        time.sleep(0.05)
    assert ready, "the explorer embedded in the site did not finish computing"


def test_every_command_public_name_notebook_and_figure_has_its_page(site):
    import theory
    from theory.commands import INDEX
    from theory.plots.takeaways import TAKEAWAYS

    root, _ = site
    cli = _parse(root / "_generated" / "cli.html")
    assert {f"cli-{name}" for name in INDEX} <= cli.ids
    missing = [n for n in theory.__all__ if n != "__version__" and not (root / "_generated" / "api" / f"theory.{n}.html").is_file()]
    assert not missing, f"public names without an API page: {missing}"
    notebooks = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
    for nb in notebooks:  # executed at build time: every lecture shows its figures
        page = root / "_generated" / "tutorials" / f"{nb.stem}.html"
        assert any(tag == "img" for tag, _, _ in _parse(page).refs), f"{page.name} shows no figure"
    gallery = set().union(*(_parse(p).ids for p in (root / "_generated" / "gallery").glob("plot_*.html")))
    assert {f"fig-{name.replace('_', '-')}" for name in TAKEAWAYS} <= gallery
