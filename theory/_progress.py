"""Progress of long computations: a tqdm bar on a terminal, otherwise plain lines on standard error.

The library is quiet by default (a notebook or a test calling :func:`theory.check_reinforce` sees nothing);
the command line turns progress on with :func:`enable`, naming the command. Then a computation that is
still running after :data:`QUIET_SECONDS` speaks: on a terminal a tqdm bar, elsewhere (a CI log, a pipe)
one line then and one per 10% after, each with the elapsed time (and the last at 100%), so nothing long is silent and no log
floods.
"""

from __future__ import annotations

import sys
import time

QUIET_SECONDS = 2.0  # a computation shorter than this shows nothing
_STATE = {"enabled": False, "prefix": "imagination"}


def enable(prefix: str) -> None:
    """Show progress from now on (the command line calls this), prefixing plain lines with ``prefix``."""
    _STATE.update(enabled=True, prefix=prefix)


def disable() -> None:
    """Back to the library's quiet default."""
    _STATE.update(enabled=False, prefix="imagination")


def enabled() -> bool:
    """Whether progress is shown (set by :func:`enable`)."""
    return bool(_STATE["enabled"])


class Progress:
    """Counts ``total`` units of work (``unit`` names them); ``update(n)`` after each piece.

    Parameters
    ----------
    total : int
        Units of work in all.
    desc : str
        What is being done, in a few words.
    unit : str
        The unit's name, plural (``"rollouts"``).
    show : bool, optional
        Force on or off; by default, on where :func:`enable` was called.
    """

    def __init__(self, total: int, desc: str, unit: str = "steps", show: bool | None = None):
        self.total, self.desc, self.unit = max(int(total), 1), desc, unit
        self.done = 0
        self.show = enabled() if show is None else show
        self.start = time.monotonic()
        self.bar = None
        self.next_fraction = 0.0
        self.spoke = False
        self.terminal = self.show and sys.stderr.isatty()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        """Record ``n`` more units done."""
        self.done += int(n)
        if not self.show:
            return
        elapsed = time.monotonic() - self.start
        if self.terminal:
            if self.bar is None and elapsed >= QUIET_SECONDS:
                from tqdm import tqdm

                self.bar = tqdm(total=self.total, initial=self.done, desc=self.desc, unit=f" {self.unit}",
                                leave=False, file=sys.stderr, dynamic_ncols=True)
            elif self.bar is not None:
                self.bar.update(int(n))
            return
        fraction = self.done / self.total
        if (not self.spoke and elapsed >= QUIET_SECONDS) or (self.spoke and fraction >= self.next_fraction):
            self.spoke = True
            self.next_fraction = min(fraction + 0.1, 1.0)
            what = "" if _STATE["prefix"].endswith(self.desc) else f"{self.desc}: "
            print(f"{_STATE['prefix']}: {what}{self.done:,} of {self.total:,} {self.unit} "
                  f"({100 * self.done / self.total:.0f}%, {elapsed:.0f} s)", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Remove the bar (a terminal) or say that the work is done (plain lines, if any were written)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.spoke and self.done < self.total:  # stopped early (an error or Ctrl-C): say where
            print(f"{_STATE['prefix']}: {self.desc}: stopped at {self.done:,} of {self.total:,} {self.unit}",
                  file=sys.stderr, flush=True)
