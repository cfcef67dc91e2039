"""The house plan: imports only go down the layers (base < maths < mdp < checks < figures, derivations and the
explorer < report < face), and no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "theory"
LAYERS = {"_validate": 0, "_version": 0, "symbols": 0, "vocabulary": 0, "results": 0, "_threads": 0, "_progress": 0, "_memory": 0,
          "sweep": 0, "maths": 1, "mdp": 2, "checks": 3, "plots": 4, "derivations": 4, "explorer": 4, "report": 5,
          "commands": 6, "cli": 6, "__main__": 6}


def layer_of(module: str) -> int:
    parts = module.split(".")
    assert parts[0] == "theory"
    return LAYERS[parts[1]] if len(parts) > 1 else 6


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("theory"):
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: use absolute imports (theory.x.y), found a relative one")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("theory")}
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_sits_in_a_layer_and_imports_only_downwards():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if path.name == "__init__.py" and path.parent == ROOT:
            continue  # the package face re-exports everything (lazily)
        mod = module_name(path)
        own = layer_of(mod)
        for imported in imports_of(path):
            if imported == "theory":
                continue
            if layer_of(imported) > own:
                offenders.append(f"{mod} (layer {own}) imports {imported} (layer {layer_of(imported)})")
    assert not offenders, "\n".join(offenders)


def test_the_numeric_package_does_not_import_sympy_or_matplotlib():
    import subprocess
    import sys

    def loaded(statements: str) -> str:
        code = f"import sys, theory; {statements}; print(sorted(m for m in ('sympy', 'matplotlib', 'scipy.optimize') if m in sys.modules))"
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()

    assert loaded("theory.return_bound; theory.sensitivity; theory.coefficients; import theory.cli") == "[]"
    assert loaded("theory.optimal_split; theory.solve_noise_budget") == "['scipy.optimize']"
