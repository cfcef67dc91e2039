"""Sphinx configuration of the imagination-theory documentation site.

Build (no network needed; warnings are errors)::

    pip install ".[docs]" && sphinx-build -W -b html docs docs/_build/html

Pages that must not drift from the code are generated when the build starts, by ``_ext/site_pages.py``:
the theory split into one page per part, every derivation rendered from its derivation object, the command
line reference from the argparse parsers, the list of public names for the API reference, the explorer
page and the notebooks (executed by myst-nb). Everything generated lands in ``docs/_generated/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# No MPLBACKEND here: the notebooks' kernels inherit the environment, and Agg there would show no figure.
# sphinx-gallery chooses Agg for its own process.

from theory._version import __version__  # noqa: E402

project = "imagination-theory"
author = "The imagination-theory developers"
copyright = "2026, the imagination-theory developers"  # noqa: A001
version = release = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax; mathjax_path points there, no CDN
    "site_pages",
]

# A broken cross-reference fails the build, with no exceptions. (There is no intersphinx: it would download the
# inventories of NumPy, SciPy and Python, and the build runs with no network; the docstrings cross-reference only
# this project, and their parameter types are plain text: numpydoc_xref_param_type is off.)
nitpicky = True

# sphinx-gallery writes a notebook and the script beside each example page: only its .rst is a page
exclude_patterns = ["_build", "theory.md", "**.ipynb_checkpoints", "gallery/README.rst", "sg_execution_times.rst",
                    "_generated/gallery/*.ipynb", "_generated/gallery/*.py", "_generated/gallery/sg_execution_times.rst"]
templates_path = ["_templates"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
smartquotes = False  # flags such as --learn stay two hyphens, quotes stay straight

# --- autodoc, autosummary, numpydoc -----------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types; signatures stay readable
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

# --- MyST and myst-nb: the tutorials are the notebooks, executed on every build ------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 300
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (a derivation shown by Jupyter) get the same math as the pages

# --- sphinx-gallery: one example per stage of `imagination reproduce`, each drawing that stage's figures ----
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "_generated/gallery",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "min_reported_time": 1,
}

# --- HTML ------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "imagination-theory"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_extra_path = ["_generated/extra"]  # the explorer, a self-contained page served beside the site
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "changelog": [], "citing": []}
