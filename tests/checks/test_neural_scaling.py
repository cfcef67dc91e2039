"""Issue 7: backpropagation against finite differences, learning, planted rates, determinism."""

import warnings

import numpy as np
import pytest

from theory.mdp import neural as NN
from theory.maths.scaling import fit_power_law
from theory.checks.neural_scaling import Config, errors, scaling_experiment


@pytest.mark.parametrize("output", ["tanh", "scaled"])
def test_backprop_equals_finite_differences(output):
    rng = np.random.default_rng(0)
    net = NN.init(2, 6, 9, 3, output, rng)
    x = rng.normal(size=(2, 5, 6))
    t = rng.uniform(-1, 1, (2, 5, 3))
    _, grads = NN.loss_and_grads(net, x, t)
    h = 1e-6
    for name in NN.NAMES:
        p = net.params[name]
        for _ in range(5):
            idx = (1,) + tuple(int(rng.integers(0, s)) for s in p.shape[1:])
            old = p[idx]
            p[idx] = old + h
            up = NN.loss_and_grads(net, x, t)[0][1]
            p[idx] = old - h
            down = NN.loss_and_grads(net, x, t)[0][1]
            p[idx] = old
            assert grads[name][idx] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-9)


def test_student_learns_a_teacher_of_its_own_architecture():
    rng = np.random.default_rng(1)
    teacher = NN.init(1, 16, 64, 1, "scaled", rng)  # He-scaled teacher: a smooth target
    X = rng.standard_normal((20000, 16))
    y = NN.forward(teacher, X[None])[0]
    student = NN.init(1, 16, 64, 1, "scaled", rng)
    X_test = rng.standard_normal((2000, 16))
    y_test = NN.forward(teacher, X_test[None])[0]
    before = errors(student, X_test, y_test)["mean"][0]
    NN.train(student, [X], [y], 1500, rng, batch=256, lr=3e-3)
    after = errors(student, X_test, y_test)["mean"][0]
    r2 = 1 - np.mean((NN.forward(student, X_test[None])[0] - y_test) ** 2) / np.var(y_test)
    assert after < before / 5 and r2 > 0.95  # the student explains over 95% of the held-out variance


def test_planted_rate_is_recovered_by_the_measurement_pipeline():
    """Least squares on a linear teacher: the held-out coefficient error falls like n^-1/2 (planted)."""
    rng = np.random.default_rng(2)
    beta = rng.normal(size=5)
    sizes = np.repeat([50, 100, 200, 400, 800, 1600, 3200], 20)
    err = []
    for n in sizes:
        X = rng.normal(size=(n, 5))
        y = X @ beta + rng.normal(size=n)
        err.append(np.linalg.norm(np.linalg.lstsq(X, y, rcond=None)[0] - beta))
    fit = fit_power_law(sizes, err, rng=3)
    assert fit.ci["alpha"][0] <= 0.5 <= fit.ci["alpha"][1]


def test_pipeline_is_deterministic_for_a_seed():
    cfg = Config(sizes=(64, 512, 4096), seeds=1, steps=200, test=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = scaling_experiment(config=cfg, seed=4, budgets=(2000.0,))
        b = scaling_experiment(config=cfg, seed=4, budgets=(2000.0,))
    assert a.errors == b.errors and a.split_check == b.split_check and a.to_dict() == b.to_dict()
    assert set(a.fits) == {"dyn", "rew"} and 0 < a.share_dyn < 1
    assert sum(r["bound_optimal"] for r in a.split_check) == 1


def test_minibatches_cover_each_epoch_once():
    rng = np.random.default_rng(0)
    b = NN._Batches(1000, 256, rng)
    idx = b.take(3) .tolist() + b.take(5).tolist()  # blocks of any length continue the same epochs
    first, second = np.concatenate(idx[:3]), np.concatenate(idx[3:6])
    assert len(set(first)) == 768 and len(set(second)) == 768  # 3 batches per epoch, no repeats within one
    small = NN._Batches(100, 256, rng).take(2)
    assert small.shape == (2, 256) and all(np.array_equal(np.sort(s[:100]), np.arange(100)) for s in small)
    assert all(np.array_equal(s[100:200], s[:100]) for s in small)  # repeated to the batch's size, as np.resize


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_training_keeps_the_callers_arrays_and_precision(dtype):
    rng = np.random.default_rng(1)
    net = NN.init(2, 4, 8, 1, "scaled", rng, dtype=dtype)
    before = dict(net.params)
    X = [rng.standard_normal((300, 4)) for _ in range(2)]
    Y = [x[:, :1] ** 2 for x in X]
    start = NN.loss_and_grads(net, np.stack([x[:256] for x in X]).astype(dtype), np.stack([y[:256] for y in Y]).astype(dtype))[0]
    NN.train(net, X, Y, 300, rng, lr=1e-2)
    assert all(net.params[k] is before[k] and before[k].dtype == dtype for k in NN.NAMES)
    end = NN.loss_and_grads(net, np.stack([x[:256] for x in X]).astype(dtype), np.stack([y[:256] for y in Y]).astype(dtype))[0]
    assert np.all(end < start / 2)


def test_float32_students_match_float64_students():
    """The same seed in both precisions: held-out errors within 10% (float32 is the default for its speed)."""
    out = {}
    for dtype in ("float64", "float32"):
        cfg = Config(sizes=(128, 512, 2048), seeds=1, steps=600, test=500, dtype=dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = scaling_experiment(config=cfg, seed=3, budgets=(2000.0,))
        out[dtype] = np.array(res.errors["dyn_mean"] + res.errors["rew_mean"])
    assert np.allclose(out["float32"], out["float64"], rtol=0.1)


def test_convergence_probe_starts_from_the_grids_students():
    from theory.checks.neural_scaling import convergence_probe

    cfg = Config(sizes=(128, 512, 2048), seeds=2, steps=400, test=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = scaling_experiment(config=cfg, seed=2, budgets=(2000.0,))
        probe = convergence_probe(res, seed=2, config=cfg)
        alone = convergence_probe(None, seed=2, config=cfg)
    big = np.asarray(res.errors["n"]) == 2048
    assert probe["dyn"][0] == pytest.approx(np.mean(np.asarray(res.errors["dyn_mean"])[big]))
    # without the grid, the probe retrains the same data from the same weights: only the minibatches differ
    assert alone["dyn"][0] == pytest.approx(probe["dyn"][0], rel=0.05)
    assert alone["dyn"][1] == probe["dyn"][1] and alone["rew"][1] == probe["rew"][1]
