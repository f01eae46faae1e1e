"""Stage 2, validate: check the loaded dossier against the JSON Schemas and the rules a schema
cannot express, and turn it into model objects. Every problem is collected; none stops the others.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema

from . import arabic
from .load import RawDossier, YamlDocument, rel
from .model import Article, Dossier, Entity, Event, PartialDate, Problem, Source, Theme

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "dossier" / "schema"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE_HINT = "dates are written YYYY-MM-DD, YYYY-MM or YYYY (e.g. \"2019-05-27\", \"2010-03\", \"2021\")"
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping (field: value)",
               "integer": "a whole number", "boolean": "true or false", "null": "null"}


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def _field_name(key_path) -> str:
    parts = []
    for key in key_path:
        parts.append(f"[{key}]" if isinstance(key, int) else (("." if parts else "") + str(key)))
    return "".join(parts) or "(document)"


def _describe(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if len(value) < 60 else "a text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _schema_message(error: jsonschema.ValidationError) -> tuple[tuple, str]:
    """A maintainer's sentence for one schema error, and where it points."""
    key_path = tuple(error.absolute_path)
    name = _field_name(key_path)
    last = key_path[-1] if key_path else None
    is_date = last == "date"
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        field = missing.group(1) if missing else "?"
        return key_path, f"missing required field `{_field_name(key_path + (field,))}`" + (
            f": {error.schema['properties'][field].get('description', '')}" if field in error.schema.get("properties", {}) else "")
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        allowed = ", ".join(error.schema.get("properties", {}))
        return key_path + (extra[0], "<key>"), f"unknown field `{_field_name(key_path + (extra[0],))}`; expected one of: {allowed}"
    if is_date and error.validator in ("pattern", "type", "minimum", "maximum"):
        return key_path, f"`{name}` is {_describe(error.instance)}: {_DATE_HINT}"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return key_path, f"`{name}` should be {' or '.join(_TYPE_NAMES.get(t, t) for t in expected)}, found {_describe(error.instance)}"
    if error.validator == "pattern":
        if last == "url" or "https?" in error.validator_value:
            return key_path, f"`{name}` must be an http:// or https:// address, found {_describe(error.instance)}"
        if "a-z0-9" in error.validator_value:
            return key_path, f"`{name}` is {_describe(error.instance)}: ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")"
        if last == "sha256":
            return key_path, f"`{name}` must be 64 lowercase hex digits (run `sha256sum` on the text file)"
        return key_path, f"`{name}` is {_describe(error.instance)}: it must hold text on one line"
    if error.validator == "enum":
        return key_path, f"`{name}` is {_describe(error.instance)}; expected one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "minItems":
        return key_path, f"`{name}` needs at least {error.validator_value} item(s)"
    if error.validator == "uniqueItems":
        return key_path, f"`{name}` lists the same value twice"
    if error.validator in ("minLength", "maxLength"):
        return key_path, f"`{name}` is {'empty' if error.validator == 'minLength' else 'too long'} ({error.validator} {error.validator_value})"
    if error.validator == "oneOf" and last == "outlet":
        return key_path, f"`{name}` should be the outlet's name on one line, or null when unknown; found {_describe(error.instance)}"
    return key_path, f"`{name}`: {error.message}"


def check_schema(document: YamlDocument, schema_name: str, root: Path, problems: list[Problem]) -> bool:
    validator = jsonschema.Draft202012Validator(schema(schema_name))
    errors = sorted(validator.iter_errors(document.data), key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    seen = set()
    for error in errors:
        # a oneOf/anyOf error explains itself; its sub-errors would repeat it
        key_path, message = _schema_message(error)
        if (key_path, message) in seen:
            continue
        seen.add((key_path, message))
        line, column = document.where(key_path)
        problems.append(Problem(rel(document.path, root), line, column, message))
    _check_invisible(document, document.data, (), root, problems)
    return not errors


def _check_invisible(document: YamlDocument, value, key_path, root: Path, problems: list[Problem]) -> None:
    """Invisible direction controls can make a title read differently from what it is."""
    if isinstance(value, str):
        found = _BIDI_CONTROLS.search(value)
        if found:
            line, column = document.where(key_path)
            problems.append(Problem(rel(document.path, root), line, column,
                                    f"`{_field_name(key_path)}` contains an invisible bidirectional control character "
                                    f"U+{ord(found.group()):04X}; delete it (it can make text display in a misleading order)"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_invisible(document, item, key_path + (key,), root, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_invisible(document, item, key_path + (index,), root, problems)


def validate(raw: RawDossier, include_drafts: bool = False) -> tuple[Dossier | None, list[Problem]]:
    problems: list[Problem] = []
    root = raw.root

    def problem(document: YamlDocument, key_path, message: str) -> None:
        line, column = document.where(key_path)
        problems.append(Problem(rel(document.path, root), line, column, message))

    themes: list[Theme] = []
    if raw.themes and check_schema(raw.themes, "themes", root, problems):
        seen: dict[str, int] = {}
        for index, item in enumerate(raw.themes.data):
            if item["id"] in seen:
                problem(raw.themes, (index, "id"), f"duplicate theme id `{item['id']}` (first at item {seen[item['id']] + 1})")
                continue
            seen[item["id"]] = index
            themes.append(Theme(item["id"], item["title"], item["description"]))
    theme_ids = {t.id for t in themes}

    entities: list[Entity] = []
    if raw.entities and check_schema(raw.entities, "entities", root, problems):
        seen_ids: dict[str, int] = {}
        seen_names: dict[str, str] = {}
        for index, item in enumerate(raw.entities.data or []):
            if item["id"] in seen_ids:
                problem(raw.entities, (index, "id"), f"duplicate entity id `{item['id']}`")
                continue
            seen_ids[item["id"]] = index
            for key_path, spelling in [((index, "name"), item["name"])] + [
                    ((index, "aliases", k), a) for k, a in enumerate(item["aliases"])]:
                folded = arabic.normalize(spelling)
                other = seen_names.get(folded)
                if other and other != item["id"]:
                    problem(raw.entities, key_path,
                            f"`{spelling}` is already a name of entity `{other}` (the same once hamza, ة/ه, ى/ي and "
                            f"diacritics are set aside); merge the two entities or remove one spelling")
                seen_names.setdefault(folded, item["id"])
            entities.append(Entity(item["id"], item["name"], item["kind"], list(item["aliases"]), item["description"]))
    entity_ids = {e.id for e in entities}

    articles: list[Article] = []
    article_ids = {a.id for a in raw.articles if a.yml}
    for raw_article in raw.articles:
        document = raw_article.yml
        if document is None or raw_article.txt_path is None:
            continue
        if not _ID_RE.match(raw_article.id):
            problem(document, (), f"file name `{raw_article.id}` is not a valid id: ids are lowercase Latin "
                                  "letters, digits and single hyphens, and become the article's URL")
            continue
        if not check_schema(document, "article", root, problems):
            continue
        data = document.data
        date = _date(document, ("date",), data["date"], problem)
        events = []
        for index, event in enumerate(data["events"]):
            event_date = _date(document, ("events", index, "date"), event["date"], problem)
            if event_date and date and event_date.could_be_after(date):
                problem(document, ("events", index, "date"),
                        f"event dated {event_date} is after the article's date {date}: an article reports only what happened by then")
            if event_date:
                events.append(Event(event_date, event["title"]))
        for index, theme_id in enumerate(data["themes"]):
            if theme_id not in theme_ids:
                problem(document, ("themes", index), f"unknown theme `{theme_id}`; expected one of: {', '.join(sorted(theme_ids))}")
        for index, entity_id in enumerate(data["entities"]):
            if entity_id not in entity_ids:
                problem(document, ("entities", index), f"unknown entity `{entity_id}`: add it to dossier/entities.yml or fix the id")
        for index, related_id in enumerate(data.get("related", [])):
            if related_id == raw_article.id:
                problem(document, ("related", index), "an article cannot be related to itself")
            elif related_id not in article_ids:
                problem(document, ("related", index), f"unknown article `{related_id}` in `related`")
        text = raw_article.text
        if text is not None:
            lines = {line for line in text.splitlines()} | {line.strip() for line in text.splitlines()}
            for index, hidden in enumerate(data.get("hide_lines", [])):
                if hidden not in lines:
                    problem(document, ("hide_lines", index), f"`hide_lines[{index}]` {hidden!r} is not a line of the text")
            if raw_article.sha256 != data["sha256"]:
                problem(document, ("sha256",),
                        f"the text {raw_article.txt_path.name} has changed: its SHA-256 is {raw_article.sha256}, "
                        "the metadata says another; if the change is intended, update `sha256`")
        if text is None or date is None or len(events) != len(data["events"]):
            continue
        if data.get("draft") and not include_drafts:
            continue
        source = data["source"]
        articles.append(Article(
            id=raw_article.id, title=data["title"], date=date,
            source=Source(source.get("outlet"), source.get("url"), source.get("note")),
            themes=list(data["themes"]), summary=data["summary"].strip(), entities=list(data["entities"]),
            events=events, text=text, sha256=raw_article.sha256, related=list(data.get("related", [])),
            hide_lines=list(data.get("hide_lines", [])), date_note=data.get("date_note"),
            draft=bool(data.get("draft")), yml_path=document.path, txt_path=raw_article.txt_path))

    if problems:
        return None, sorted(problems, key=lambda p: (p.path, p.line, p.column, p.message))
    return Dossier(themes, entities, articles), []


def _date(document, key_path, value, problem) -> PartialDate | None:
    try:
        return PartialDate.parse(str(value))
    except ValueError:
        problem(document, key_path, f"`{_field_name(key_path)}` is {value!r}, which is not a real date: {_DATE_HINT}")
        return None
