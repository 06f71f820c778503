"""The layers of the code hold (docs/architecture.md): payroll/, labour/ and fraud/ import nothing of ours, matching/
only payroll/, events/ nothing of app/ or consumers/, nothing of the product imports consumers/, the local services
of infra/ import none of the product, and only the benchmarks may use all of it; no import circle anywhere; the
wage engine reads top-down; the consumers run without Flask; and the code passes the linter."""
from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"app", "events", "consumers", "payroll", "labour", "matching", "fraud", "infra", "bench"}
ALLOWED = {
    "payroll": set(),
    "labour": set(),
    "fraud": set(),
    "matching": {"payroll"},
    "events": {"events", "payroll", "labour"},
    "app": {"app", "events", "payroll", "labour", "matching", "fraud"},
    "consumers": {"app", "events", "payroll", "labour", "matching", "fraud", "consumers"},
    "infra": {"infra"},
    "bench": {"app", "events", "payroll", "labour", "matching", "fraud", "consumers", "infra", "bench"},
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


# Everything of the project but its tests: where an import circle may hide.
PROJECT = [*sorted(OURS), "migrations", "gunicorn.conf.py"]


def project_modules() -> dict[str, Path]:
    """Module name -> source file of every module outside the tests."""
    modules = {}
    for top in PROJECT:
        for path in [ROOT / top] if top.endswith(".py") else sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules that `name` imports, at its top or inside a function alike: `from a import b`
    counts as importing the module a.b if there is one, else a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            found.update(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                         for alias in node.names)
    return found & modules.keys() - {name}


def test_no_module_imports_itself_through_others():
    modules = project_modules()
    graph = {name: imported_modules(name, path, modules) for name, path in modules.items()}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as circle:
        pytest.fail("import circle: " + " <- ".join(circle.args[1]))


def test_the_wage_engine_reads_top_down():
    """Each module of app/ledger/ uses only those its package lists below it, so a reader following an event
    from the intake to its wage line goes down the list and never back up."""
    listing = ast.get_docstring(ast.parse((ROOT / "app/ledger/__init__.py").read_text())).split("\n\n", 1)[1]
    order = [f"app.ledger.{line.split()[0]}" for line in listing.splitlines()]
    modules = project_modules()
    assert sorted(order) == sorted(name for name in modules if name.startswith("app.ledger."))
    upward = {}
    for place, name in enumerate(order):
        ledger = {found for found in imported_modules(name, modules[name], modules) if found.startswith("app.ledger.")}
        upward[name] = sorted(ledger - set(order[place + 1:]))
    assert {name: found for name, found in upward.items() if found} == {}


CONSUMER_MODULES = sorted(name for name in project_modules() if name.split(".")[0] == "consumers")


@pytest.mark.parametrize("module", CONSUMER_MODULES)
def test_the_consumers_run_without_flask(module):
    """A consumer process never serves a request: nothing it imports may load the web framework."""
    loaded = subprocess.run([sys.executable, "-c", f"import sys, {module}; print(*sys.modules, sep=chr(10))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    assert sorted(name for name in loaded if name.split(".")[0] in {"flask", "werkzeug"}) == []


@pytest.mark.parametrize("layer", ["payroll", "labour", "matching", "fraud"])
def test_the_pure_layers_do_no_io(layer):
    forbidden = {"open", "print", "input"}
    for path in (ROOT / layer).rglob("*.py"):
        calls = {node.func.id for node in ast.walk(ast.parse(path.read_text()))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
        assert not calls & forbidden, path


def test_the_code_passes_the_linter():
    checked = ["app", "events", "consumers", "payroll", "labour", "matching", "fraud", "infra", "bench", "migrations",
               "tests", "gunicorn.conf.py"]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", *checked], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
