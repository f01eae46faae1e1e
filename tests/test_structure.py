"""The shape of sitegen/ that issue 12 asks for, read from its source: small modules, no import
cycle, no module attribute replaced at run time, no environment variable read inside the
pipeline (settings come in through the Project, from the command line)."""
from __future__ import annotations

import ast
import functools
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "sitegen"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def _tree(path: Path) -> ast.Module:
    """A module's syntax tree, parsed once for all the tests here (none changes it)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path, everywhere: bool = False) -> list[tuple[int, str, list[str]]]:
    """(line, sitegen module, names taken from it) for each import of a sitegen module in path: those
    run when it is imported, or everywhere (inside functions too)."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = _tree(path)
    found = []
    for node in ast.walk(tree) if everywhere else tree.body:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names if alias.name.startswith("sitegen")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("sitegen"):
                continue
            for alias in node.names:  # `from . import x` takes module x; `from .m import f` takes f from m
                candidate = f"{target}.{alias.name}"
                found.append((node.lineno, candidate, []) if candidate in _ALL else (node.lineno, target, [alias.name]))
    return found


def _module_level_imports(path: Path) -> set[str]:
    """The sitegen modules a module imports when it is imported (not inside functions)."""
    return {target for _, target, _ in _imports(path)} & _ALL


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
        tree = _tree(path)
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


# The layers of sitegen/, lowest first (ARCHITECTURE.md): a module imports from its own layer or
# from one below it, never from one above, so that each layer can be read, tested and changed
# knowing only those beneath it. A module is placed by the longest name that holds it: its own,
# or its package's.
LAYERS = (
    ("foundation", {"sitegen.model", "sitegen.cache", "sitegen.arabic", "sitegen.characters", "sitegen.quotes",
                    "sitegen.json_in_script", "sitegen.urls", "sitegen.config", "sitegen.project",
                    "sitegen.checksums", "sitegen.compiled_templates", "sitegen.plan", "sitegen.workers", "sitegen.report", "sitegen.geo"}),
    ("checking", {"sitegen.checking"}),
    ("stages", {"sitegen.stages"}),  # the checked dossier linked: relations, events, data files, values
    ("search", {"sitegen.search"}),
    # the pages planned from the linked dossier and its search files (issue 23's page families too)
    ("pages", {"sitegen.stages.render", "sitegen.families", "sitegen.fieldref"}),
    ("output", {"sitegen.output"}),
    ("pipeline", {"sitegen.pipeline"}),
    ("serve", {"sitegen.serve"}),
    ("commands", {"sitegen.add", "sitegen.verify", "sitegen.mkdocs_hooks"}),
)
# Imports that still go up, each to be removed by the change that owns its module (none left:
# what a card shows is the cards family's, drawing it is output/cards.py's).
UPWARD_FOR_NOW: set = set()
LONGEST_FUNCTION = 80  # lines, its signature and body
LONG_FOR_NOW: set = set()


def _layer(module: str) -> int | None:
    holders = [(len(member), rank) for rank, (_, members) in enumerate(LAYERS) for member in members
               if module == member or module.startswith(member + ".")]
    return max(holders)[1] if holders else None


def test_every_module_has_a_layer():
    unplaced = [_name(p) for p in MODULES if _name(p) != "sitegen" and _layer(_name(p)) is None]
    assert not unplaced, f"add these modules to a layer of LAYERS (and to ARCHITECTURE.md): {unplaced}"


def test_no_module_imports_from_a_layer_above_its_own():
    upward, seen = [], 0
    for path in MODULES:
        module = _name(path)
        for line, target, _ in _imports(path, everywhere=True):
            seen += 1
            mine, theirs = _layer(module), _layer(target)
            if mine is not None and theirs is not None and theirs > mine and (module, target) not in UPWARD_FOR_NOW:
                upward.append(f"{path.relative_to(REPO)}:{line}: {LAYERS[mine][0]} imports {target} "
                              f"({LAYERS[theirs][0]})")
    assert seen > 100, "the imports were not read"
    assert not upward, upward


def test_no_function_is_over_80_lines():
    long, seen = [], 0
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                seen += 1
                lines = node.end_lineno - node.lineno + 1
                where = (str(path.relative_to(REPO)), node.name)
                if lines > LONGEST_FUNCTION and where not in LONG_FOR_NOW:
                    long.append(f"{where[0]}:{node.lineno}: {node.name} is {lines} lines")
    assert seen > 300, "the functions were not read"
    assert not long, long


def test_no_private_name_is_used_across_modules():
    """A `_name` is its module's own: no other module imports it or reads it as `module._name`."""
    crossing = []
    for path in MODULES:
        tree = _tree(path)
        modules_here = set()
        for line, target, names in _imports(path, everywhere=True):
            crossing += [f"{path.relative_to(REPO)}:{line}: imports {target}.{n}" for n in names if n.startswith("_")]
        for node in ast.walk(tree):
            for alias in node.names if isinstance(node, (ast.Import, ast.ImportFrom)) else ():
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("sitegen")) \
                        or alias.name.startswith("sitegen"):
                    modules_here.add((alias.asname or alias.name).split(".")[0])
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules_here \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                crossing.append(f"{path.relative_to(REPO)}:{node.lineno}: reads {node.value.id}.{node.attr}")
    assert not crossing, crossing


def test_pyflakes_finds_nothing_in_the_project():
    """No unused import or variable, no undefined name, in any Python file of the project: what is
    imported is used, and an annotation names something that exists (pyflakes, pinned in
    requirements-dev.txt). An import kept for another module says so with `# noqa: F401`."""
    from pyflakes import api, reporter

    class Found(reporter.Reporter):
        def __init__(self):
            self.messages = []

        def unexpectedError(self, filename, message):
            self.messages.append(f"{filename}: {message}")

        def syntaxError(self, filename, message, line, offset, text):
            self.messages.append(f"{filename}:{line}: {message}")

        def flake(self, message):
            self.messages.append(str(message))

    files = sorted(p for folder in ("sitegen", "tests", "bench", "tools") for p in (REPO / folder).rglob("*.py")
                   if "node_modules" not in p.parts) + [REPO / "build.py"]
    found = Found()
    for path in files:
        source = path.read_text(encoding="utf-8")
        kept = {number for number, line in enumerate(source.splitlines(), 1) if "# noqa: F401" in line or "noqa: E402,F401" in line}
        before = len(found.messages)
        api.check(source, str(path.relative_to(REPO)), found)
        found.messages[before:] = [m for m in found.messages[before:]
                                   if not (int(m.split(":")[1]) in kept and "imported but unused" in m)]
    assert len(files) > 100, "the project's Python files were not found"
    assert not found.messages, "\n".join(found.messages)
