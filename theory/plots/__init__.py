"""Figures, one module per idea. Every function draws into a new figure (or the ``ax`` it is given)
and returns the :class:`matplotlib.figure.Figure`; saving is the caller's (:func:`save`), so a figure can
be restyled, combined or shown in a notebook. Curves differ by line style and marker as well as colour,
so every figure reads in greyscale.
"""

from __future__ import annotations

from pathlib import Path

# No backend is chosen here: in Jupyter that would hide every figure. The command line and `reproduce`
# choose Agg themselves (theory.cli sets MPLBACKEND for its own process).
import matplotlib.pyplot as plt

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 160,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: Line styles and markers that stay distinct in greyscale, in the order curves are drawn.
STYLES = [("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ((0, (5, 1, 1, 1)), "v"), ((0, (1, 1)), "P")]


def new(ncols: int = 1, nrows: int = 1, width: float = 5.2, height: float = 3.8):
    """A figure with the house style, sized for a slide or half a printed page per panel."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False,
                                 layout="constrained")
        interactive = plt.isinteractive()
    # rc_context restores every rcParam on exit, "interactive" included: Jupyter's inline backend switches
    # interactive mode on when the first figure is made, inside the context, and the exit would switch it off
    # again, so that no later figure of the notebook is shown. Keep the mode the backend chose.
    plt.interactive(interactive)
    return fig, axes


def axis(ax=None, width: float = 5.2, height: float = 3.8):
    """``(figure, axes)``: the given axes and its figure, or a new single-panel figure."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = new(width=width, height=height)
    return fig, axes[0][0]


def save(fig, out_dir: str | Path, name: str) -> list[Path]:
    """Write ``name.png`` and ``name.pdf`` into ``out_dir`` (reproducible bytes) and close the figure."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{name}.png", out / f"{name}.pdf"]
    with plt.rc_context(STYLE):
        for path in paths:
            fig.savefig(path, metadata={"CreationDate": None} if path.suffix == ".pdf" else None)
    plt.close(fig)
    return paths
