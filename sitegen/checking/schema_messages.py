"""A JSON Schema error, or a rule the schemas state, said as a maintainer's sentence: the field
by its path in the file, the value as written, what was expected, and a fix where one is clear
(a date in another order, an id's near spelling)."""
from __future__ import annotations

import difflib
import re

import jsonschema
from jsonschema.exceptions import best_match

from .. import characters
from ..model import PartialDate
from .references import LocalRefs

BIDI_CONTROLS = re.compile(f"[{characters.BIDI_CONTROLS}]")

DATE_HINT = "dates are written in quotes as \"YYYY-MM-DD\", \"YYYY-MM\" or \"YYYY\" (e.g. \"2019-05-27\", \"2010-03\", \"2021\")"
DAY_HINT = "a correction's date is the full day it was made, in quotes: \"YYYY-MM-DD\" (e.g. \"2026-11-30\")"
CAPTURE_HINT = ("an archived copy's date is the full day it was captured, in quotes: \"YYYY-MM-DD\" (e.g. "
                "\"2021-03-04\"; the Internet Archive's address holds it: /web/20210304…/)")
ID_HINT = "ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")"
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping (field: value)",
               "integer": "a whole number", "number": "a number", "boolean": "true or false", "null": "null"}
_DMY = re.compile(r"^\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{4})\s*$")
_YMD_LOOSE = re.compile(r"^\s*([0-9]{4})\s*[/.\-]\s*([0-9]{1,2})(?:\s*[/.\-]\s*([0-9]{1,2}))?\s*$")


def date_hint(key_path) -> str:
    """How the date at key_path is written: a day for a correction or a capture, else a partial date."""
    key_path = tuple(key_path)
    if key_path[:1] == ("corrections",):
        return DAY_HINT
    return CAPTURE_HINT if key_path[:2] == ("source", "archive") else DATE_HINT


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


def _subschema(refs: LocalRefs, key_path) -> dict:
    """The schema that describes the value at key_path (following $ref), for its description."""
    node = refs.document
    for key in key_path:
        node = refs.resolved(node)
        if isinstance(key, int):
            node = node.get("items", {})
        else:
            properties = node.get("properties", {})
            node = properties.get(key, {}) if isinstance(properties, dict) else {}
    return refs.resolved(node)


def max_items(refs: LocalRefs, key_path) -> int | None:
    """The schema's maxItems for the list at key_path, or None."""
    limit = _subschema(refs, key_path).get("maxItems")
    return limit if isinstance(limit, int) and not isinstance(limit, bool) else None


def _expected(refs: LocalRefs, key_path) -> str:
    description = _subschema(refs, key_path).get("description", "")
    return f" ({description.rstrip('.')})" if description else ""


def _wanted(refs: LocalRefs, key_path) -> str:
    """What the schema says the value should be, as the end of a sentence: "expected …"."""
    description = _subschema(refs, key_path).get("description", "").rstrip(".")
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


def unquoted_date(name: str, written: str, value, hint: str) -> str:
    """The message for a date written without quotes: what was written, what YAML made of it
    (0x7E5, 0o3745, 03745, 33:41 and 2_021 are all the number 2021 in YAML 1.1), the form expected."""
    shown = written if len(written) <= 40 else written[:30] + "…"
    read = "" if value == written else f", which YAML reads as {describe(value)}"
    try:
        date = PartialDate.parse(written)
        full = hint == DATE_HINT or date.precision == "day"
        suggestion = f"; put it in quotes: \"{written}\"" if full else ""
    except ValueError:
        suggestion = date_suggestion(written)
    return f"`{name}` is {shown} without quotes{read}: {hint}{suggestion}"


def schema_message(error: jsonschema.ValidationError, refs: LocalRefs, written: str | None = None) -> tuple[tuple, str]:
    """A maintainer's sentence for one schema error, naming the field and what was expected.

    written: the value's text as written, when it was written without quotes."""
    key_path = tuple(error.absolute_path)
    name = field_name(key_path)
    last = key_path[-1] if key_path else None
    found = describe(error.instance)
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        field = missing.group(1) if missing else "?"
        return key_path, f"missing required field `{field_name(key_path + (field,))}`{_expected(refs, key_path + (field,))}"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)
        close = difflib.get_close_matches(str(extra[0]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return key_path + (extra[0], "<key>"), (f"unknown field `{field_name(key_path + (extra[0],))}`{hint} "
                                                f"Expected one of: {', '.join(allowed)}")
    if last == "date" and error.validator in ("pattern", "type", "minimum", "maximum"):
        hint = date_hint(key_path)
        if written and written.strip() and error.instance is not None:
            return key_path, unquoted_date(name, written, error.instance, hint)
        return key_path, f"`{name}` is {found}: {hint}{date_suggestion(error.instance)}"
    if error.validator == "type" and not key_path:
        title = refs.document.get("title", "").lower() or "the fields"
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
                          f"{_expected(refs, key_path)}, found {found}{hint}")
    if error.validator in ("minimum", "maximum") and key_path[-2:-1] == ("location",):
        return key_path, f"`{name}` is {found}: {_wanted(refs, key_path)}"
    if error.validator == "pattern":
        if last == "source" and key_path[-2:-1] == ("location",):
            return key_path, (f"`{name}` is {found}: expected `geonames:` and the place's GeoNames id, e.g. "
                              "\"geonames:98182\" (the record https://www.geonames.org/98182 the coordinates come from), "
                              "`naturalearth:` and a province's Natural Earth ne_id, e.g. \"naturalearth:1159315255\", "
                              "or `airportsdata:` and an airport's ICAO code, e.g. \"airportsdata:ORBI\"")
        if last == "url":
            return key_path, f"`{name}` must be a web address starting with http:// or https://, found {found}"
        if "a-z0-9" in error.validator_value:
            invisible = " (it contains an invisible direction control character)" if BIDI_CONTROLS.search(str(error.instance)) else ""
            return key_path, f"`{name}` is {found}{invisible}: {ID_HINT}"
        if last == "sha256":
            return key_path, f"`{name}` must be 64 lowercase hexadecimal digits (the text file's SHA-256, e.g. from `sha256sum`), found {found}"
        if error.validator_value == "\\S":
            return key_path, f"`{name}` is blank: {_wanted(refs, key_path)}"
        return key_path, f"`{name}` is {found}: expected text on one line, {_wanted(refs, key_path)}"
    if error.validator == "enum":
        return key_path, f"`{name}` is {found}; expected one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "minItems":
        subject = f"`{name}`" if key_path else "the file"
        return key_path, f"{subject} needs at least {error.validator_value} item(s){_expected(refs, key_path)}"
    if error.validator == "uniqueItems":
        return key_path, f"`{name}` lists the same value twice; keep each once"
    if error.validator == "minLength":
        return key_path, f"`{name}` is empty: {_wanted(refs, key_path)}"
    if error.validator == "maxLength":
        return key_path, f"`{name}` is too long: at most {error.validator_value} characters"
    if error.validator == "maxItems":
        count = f"{len(error.instance):,}" if isinstance(error.instance, list) else "too many"
        subject = f"`{name}`" if key_path else "the file"
        return key_path, (f"{subject} has {count} items; at most {error.validator_value:,} are allowed"
                          f"{_expected(refs, key_path)}")
    if error.validator == "oneOf" and last == "outlet":
        return key_path, f"`{name}` should be the outlet's name on one line, or null when the text does not say; found {found}"
    return key_path, f"`{name}`: {short(error.message)}"


def short(message: str, limit: int = 300) -> str:
    """A library's message, which may hold the repr of a whole value, cut to a readable length."""
    return message if len(message) <= limit else message[:limit - 1] + "…"


# When one value breaks several rules, only the most telling is reported ("is empty", not also
# "does not match ^…\\S…$"); missing and unknown fields are always reported.
_PRIORITY = ("type", "enum", "oneOf", "minLength", "maxLength", "pattern", "minimum", "maximum",
             "maxItems", "minItems", "uniqueItems")


def _relevance(error: jsonschema.ValidationError) -> int:
    """best_match's key: the higher, the more telling. The errors inside a oneOf all weigh the
    same, so that best_match reports the oneOf (the field's whole rule, worded in schema_message)
    rather than the complaint of one of its branches."""
    if error.parent is not None:
        return 0
    return -(_PRIORITY.index(error.validator) if error.validator in _PRIORITY else len(_PRIORITY))


def most_telling(errors) -> list[jsonschema.ValidationError]:
    """Every missing or unknown field, and at each other value the most telling of its errors."""
    kept, at_path = [], {}
    for error in errors:
        if error.validator in ("required", "additionalProperties"):
            kept.append(error)
        else:
            at_path.setdefault(tuple(error.absolute_path), []).append(error)
    return kept + [best_match(found, key=_relevance) for found in at_path.values()]
