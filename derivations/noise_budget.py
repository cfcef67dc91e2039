"""Print the derivation of the rollouts-versus-noise tradeoff (docs/theory.md E18, E19) as Markdown; every step is checked."""

from theory.derivations.noise import derive_noise_budget

if __name__ == "__main__":
    print(derive_noise_budget().render())
