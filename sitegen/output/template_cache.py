"""The theme's templates compiled once, not on every build.

MkDocs makes a new Jinja environment for every build (and, under serve, for every edit) and
compiles each template it renders: Material's base, partials and our overrides, about 0.3 CPU s
of a small build. A Jinja bytecode cache in .build/jinja/ (Project.compiled_templates_dir, where
the generator keeps its own templates' code too) keeps each template's compiled code
with a checksum of its source, so a template whose source changed is compiled again; the code is
written whole and renamed into place (Jinja's FileSystemBytecodeCache), and one build runs at a
time in a checkout (output/lock.py). The overrides are named by their place in the checkout
(sitegen/compiled_templates.py), so a copied checkout keeps their code too.
"""
from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import BasePlugin

from ..compiled_templates import CompiledTemplates


class TemplateCache(BasePlugin):
    """Gives MkDocs' Jinja environment the bytecode cache kept in folder (through on_env, which
    comes before any page or theme template is rendered)."""

    def __init__(self, folder: Path, root: Path):
        super().__init__()
        self.folder = Path(folder)
        self.root = Path(root)

    def on_env(self, env, config, files):
        env.bytecode_cache = CompiledTemplates(self.folder, self.root)
        return env
