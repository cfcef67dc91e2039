"""Print the derivation of the optimal budget split (docs/theory.md E7 to E11) as Markdown; every step is checked."""

from theory.derivations.allocation import derive_allocation

if __name__ == "__main__":
    print(derive_allocation().render())
