"""Subcommands of ``imagination``: the registry, and one thin module per group of commands.

:data:`INDEX` names every command with its module and one-line help, so the parser can list them
all while importing only the module of the command that runs (a fast start: ``imagination bound``
never imports SciPy's optimisers, SymPy or matplotlib). Each module registers its commands with
:func:`command`.
"""

from __future__ import annotations

import argparse
import importlib
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from theory._validate import InputError
from theory.vocabulary import concept

INDEX: dict[str, tuple[str, str]] = {
    "bound": ("bound_cmd", "Return-error bound |J - J_hat| <= C_rew eps_rew + C_dyn eps_dyn (E3)."),
    "sensitivity": ("sensitivity_cmd", "Elasticities of the bound in K_f, K_r, K_pi, gamma and H; which constant to lower first (E6)."),
    "allocate": ("allocation_cmd", "Split a budget between dynamics samples and reward labels to minimise the bound (E9-E11)."),
    "fit": ("allocation_cmd", "Fit a power law error = e + a n^-alpha to a CSV with columns n,error, with bootstrap intervals (E12)."),
    "evaluate": ("lab_cmd", "Exact return J of the file's policy (uniform if none), by a linear solve or backward recursion."),
    "lipschitz": ("lab_cmd", "Exact closed-loop W1-Lipschitz constants L = Lip(P_pi) and K_rpi = Lip(r_pi) of an MDP file (E13)."),
    "toy-text": ("lab_cmd", "Write a toy-text environment (FrozenLake 4x4/8x8, CliffWalking, Taxi) as an MDP file, with its real start state."),
    "verify-bound": ("lab_cmd", "Check |J - J_hat| <= B on learned models from samples, on a file's MDP or on random ones."),
    "bounds": ("lab_cmd", "How loose is the bound: the exact gap beside value-aware, Wasserstein, TV, paper and classical bounds."),
    "verify-allocation": ("lab_cmd", "Bound-optimal split (global constants and realised sensitivities) against the empirically best split."),
    "diagnose": ("diagnose_cmd", "Your own world model from its data: errors, Lipschitz estimates, whether the bound says anything, the next split."),
    "noise-budget": ("reinforce_cmd", "Choose the price of reward labels per rollout that minimises the gradient MSE at a fixed budget (E18, E19)."),
    "check-reinforce": ("reinforce_cmd", "Monte Carlo REINFORCE against the exact gradient and the exact variance (E15, E16)."),
    "curvature": ("straightening_cmd", "Per-step and mean curvature 1 - cos between consecutive steps of latent trajectories (E14)."),
    "scaling-experiment": ("neural_cmd", "Measure dynamics and reward error laws of NumPy teacher-student networks and the split they imply."),
    "regime-map": ("neural_cmd", "Which teacher-student regimes give which error exponent: measured laws beside the predicted rates and the paper's."),
    "derive": ("derive_cmd", "The checked step-by-step derivations (Markdown or LaTeX), or --list of them with the labels they cover."),
    "explore": ("explore_cmd", "Write the interactive explorer: one self-contained HTML page with sliders for the bound, the split and the noise tradeoff."),
    "reproduce": ("reproduce_cmd", "The main job: check every derivation, compute the optima, run the Monte Carlo checks, draw every figure."),
}


@dataclass(frozen=True)
class Command:
    """One subcommand: adds its options, computes a JSON-ready dict, renders it as text."""

    name: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], dict]
    render: Callable[[dict], str]


_REGISTERED: dict[str, Command] = {}


def command(name: str):
    """Register ``imagination NAME`` from a class with ``configure``, ``run`` and ``render``."""
    if name not in INDEX:
        raise KeyError(f"add {name!r} to theory.commands.INDEX")

    def deco(cls):
        _REGISTERED[name] = Command(name, cls.configure, cls.run, cls.render)
        return cls

    return deco


def load(name: str) -> Command:
    """The command ``name``, importing its module on first use."""
    if name not in _REGISTERED:
        importlib.import_module(f"{__name__}.{INDEX[name][0]}")
    return _REGISTERED[name]


def table(rows: list[tuple[str, object]], title: str | None = None) -> str:
    """A two-column table for the human-readable output."""
    width = max(len(k) for k, _ in rows)
    lines = [title] if title else []
    for key, value in rows:
        if isinstance(value, float):
            value = "inf" if math.isinf(value) else f"{value:.6g}"
        elif value is None:
            value = "-"
        lines.append(f"  {key:<{width}}  {value}")
    return "\n".join(lines)


@contextmanager
def options(**names: str) -> Iterator[None]:
    """Name the option as the user typed it in errors raised inside: ``options(K_f="--lip-dyn")`` turns
    "K_f must be >= 0" into "--lip-dyn: K_f must be >= 0". The maths never sees a flag name."""
    try:
        yield
    except InputError as err:
        message = str(err)
        for param, flag in names.items():
            if message.startswith(param + " ") or message.startswith(param + ":"):
                raise InputError(f"{flag}: {message}") from None
        raise


def flags_by_python_name(*names: str) -> dict[str, str]:
    """``{python name: flag}`` of the vocabulary's concepts ``names``, for :func:`options`."""
    return {(c.python or c.name): c.flag for c in map(concept, names)}


BOUND_OPTIONS = flags_by_python_name("gamma", "horizon", "lip_dyn", "lip_rew", "lip_pi", "eps_dyn", "eps_rew")


def option(p: argparse.ArgumentParser, name: str, note: str | None = None, **kwargs) -> None:
    """Add the vocabulary's concept ``name`` as an option: its flag, its meaning as the help (with this command's
    ``note`` after it) and its old spellings for this command, each printing a one-line notice naming the new one.

    The remaining ``kwargs`` go to :meth:`argparse.ArgumentParser.add_argument` (``type``, ``default``, ...)."""
    from theory.commands import _types as T

    c = concept(name)
    if c.flag is None:
        raise KeyError(f"{name!r} is not a command-line option in the vocabulary (theory/vocabulary.py)")
    help_text = c.meaning if note is None else f"{c.meaning}; {note}"
    extra = {} if kwargs.get("action") == "version" else {"dest": name}
    olds = c.old_flags(p.prog.split()[-1])
    target = p
    if olds and kwargs.pop("required", False):  # the old spelling satisfies "required" too
        target = p.add_mutually_exclusive_group(required=True)
    target.add_argument(c.flag, help=help_text, **extra, **kwargs)
    same = {k: v for k, v in kwargs.items() if k in ("type", "nargs", "metavar", "choices")}
    for old in olds:
        target.add_argument(old, dest=name, help=argparse.SUPPRESS, action=T.deprecated(c.flag), **same)


def run_size(args: argparse.Namespace) -> str:
    """``"quick"``, ``"full"`` or ``"default"`` from the ``--quick`` and ``--full`` flags."""
    if args.quick and args.full:
        raise InputError("give --quick or --full, not both")
    return "quick" if args.quick else "full" if args.full else "default"


def add_sweep_options(p: argparse.ArgumentParser) -> None:
    """``--workers``, ``--scheduler`` and ``--results``: where a sweep runs and where it keeps its finished tasks."""
    from theory.commands import _types as T

    option(p, "workers", type=T.count(1, 1024))
    option(p, "scheduler", 'pip install ".[dask]"', metavar="ADDRESS")
    option(p, "results", metavar="FILE")
