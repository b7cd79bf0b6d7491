"""The engine's layout (an ast walk over models/**/*.py): no import cycle, no private name imported."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "models"
# nutpie's background sampler has no public API; requirements.txt pins nutpie for it (see
# models/families/bayesian/sampling.py). Nothing else may import a private name.
ALLOWED_PRIVATE = {("nutpie", "_lib"), ("nutpie.sample", "_BackgroundSampler")}


def engine_modules() -> dict[str, Path]:
    """Every module of the engine by its dotted name (a package by its own name, not ``__init__``)."""
    modules = {}
    for path in sorted(ENGINE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported(name: str, path: Path) -> list[tuple[str, str | None]]:
    """``(module, name)`` for every import in the file (inside functions too); ``name`` None for ``import x``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.extend((module, alias.name) for alias in node.names)
    return found


def is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def import_graph() -> dict[str, set[str]]:
    """Engine module -> the engine modules it imports (``from package import module`` counts the module)."""
    modules = engine_modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for module, member in imported(name, path):
            if member is not None and f"{module}.{member}" in modules:
                targets.add(f"{module}.{member}")
            elif module in modules:
                targets.add(module)
        graph[name] = targets - {name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None (depth-first search)."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_engine_has_no_import_cycle():
    graph = import_graph()
    assert {"models.planning.optimiser", "models.families.base", "models.curves"} <= set(graph)
    assert "models.planning.horizon" in graph["models.planning.optimiser"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_no_engine_module_imports_a_private_name():
    offences = []
    for name, path in engine_modules().items():
        for module, member in imported(name, path):
            parts = [*module.split("."), *([member] if member else [])]
            if any(is_private(part) for part in parts) and (module, member) not in ALLOWED_PRIVATE:
                offences.append(f"{path.relative_to(ROOT)}: {module} {member or ''}".strip())
    assert not offences, offences


def test_the_private_import_check_sees_relative_and_nested_imports(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("def f():\n    from .sibling import _helper\n    import os._private\n")
    found = imported("models.package.module", path)
    assert ("models.package.sibling", "_helper") in found and ("os._private", None) in found
