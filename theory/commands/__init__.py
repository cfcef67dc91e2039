"""Subcommands of ``imagination``; importing this package registers them all."""

from . import (  # noqa: F401
    allocation_cmd,
    bound_cmd,
    lab_cmd,
    neural_cmd,
    reinforce_cmd,
    reproduce_cmd,
    sensitivity_cmd,
    straightening_cmd,
)
