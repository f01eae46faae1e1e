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
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import jsonschema.validators
from jsonschema import ValidationError

from . import characters
from .cache import fingerprint
from .model import PartialDate, Problem
from .stages.yaml_reader import YamlDocument, rel

NAMES = ("article", "themes", "entities")
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
                yield ValidationError(f"{instance!r} has non-unique elements")
                return
            seen.add(key)


_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                          {"pattern": _pattern, "uniqueItems": _unique_items})


class SchemaProblem(Exception):
    """A schema file that is missing or broken: the dossier cannot be checked."""


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
            try:
                data = path.read_bytes()
                raw[name] = json.loads(data.decode("utf-8"))
                jsonschema.Draft202012Validator.check_schema(raw[name])
                parts.append(data)
            except FileNotFoundError:
                problems.append(Problem(shown, 1, 1, "missing schema file: the dossier cannot be checked without it "
                                                     "(restore it from version control)"))
            except (OSError, UnicodeDecodeError) as error:
                problems.append(Problem(shown, 1, 1, f"cannot read the schema file: {error}"))
            except json.JSONDecodeError as error:
                problems.append(Problem(shown, error.lineno, error.colno, f"schema file is not valid JSON: {error.msg}"))
            except jsonschema.SchemaError as error:
                where = "/".join(map(str, error.absolute_path)) or "(top)"
                problems.append(Problem(shown, 1, 1, f"schema file is not a valid JSON Schema at {where}: "
                                                     f"{error.message}"))
        if problems:
            return None, problems
        return cls(raw, fingerprint(*parts)), []

    def validator(self, name: str):
        if name not in self.validators:
            # The same schema with its local $refs written out in place: resolving a $ref costs
            # more than checking what it points to, and there are a dozen per article.
            self.validators[name] = _Validator(_inlined(self.raw[name], self.raw[name]))
        return self.validators[name]

    def check(self, document: YamlDocument, name: str, root: Path) -> tuple[frozenset, tuple[Problem, ...]]:
        """Validate one document with its schema: the key paths that had errors, and the problems."""
        schema = self.raw[name]
        errors = sorted(_most_telling(list(self.validator(name).iter_errors(document.data))),
                        key=lambda e: (list(map(str, e.absolute_path)), str(e.validator), e.message))
        seen, bad_paths, problems = set(), set(), []
        shown = rel(document.path, root)
        for error in errors:
            key_path, message = schema_message(error, schema)
            if (key_path, message) in seen:
                continue
            seen.add((key_path, message))
            bad_paths.add(tuple(error.absolute_path))
            if len(problems) < MAX_MESSAGES_PER_FILE:
                problems.append(Problem(shown, *document.where(key_path), message))
        if len(seen) > MAX_MESSAGES_PER_FILE:
            problems.append(Problem(shown, 1, 1, f"… and {len(seen) - MAX_MESSAGES_PER_FILE:,} more problems in this "
                                                 "file against its schema; fix the ones above first"))
        return frozenset(bad_paths), tuple(problems)


_ANNOTATIONS = {"$ref", "title", "description", "x-description-ar", "examples", "default", "markdownDescription"}


def _inlined(root: dict, node):
    if isinstance(node, list):
        return [_inlined(root, item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items() if key != "$defs" or node is root}
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        target = root["$defs"][node["$ref"].split("/")[-1]]
        if any(key in target for key in node if key not in _ANNOTATIONS):  # both apply: keep both
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
            node = node.get("properties", {}).get(key, {})
    return _deref(root, node)


def _deref(root: dict, node: dict) -> dict:
    if "$ref" in node and node["$ref"].startswith("#/$defs/"):
        merged = dict(root["$defs"][node["$ref"].split("/")[-1]])
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


def schema_message(error: jsonschema.ValidationError, root: dict) -> tuple[tuple, str]:
    """A maintainer's sentence for one schema error, naming the field and what was expected."""
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
        return key_path, f"`{name}` needs at least {error.validator_value} item(s){_expected(root, key_path)}"
    if error.validator == "uniqueItems":
        return key_path, f"`{name}` lists the same value twice; keep each once"
    if error.validator == "minLength":
        return key_path, f"`{name}` is empty: {_wanted(root, key_path)}"
    if error.validator == "maxLength":
        return key_path, f"`{name}` is too long: at most {error.validator_value} characters"
    if error.validator == "oneOf" and last == "outlet":
        return key_path, f"`{name}` should be the outlet's name on one line, or null when the text does not say; found {found}"
    return key_path, f"`{name}`: {error.message}"


# When one value breaks several rules, only the most telling is reported ("is empty", not also
# "does not match ^…\\S…$"); missing and unknown fields are always reported.
_PRIORITY = ("type", "enum", "oneOf", "minLength", "maxLength", "pattern", "minimum", "maximum",
             "minItems", "uniqueItems")


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
