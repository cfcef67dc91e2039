"""``imagination curvature``: mean and per-step curvature of latent trajectories (E14)."""

from __future__ import annotations

import argparse
import io

import numpy as np

from theory._validate import BINARY_LIMIT, InputError, read_input
from theory.commands import command, table, option
from theory.maths.straightening import curvature


@command("curvature")
class CurvatureCommand:
    @staticmethod
    def configure(p: argparse.ArgumentParser) -> None:
        option(p, "trajectory_file", required=True)

    @staticmethod
    def run(args: argparse.Namespace) -> dict:
        def npy_magic(name: str, head: bytes) -> None:
            if head[:6] != b"\x93NUMPY":
                raise InputError(f"{name}: not a .npy file (a NumPy array written by numpy.save)")

        path, raw = read_input(args.trajectory_file, "a .npy", BINARY_LIMIT, npy_magic)
        npy_magic(path, raw)
        try:
            z = np.load(io.BytesIO(raw), allow_pickle=False)
        except Exception as err:  # the user's file, not our bug
            raise InputError(f"{path}: not a readable .npy array ({type(err).__name__}: {err})") from None
        return curvature(z).to_dict()

    @staticmethod
    def render(out: dict) -> str:
        per = out["per_step"]
        flat = per if per and not isinstance(per[0], list) else None
        rows = [("mean curvature", out["mean_curvature"])]
        if flat is not None:
            rows.append(("per step", ", ".join("-" if v is None else f"{v:.4g}" for v in flat[:12]) + (" ..." if len(flat) > 12 else "")))
        else:
            rows.append(("trajectories", len(per)))
        text = table(rows, "Curvature 1 - cos(v_t, v_t+1) (docs/theory.md E14)")
        return text + (f"\n  note: {out['message']}" if out["message"] else "")
