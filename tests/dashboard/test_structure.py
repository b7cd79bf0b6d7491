"""The dashboard's shape, read from its source (an ast walk over dashboard/**/*.py): it reads nothing private
or learned from a model or another module, imports the engine through its public face only, keeps modules
and functions small, binds callbacks that are module-level functions, and every callback is called directly
by a test."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
TESTS = ROOT / "tests" / "dashboard"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 40
# The engine's public face: packages and modules the app may import from (never models.families.* etc.).
PUBLIC_ENGINE = {"models", "models.data", "models.datasets", "models.explore", "models.options", "models.planning"}
PUBLIC_ENGINE |= {"models.summary", "models.checks"}  # models.checks: the checks' names (REFIT_CHECKS)
# cachelib has no public way to drop expired files without evicting live ones, nor to move a key's expiry
# without rewriting its value (which could put back an older copy): dashboard/store.py says so.
ALLOWED_PRIVATE_ATTRIBUTES = {"_remove_expired", "_get_filename", "_write_client", "_get_prefix"}
MODEL_INTERNALS = {"predict_frame", "data_components", "scenario_draws", "future_frame"}


def sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(DASHBOARD.rglob("*.py"))}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def is_learned(name: str) -> bool:
    """scikit-learn's convention for state learned in fit: ``name_``."""
    return name.endswith("_") and not name.startswith("_") and not name.endswith("__")


def offences(path: Path, tree: ast.Module) -> list[str]:
    """What the file reads that it should not: learned or private attributes, probes, private imports."""
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if (is_learned(node.attr) and owner not in ("np", "numpy")) or node.attr in MODEL_INTERNALS:
                found.append(f"{where} reads .{node.attr}")
            elif is_private(node.attr) and owner not in ("self", "cls") and node.attr not in ALLOWED_PRIVATE_ATTRIBUTES:
                found.append(f"{where} reads another object's .{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            found.append(f"{where} probes with {node.func.id}()")
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if any(is_private(part) for part in module.split(".")) or any(is_private(a.name) for a in node.names):
                found.append(f"{where} imports a private name from {module}")
            if module.split(".")[0] == "models" and module not in PUBLIC_ENGINE:
                found.append(f"{where} imports the engine's insides: {module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    found.append(f"{where} imports {alias.name}")
                if alias.name.split(".")[0] == "models" and alias.name not in PUBLIC_ENGINE:
                    found.append(f"{where} imports the engine's insides: {alias.name}")
    return found


def test_the_dashboard_reads_nothing_private_or_learned():
    found = [offence for path, tree in sources().items() for offence in offences(path, tree)]
    assert not found, "\n".join(found)


def test_the_check_sees_learned_state_probes_and_private_imports(tmp_path):
    path = DASHBOARD / "example.py"  # a name under the dashboard, for the messages only
    tree = ast.parse(
        "from models.families.base import _x\nimport models\n"
        "def f(fitted):\n    return fitted.roles_, hasattr(fitted, 'a'), fitted.predict_frame(1), fitted._y\n"
    )
    found = offences(path, tree)
    assert len(found) == 6, found  # private import, engine insides, .roles_, hasattr, predict_frame, ._y


def test_modules_and_functions_are_small():
    long = []
    for path, tree in sources().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(ROOT)}: {lines} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {size} lines")
    assert not long, "\n".join(long)


def test_register_functions_define_no_callbacks_inside():
    nested = [
        f"{path.relative_to(ROOT)}: {node.name} defines {inner.name}"
        for path, tree in sources().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("register")
        for inner in ast.walk(node)
        if inner is not node and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
    ]
    assert not nested, nested


def called_in_tests() -> set[str]:
    """Names of functions the dashboard tests call, or hand to ``triggered`` or ``in_callback`` to call in a
    callback context."""
    names = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names.add(node.func.id)
                if node.func.id == "triggered" and len(node.args) > 1 and isinstance(node.args[1], ast.Name):
                    names.add(node.args[1].id)
                if node.func.id == "in_callback" and node.args and isinstance(node.args[0], ast.Name):
                    names.add(node.args[0].id)  # called inside a callback context (it uses dash.set_props)
    return names


def test_every_callback_is_a_module_level_function_called_directly_by_a_test(app):
    callbacks = {}
    for entry in app.callback_map.values():
        if "callback" not in entry:  # clientside callbacks run in the browser
            continue
        function = entry["callback"]
        while hasattr(function, "__wrapped__"):
            function = function.__wrapped__
        if function.__module__.split(".")[0] == "dash":  # Dash's own (the cancel buttons' callbacks)
            continue
        callbacks[function.__name__] = function
    assert len(callbacks) >= 20
    not_module_level = [name for name, f in callbacks.items() if "<locals>" in f.__qualname__]
    assert not not_module_level, not_module_level
    untested = sorted(set(callbacks) - called_in_tests())
    assert not untested, f"callbacks no test calls directly: {untested}"


@pytest.mark.parametrize("name", ["helpers.py", "conftest.py"])
def test_shared_test_helpers_exist(name):
    assert (TESTS / name).exists()
