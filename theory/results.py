"""One JSON path for every result: plain values from dataclasses, NumPy scalars and arrays, with ``None`` for
NaN and infinities, so ``json.dumps(..., allow_nan=False)`` never fails and scripts read strict JSON.

Every public result is a frozen dataclass deriving from :class:`Result`; :func:`to_jsonable` is the only
serialiser. A field's name is its JSON key (a concept of :mod:`theory.vocabulary`); a field marked
``field(metadata=NOT_JSON)`` (the data behind a fit, say) stays out; a class lists in ``json_properties``
the computed values that go in beside its fields (a corner's name from its integer code).
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

import numpy as np


def to_jsonable(value):
    """Plain JSON values, recursively (dataclasses, dicts, sequences, NumPy scalars and arrays).

    Parameters
    ----------
    value : object
        A result (a dataclass: its fields but those marked ``NOT_JSON``, and its ``json_properties``), a
        dict, a sequence, a NumPy scalar or array, or a plain value.

    Returns
    -------
    object
        Dicts, lists, strings, numbers, booleans and ``None`` (for NaN and infinities), so that
        ``json.dumps(..., allow_nan=False)`` never fails.

    References
    ----------
    ``docs/theory.md`` section 0: every key is a concept of the notation map (``theory/vocabulary.py``).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = [f.name for f in dataclasses.fields(value) if f.metadata.get("json", True)]
        value = {name: getattr(value, name) for name in (*names, *getattr(value, "json_properties", ()))}
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":  # vectorised: 2e7 numbers in about a second
        bad = ~np.isfinite(value) if value.dtype.kind == "f" else None
        if bad is not None and bad.any():
            value = value.astype(object)
            value[bad] = None
        return value.tolist()
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(type(v) is float for v in value):  # a flat list of floats (say, from tolist()): no call per element
            return list(value) if all(map(math.isfinite, value)) else [v if math.isfinite(v) else None for v in value]
        return [to_jsonable(v) for v in value]
    return value


#: ``field(metadata=NOT_JSON)``: a field kept out of the JSON (large data behind a result).
NOT_JSON = {"json": False}


class Result:
    """Mixin for frozen result dataclasses: ``to_dict()`` through :func:`to_jsonable`, and a Markdown view in Jupyter.

    ``json_properties`` names computed attributes that the JSON carries beside the fields; every key is a
    concept of the notation map of ``docs/theory.md`` section 0.
    """

    json_properties: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> dict:
        """The result as plain JSON values (:func:`to_jsonable`)."""
        return to_jsonable(self)

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| {k} | {v} |" for k, v in self.to_dict().items() if not isinstance(v, (list, dict)))
        return f"**{type(self).__name__}**\n\n| field | value |\n|---|---|\n{rows}"
