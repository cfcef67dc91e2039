"""Print the derivation of the return-error bound (docs/theory.md E1 to E5) as Markdown; every step is checked."""

from theory.derivations.bound import derive_bound

if __name__ == "__main__":
    print(derive_bound().render())
