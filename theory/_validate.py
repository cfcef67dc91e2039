"""Checks at the boundary: bad input raises :class:`InputError` naming the parameter and its range."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np


class InputError(ValueError):
    """A user-supplied value is outside the valid range; the message names the parameter."""


def existing_file(path, what: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` if it names a file; a missing path or a folder is an :class:`InputError`
    (``what`` completes "... is a folder, not a/an ___ file")."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not {what} file")
    return path


TEXT_LIMIT = 256 * 2**20  # bytes: a CSV of errors or transitions is far smaller
BINARY_LIMIT = 8 * 2**30  # bytes: an array file larger than a third of this machine's memory is refused


def read_input(path, what: str, limit: int, check=None) -> tuple[str, bytes]:
    """The bytes of a user's file, or of standard input for ``-``, read in chunks up to ``limit`` bytes;
    returns ``(name, content)`` with the name to use in messages. A missing file, a folder, an unreadable
    or an over-long input (``/dev/zero``) is an :class:`InputError` naming it. ``check(name, first_chunk)``
    may refuse the input from its first chunk (a magic number), before the rest is read."""
    import sys

    if str(path) == "-":
        name, fh = "standard input", sys.stdin.buffer
    else:
        p = existing_file(path, what)
        name = str(p)
        try:
            fh = p.open("rb")
        except OSError as err:
            raise InputError(f"{p}: cannot read it ({err.strerror})") from None
    chunks, size = [], 0
    try:
        while True:
            chunk = fh.read(min(2**24, limit + 1 - size))
            if not chunk:
                break
            if not chunks and check is not None:
                check(name, chunk)
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise InputError(f"{name}: larger than {limit / 2**20:.0f} MiB; not {what} file this tool reads")
    except OSError as err:
        raise InputError(f"{name}: cannot read it ({err.strerror})") from None
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()
    return name, b"".join(chunks)


def as_array(name: str, value) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, np.ndarray) and value.dtype.kind == "b"):
        raise InputError(f"{name} must be a number, got the truth value {value!r}")  # True would read as 1
    if np.iscomplexobj(value) or (isinstance(value, np.ndarray) and value.dtype.kind not in "iuf"):
        raise InputError(f"{name} must be real numbers, got dtype {np.asarray(value).dtype}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if np.isnan(arr).any():
        raise InputError(f"{name} must not be NaN")
    return arr


def nonnegative(name: str, value) -> np.ndarray:
    arr = as_array(name, value)
    if (arr < 0).any() or np.isinf(arr).any():
        raise InputError(f"{name} must be finite and >= 0, got {_show(arr)}")
    return arr


def positive(name: str, value) -> np.ndarray:
    arr = as_array(name, value)
    if (arr <= 0).any() or np.isinf(arr).any():
        raise InputError(f"{name} must be finite and > 0, got {_show(arr)}")
    return arr


def in_closed_interval(name: str, value, low: float, high: float) -> np.ndarray:
    arr = as_array(name, value)
    if ((arr < low) | (arr > high)).any():
        raise InputError(f"{name} must lie in [{low:g}, {high:g}], got {_show(arr)}")
    return arr


def horizon(value) -> np.ndarray:
    """A horizon: an integer >= 1, or ``inf`` for the discounted infinite-horizon case."""
    if isinstance(value, str):
        if value.strip().lower() in {"inf", "infinity", "∞"}:
            return np.asarray(math.inf)
        try:
            value = float(value)
        except ValueError:
            raise InputError(f"horizon must be an integer >= 1 or 'inf', got {value!r}") from None
    arr = as_array("horizon", value)
    finite = np.isfinite(arr)
    bad = (arr < 1) | (finite & (arr != np.round(arr))) | (np.isinf(arr) & (arr < 0))
    if bad.any():
        raise InputError(f"horizon must be an integer >= 1 or inf, got {_show(arr)}")
    return arr


def _show(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return f"{float(arr):g}"
    flat = arr.ravel()
    return f"array with values in [{flat.min():g}, {flat.max():g}]"
