"""`--dist loadgroup` as pytest-xdist documents it, for a group named on a module.

A module whose tests share a costly module fixture (a build of a variant of the site, a browser)
says so with `pytestmark = pytest.mark.xdist_group("name")`; its tests should then run in one
worker, so that the fixture is made once. xdist 3.8 marks a group by rewriting `item._nodeid`,
which pytest 9 no longer reads (a node's id lives in `item._id`), so its own loadgroup runs every
test as a group of one, and a module fixture is made once per worker. This scheduler reads the
mark from the module's source instead (only a module-level `pytestmark` is read: no test marks a
group otherwise) and sends a group's tests to one worker, every other test alone, as loadgroup does.
"""
from __future__ import annotations

import ast
from pathlib import Path

from xdist.scheduler import LoadScopeScheduling


def module_group(source: str) -> str | None:
    """The name in a module-level `pytestmark = pytest.mark.xdist_group("name")`, if any."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            call = node.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "xdist_group" \
                    and call.args and isinstance(call.args[0], ast.Constant):
                return str(call.args[0].value)
    return None


class ModuleGroups(LoadScopeScheduling):
    def __init__(self, config, log=None):
        super().__init__(config, log)
        self.rootpath = Path(config.rootpath)
        self.groups: dict[str, str | None] = {}

    def _split_scope(self, nodeid: str) -> str:
        module = nodeid.split("::", 1)[0]
        if module not in self.groups:
            path = self.rootpath / module
            self.groups[module] = module_group(path.read_text(encoding="utf-8")) if path.suffix == ".py" else None
        group = self.groups[module]
        return f"xdist_group {group}" if group else nodeid
