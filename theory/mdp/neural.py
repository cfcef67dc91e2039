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

    def model(self, m: int) -> MLP:
        """The ``m``-th network alone, as a stack of one (views of these parameters)."""
        return MLP({k: v[m:m + 1] for k, v in self.params.items()}, self.output)


def init(M: int, d_in: int, hidden: int, d_out: int, output: str, rng: np.random.Generator, teacher: bool = False,
         dtype: str = "float64") -> MLP:
    """Teachers: standard normal weights and zero biases (as the paper describes); students: He-normal.

    The weights are drawn in float64 and then cast to ``dtype``, so a seed gives the same network up to rounding
    in either precision."""
    if output not in ("tanh", "scaled"):
        raise V.InputError(f"output must be 'tanh' or 'scaled', got {output!r}")
    shapes = [(d_in, hidden), (hidden, hidden), (hidden, d_out)]
    params = {}
    for k, (fan_in, fan_out) in enumerate(shapes, 1):
        scale = 1.0 if teacher else np.sqrt(2.0 / fan_in)
        params[f"W{k}"] = (rng.standard_normal((M, fan_in, fan_out)) * scale).astype(dtype)
        params[f"b{k}"] = np.zeros((M, fan_out), dtype)
    return MLP(params, output)


def forward(net: MLP, x: np.ndarray) -> np.ndarray:
    """``x (M, B, d_in)`` -> ``y (M, B, d_out)``."""
    p = net.params
    h1 = np.maximum(x @ p["W1"] + p["b1"][:, None, :], 0)
    h2 = np.maximum(h1 @ p["W2"] + p["b2"][:, None, :], 0)
    o = h2 @ p["W3"] + p["b3"][:, None, :]
    return np.tanh(o) if net.output == "tanh" else o / np.sqrt(net.hidden)


def loss_and_grads(net: MLP, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    r"""Per-model loss $\frac{1}{B\,d_{out}}\sum(y-t)^2$ and its gradients by backpropagation (the training
    step's own code, :func:`_step_grads`, on a fresh workspace)."""
    ws = _Workspace(net, t.shape[1])
    loss = _step_grads(net, x, t, ws)
    return loss, ws.grads


class _Workspace:
    """Every activation and gradient buffer one training step needs, allocated once per run: the step then
    writes into them (``out=``) instead of creating about thirty temporaries of the batch's size."""

    def __init__(self, net: MLP, B: int):
        p = net.params
        M, d_in, h = p["W1"].shape
        d_out, dt = p["W3"].shape[2], p["W1"].dtype
        self.h1, self.h2, self.dz = (np.empty((M, B, h), dt) for _ in range(3))
        self.mask = np.empty((M, B, h), bool)
        self.y, self.do, self.tmp = (np.empty((M, B, d_out), dt) for _ in range(3))
        self.grads = {k: np.empty_like(v) for k, v in p.items()}
        self.ones = np.ones((1, B), dt)  # a bias gradient as ones @ dz: a third of the time of dz.sum(1)


def _step_grads(net: MLP, x: np.ndarray, t: np.ndarray, ws: _Workspace) -> np.ndarray:
    """:func:`loss_and_grads` written into ``ws``: the same formulas, no temporaries of the batch's size."""
    p, g = net.params, ws.grads
    B, d_out = t.shape[1], t.shape[2]
    h1, h2, y, do, dz = ws.h1, ws.h2, ws.y, ws.do, ws.dz
    np.matmul(x, p["W1"], out=h1)
    h1 += p["b1"][:, None, :]
    np.maximum(h1, 0, out=h1)
    np.matmul(h1, p["W2"], out=h2)
    h2 += p["b2"][:, None, :]
    np.maximum(h2, 0, out=h2)
    np.matmul(h2, p["W3"], out=y)
    y += p["b3"][:, None, :]
    if net.output == "tanh":
        np.tanh(y, out=y)
    else:
        y *= 1 / np.sqrt(net.hidden)
    np.subtract(y, t, out=do)
    loss = np.einsum("mbk,mbk->m", do, do) / (B * d_out)
    if net.output == "tanh":  # do = 2 (y - t) (1 - y^2) / (B d_out)
        np.multiply(y, y, out=ws.tmp)
        np.subtract(1, ws.tmp, out=ws.tmp)
        do *= ws.tmp
        do *= 2 / (B * d_out)
    else:
        do *= 2 / (B * d_out * np.sqrt(net.hidden))
    np.matmul(h2.transpose(0, 2, 1), do, out=g["W3"])
    np.matmul(ws.ones, do, out=g["b3"][:, None, :])
    np.matmul(do, p["W3"].transpose(0, 2, 1), out=dz)
    np.greater(h2, 0, out=ws.mask)
    dz *= ws.mask
    np.matmul(h1.transpose(0, 2, 1), dz, out=g["W2"])
    np.matmul(ws.ones, dz, out=g["b2"][:, None, :])
    dz1 = h2  # h2 is no longer needed: its buffer takes dz1
    np.matmul(dz, p["W2"].transpose(0, 2, 1), out=dz1)
    np.greater(h1, 0, out=ws.mask)
    dz1 *= ws.mask
    np.matmul(x.transpose(0, 2, 1), dz1, out=g["W1"])
    np.matmul(ws.ones, dz1, out=g["b1"][:, None, :])
    return loss


@dataclass
class Adam:
    r"""Adam (Kingma and Ba 2015) on one flat parameter array, updated in place; the step count is shared by all
    models.

    $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
    $\theta \leftarrow \theta - \mathrm{lr}\,\hat m / (\sqrt{\hat v} + \epsilon)$ with the bias
    corrections $\hat m = m / (1-\beta_1^t)$, $\hat v = v / (1-\beta_2^t)$. One flat array (every model's
    every weight, see :func:`_flatten`) makes a step a dozen operations on one buffer, with no temporaries.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        self.m = self.v = self._tmp = None
        self.t = 0

    def step(self, theta: np.ndarray, g: np.ndarray) -> None:
        if self.m is None:
            self.m, self.v, self._tmp = np.zeros_like(g), np.zeros_like(g), np.empty_like(g)
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        m, v, tmp = self.m, self.v, self._tmp
        np.subtract(g, m, out=tmp)  # m + (1 - beta1) (g - m) = beta1 m + (1 - beta1) g
        tmp *= 1 - self.beta1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= 1 - self.beta2
        v += tmp
        np.sqrt(v, out=tmp)  # sqrt(v / c2) + eps, then lr (m / c1) over it
        tmp *= 1 / np.sqrt(c2)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / c1
        theta -= tmp


def _flatten(arrays: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One flat copy of ``arrays`` and, by name, views of it in the original shapes."""
    flat = np.concatenate([a.ravel() for a in arrays.values()])
    views, start = {}, 0
    for k, a in arrays.items():
        views[k] = flat[start:start + a.size].reshape(a.shape)
        start += a.size
    return flat, views


class _Batches:
    """Minibatch indices of one model, drawn without replacement within an epoch, a block of steps at a time.

    An epoch is a permutation of the ``n`` samples cut into ``n // batch`` batches (its remainder dropped);
    with fewer samples than a batch, each epoch is one batch of all ``n``, repeated to the batch's size.
    """

    def __init__(self, n: int, batch: int, rng: np.random.Generator):
        self.n, self.batch, self.rng = n, batch, rng
        self.left = np.empty((0, batch), np.int64)

    def take(self, steps: int) -> np.ndarray:
        n, b = self.n, min(self.batch, self.n)
        per_epoch = n // b
        epochs = -(-(steps - len(self.left)) // per_epoch)
        if epochs > 0:
            perms = self.rng.permuted(np.broadcast_to(np.arange(n), (epochs, n)), axis=1)[:, :per_epoch * b]
            fresh = perms.reshape(-1, b)
            if b < self.batch:  # as np.resize: the n samples repeated to the batch's size
                fresh = np.tile(fresh, (1, -(-self.batch // b)))[:, :self.batch]
            self.left = np.concatenate([self.left, fresh])
        out, self.left = self.left[:steps], self.left[steps:]
        return out


def train(net: MLP, X: list[np.ndarray], Y: list[np.ndarray], steps: int, rng: np.random.Generator,
          batch: int = 256, lr: float = 1e-3, schedule: str = "constant", validation: float = 0.0,
          eval_every: int = 100, progress: Progress | None = None) -> np.ndarray:
    """Minibatch Adam for ``steps`` steps; model ``m`` draws its minibatches (without replacement within an
    epoch) from its own data ``X[m], Y[m]``, cast to the networks' dtype (float32 halves the memory traffic).

    ``schedule="cosine"`` decays the learning rate from ``lr`` to ``lr / 100`` along a half cosine.
    ``validation > 0`` holds that share of each model's data out and keeps, per model, the parameters
    with the smallest validation loss seen every ``eval_every`` steps (early stopping). One BLAS thread
    throughout: the products are small, and threads only fight. ``progress``: a bar shared with other work
    (one step is one unit), else this run's own. Returns the per-model training loss of the last step.
    """
    from theory._threads import blas_single_thread

    M, dtype = len(X), net.params["W1"].dtype
    X = [np.asarray(x, dtype) for x in X]
    Y = [np.asarray(y, dtype) for y in Y]
    if validation > 0:
        splits = [rng.permutation(len(x)) for x in X]
        cut = [max(int(len(x) * validation), 1) for x in X]
        X_val = [x[o[:c]] for x, o, c in zip(X, splits, cut)]
        Y_val = [y[o[:c]] for y, o, c in zip(Y, splits, cut)]
        X = [x[o[c:]] for x, o, c in zip(X, splits, cut)]
        Y = [y[o[c:]] for y, o, c in zip(Y, splits, cut)]
        best = {k: v.copy() for k, v in net.params.items()}
        best_loss = np.full(M, np.inf)
    # every model's data in one array, so a step's minibatches are one gather
    offsets = np.cumsum([0] + [len(x) for x in X[:-1]])[:, None, None]
    X_all, Y_all = np.concatenate(X), np.concatenate(Y)
    batches = [_Batches(len(x), batch, rng) for x in X]
    xb = np.empty((M, batch, X_all.shape[1]), dtype)
    yb = np.empty((M, batch, Y_all.shape[1]), dtype)
    ws = _Workspace(net, batch)
    given = net.params
    theta, net.params = _flatten(given)  # while training, the weights are views of Adam's flat array
    grads, ws.grads = _flatten(ws.grads)
    opt = Adam(lr=lr)
    loss = np.zeros(M)
    block = 256
    own = progress is None
    progress = Progress(int(steps), f"training {M} student network(s)", "steps") if own else progress
    try:
        with blas_single_thread():
            for step in range(int(steps)):
                progress.update(1)
                if step % block == 0:
                    idx = np.stack([b.take(min(block, int(steps) - step)) for b in batches]) + offsets
                if schedule == "cosine":
                    opt.lr = lr * (0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * step / steps)))
                np.take(X_all, idx[:, step % block], axis=0, out=xb)
                np.take(Y_all, idx[:, step % block], axis=0, out=yb)
                loss = _step_grads(net, xb, yb, ws)
                opt.step(theta, grads)
                if validation > 0 and ((step + 1) % eval_every == 0 or step + 1 == steps):
                    val = np.array([_loss_of(net, m, X_val[m], Y_val[m]) for m in range(M)])
                    better = val < best_loss
                    best_loss = np.where(better, val, best_loss)
                    for k in best:
                        best[k][better] = net.params[k][better]
            if validation > 0:
                for k in best:
                    net.params[k][...] = best[k]
    finally:
        if own:
            progress.close()
        for k, w in given.items():  # the weights back in the caller's arrays
            w[...] = net.params[k]
        net.params = given
    return loss


def _loss_of(net: MLP, m: int, x: np.ndarray, y: np.ndarray) -> float:
    return float(((forward(net.model(m), x[None])[0] - y) ** 2).mean())
