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

import difflib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import jsonschema.validators
from jsonschema import ValidationError

from . import characters
from .cache import fingerprint
from .model import PartialDate, Problem
from .stages.yaml_reader import YamlDocument, line_col, not_utf8, rel

NAMES = ("article", "themes", "entities")
_KINDS = {"article": "an article's metadata", "themes": "dossier/themes.yml", "entities": "dossier/entities.yml"}
DATE_HINT = "dates are written in quotes as \"YYYY-MM-DD\", \"YYYY-MM\" or \"YYYY\" (e.g. \"2019-05-27\", \"2010-03\", \"2021\")"
DAY_HINT = "a correction's date is the full day it was made, in quotes: \"YYYY-MM-DD\" (e.g. \"2026-11-30\")"
ID_HINT = "ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")"
MAX_MESSAGES_PER_FILE = 50
BIDI_CONTROLS = re.compile(f"[{characters.BIDI_CONTROLS}]")
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping (field: value)",
               "integer": "a whole number", "number": "a number", "boolean": "true or false", "null": "null"}
_DMY = re.compile(r"^\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{4})\s*$")
_YMD_LOOSE = re.compile(r"^\s*([0-9]{4})\s*[/.\-]\s*([0-9]{1,2})(?:\s*[/.\-]\s*([0-9]{1,2}))?\s*$")


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


class SchemaProblem(Exception):
    """A schema file that is missing or broken: the dossier cannot be checked."""


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
    references to #/$defs/<name> in place (Schemas.validator), so they must exist, not loop and
    not expand beyond reason."""
    found: list[str] = []
    sizes: dict[str, int] = {}  # a definition's size once written out, each worked out once

    def pointer_target(ref: str):
        node = document
        for part in ref[2:].split("/") if ref != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return _MISSING
        return node

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
            if not (ref == "#" or ref.startswith("#/")):
                found.append(f"`$ref` {ref!r} at {shown} points outside this file; check reads only "
                             "dossier/schema/, so refer to this file's own definitions (e.g. \"#/$defs/id\")")
            elif pointer_target(ref) is _MISSING:
                found.append(f"`$ref` {ref!r} at {shown} points to nothing in this file")
            elif _local_def(ref) is not None and ref in inlining:
                found.append(f"`$ref` {ref!r} at {shown} refers back to itself; the dossier's schemas are not "
                             "recursive")
            elif _local_def(ref) is not None:
                if ref not in sizes:
                    sizes[ref] = walk(pointer_target(ref), ref[2:], inlining + (ref,))
                size += sizes[ref]
        for key, value in node.items():
            if key not in ("enum", "const", "examples", "default", "$defs"):
                size += walk(value, f"{where}/{key}" if where else key, inlining)
            if size > _MAX_EXPANDED:
                break
        return min(size, _MAX_EXPANDED + 1)

    if walk(document, "", ()) > _MAX_EXPANDED:
        found.append(f"its `$ref`s expand to more than {_MAX_EXPANDED:,} values once written out; "
                     "refer to fewer definitions, or to smaller ones")
    definitions = document.get("$defs")
    for name, definition in definitions.items() if isinstance(definitions, dict) else ():
        ref = "#/$defs/" + name.replace("~", "~0").replace("/", "~1")
        if ref not in sizes:
            sizes[ref] = walk(definition, f"$defs/{name}", (ref,))
    return list(dict.fromkeys(found))[:5]


_MISSING = object()


def _local_def(ref) -> str | None:
    """The name in a reference "#/$defs/<name>" (written out in place by Schemas.validator), else None."""
    if not isinstance(ref, str) or not ref.startswith("#/$defs/") or "/" in ref[len("#/$defs/"):]:
        return None
    return ref[len("#/$defs/"):].replace("~1", "/").replace("~0", "~")


@dataclass
class Schemas:
    """The three schemas (raw, for messages) and their validators."""

    raw: dict[str, dict]
    digest: str
    validators: dict[str, object] = field(default_factory=dict)

    @classmethod
    def load(cls, schema_dir: Path) -> tuple["Schemas | None", list[Problem]]:
        raw, problems, parts = {}, [], []
        for name in NAMES:
            path = schema_dir / f"{name}.schema.json"
            shown = rel(path, schema_dir.parent)
            data, document, problem = _read_schema(path, shown)
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
                                                     f"{_short(error.message)}"))
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
        return cls(raw, fingerprint(*parts)), []

    def validator(self, name: str):
        if name not in self.validators:
            # The same schema with its local $refs written out in place: resolving a $ref costs
            # more than checking what it points to, and there are a dozen per article.
            self.validators[name] = _Validator(_inlined(self.raw[name], self.raw[name]))
        return self.validators[name]

    def check(self, document: YamlDocument, name: str, root: Path,
              limit: int | None = MAX_MESSAGES_PER_FILE) -> tuple[frozenset, tuple[Problem, ...]]:
        """Validate one document with its schema: the key paths that had errors, and the problems
        (at most limit of them and a line saying how many more; all of them when limit is None)."""
        schema = self.raw[name]
        errors = sorted(_most_telling(list(self.validator(name).iter_errors(document.data))),
                        key=lambda e: (list(map(str, e.absolute_path)), str(e.validator), e.message))
        seen, bad_paths, problems = set(), set(), []
        shown = rel(document.path, root)
        for error in errors:
            key_path, message = schema_message(error, schema, document.plain.get(tuple(error.absolute_path)))
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


def _inlined(root: dict, node):
    if isinstance(node, list):
        return [_inlined(root, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items() if key != "$defs" or node is root}
    name = _local_def(node.get("$ref"))
    if name is not None:
        target = root["$defs"][name]
        if not isinstance(target, dict) or any(key in target for key in node if key not in _ANNOTATIONS):
            # both apply: keep both
            node = {"allOf": [target, {key: value for key, value in node.items() if key != "$ref"}]}
        else:
            node = _deref(root, node)
    return {key: (value if key in ("enum", "const", "$defs") else _inlined(root, value)) for key, value in node.items()}


def field_name(key_path) -> str:
    parts = []
    for key in key_path:
        parts.append(f"[{key}]" if isinstance(key, int) else (("." if parts else "") + str(key)))
    return "".join(parts) or "(document)"


def describe(value) -> str:
    """A value as a maintainer would name it in a sentence."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        if value == "":
            return "empty text"
        return f"the text {value!r}" if len(value) <= 60 else f"the text {value[:50]!r}…"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping (field: value)"
    return type(value).__name__


def _subschema(root: dict, key_path) -> dict:
    """The schema that describes the value at key_path (following $ref), for its description."""
    node = root
    for key in key_path:
        node = _deref(root, node)
        if isinstance(key, int):
            node = node.get("items", {})
        else:
            properties = node.get("properties", {})
            node = properties.get(key, {}) if isinstance(properties, dict) else {}
    return _deref(root, node)


def max_items(root: dict, key_path) -> int | None:
    """The schema's maxItems for the list at key_path, or None."""
    limit = _subschema(root, key_path).get("maxItems")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) else None


def _deref(root: dict, node) -> dict:
    if not isinstance(node, dict):  # `true` or `false` as a schema: nothing to describe
        return {}
    name = _local_def(node.get("$ref"))
    if name is not None:
        target = root["$defs"][name]
        merged = dict(target) if isinstance(target, dict) else {}
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        return merged
    return node


def _expected(root: dict, key_path) -> str:
    description = _subschema(root, key_path).get("description", "")
    return f" ({description.rstrip('.')})" if description else ""


def _wanted(root: dict, key_path) -> str:
    """What the schema says the value should be, as the end of a sentence: "expected …"."""
    description = _subschema(root, key_path).get("description", "").rstrip(".")
    if not description:
        return "expected a value"
    if description.startswith("Optional: "):
        description = description[len("Optional: "):]
    return "expected " + description[0].lower() + description[1:]


def date_suggestion(value) -> str:
    """"27/5/2019" → ' (did you mean "2019-05-27"?)', when the intended date is clear."""
    text = str(value)
    for pattern, order in ((_DMY, (2, 1, 0)), (_YMD_LOOSE, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            parts = match.groups()
            year, month, day = (parts[i] for i in order)
            candidate = f"{int(year):04d}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
            try:
                PartialDate.parse(candidate)
            except ValueError:
                return ""
            return f" (did you mean \"{candidate}\"?)" if candidate != text else ""
    return ""


def _did_you_mean(value: str, known) -> str:
    close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def unquoted_date(name: str, written: str, value, hint: str) -> str:
    """The message for a date written without quotes: what was written, what YAML made of it
    (0x7E5, 0o3745, 03745, 33:41 and 2_021 are all the number 2021 in YAML 1.1), the form expected."""
    shown = written if len(written) <= 40 else written[:30] + "…"
    read = "" if value == written else f", which YAML reads as {describe(value)}"
    try:
        date = PartialDate.parse(written)
        full = hint != DAY_HINT or date.precision == "day"
        suggestion = f"; put it in quotes: \"{written}\"" if full else ""
    except ValueError:
        suggestion = date_suggestion(written)
    return f"`{name}` is {shown} without quotes{read}: {hint}{suggestion}"


def schema_message(error: jsonschema.ValidationError, root: dict, written: str | None = None) -> tuple[tuple, str]:
    """A maintainer's sentence for one schema error, naming the field and what was expected.

    written: the value's text as written, when it was written without quotes."""
    key_path = tuple(error.absolute_path)
    name = field_name(key_path)
    last = key_path[-1] if key_path else None
    found = describe(error.instance)
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        field = missing.group(1) if missing else "?"
        return key_path, f"missing required field `{field_name(key_path + (field,))}`{_expected(root, key_path + (field,))}"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)
        close = difflib.get_close_matches(str(extra[0]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return key_path + (extra[0], "<key>"), (f"unknown field `{field_name(key_path + (extra[0],))}`{hint} "
                                                f"Expected one of: {', '.join(allowed)}")
    if last == "date" and error.validator in ("pattern", "type", "minimum", "maximum"):
        hint = DAY_HINT if key_path[:1] == ("corrections",) else DATE_HINT
        if written and written.strip() and error.instance is not None:
            return key_path, unquoted_date(name, written, error.instance, hint)
        return key_path, f"`{name}` is {found}: {hint}{date_suggestion(error.instance)}"
    if error.validator == "type" and not key_path:
        title = root.get("title", "").lower() or "the fields"
        if error.instance is None:
            return key_path, f"the file is empty: expected {title}, one `field: value` per line"
        return key_path, (f"the file should be {_TYPE_NAMES.get(error.validator_value, error.validator_value)} "
                          f"({title}), found {found}")
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        hint = ""
        if "string" in expected and isinstance(error.instance, (bool, int, float)):
            hint = "; put the value in quotes to make it text (YAML reads yes/no/on/off as true/false)"
        if "array" in expected and isinstance(error.instance, str):
            hint = f"; write a list, e.g. [{error.instance}]"
        return key_path, (f"`{name}` should be {' or '.join(_TYPE_NAMES.get(t, t) for t in expected)}"
                          f"{_expected(root, key_path)}, found {found}{hint}")
    if error.validator in ("minimum", "maximum") and key_path[-2:-1] == ("location",):
        return key_path, f"`{name}` is {found}: {_wanted(root, key_path)}"
    if error.validator == "pattern":
        if last == "source" and key_path[-2:-1] == ("location",):
            return key_path, (f"`{name}` is {found}: expected `geonames:` and the place's GeoNames id, e.g. "
                              "\"geonames:98182\" (the record https://www.geonames.org/98182 the coordinates come from)")
        if last == "url":
            return key_path, f"`{name}` must be a web address starting with http:// or https://, found {found}"
        if "a-z0-9" in error.validator_value:
            invisible = " (it contains an invisible direction control character)" if BIDI_CONTROLS.search(str(error.instance)) else ""
            return key_path, f"`{name}` is {found}{invisible}: {ID_HINT}"
        if last == "sha256":
            return key_path, f"`{name}` must be 64 lowercase hexadecimal digits (the text file's SHA-256, e.g. from `sha256sum`), found {found}"
        if error.validator_value == "\\S":
            return key_path, f"`{name}` is blank: {_wanted(root, key_path)}"
        return key_path, f"`{name}` is {found}: expected text on one line, {_wanted(root, key_path)}"
    if error.validator == "enum":
        return key_path, f"`{name}` is {found}; expected one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "minItems":
        subject = f"`{name}`" if key_path else "the file"
        return key_path, f"{subject} needs at least {error.validator_value} item(s){_expected(root, key_path)}"
    if error.validator == "uniqueItems":
        return key_path, f"`{name}` lists the same value twice; keep each once"
    if error.validator == "minLength":
        return key_path, f"`{name}` is empty: {_wanted(root, key_path)}"
    if error.validator == "maxLength":
        return key_path, f"`{name}` is too long: at most {error.validator_value} characters"
    if error.validator == "maxItems":
        count = f"{len(error.instance):,}" if isinstance(error.instance, list) else "too many"
        subject = f"`{name}`" if key_path else "the file"
        return key_path, (f"{subject} has {count} items; at most {error.validator_value:,} are allowed"
                          f"{_expected(root, key_path)}")
    if error.validator == "oneOf" and last == "outlet":
        return key_path, f"`{name}` should be the outlet's name on one line, or null when the text does not say; found {found}"
    return key_path, f"`{name}`: {_short(error.message)}"


def _short(message: str, limit: int = 300) -> str:
    """A library's message, which may hold the repr of a whole value, cut to a readable length."""
    return message if len(message) <= limit else message[:limit - 1] + "…"


# When one value breaks several rules, only the most telling is reported ("is empty", not also
# "does not match ^…\\S…$"); missing and unknown fields are always reported.
_PRIORITY = ("type", "enum", "oneOf", "minLength", "maxLength", "pattern", "minimum", "maximum",
             "maxItems", "minItems", "uniqueItems")


def _most_telling(errors: list) -> list:
    best: dict[tuple, jsonschema.ValidationError] = {}
    kept = []
    for error in errors:
        if error.validator in ("required", "additionalProperties"):
            kept.append(error)
            continue
        path = tuple(error.absolute_path)
        rank = _PRIORITY.index(error.validator) if error.validator in _PRIORITY else len(_PRIORITY)
        current = best.get(path)
        if current is None or rank < (_PRIORITY.index(current.validator) if current.validator in _PRIORITY else len(_PRIORITY)):
            best[path] = error
    return kept + list(best.values())
