"""The layers of the code hold (docs/architecture.md): payroll/ imports nothing of ours, events/ nothing of app/ or
consumers/, nothing of the product imports consumers/, the local services of infra/ import none of
the product, and only the benchmarks may use all of it; and the code passes the linter."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"app", "events", "consumers", "payroll", "infra", "bench"}
ALLOWED = {
    "payroll": set(),
    "events": {"events", "payroll"},
    "app": {"app", "events", "payroll"},
    "consumers": {"app", "events", "payroll", "consumers"},
    "infra": {"infra"},
    "bench": {"app", "events", "payroll", "consumers", "infra", "bench"},
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer):
    wrong = {str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[layer] - {layer})
             for path in (ROOT / layer).rglob("*.py")}
    assert {path: packages for path, packages in wrong.items() if packages} == {}


def test_payroll_does_no_io():
    forbidden = {"open", "print", "input"}
    for path in (ROOT / "payroll").rglob("*.py"):
        calls = {node.func.id for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert not calls & forbidden, path


def test_the_code_passes_the_linter():
    checked = ["app", "events", "consumers", "payroll", "infra", "bench", "migrations", "tests", "gunicorn.conf.py"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *checked], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
