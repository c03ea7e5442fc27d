"""Print the package-level import graph of aspose_ocr_provider and check the layering rules.

Run: ``.venv/bin/python scripts/import_graph.py`` (exit 1 if a rule is broken). It reads the source
with :mod:`ast` and imports nothing, so it runs without Airflow installed.

Rules checked:
- no cycle between modules (imports under ``if TYPE_CHECKING:`` count too: they are a design
  dependency even when they cost nothing at run time);
- ``tables`` (recognised CSV -> DataFrames) imports no database module, no ``warehouse`` module
  and nothing from Airflow.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "aspose_ocr_provider"
DATABASE_MODULES = ("sqlite3", "psycopg", "psycopg2", "sqlalchemy", "airflow", f"{PACKAGE}.warehouse")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, modules: frozenset[str] = frozenset()) -> set[str]:
    """What ``path`` imports; ``from package import submodule`` counts as the submodule."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & modules
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(node.module)
    return found


def main() -> int:
    modules = {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in imports_of(path, frozenset(modules)) if m in modules and m != name}

    # Package-level summary: which sub-package imports which.
    def package(name: str) -> str:
        parts = name.split(".")
        return ".".join(parts[:2]) if len(parts) > 1 else name

    packages: dict[str, set[str]] = defaultdict(set)
    for name, targets in graph.items():
        for target in targets:
            if package(target) != package(name):
                packages[package(name)].add(package(target))
    print("Sub-package imports (-> means 'imports'):")
    for name in sorted({package(n) for n in graph}):
        targets = sorted(packages.get(name, ()))
        print(f"  {name.removeprefix(PACKAGE + '.') or PACKAGE} -> {', '.join(t.removeprefix(PACKAGE + '.') for t in targets) or '(nothing of ours)'}")

    problems: list[str] = []
    for name, path in modules.items():
        if package(name) != f"{PACKAGE}.tables":
            continue
        for imported in sorted(imports_of(path)):
            if any(imported == bad or imported.startswith(bad + ".") for bad in DATABASE_MODULES):
                problems.append(f"{name} imports {imported}: tables must not touch a database")

    # Cycles between modules: a depth-first search that reports each back edge's loop once.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                loop = stack[stack.index(target) :]
                start = loop.index(min(loop))
                cycles.add(tuple(loop[start:] + loop[:start]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    problems.extend("import cycle: " + " -> ".join((*loop, loop[0])) for loop in sorted(cycles))

    print(f"\n{len(modules)} modules, {sum(len(t) for t in graph.values())} imports between them")
    if problems:
        print("\n".join(problems))
        return 1
    print("No import cycles; tables imports no database module.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
