"""Jinja's compiled templates kept between runs, in .build/jinja/ (Project.compiled_templates_dir).

Jinja's FileSystemBytecodeCache names a template's compiled code after the template's absolute
path, so a checkout copied or moved elsewhere compiled every template again on its first build
(the generator's and the theme overrides'; the test suite's copies paid it on each). Here a
template inside root is named by its path relative to root, so the code kept travels with the
checkout. What is loaded is still checked against the checksum of the template's source, as
Jinja does for every bucket: a template whose source changed is compiled again; and code kept
by another copy is given this copy's file name, which Jinja's error messages show.
"""
from __future__ import annotations

import os
import types
from pathlib import Path

import jinja2


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """A bytecode cache in folder that names templates under root by their path inside it."""

    def __init__(self, folder: Path, root: Path):
        Path(folder).mkdir(parents=True, exist_ok=True)
        super().__init__(os.fspath(folder))
        self.root = os.path.realpath(root) + os.sep

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        if filename is not None:
            real = os.path.realpath(filename)
            if real.startswith(self.root):
                filename = "./" + real[len(self.root):]
        return super().get_cache_key(name, filename)

    def get_bucket(self, environment, name, filename, source):
        bucket = super().get_bucket(environment, name, filename, source)
        if bucket.code is not None and filename is not None and bucket.code.co_filename != filename:
            bucket.code = _named(bucket.code, filename)
        return bucket


def _named(code: types.CodeType, filename: str) -> types.CodeType:
    """code and the code inside it (blocks, macros) as compiled from filename."""
    inner = tuple(_named(const, filename) if isinstance(const, types.CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=inner)
