"""The FrozenLake table in the toy-text format, so the converter can be exercised without Gymnasium.

The layout follows Gymnasium's ``FrozenLake-v1``: ``S`` start, ``F`` frozen, ``H`` hole, ``G`` goal;
actions 0 left, 1 down, 2 right, 3 up; on slippery ice the intended move and the two perpendicular
ones each happen with probability 1/3; reaching the goal pays 1; holes and the goal end the episode.
The table is ``P[s][a] = [(prob, next_state, reward, terminated), ...]``.
"""

from __future__ import annotations

import numpy as np

from theory import _validate as V

MAP_4X4 = ("SFFF", "FHFH", "FFFH", "HFFG")
_MOVES = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}


def frozen_lake_table(desc=MAP_4X4, slippery: bool = True) -> list:
    """The toy-text transition table of a FrozenLake map (terminal cells loop on themselves with reward 0)."""
    rows, cols = len(desc), len(desc[0])
    if any(len(r) != cols for r in desc) or set("".join(desc)) - set("SFHG"):
        raise V.InputError("a FrozenLake map is a list of equal-length strings over the letters S, F, H, G")
    table = []
    for r in range(rows):
        for c in range(cols):
            s = r * cols + c
            actions = []
            for a in range(4):
                if desc[r][c] in "HG":
                    actions.append([(1.0, s, 0.0, True)])
                    continue
                outcomes = [(a - 1) % 4, a, (a + 1) % 4] if slippery else [a]
                entries = []
                for b in outcomes:
                    dr, dc = _MOVES[b]
                    nr, nc = min(max(r + dr, 0), rows - 1), min(max(c + dc, 0), cols - 1)
                    cell = desc[nr][nc]
                    entries.append((1.0 / len(outcomes), nr * cols + nc, float(cell == "G"), cell in "HG"))
                actions.append(entries)
            table.append(actions)
    return table


def grid_metric(desc=MAP_4X4) -> np.ndarray:
    """Manhattan distances between cells capped at 2, plus the absorbing end state at distance 1 from
    every cell (sized for :func:`theory.mdp.finite.from_toy_text`)."""
    rows, cols = len(desc), len(desc[0])
    pts = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
    D = np.abs(pts[:, None] - pts[None]).sum(-1)
    n = len(pts)
    out = np.ones((n + 1, n + 1))
    # the end state is at distance 1 from every cell, so the triangle inequality caps cell distances at 2
    out[:n, :n] = np.minimum(D, 2.0)
    np.fill_diagonal(out, 0.0)
    return out
