"""Jinja's compiled templates kept between runs, in .build/jinja/ (Project.compiled_templates_dir).

Jinja's FileSystemBytecodeCache names a template's compiled code after the template's absolute
path, so a checkout copied or moved elsewhere compiled every template again on its first build
(the generator's and the theme overrides'; the test suite's copies paid it on each). Here a
template inside root is named by its path relative to root, so the code kept travels with the
checkout. What is loaded is still checked against the checksum of the template's source, as
Jinja does for every bucket: a template whose source changed is compiled again; and code kept
by another copy is given this copy's file name, which Jinja's error messages show.

Without such a folder (a render with nothing kept on disk: the tests' in-process renders, a
tool's), the compiled code is kept in memory for the life of the process (COMPILED_IN_MEMORY),
so a second render there does not compile every template again either.
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


class CompiledInMemory(jinja2.BytecodeCache):
    """Compiled templates kept in this process, by template (name and file) and the checksum of its
    source, as Jinja's buckets are: a template whose source changed is compiled again. Code objects
    are never changed, so environments share them (each template runs in a namespace of its own)."""

    def __init__(self) -> None:
        self.codes: dict[tuple[str, str], types.CodeType] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        bucket.code = self.codes.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[(bucket.key, bucket.checksum)] = bucket.code


COMPILED_IN_MEMORY = CompiledInMemory()


def _named(code: types.CodeType, filename: str) -> types.CodeType:
    """code and the code inside it (blocks, macros) as compiled from filename."""
    inner = tuple(_named(const, filename) if isinstance(const, types.CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=inner)
