"""Subcommands of ``imagination``; importing this package registers them all."""

from . import allocation_cmd, bound_cmd, lab_cmd, reinforce_cmd, reproduce_cmd, sensitivity_cmd, straightening_cmd  # noqa: F401
