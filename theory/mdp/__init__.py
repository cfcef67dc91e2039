"""The laboratory: small finite MDPs with a state metric, exact evaluation, learned models from samples.

Layout (``docs/theory.md`` section 0): ``P[s, a, s']``, ``R[s, a]``, state metric ``D[s, s']``, ``gamma``,
``horizon`` (an integer, or ``inf``), initial distribution ``mu[s]``, policies ``pi[s, a]``.
"""

from theory.mdp.finite import FiniteMDP, evaluate, from_sas_layout, from_toy_text, load_npz, save_npz  # noqa: F401
