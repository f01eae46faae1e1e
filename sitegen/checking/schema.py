"""The JSON Schemas of dossier/schema/: loaded once per set of files, run with the semantics
editors give them, and their errors turned into a maintainer's sentences.

The schemas are the same ones editors use (through the `# yaml-language-server: $schema=...`
line at the top of every YAML file), so what an editor underlines and what `python build.py
check` reports never disagree. Two keywords are run the way an editor (ECMA-262 regular
expressions, in JavaScript) runs them rather than the way Python's `re` would: `pattern`'s `$`
matches only at the very end (Python's `$` also matches before a final newline, which let
`"isis-remnants\n"` through as an id), and `uniqueItems` is checked with a hash set (the
library compares every pair, minutes for a list of a few thousand mixed items).
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import jsonschema.validators
from jsonschema import ValidationError

from ..cache import fingerprint
from ..model import Problem
from .references import LocalRefs, Unresolvable, is_local
from .schema_messages import describe, most_telling, schema_message, short
from .yaml_reader import YamlDocument, line_col, not_utf8, rel

NAMES = ("article", "themes", "entities")
_KINDS = {"article": "an article's metadata", "themes": "dossier/themes.yml", "entities": "dossier/entities.yml"}
MAX_MESSAGES_PER_FILE = 50


def ecma_pattern(pattern: str) -> re.Pattern:
    """A JSON Schema pattern compiled so that `$` means the end of the text, as in JavaScript."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    return re.compile("".join(out))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_PATTERNS: dict[str, re.Pattern] = {}


def _compiled(pattern: str) -> re.Pattern:
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = ecma_pattern(pattern)
    return _PATTERNS[pattern]


def _json_key(value):
    """A hashable stand-in equal exactly when JSON Schema calls two values equal (1 == 1.0, true != 1)."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("list", tuple(_json_key(item) for item in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), _json_key(v)) for k, v in value.items())))
    return ("other", repr(value))


def _unique_items(validator, unique, instance, schema):
    if unique and validator.is_type(instance, "array"):
        seen = set()
        for item in instance:
            key = _json_key(item)
            if key in seen:
                yield ValidationError("has non-unique elements")  # never the repr of a long list
                return
            seen.add(key)


def _max_items(validator, limit, instance, schema):
    if validator.is_type(instance, "array") and len(instance) > limit:
        yield ValidationError(f"has {len(instance)} items, more than {limit}")  # never the repr of a long list


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                          {"pattern": _pattern, "uniqueItems": _unique_items, "maxItems": _max_items})


MAX_SCHEMA_BYTES = 1_000_000


def _read_schema(path: Path, shown: str) -> tuple[bytes | None, dict | None, Problem | None]:
    """A schema file's bytes and JSON, or the problem that stops it being read.

    Only a regular file is opened (a FIFO would block the check for ever, as in the dossier's
    load stage); JSON that does not parse is located at its line and column."""
    def problem(message: str, line: int = 1, column: int = 1):
        return None, None, Problem(shown, line, column, message)

    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return problem("missing schema file: the dossier cannot be checked without it (restore it from version control)")
    except OSError as error:
        return problem(f"cannot read the schema file: {error.strerror or error}")
    if stat.S_ISLNK(status.st_mode):  # the load stage says the same of every link in the dossier
        return problem("symbolic links are not allowed in the dossier: put the file itself here")
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "a FIFO, socket or device"
        return problem(f"not a regular file (it is {kind}); the dossier holds only plain files")
    if status.st_size > MAX_SCHEMA_BYTES:
        return problem(f"schema file is {status.st_size:,} bytes; the limit is {MAX_SCHEMA_BYTES:,} bytes")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SCHEMA_BYTES + 1)
    except OSError as error:
        return problem(f"cannot read the schema file: {error.strerror or error}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return problem("schema " + not_utf8(data, error.start, path.name), *line_col(data, error.start))
    try:
        return data, json.loads(text), None
    except json.JSONDecodeError as error:
        return problem(f"schema file is not valid JSON: {error.msg}", error.lineno, error.colno)
    except RecursionError:
        return problem("schema file is not valid JSON: arrays or objects are nested too deeply to read")
    except ValueError as error:  # a number of thousands of digits
        return problem(f"schema file is not valid JSON: {str(error).split(';')[0]}")


_MAX_EXPANDED = 100_000  # values in a schema once its references are written out in place


def _unresolvable_refs(document) -> list[str]:
    """Why a $ref of the schema cannot be followed: check reads this one file, and writes out its
    references in place (Schemas.validator), so they must point to a schema in it, not loop and
    not expand beyond reason."""
    found: list[str] = []
    refs = LocalRefs(document)
    sizes: dict[str, int] = {}  # a reference's size once written out, each worked out once

    def target(ref: str):
        try:
            return refs.target(ref)
        except Unresolvable:
            return _MISSING

    def walk(node, where: str, inlining: tuple) -> int:
        """The number of values node stands for once written out."""
        if isinstance(node, list):
            return 1 + sum(walk(item, f"{where}/{index}", inlining) for index, item in enumerate(node))
        if not isinstance(node, dict):
            return 1
        size = 1
        ref = node.get("$ref")
        if isinstance(ref, str):
            shown = where or "(top)"
            if not is_local(ref):
                found.append(f"`$ref` {ref!r} at {shown} points outside this file; check reads only "
                             "dossier/schema/, so refer to this file's own definitions (e.g. \"#/$defs/id\")")
            elif target(ref) is _MISSING:
                found.append(f"`$ref` {ref!r} at {shown} points to nothing in this file")
            elif not isinstance(target(ref), (dict, bool)):
                found.append(f"`$ref` {ref!r} at {shown} points to {describe(target(ref))}, not to a schema")
            elif ref in inlining:
                found.append(f"`$ref` {ref!r} at {shown} refers back to itself; the dossier's schemas are not "
                             "recursive")
            else:
                if ref not in sizes:
                    sizes[ref] = walk(target(ref), ref[2:], inlining + (ref,))
                size += sizes[ref]
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default", "$defs"):
                size += walk(value, f"{where}/{key}" if where else key, inlining)
            if size > _MAX_EXPANDED:
                break
        return min(size, _MAX_EXPANDED + 1)

    if walk(document, "", ("#",)) > _MAX_EXPANDED:
        found.append(f"its `$ref`s expand to more than {_MAX_EXPANDED:,} values once written out; "
                     "refer to fewer definitions, or to smaller ones")
    definitions = document.get("$defs")
    for name, definition in definitions.items() if isinstance(definitions, dict) else ():
        ref = "#/$defs/" + name.replace("~", "~0").replace("/", "~1")
        if ref not in sizes:
            sizes[ref] = walk(definition, f"$defs/{name}", ("#", ref))
    return list(dict.fromkeys(found))[:5]


_MISSING = object()


def _passed_key(parts: list[bytes]) -> str | None:
    """What the checks' verdict depends on: the schemas' bytes, this module's code and jsonschema's
    version (its metaschema and its idea of a valid schema); None when that version is unknown."""
    try:
        version = importlib.metadata.version("jsonschema")
    except importlib.metadata.PackageNotFoundError:  # installed without its metadata: check every time
        return None
    return fingerprint(*parts, Path(__file__).read_bytes(), version)


def _read_passed(path: Path) -> str | None:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read(64).strip()
    except (OSError, ValueError):
        return None


def _write_passed(path: Path, key: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(key + "\n", encoding="ascii")
        os.replace(temporary, path)  # whole or not at all, for a run that reads it at the same time
    except OSError:
        temporary.unlink(missing_ok=True)  # a full disk, say: no half-written file left beside it


@dataclass
class Schemas:
    """The three schemas (raw, for messages) and their validators."""

    raw: dict[str, dict]
    digest: str
    validators: dict[str, object] = field(default_factory=dict)
    _refs: dict[str, LocalRefs] = field(default_factory=dict)

    @classmethod
    def load(cls, schema_dir: Path, passed: Path | None = None) -> tuple["Schemas | None", list[Problem]]:
        """The schemas of schema_dir, or what stops them being used. passed: a file naming the last
        schemas that passed the checks below (with this code and this jsonschema), so that a run on
        the same bytes skips them: checking a schema against JSON Schema's own takes about a quarter
        of a `check`. Written when they pass; a file that cannot be written only costs the time."""
        shown_as = {name: rel(schema_dir / f"{name}.schema.json", schema_dir.parent) for name in NAMES}
        read = {name: _read_schema(schema_dir / f"{name}.schema.json", shown_as[name]) for name in NAMES}
        every = [data for data, _, _ in read.values()]
        key = _passed_key(every) if passed and all(every) else None
        if key and _read_passed(passed) == key:
            return cls({name: document for name, (_, document, _) in read.items()}, fingerprint(*every)), []
        raw, problems, parts = {}, [], []
        for name, (data, document, problem) in read.items():
            shown = shown_as[name]
            if problem:
                problems.append(problem)
                continue
            if not isinstance(document, dict):
                problems.append(Problem(shown, 1, 1, f"schema file should be a JSON object ({{ … }}) describing "
                                                     f"{_KINDS[name]}, found {describe(document)}"))
                continue
            try:
                jsonschema.Draft202012Validator.check_schema(document)
            except jsonschema.SchemaError as error:
                where = "/".join(map(str, error.absolute_path)) or "(top)"
                problems.append(Problem(shown, 1, 1, f"schema file is not a valid JSON Schema at {where}: "
                                                     f"{short(error.message)}"))
                continue
            except RecursionError:
                problems.append(Problem(shown, 1, 1, "schema file is not a valid JSON Schema: it is nested too deeply"))
                continue
            try:
                unresolvable = _unresolvable_refs(document)
            except RecursionError:
                unresolvable = ["it is nested too deeply"]
            if unresolvable:
                problems.extend(Problem(shown, 1, 1, f"schema file cannot be used: {why}") for why in unresolvable)
                continue
            raw[name] = document
            parts.append(data)
        if problems:
            return None, problems
        if key:
            _write_passed(passed, key)
        return cls(raw, fingerprint(*parts)), []

    def refs(self, name: str) -> LocalRefs:
        """The references of one schema, looked up by `referencing` (for messages, maxItems)."""
        if name not in self._refs:
            self._refs[name] = LocalRefs(self.raw[name])
        return self._refs[name]

    def validator(self, name: str):
        if name not in self.validators:
            # The same schema with its local $refs written out in place (each looked up by
            # `referencing`): resolving a $ref while validating costs more than checking what it
            # points to, and there are a dozen per article (bench/README.md: 2-4x slower).
            self.validators[name] = _Validator(_inlined(self.refs(name), self.raw[name]))
        return self.validators[name]

    def check(self, document: YamlDocument, name: str, root: Path,
              limit: int | None = MAX_MESSAGES_PER_FILE) -> tuple[frozenset, tuple[Problem, ...]]:
        """Validate one document with its schema: the key paths that had errors, and the problems
        (at most limit of them and a line saying how many more; all of them when limit is None)."""
        refs = self.refs(name)
        errors = sorted(most_telling(self.validator(name).iter_errors(document.data)),
                        key=lambda e: (list(map(str, e.absolute_path)), str(e.validator), e.message))
        seen, bad_paths, problems = set(), set(), []
        shown = rel(document.path, root)
        for error in errors:
            key_path, message = schema_message(error, refs, document.plain.get(tuple(error.absolute_path)))
            if (key_path, message) in seen:
                continue
            seen.add((key_path, message))
            bad_paths.add(tuple(error.absolute_path))
            if limit is None or len(problems) < limit:
                problems.append(Problem(shown, *document.where(key_path), message))
        if limit is not None and len(seen) > limit:
            problems.append(Problem(shown, 1, 1, f"… and {len(seen) - limit:,} more problems in this "
                                                 "file against its schema; fix the ones above first"))
        return frozenset(bad_paths), tuple(problems)


_ANNOTATIONS = {"$ref", "title", "description", "x-description-ar", "examples", "default", "markdownDescription"}


def _inlined(refs: LocalRefs, node):
    """node with every local $ref replaced by what it points to (_unresolvable_refs has made sure
    each points to a schema, without a loop)."""
    if isinstance(node, list):
        return [_inlined(refs, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items() if key != "$defs" or node is refs.document}
    if is_local(node.get("$ref")):
        target = refs.target(node["$ref"])
        if not isinstance(target, dict) or any(key in target for key in node if key not in _ANNOTATIONS):
            # both apply: keep both
            node = {"allOf": [target, {key: value for key, value in node.items() if key != "$ref"}]}
        else:
            node = refs.resolved(node)
    return {key: (value if key in ("enum", "const", "$defs") else _inlined(refs, value)) for key, value in node.items()}
