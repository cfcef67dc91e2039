"""Learned models from samples: the sampling rule and convergence."""


import numpy as np

from theory.mdp.analysis import model_errors
from theory.mdp.learned import allocate_samples, learn, learned_dynamics, random_chain


def test_sample_allocation_rule():
    rng = np.random.default_rng(4)
    c = allocate_samples(25, 4, 3, rng)
    assert c.sum() == 25 and c.max() - c.min() <= 1
    P_hat = learned_dynamics(random_chain(rng, S=4), 5, rng)  # 5 samples, 12 pairs: 7 unvisited
    assert np.allclose(P_hat.sum(-1), 1)
    unvisited = [(s, a) for s in range(4) for a in range(3) if P_hat[s, a, s] == 1.0]
    assert len(unvisited) >= 7


def test_learned_model_converges():
    rng = np.random.default_rng(5)
    m = random_chain(rng)
    errs = [model_errors(m, learn(m, n, n, 0.5, rng)) for n in (100, 10000, 1000000)]
    assert errs[0][0] > errs[1][0] > errs[2][0] and errs[2][0] < 0.01 and errs[2][1] < 0.01
