"""Write ``examples/world_model.npz`` and ``examples/world_model_curves.csv``: a small linear-quadratic
system and a model of it learned by least squares, as a user would export their own (``imagination
diagnose``). Run from the repository root: ``python examples/make_world_model.py``.

The true system: s' = A s + B a + w (w ~ N(0, 0.05^2 I)), reward r = -(s'Qs + a'Ra)/10, a = K s + exploration
noise. The model: A, B fitted by least squares on 200 transitions, the reward by least squares on
quadratic features of 100 labelled ones; the learning curves measure both errors at growing sample counts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
D_S, D_A, N = 4, 2, 2000


def system(rng):
    A = 0.9 * np.linalg.qr(rng.normal(size=(D_S, D_S)))[0] + 0.05 * rng.normal(size=(D_S, D_S))
    B = 0.3 * rng.normal(size=(D_S, D_A))
    K = -0.2 * rng.normal(size=(D_A, D_S))
    Q, R = np.eye(D_S), 0.1 * np.eye(D_A)
    return A, B, K, Q, R


def sample(A, B, K, Q, R, n, rng):
    s = rng.uniform(-1, 1, (n, D_S))
    a = s @ K.T + 0.2 * rng.normal(size=(n, D_A))
    s_next = s @ A.T + a @ B.T + 0.05 * rng.normal(size=(n, D_S))
    r = -(np.einsum("ni,ij,nj->n", s, Q, s) + np.einsum("ni,ij,nj->n", a, R, a)) / 10
    return s, a, r, s_next


def features(s, a):
    x = np.concatenate([s, a], axis=1)
    iu = np.triu_indices(x.shape[1])
    return np.concatenate([np.ones((len(x), 1)), x, (x[:, :, None] * x[:, None, :])[:, iu[0], iu[1]]], axis=1)


def learn(s, a, r, s_next, n_dyn, n_rew):
    W = np.linalg.lstsq(np.concatenate([s[:n_dyn], a[:n_dyn]], 1), s_next[:n_dyn], rcond=None)[0]
    w = np.linalg.lstsq(features(s[:n_rew], a[:n_rew]), r[:n_rew] + 0.02 * np.random.default_rng(n_rew).normal(size=n_rew),
                        rcond=None)[0]
    return (lambda s_, a_: (np.concatenate([s_, a_], 1) @ W, features(s_, a_) @ w))


def main() -> None:
    rng = np.random.default_rng(2026)
    A, B, K, Q, R = system(rng)
    train = sample(A, B, K, Q, R, 4000, rng)
    s, a, r, s_next = sample(A, B, K, Q, R, N, rng)
    model = learn(*train, 200, 100)
    s_model, r_model = model(s, a)
    np.savez(HERE / "world_model.npz", s=s, a=a, r=r, s_next=s_next, s_next_model=s_model, r_model=r_model,
             a_policy=s @ K.T, gamma=0.95, horizon=-1.0)
    with (HERE / "world_model_curves.csv").open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["n_d", "eps_dyn", "n_r", "eps_rew"])
        for n in (20, 40, 80, 160, 320, 640, 1280):
            m = learn(*train, n, max(n, 30))
            sm, rm = m(s, a)
            out.writerow([n, f"{np.linalg.norm(s_next - sm, axis=1).mean():.6g}", max(n, 30),
                          f"{np.abs(r - rm).mean():.6g}"])


if __name__ == "__main__":
    main()
