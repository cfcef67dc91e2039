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


def as_array(name: str, value) -> np.ndarray:
    if np.iscomplexobj(value) or (isinstance(value, np.ndarray) and value.dtype.kind not in "biuf"):
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
