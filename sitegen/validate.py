"""Stage 2, validate: check the loaded dossier against the JSON Schemas and the rules a schema
cannot express, and turn it into model objects. Every problem is collected; none stops the others.

The schemas in dossier/schema/ are the same ones editors use (through the
`# yaml-language-server: $schema=...` line at the top of every YAML file), so what an editor
underlines and what `python build.py check` reports never disagree. The rules checked here
on top of them: unknown theme, entity and related ids (with a "did you mean"); duplicate ids
and names, also names that differ only by Arabic spelling variants; an article related to
itself; an event dated after its article; hidden lines that are not in the text; a text whose
SHA-256 no longer matches its metadata; invisible direction controls; a `location` on an entity
that is not a place, or outside the map's extent.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import re
from functools import lru_cache
from pathlib import Path

import jsonschema

from . import arabic, characters
from .load import RawArticle, RawDossier, YamlDocument, rel
from .geo import borders as geo
from .model import Article, Dossier, Entity, Event, Location, PartialDate, Problem, Source, Theme

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "dossier" / "schema"
BIDI_CONTROLS = re.compile(f"[{characters.BIDI_CONTROLS}]")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ID_MAX = 100
DATE_HINT = "dates are written YYYY-MM-DD, YYYY-MM or YYYY (e.g. \"2019-05-27\", \"2010-03\", \"2021\")"
ID_HINT = "ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")"
_TYPE_NAMES = {"string": "text", "array": "a list", "object": "a mapping (field: value)",
               "integer": "a whole number", "number": "a number", "boolean": "true or false", "null": "null"}
_DMY = re.compile(r"^\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{4})\s*$")
_YMD_LOOSE = re.compile(r"^\s*([0-9]{4})\s*[/.\-]\s*([0-9]{1,2})(?:\s*[/.\-]\s*([0-9]{1,2}))?\s*$")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.Draft202012Validator:
    # The same schema with its local $refs written out in place: resolving a $ref costs
    # more than checking what it points to, and there are a dozen per article.
    return jsonschema.Draft202012Validator(_inlined(schema(name), schema(name)))


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


def _subschema(name: str, key_path) -> dict:
    """The schema that describes the value at key_path (following $ref), for its description."""
    root = schema(name)
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


def _expected(schema_name: str, key_path) -> str:
    description = _subschema(schema_name, key_path).get("description", "")
    return f" ({description.rstrip('.')})" if description else ""


def _wanted(schema_name: str, key_path) -> str:
    """What the schema says the value should be, as the end of a sentence: "expected …"."""
    description = _subschema(schema_name, key_path).get("description", "").rstrip(".")
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


def schema_message(error: jsonschema.ValidationError, schema_name: str) -> tuple[tuple, str]:
    """A maintainer's sentence for one schema error, naming the field and what was expected."""
    key_path = tuple(error.absolute_path)
    name = field_name(key_path)
    last = key_path[-1] if key_path else None
    found = describe(error.instance)
    if error.validator == "required":
        missing = re.search(r"'([^']+)' is a required property", error.message)
        field = missing.group(1) if missing else "?"
        return key_path, f"missing required field `{field_name(key_path + (field,))}`{_expected(schema_name, key_path + (field,))}"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)
        close = difflib.get_close_matches(str(extra[0]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return key_path + (extra[0], "<key>"), (f"unknown field `{field_name(key_path + (extra[0],))}`{hint} "
                                                f"Expected one of: {', '.join(allowed)}")
    if last == "date" and error.validator in ("pattern", "type", "minimum", "maximum"):
        return key_path, f"`{name}` is {found}: {DATE_HINT}{date_suggestion(error.instance)}"
    if error.validator == "type" and not key_path:
        title = schema(schema_name).get("title", "").lower() or "the fields"
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
                          f"{_expected(schema_name, key_path)}, found {found}{hint}")
    if error.validator in ("minimum", "maximum") and key_path[-2:-1] == ("location",):
        return key_path, f"`{name}` is {found}: {_wanted(schema_name, key_path)}"
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
            return key_path, f"`{name}` is blank: {_wanted(schema_name, key_path)}"
        return key_path, f"`{name}` is {found}: expected text on one line, {_wanted(schema_name, key_path)}"
    if error.validator == "enum":
        return key_path, f"`{name}` is {found}; expected one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "minItems":
        return key_path, f"`{name}` needs at least {error.validator_value} item(s){_expected(schema_name, key_path)}"
    if error.validator == "uniqueItems":
        return key_path, f"`{name}` lists the same value twice; keep each once"
    if error.validator == "minLength":
        return key_path, f"`{name}` is empty: {_wanted(schema_name, key_path)}"
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


def check_schema(document: YamlDocument, schema_name: str, root: Path, problems: list[Problem]) -> set:
    """Validate one document with its JSON Schema; return the key paths that had errors."""
    validator = _validator(schema_name)
    errors = sorted(_most_telling(list(validator.iter_errors(document.data))),
                    key=lambda e: (list(map(str, e.absolute_path)), str(e.validator), e.message))
    seen = set()
    bad_paths = set()
    for error in errors:
        key_path, message = schema_message(error, schema_name)
        if (key_path, message) in seen:
            continue
        seen.add((key_path, message))
        bad_paths.add(tuple(error.absolute_path))
        line, column = document.where(key_path)
        problems.append(Problem(rel(document.path, root), line, column, message))
    _check_invisible(document, document.data, (), root, problems)
    return bad_paths


def _check_invisible(document: YamlDocument, value, key_path, root: Path, problems: list[Problem]) -> None:
    """Characters no value may hold (characters.py): invisible, or breaking a format the value passes through."""
    if isinstance(value, str):
        found = characters.IN_VALUE.search(value)
        if found:
            line, column = document.where(key_path)
            problems.append(Problem(rel(document.path, root), line, column,
                                    f"`{field_name(key_path)}` contains {characters.describe(found.group())}; "
                                    "delete it (it is invisible in review and is never part of a dossier value)"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_invisible(document, item, key_path + (key,), root, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_invisible(document, item, key_path + (index,), root, problems)


def _is_bad(bad_paths: set, key_path) -> bool:
    """True when the schema already complained about this value or one inside it."""
    key_path = tuple(key_path)
    return any(path[:len(key_path)] == key_path for path in bad_paths)


class _Checker:
    def __init__(self, raw: RawDossier):
        self.raw = raw
        self.root = raw.root
        self.problems: list[Problem] = []

    def problem(self, document: YamlDocument, key_path, message: str) -> None:
        line, column = document.where(key_path)
        self.problems.append(Problem(rel(document.path, self.root), line, column, message))

    # themes.yml and entities.yml -------------------------------------------------------------

    def themes(self) -> tuple[list[Theme], set[str] | None]:
        """The valid themes, and every id declared (None when themes.yml could not be read)."""
        document = self.raw.themes
        if document is None:
            return [], None
        bad = check_schema(document, "themes", self.root, self.problems)
        items = document.data if isinstance(document.data, list) else []
        declared = {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
        themes, seen_ids, seen_titles = [], {}, {}
        for index, item in enumerate(items):
            if _is_bad(bad, (index,)):
                continue
            line = document.where((index, "id"))[0]
            if item["id"] in seen_ids:
                self.problem(document, (index, "id"), f"duplicate theme id `{item['id']}` (first on line {seen_ids[item['id']]}); "
                                                      "each theme needs its own id")
                continue
            seen_ids[item["id"]] = line
            folded = arabic.normalize(item["title"]).strip()
            if folded in seen_titles:
                self.problem(document, (index, "title"), f"theme title `{item['title']}` is the same as theme "
                                                         f"`{seen_titles[folded]}`'s once hamza, ة/ه, ى/ي and diacritics "
                                                         "are set aside; merge the two themes or tell them apart")
            seen_titles.setdefault(folded, item["id"])
            themes.append(Theme(item["id"], item["title"], item["description"]))
        return themes, declared

    def entities(self) -> tuple[list[Entity], set[str] | None]:
        document = self.raw.entities
        if document is None:
            return [], None
        bad = check_schema(document, "entities", self.root, self.problems)
        items = document.data if isinstance(document.data, list) else []
        declared = {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
        entities, seen_ids, seen_names = [], {}, {}
        for index, item in enumerate(items):
            if _is_bad(bad, (index,)):
                continue
            line = document.where((index, "id"))[0]
            if item["id"] in seen_ids:
                self.problem(document, (index, "id"), f"duplicate entity id `{item['id']}` (first on line {seen_ids[item['id']]}); "
                                                      "merge the two entries or give this one its own id")
                continue
            seen_ids[item["id"]] = line
            spellings = [((index, "name"), item["name"])] + [((index, "aliases", k), a) for k, a in enumerate(item["aliases"])]
            for key_path, spelling in spellings:
                folded = " ".join(arabic.normalize(spelling).split())
                other = seen_names.get(folded)
                if other and other[0] != item["id"]:
                    self.problem(document, key_path,
                                 f"`{spelling}` is already a name of entity `{other[0]}` (line {other[1]}), the same once "
                                 "hamza forms, ة/ه, ى/ي and diacritics are set aside; merge the two entities or remove "
                                 "one spelling")
                seen_names.setdefault(folded, (item["id"], document.where(key_path)[0]))
            location = self._location(document, index, item)
            entities.append(Entity(item["id"], item["name"], item["kind"], list(item["aliases"]), item["description"],
                                   location))
        return entities, declared

    def _location(self, document: YamlDocument, index: int, item: dict) -> Location | None:
        """A place's coordinates (the schema has checked their form and ranges): only on a place,
        and inside the map's extent."""
        if "location" not in item:
            return None
        where = (index, "location", "<key>")
        if item["kind"] != "place":
            self.problem(document, where, f"`[{index}].location` is only for places (`kind: place`), and this entity's "
                                          f"kind is `{item['kind']}`: remove `location`, or correct `kind`")
            return None
        value = item["location"]
        latitude, longitude = value["latitude"], value["longitude"]
        if not geo.EXTENT.contains(latitude, longitude):
            swapped = (f"; swapped, they would be inside: did you mean latitude {longitude}, longitude {latitude}?"
                       if geo.EXTENT.contains(longitude, latitude) else "; check the coordinates and their source")
            self.problem(document, where, f"`[{index}].location` (latitude {latitude}, longitude {longitude}) is outside "
                                          f"the map's extent, {geo.EXTENT}: the map shows Iraq and its neighbours{swapped}")
            return None
        return Location(float(latitude), float(longitude), value["source"])

    # articles ---------------------------------------------------------------------------------

    def article(self, raw_article: RawArticle, theme_ids, entity_ids, article_ids, texts, include_drafts) -> Article | None:
        document = raw_article.yml
        if document is None or raw_article.txt_path is None:
            return None
        before = len(self.problems)
        if not ID_RE.match(raw_article.id) or len(raw_article.id) > ID_MAX:
            invisible = BIDI_CONTROLS.search(raw_article.id)
            why = (f" (it contains the invisible direction control U+{ord(invisible.group()):04X})" if invisible else "")
            self.problems.append(Problem(rel(document.path, self.root), 1, 1,
                                         f"file name `{raw_article.id}`{why} is not a valid article id: {ID_HINT}, at most "
                                         f"{ID_MAX} characters; the id becomes the article's address. Rename both "
                                         f"{raw_article.id}.yml and {raw_article.id}.txt"))
        bad = check_schema(document, "article", self.root, self.problems)
        data = document.data if isinstance(document.data, dict) else {}

        def ok(*key_path) -> bool:
            """The value at key_path is there and the schema found nothing wrong with it."""
            value = data
            for key in key_path:
                if isinstance(value, dict) and key in value:
                    value = value[key]
                elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                    value = value[key]
                else:
                    return False
            return not _is_bad(bad, key_path)

        date = self._date(document, ("date",), data["date"]) if ok("date") else None
        events = []
        for index, event in enumerate(data["events"] if isinstance(data.get("events"), list) else []):
            if not ok("events", index):
                continue
            event_date = self._date(document, ("events", index, "date"), event["date"])
            if event_date and date and event_date.could_be_after(date):
                self.problem(document, ("events", index, "date"),
                             f"`events[{index}].date` {event_date} is after the article's date {date}: an article reports "
                             "only what happened by the time it was published; check both dates")
            if event_date:
                events.append(Event(event_date, event["title"]))
        self._references(document, data, "themes", theme_ids, ok,
                         "unknown theme `{}`; expected one of: " + ", ".join(sorted(theme_ids or [])))
        self._references(document, data, "entities", entity_ids, ok,
                         "unknown entity `{}`: add it to dossier/entities.yml or correct the id")
        for index, related_id in enumerate(data["related"] if isinstance(data.get("related"), list) else []):
            if not ok("related", index):
                continue
            if related_id == raw_article.id:
                self.problem(document, ("related", index), f"`related[{index}]` names this article itself; "
                                                           "list other articles' ids")
            elif related_id not in article_ids:
                self.problem(document, ("related", index), f"unknown article `{related_id}` in `related[{index}]`: expected "
                                                           f"the id of an article in dossier/articles/"
                                                           f"{_did_you_mean(related_id, article_ids)}")
        text = raw_article.text
        if text is not None:
            lines = [line for line in text.splitlines() if line.strip()]
            known = set(lines) | {line.strip() for line in lines}
            for index, hidden in enumerate(data["hide_lines"] if isinstance(data.get("hide_lines"), list) else []):
                if ok("hide_lines", index) and hidden not in known:
                    close = difflib.get_close_matches(hidden, [line.strip() for line in lines], n=1, cutoff=0.6)
                    hint = f"; the closest line is {close[0]!r}" if close else ""
                    self.problem(document, ("hide_lines", index),
                                 f"`hide_lines[{index}]` {hidden!r} is not a line of {raw_article.txt_path.name}: expected "
                                 f"a whole line of the text, copied exactly{hint}")
            if ok("sha256") and raw_article.sha256 != data["sha256"]:
                self.problem(document, ("sha256",),
                             f"`sha256` does not match {raw_article.txt_path.name}: the text has changed since its metadata "
                             f"was written (its SHA-256 is now {raw_article.sha256}); source texts are kept as received, "
                             "so if the change is intended, put the new value in `sha256` and say why in the pull request")
            elif "sha256" not in data:
                for i in range(before, len(self.problems)):
                    if self.problems[i].message.startswith("missing required field `sha256`"):
                        self.problems[i] = dataclasses.replace(self.problems[i], message=(
                            f"missing required field `sha256`: add `sha256: {raw_article.sha256}`, the SHA-256 of "
                            f"{raw_article.txt_path.name}, so that a changed text is noticed"))
            if raw_article.sha256 in texts and texts[raw_article.sha256] != raw_article.id:
                self.problem(document, (), f"{raw_article.txt_path.name} is byte for byte the same text as article "
                                           f"`{texts[raw_article.sha256]}`; keep one of the two")
            texts.setdefault(raw_article.sha256, raw_article.id)
        if len(self.problems) > before or text is None or date is None:
            return None
        if data.get("draft") and not include_drafts:
            return None
        source = data["source"]
        return Article(
            id=raw_article.id, title=data["title"], date=date,
            source=Source(source.get("outlet"), source.get("url"), source.get("note")),
            themes=list(data["themes"]), summary=data["summary"].strip(), entities=list(data["entities"]),
            events=events, text=text, sha256=raw_article.sha256, related=list(data.get("related", [])),
            hide_lines=list(data.get("hide_lines", [])), date_note=data.get("date_note"),
            draft=bool(data.get("draft")), yml_path=document.path, txt_path=raw_article.txt_path)

    def _references(self, document, data, field, known_ids, ok, message) -> None:
        if known_ids is None:  # the file that declares them could not be read: already reported
            return
        for index, value in enumerate(data[field] if isinstance(data.get(field), list) else []):
            if ok(field, index) and value not in known_ids:
                self.problem(document, (field, index), message.format(value) + _did_you_mean(value, known_ids))

    def _date(self, document, key_path, value) -> PartialDate | None:
        try:
            return PartialDate.parse(str(value))
        except ValueError as error:
            self.problem(document, key_path, f"`{field_name(key_path)}` is {describe(value)}, which is not a real date: "
                                             f"{error}; {DATE_HINT}")
            return None


def validate(raw: RawDossier, include_drafts: bool = False) -> tuple[Dossier | None, list[Problem]]:
    checker = _Checker(raw)
    themes, theme_ids = checker.themes()
    entities, entity_ids = checker.entities()
    article_ids = {a.id for a in raw.articles if a.yml is not None or a.yml_path is not None}
    texts: dict[str, str] = {}
    articles = []
    for raw_article in raw.articles:
        try:
            article = checker.article(raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts)
        except Exception as error:  # noqa: BLE001 - a rule that trips over odd data must not hide the others
            document = raw_article.yml
            checker.problems.append(Problem(rel(document.path, raw.root) if document else raw_article.id, 1, 1,
                                            f"could not check this file ({type(error).__name__}: {error}); "
                                            "please report this with the file attached"))
            article = None
        if article:
            articles.append(article)
    problems = sorted(set(checker.problems), key=lambda p: (p.path, p.line, p.column, p.message))
    if problems:
        return None, problems
    return Dossier(themes, entities, articles), []
