"""Toy-text environments as transition tables, written from the environments' published rules (no Gymnasium).

The table format is Gymnasium's ``P[s][a] = [(prob, next_state, reward, terminated), ...]``; each
environment here also carries its real start distribution and a state metric, so
:func:`toy_text_mdp` gives a :class:`~theory.mdp.finite.FiniteMDP` that starts where the environment
starts (not uniformly over all states).

* ``FrozenLake-v1`` (4x4 and 8x8 maps): ``S`` start, ``F`` frozen, ``H`` hole, ``G`` goal; actions 0 left,
  1 down, 2 right, 3 up; slippery ice moves in the intended and the two perpendicular directions with
  probability 1/3 each; the goal pays 1; holes and the goal end the episode. Start: the ``S`` cell.
* ``CliffWalking-v0``: a 4x12 grid, actions 0 up, 1 right, 2 down, 3 left, every step -1; stepping into
  the cliff (bottom row between start and goal) pays -100 and returns to the start; reaching the goal
  ends the episode. Start: the bottom-left cell (state 36).
* ``Taxi-v3``: a 5x5 grid with walls and four stands R, G, Y, B; states encode
  ``((row * 5 + col) * 5 + passenger) * 4 + destination`` (passenger 4: in the taxi), 500 in all;
  actions 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 dropoff; every step -1, an illegal pickup or
  dropoff -10, delivering at the destination +20 and ends the episode. Start: uniform over the 300
  states with the passenger waiting at a stand other than the destination.

Metrics: Manhattan distances between positions (for Taxi plus one for a different passenger place and
one for a different destination), capped at ``2c`` with the absorbing end state that the converter adds
at distance ``c`` from every state (so the triangle inequality holds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory import _validate as V

MAP_4X4 = ("SFFF", "FHFH", "FFFH", "HFFG")
MAP_8X8 = ("SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG")
_LAKE_MOVES = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}


@dataclass(frozen=True)
class ToyText:
    """A toy-text table with its start distribution over the table's states and a metric sized ``S + 1``."""

    name: str
    table: list
    start: np.ndarray
    metric: np.ndarray


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
                    dr, dc = _LAKE_MOVES[b]
                    nr, nc = min(max(r + dr, 0), rows - 1), min(max(c + dc, 0), cols - 1)
                    cell = desc[nr][nc]
                    entries.append((1.0 / len(outcomes), nr * cols + nc, float(cell == "G"), cell in "HG"))
                actions.append(entries)
            table.append(actions)
    return table


def _capped_metric(D: np.ndarray, end: float) -> np.ndarray:
    """``D`` capped at ``2 * end``, plus an absorbing end state at distance ``end`` from every state."""
    n = D.shape[0]
    out = np.full((n + 1, n + 1), float(end))
    out[:n, :n] = np.minimum(D, 2.0 * end)
    np.fill_diagonal(out, 0.0)
    return out


def grid_metric(desc=MAP_4X4, end: float = 1.0) -> np.ndarray:
    """Manhattan distances between cells capped at ``2 end``, plus the end state at distance ``end``."""
    rows, cols = len(desc), len(desc[0])
    pts = np.array([(r, c) for r in range(rows) for c in range(cols)], dtype=float)
    return _capped_metric(np.abs(pts[:, None] - pts[None]).sum(-1), end)


def frozen_lake(desc=MAP_4X4, slippery: bool = True) -> ToyText:
    start = np.array([float(ch == "S") for row in desc for ch in row])
    return ToyText(f"frozenlake{len(desc)}x{len(desc[0])}", frozen_lake_table(desc, slippery), start, grid_metric(desc))


def cliff_walking() -> ToyText:
    rows, cols = 4, 12
    start_state, goal = 36, 47
    moves = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}
    table = []
    for s in range(rows * cols):
        r, c = divmod(s, cols)
        actions = []
        for a in range(4):
            nr, nc = min(max(r + moves[a][0], 0), rows - 1), min(max(c + moves[a][1], 0), cols - 1)
            nxt = nr * cols + nc
            if nr == rows - 1 and 0 < nc < cols - 1:  # the cliff
                actions.append([(1.0, start_state, -100.0, False)])
            else:
                actions.append([(1.0, nxt, -1.0, nxt == goal)])
        table.append(actions)
    start = np.zeros(rows * cols)
    start[start_state] = 1.0
    pts = np.array([divmod(s, cols) for s in range(rows * cols)], dtype=float)
    return ToyText("cliffwalking", table, start, _capped_metric(np.abs(pts[:, None] - pts[None]).sum(-1), 8.0))


_TAXI_MAP = ("+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |", "| | : | : |", "|Y| : |B: |", "+---------+")
_TAXI_LOCS = ((0, 0), (0, 4), (4, 0), (4, 3))


def _taxi_decode(s: int) -> tuple[int, int, int, int]:
    s, dest = divmod(s, 4)
    s, passenger = divmod(s, 5)
    row, col = divmod(s, 5)
    return row, col, passenger, dest


def taxi() -> ToyText:
    table = []
    for s in range(500):
        row, col, passenger, dest = _taxi_decode(s)
        actions = []
        for a in range(6):
            r, c, p = row, col, passenger
            reward, done = -1.0, False
            if a == 0:
                r = min(row + 1, 4)
            elif a == 1:
                r = max(row - 1, 0)
            elif a == 2 and _TAXI_MAP[1 + row][2 * col + 2] == ":":
                c = min(col + 1, 4)
            elif a == 3 and _TAXI_MAP[1 + row][2 * col] == ":":
                c = max(col - 1, 0)
            elif a == 4:
                if passenger < 4 and (row, col) == _TAXI_LOCS[passenger]:
                    p = 4
                else:
                    reward = -10.0
            elif a == 5:
                if (row, col) == _TAXI_LOCS[dest] and passenger == 4:
                    p, reward, done = dest, 20.0, True
                elif (row, col) in _TAXI_LOCS and passenger == 4:
                    p = _TAXI_LOCS.index((row, col))
                else:
                    reward = -10.0
            actions.append([(1.0, ((r * 5 + c) * 5 + p) * 4 + dest, reward, done)])
        table.append(actions)
    start = np.array([float(p < 4 and p != d) for p, d in (_taxi_decode(s)[2:] for s in range(500))])
    start /= start.sum()
    codes = np.array([_taxi_decode(s) for s in range(500)], dtype=float)
    D = (np.abs(codes[:, None, :2] - codes[None, :, :2]).sum(-1) + (codes[:, None, 2] != codes[None, :, 2])
         + (codes[:, None, 3] != codes[None, :, 3]))
    return ToyText("taxi", table, start, _capped_metric(D, 5.0))


TOY_TEXT = {"frozenlake4x4": lambda: frozen_lake(MAP_4X4), "frozenlake8x8": lambda: frozen_lake(MAP_8X8),
            "cliffwalking": cliff_walking, "taxi": taxi}


def toy_text_mdp(name: str, gamma: float = 0.99, horizon=math.inf, pi=None):
    """The :class:`~theory.mdp.finite.FiniteMDP` of a toy-text environment of :data:`TOY_TEXT`, started from the
    environment's real start distribution, with its metric (module docstring)."""
    from theory.mdp.finite import from_toy_text

    if name not in TOY_TEXT:
        raise V.InputError(f"toy-text environment must be one of {sorted(TOY_TEXT)}, got {name!r}")
    env = TOY_TEXT[name]()
    return from_toy_text(env.table, env.metric, gamma=gamma, horizon=horizon, mu=env.start, pi=pi)
