r"""Torch-free two-hidden-layer ReLU networks with hand-derived backpropagation and Adam.

Many networks are trained at once: parameters carry a leading model axis ``M``, every forward and
backward pass is a batched matrix product over models and minibatch, so a grid of sample sizes and
seeds trains in one loop. Network: $h_1=\mathrm{relu}(xW_1+b_1)$, $h_2=\mathrm{relu}(h_1W_2+b_2)$,
$o=h_2W_3+b_3$, then an output map $y=\tanh(o)$ (``"tanh"``) or $y=o/\sqrt{64}$ (``"scaled"``, with
the scale fixed to $1/\sqrt{\text{hidden}}$). Loss: mean squared error per model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory import _validate as V
from theory._progress import Progress

NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


@dataclass
class MLP:
    """Parameters of ``M`` networks: ``W1 (M, d_in, h)``, ``b1 (M, h)``, ..., ``W3 (M, h, d_out)``."""

    params: dict[str, np.ndarray]
    output: str  # "tanh" or "scaled"

    @property
    def hidden(self) -> int:
        return self.params["W1"].shape[2]


def init(M: int, d_in: int, hidden: int, d_out: int, output: str, rng: np.random.Generator, teacher: bool = False) -> MLP:
    """Teachers: standard normal weights and zero biases (as the paper describes); students: He-normal."""
    if output not in ("tanh", "scaled"):
        raise V.InputError(f"output must be 'tanh' or 'scaled', got {output!r}")
    shapes = [(d_in, hidden), (hidden, hidden), (hidden, d_out)]
    params = {}
    for k, (fan_in, fan_out) in enumerate(shapes, 1):
        scale = 1.0 if teacher else np.sqrt(2.0 / fan_in)
        params[f"W{k}"] = rng.standard_normal((M, fan_in, fan_out)) * scale
        params[f"b{k}"] = np.zeros((M, fan_out))
    return MLP(params, output)


def forward(net: MLP, x: np.ndarray, cache: bool = False):
    """``x (M, B, d_in)`` -> ``y (M, B, d_out)`` (and the activations when ``cache``)."""
    p = net.params
    z1 = x @ p["W1"] + p["b1"][:, None, :]
    h1 = np.maximum(z1, 0)
    z2 = h1 @ p["W2"] + p["b2"][:, None, :]
    h2 = np.maximum(z2, 0)
    o = h2 @ p["W3"] + p["b3"][:, None, :]
    y = np.tanh(o) if net.output == "tanh" else o / np.sqrt(net.hidden)
    return (y, (x, h1, h2, y)) if cache else y


def loss_and_grads(net: MLP, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    r"""Per-model loss $\frac{1}{B\,d_{out}}\sum(y-t)^2$ and its gradients by backpropagation."""
    y, (x, h1, h2, _) = forward(net, x, cache=True)
    B, d_out = y.shape[1], y.shape[2]
    diff = y - t
    loss = (diff**2).mean((1, 2))
    dy = 2 * diff / (B * d_out)
    do = dy * (1 - y**2) if net.output == "tanh" else dy / np.sqrt(net.hidden)
    p = net.params
    g = {"W3": np.swapaxes(h2, 1, 2) @ do, "b3": do.sum(1)}
    dz2 = (do @ np.swapaxes(p["W3"], 1, 2)) * (h2 > 0)
    g["W2"] = np.swapaxes(h1, 1, 2) @ dz2
    g["b2"] = dz2.sum(1)
    dz1 = (dz2 @ np.swapaxes(p["W2"], 1, 2)) * (h1 > 0)
    g["W1"] = np.swapaxes(x, 1, 2) @ dz1
    g["b1"] = dz1.sum(1)
    return loss, g


@dataclass
class Adam:
    """Adam (Kingma and Ba 2015) on a dict of arrays; the step count is shared by all models."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.t = 0

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for k, g in grads.items():
            m = self.m.setdefault(k, np.zeros_like(g))
            v = self.v.setdefault(k, np.zeros_like(g))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            params[k] -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def train(net: MLP, X: list[np.ndarray], Y: list[np.ndarray], steps: int, rng: np.random.Generator,
          batch: int = 256, lr: float = 1e-3, schedule: str = "constant", validation: float = 0.0,
          eval_every: int = 100) -> np.ndarray:
    """Minibatch Adam for ``steps`` steps; model ``m`` draws its minibatches (without replacement within an
    epoch) from its own data ``X[m], Y[m]``.

    ``schedule="cosine"`` decays the learning rate from ``lr`` to ``lr / 100`` along a half cosine.
    ``validation > 0`` holds that share of each model's data out and keeps, per model, the parameters
    with the smallest validation loss seen every ``eval_every`` steps (early stopping). One BLAS thread
    throughout: the products are small, and threads only fight. Returns the per-model training loss
    of the last step.
    """
    from theory._threads import blas_single_thread

    M = len(X)
    if validation > 0:
        splits = [rng.permutation(len(x)) for x in X]
        cut = [max(int(len(x) * validation), 1) for x in X]
        X_val = [x[o[:c]] for x, o, c in zip(X, splits, cut)]
        Y_val = [y[o[:c]] for y, o, c in zip(Y, splits, cut)]
        X = [x[o[c:]] for x, o, c in zip(X, splits, cut)]
        Y = [y[o[c:]] for y, o, c in zip(Y, splits, cut)]
        best = {k: v.copy() for k, v in net.params.items()}
        best_loss = np.full(M, np.inf)
    opt = Adam(lr=lr)
    orders = [rng.permutation(len(x)) for x in X]
    pos = [0] * M
    loss = np.zeros(M)
    with blas_single_thread(), Progress(int(steps), f"training {M} student network(s)", "steps") as progress:
        for step in range(int(steps)):
            progress.update(1)
            if schedule == "cosine":
                opt.lr = lr * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * step / steps)))
            xb, yb = [], []
            for m in range(M):
                n = len(X[m])
                b = min(batch, n)
                if pos[m] + b > n:
                    orders[m] = rng.permutation(n)
                    pos[m] = 0
                idx = orders[m][pos[m]:pos[m] + b]
                pos[m] += b
                if b < batch:  # fewer samples than a batch: repeat them so every model has a full-size batch
                    idx = np.resize(idx, batch)
                xb.append(X[m][idx])
                yb.append(Y[m][idx])
            loss, grads = loss_and_grads(net, np.stack(xb), np.stack(yb))
            opt.step(net.params, grads)
            if validation > 0 and ((step + 1) % eval_every == 0 or step + 1 == steps):
                val = np.array([_loss_of(net, m, X_val[m], Y_val[m]) for m in range(M)])
                better = val < best_loss
                best_loss = np.where(better, val, best_loss)
                for k in best:
                    best[k][better] = net.params[k][better]
        if validation > 0:
            for k in best:
                net.params[k][...] = best[k]
    return loss


def _loss_of(net: MLP, m: int, x: np.ndarray, y: np.ndarray) -> float:
    one = MLP({k: v[m:m + 1] for k, v in net.params.items()}, net.output)
    return float(((forward(one, x[None])[0] - y) ** 2).mean())
