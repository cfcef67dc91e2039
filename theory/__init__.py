"""imagination-theory: the theory of training in imagination as checked code.

The public API is listed in ``__all__``; ``DESIGN.md`` equation labels are cited in every docstring.
"""

from ._validate import InputError
from .bound import (
    BoundResult,
    compounding_factor,
    resolve_constants,
    return_bound,
    suboptimality_bound,
)

__all__ = [
    "InputError",
    "BoundResult",
    "compounding_factor",
    "resolve_constants",
    "return_bound",
    "suboptimality_bound",
]
