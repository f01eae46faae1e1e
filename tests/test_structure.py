"""The shape of sitegen/ that issue 12 asks for, read from its source: small modules, no import
cycle, no module attribute replaced at run time, no environment variable read inside the
pipeline (settings come in through the Project, from the command line)."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "sitegen"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_level_imports(path: Path) -> set[str]:
    """The sitegen modules a module imports when it is imported (not inside functions)."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("sitegen")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("sitegen"):
                continue
            # `from . import x` names a module; `from .m import f` names m
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in _ALL else target)
    return found & _ALL


_ALL = {_name(p) for p in MODULES}


def test_no_module_is_over_500_lines():
    long = {str(p.relative_to(REPO)): n for p in MODULES if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500}
    assert not long, long


def test_no_import_cycle():
    graph = {_name(p): _module_level_imports(p) - {_name(p)} for p in MODULES}
    assert sum(map(len, graph.values())) > 20, "the import graph was not read"
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            # a package importing its own submodules is how packages work, not a cycle
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            if state.get(nxt) == "open":
                cycles.append(trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_nothing_replaces_an_attribute_of_another_module_or_class_at_run_time():
    replaced = []
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imported |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("setattr", "delattr"):
                replaced.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.func.id}()")
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                base = target
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(target, ast.Attribute) and isinstance(base, ast.Name) and base.id in imported:
                    replaced.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(target)} = …")
    assert not replaced, replaced


def test_the_pipeline_reads_no_environment_variable():
    readers = [f"{p.relative_to(REPO)}:{n}" for p in MODULES
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if "os.environ" in line or "getenv(" in line]
    assert not readers, readers
