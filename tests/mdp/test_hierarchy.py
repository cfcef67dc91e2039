"""The hierarchy of bounds (``docs/theory.md`` section 7, E3): every level at least the exact gap, the
orderings that are theorems, and each level held to an independent implementation on small MDPs
(explicit loops, matrix powers and SciPy's LP for W1 instead of POT)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from theory import InputError
from theory.mdp.finite import FiniteMDP
from theory.mdp.hierarchy import LEVELS, ORDERINGS, bound_hierarchy
from theory.mdp.learned import LearnedModel, learn, random_chain, random_grid
from theory.mdp.toy_text import toy_text_mdp


def w1_lp(p, q, D):
    """W1 by the transport LP (scipy.optimize.linprog), independent of the package's solver."""
    S = len(p)
    A_eq = np.zeros((2 * S, S * S))
    for i in range(S):
        A_eq[i, i * S:(i + 1) * S] = 1
        A_eq[S + i, i::S] = 1
    res = linprog(D.ravel(), A_eq=A_eq, b_eq=np.concatenate([p, q]), bounds=(0, None), method="highs")
    return res.fun


def reference_levels(mdp: FiniteMDP, P_hat, R_hat) -> dict:
    S, g, H = mdp.S, mdp.gamma, int(mdp.horizon)
    P_pi = np.einsum("sa,sat->st", mdp.pi, mdp.P)
    Ph = np.einsum("sa,sat->st", mdp.pi, P_hat)
    r_pi, rh = (mdp.pi * mdp.R).sum(1), (mdp.pi * R_hat).sum(1)
    W = np.array([w1_lp(P_pi[s], Ph[s], mdp.D) for s in range(S)])
    TV = np.array([0.5 * sum(abs(P_pi[s, j] - Ph[s, j]) for j in range(S)) for s in range(S)])
    V = [np.zeros(S) for _ in range(H + 1)]
    for t in range(H - 1, -1, -1):
        V[t] = rh + g * Ph @ V[t + 1]
    out = {k: 0.0 for k in LEVELS if k not in ("exact", "paper", "classical")}
    for t in range(H):
        d = mdp.mu @ np.linalg.matrix_power(P_pi, t)
        Vn = V[t + 1]
        lip = max((abs(Vn[i] - Vn[j]) / mdp.D[i, j] for i in range(S) for j in range(S) if i != j), default=0.0)
        for s in range(S):
            dr = abs(r_pi[s] - rh[s])
            terms = {"value-aware": dr + g * abs((P_pi[s] - Ph[s]) @ Vn), "wasserstein": dr + g * W[s] * lip,
                     "tv": dr + g * TV[s] * (Vn.max() - Vn.min())}
            for k, v in terms.items():
                out[f"on-policy {k}"] += g**t * d[s] * v
        for k in ("value-aware", "wasserstein", "tv"):
            out[f"sup {k}"] += g**t * max(
                abs(r_pi[s] - rh[s]) + g * {"value-aware": abs((P_pi[s] - Ph[s]) @ Vn), "wasserstein": W[s] * lip,
                                            "tv": TV[s] * (Vn.max() - Vn.min())}[k] for s in range(S))
    # the gap by trajectory enumeration-free direct sums
    J = sum(g**t * mdp.mu @ np.linalg.matrix_power(P_pi, t) @ r_pi for t in range(H))
    J_hat = sum(g**t * mdp.mu @ np.linalg.matrix_power(Ph, t) @ rh for t in range(H))
    out["exact"] = abs(J - J_hat)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_levels_match_an_independent_implementation(seed):
    rng = np.random.default_rng(seed)
    mdp = (random_chain(rng, S=5, horizon=6) if seed % 2 else random_grid(rng, 2, 3, horizon=5))
    model = learn(mdp, 40, 40, 0.5, rng)
    h = bound_hierarchy(mdp, model)
    ref = reference_levels(mdp, model.P, model.R)
    for name, value in ref.items():
        assert h.level(name) == pytest.approx(value, rel=1e-9, abs=1e-12), name
    assert h.success, h.message


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), kind=st.sampled_from(["chain", "grid"]), horizon=st.sampled_from([1, 2, 7, 40, math.inf]),
       n=st.integers(1, 200), gamma=st.sampled_from([0.0, 0.5, 0.9, 0.99]))
def test_every_level_holds_and_the_orderings_are_theorems(seed, kind, horizon, n, gamma):
    rng = np.random.default_rng(seed)
    mdp = random_chain(rng, S=6, gamma=gamma, horizon=horizon) if kind == "chain" else random_grid(rng, 3, 2, gamma=gamma, horizon=horizon)
    model = learn(mdp, n, n, 1.0, rng)
    h = bound_hierarchy(mdp, model)
    assert all(lv.holds for lv in h.levels), h.message
    assert all(h.orderings.values()) and len(h.orderings) == len(ORDERINGS), h.message
    assert h.identity_residual < 1e-9
    for a, b in ORDERINGS:  # recomputed here from the values, not read from the verdicts
        assert h.level(a) <= h.level(b) * (1 + 1e-9) + 1e-300


@pytest.mark.parametrize("name", ["frozenlake4x4", "frozenlake8x8", "cliffwalking", "taxi"])
def test_toy_text_tables(name):
    mdp = toy_text_mdp(name, gamma=0.95)
    model = learn(mdp, 3 * mdp.S * mdp.A, 3 * mdp.S * mdp.A, 0.5, np.random.default_rng(1))
    h = bound_hierarchy(mdp, model)
    assert h.success, h.message
    assert h.gap > 0 and h.level("on-policy value-aware") >= h.gap


def test_a_model_on_other_states_is_refused():
    rng = np.random.default_rng(0)
    mdp = random_chain(rng, S=5, horizon=4)
    with pytest.raises(InputError, match="like the true MDP"):
        bound_hierarchy(mdp, LearnedModel(np.ones((4, 3, 4)) / 4, np.zeros((4, 3)), 1, 1))


def test_the_command_on_taxi_is_fast(tmp_path, capsys):
    import json
    import time

    from theory.cli import main

    assert main(["toy-text", "taxi", "--out", str(tmp_path / "taxi.npz")]) == 0
    capsys.readouterr()
    start = time.process_time()
    assert main(["bounds", "--mdp-file", str(tmp_path / "taxi.npz"), "--learn", "6000", "6000", "--json"]) == 0
    assert time.process_time() - start < 10
    out = json.loads(capsys.readouterr().out)
    names = [lv["name"] for lv in out["levels"]]
    assert "exact" in names and "paper" in names and out["gap"] == pytest.approx(abs(out["J"] - out["J_model"]))
