"""The maths: pure functions of the theory, no sampling (docs/theory.md E1-E20)."""
