"""Stage 2, validate: check the loaded dossier against the JSON Schemas (checking/schema.py) and
the rules a schema cannot express, and turn it into model objects. Every problem is collected;
none stops the others.

The rules checked here on top of the schemas: characters no value may hold (characters.py);
dates written in quotes; ids the generator needs for its own pages; unknown theme, entity and
related ids (with a "did you mean"); duplicate ids and names, also names that differ only by
Arabic spelling variants; any value a reader sees that shows nothing (characters.shows_nothing);
aliases too short, or common words (sitegen/common_words.txt); an article related to itself; an
event dated after its article; a correction dated after it or in the future; an archived copy
of the source captured before the article or in the future (archived.py); quotes the page
could not mark, hidden lines that are not in the text and a text that would show no line
(text_rules.py); a text whose SHA-256 no longer matches its metadata. An event without a quote
is a warning (an alias found in most articles too: alias_reach.py).

Drafts (`draft: true`) are checked leniently unless asked otherwise: their problems are
warnings, and a draft with problems is simply left out, so a draft written by `add` and not yet
filled in never blocks a build.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import arabic, characters
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..geo import borders as geo
from ..model import Article, Correction, Dossier, Entity, Event, Location, PartialDate, Problem, Source, Theme
from .schema import Schemas
from .schema_messages import BIDI_CONTROLS, ID_HINT, field_name
from . import text_rules
from .archived import archived_copies
from .checker import ID_MAX, RESERVED_IDS, Checker, Suggestions, capped, is_bad, valid_id
from .event_checks import check_event, conflicting_dates
from .load import RawArticle, RawDossier
from .yaml_reader import YamlDocument, rel



@dataclass
class Validation:
    dossier: Dossier | None
    problems: list[Problem]  # the dossier cannot be built until these are fixed
    warnings: list[Problem] = field(default_factory=list)  # reported, not blocking (drafts)
    checked: Dossier | None = None  # what passed, also when something else did not (for rules across articles)


# themes.yml and entities.yml -----------------------------------------------------------------

def _items(document: YamlDocument | None, checker: "Checker | None" = None, name: str = "") -> list:
    """The items of themes.yml or entities.yml (with a checker: those checked one by one, up to maxItems)."""
    items = document.data if document is not None and isinstance(document.data, list) else []
    return checker.items(name, items) if checker is not None else items


def _declared(document: YamlDocument | None, needs_items: bool = False) -> set[str] | None:
    """The ids a file declares, to check references against; None when the file could not be read,
    is not a list (its one problem is said there) or, with needs_items, is empty: then no reference
    to it is reported, rather than every one of them."""
    if document is None or not isinstance(document.data, list) or (needs_items and not document.data):
        return None
    declared = set()
    for item in document.data:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            # An id the file itself gets wrong ("isis-remnants\n") is reported there, once: the
            # articles that name it as it was meant are not reported as well.
            declared.update((item["id"], item["id"].strip()))
    return declared


def check_themes(document: YamlDocument | None, checker: Checker) -> list[Theme]:
    if document is None:
        return []
    bad = checker.schema(document, "themes")
    themes, seen_ids, seen_titles = [], {}, {}
    for index, item in enumerate(_items(document, checker, "themes")):
        if is_bad(bad, (index,)):
            continue
        line = document.where((index, "id"))[0]
        if item["id"] in seen_ids:
            checker.problem(document, (index, "id"), f"duplicate theme id `{item['id']}` (first on line "
                                                     f"{seen_ids[item['id']]}); each theme needs its own id")
            continue
        seen_ids[item["id"]] = line
        checker.reserved(document, (index, "id"), item["id"], "theme")
        folded = arabic.normalize(item["title"]).strip()
        if folded in seen_titles:
            checker.problem(document, (index, "title"), f"theme title `{item['title']}` is the same as theme "
                                                        f"`{seen_titles[folded]}`'s once hamza, ة/ه, ى/ي and diacritics "
                                                        "are set aside; merge the two themes or tell them apart")
        seen_titles.setdefault(folded, item["id"])
        themes.append(Theme(item["id"], item["title"], item["description"], _item_fingerprint(item)))
    return themes


def _item_fingerprint(item: dict) -> str:
    return fingerprint(json.dumps(item, ensure_ascii=False, sort_keys=True, default=str))


MIN_ALIAS_LETTERS = 3  # fewer cannot name an entity: هيت (Hit), the shortest place named, has three


def _spelling_problem(spelling: str, is_alias: bool) -> str | None:
    """Why a name or alias cannot name anything, or None."""
    if characters.shows_nothing(spelling):
        return characters.shows_nothing(spelling)
    if not characters.letters(spelling):
        return ("has no letters (only digits, punctuation or Arabic presentation forms, which a text never uses "
                "for its words): write the name in ordinary Arabic letters")
    folded = " ".join(arabic.normalize(spelling).split())
    if is_alias and folded in arabic.STOP_WORDS:
        return ("is an Arabic stop word, which every text uses: as an alias it would link every article to this "
                "entity; remove it")
    if is_alias and sum(ch.isalpha() for ch in folded) < MIN_ALIAS_LETTERS:
        return (f"is too short to name an entity: an alias has at least {MIN_ALIAS_LETTERS} letters (diacritics and "
                "spelling variants set aside), or it would match parts of countless words; write the name in full")
    if is_alias and " " not in folded and arabic.stems(folded) & arabic.COMMON_WORDS:
        return ("is a common word of news reports (sitegen/common_words.txt), not a name: as an alias it would link "
                "nearly every article to this entity; remove it")
    return None


def check_entities(document: YamlDocument | None, checker: Checker) -> list[Entity]:
    if document is None:
        return []
    bad = checker.schema(document, "entities")
    entities, seen_ids, seen_names = [], {}, {}
    for index, item in enumerate(_items(document, checker, "entities")):
        if is_bad(bad, (index,)):
            continue
        line = document.where((index, "id"))[0]
        duplicate = item["id"] in seen_ids
        if duplicate:  # reported, and its names still checked: every problem in one run
            checker.problem(document, (index, "id"), f"duplicate entity id `{item['id']}` (first on line "
                                                     f"{seen_ids[item['id']]}); merge the two entries or give this one its own id")
        seen_ids.setdefault(item["id"], line)
        checker.reserved(document, (index, "id"), item["id"], "entity")
        spellings = [((index, "name"), item["name"])] + [((index, "aliases", k), a) for k, a in enumerate(item["aliases"])]
        usable = not duplicate
        for key_path, spelling in spellings:
            why = _spelling_problem(spelling, is_alias=len(key_path) == 3)
            if why:
                checker.problem(document, key_path, f"`{field_name(key_path)}` {spelling!r} {why}")
                usable = False
                continue
            folded = " ".join(arabic.normalize(spelling).split())
            other = seen_names.get(folded)
            if other and other[0] != item["id"]:
                checker.problem(document, key_path,
                                f"`{spelling}` is already a name of entity `{other[0]}` (line {other[1]}), the same once "
                                "hamza forms, ة/ه, ى/ي and diacritics are set aside; merge the two entities or remove "
                                "one spelling")
            seen_names.setdefault(folded, (item["id"], document.where(key_path)[0]))
        location = _location(checker, document, index, item)
        if usable:
            entities.append(Entity(item["id"], item["name"], item["kind"], list(item["aliases"]), item["description"],
                                   _item_fingerprint(item), location=location))
    return entities


def _location(checker: Checker, document: YamlDocument, index: int, item: dict) -> Location | None:
    """A place's coordinates (the schema has checked their form and ranges): only on a place,
    and inside the map's extent."""
    if "location" not in item:
        return None
    where = (index, "location", "<key>")
    if item["kind"] != "place":
        checker.problem(document, where, f"`[{index}].location` is only for places (`kind: place`), and this entity's "
                                         f"kind is `{item['kind']}`: remove `location`, or correct `kind`")
        return None
    value = item["location"]
    latitude, longitude = value["latitude"], value["longitude"]
    if not geo.EXTENT.contains(latitude, longitude):
        swapped = (f"; swapped, they would be inside: did you mean latitude {longitude}, longitude {latitude}?"
                   if geo.EXTENT.contains(longitude, latitude) else "; check the coordinates and their source")
        checker.problem(document, where, f"`[{index}].location` (latitude {latitude}, longitude {longitude}) is outside "
                                         f"the map's extent, {geo.EXTENT}: the map shows Iraq and its neighbours{swapped}")
        return None
    return Location(float(latitude), float(longitude), value["source"])


# articles -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Context:
    """What an article's checks depend on besides its own files."""

    theme_ids: frozenset | None
    entity_ids: frozenset | None
    article_ids: frozenset
    include_drafts: bool
    key: str
    today: PartialDate = field(default_factory=lambda: latest_today())
    place_ids: frozenset = frozenset()  # the entities of kind place (an event's places must be)
    _suggestions: dict = field(default_factory=dict, compare=False, repr=False)

    def suggestions(self, kind: str) -> Suggestions:
        """"Did you mean" among the valid theme, entity or article ids (built once, when first needed)."""
        if kind not in self._suggestions:
            self._suggestions[kind] = Suggestions({"themes": self.theme_ids, "entities": self.entity_ids,
                                                    "related": self.article_ids}[kind] or ())
        return self._suggestions[kind]


def _context(themes_doc, entities_doc, raw: RawDossier, include_drafts: bool) -> _Context:
    theme_ids, entity_ids = _declared(themes_doc, needs_items=True), _declared(entities_doc)
    article_ids = frozenset(a.id for a in raw.articles if a.yml is not None or a.yml_path is not None)
    place_ids = frozenset(item["id"] for item in _items(entities_doc)
                          if isinstance(item, dict) and item.get("kind") == "place" and isinstance(item.get("id"), str))
    today = latest_today()
    key = fingerprint(*(json.dumps(sorted(ids)) if ids is not None else "none"
                        for ids in (theme_ids, entity_ids, article_ids, place_ids)), str(include_drafts), today.iso)
    return _Context(None if theme_ids is None else frozenset(theme_ids),
                    None if entity_ids is None else frozenset(entity_ids), article_ids, include_drafts, key, today,
                    place_ids)


def latest_today() -> PartialDate:
    """Today's date where it is latest on Earth (UTC+14): a date after it is in the future for
    everyone, and a maintainer's own today is never taken for the future."""
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=14)
    return PartialDate(now.year, now.month, now.day)


def check_article(raw_article: RawArticle, context: _Context, root: Path,
                  schemas: Schemas) -> tuple[Article | None, tuple[Problem, ...], tuple[Problem, ...]]:
    """One article's own checks: a function of its two files and the ids it may name. Returns the
    article (None when it has problems), its problems and its warnings."""
    checker = Checker(root, schemas)
    article = _article(raw_article, context, checker)
    return article, tuple(checker.problems), tuple(checker.warnings)


def _article(raw_article: RawArticle, context: _Context, checker: Checker) -> Article | None:
    document = raw_article.yml
    if document is None:  # without its text, the metadata is still checked: every problem in one run
        return None
    _article_id(raw_article, checker)
    if not isinstance(document.data, dict):  # one message for a file of the wrong shape, from the schema
        checker.schema(document, "article")
        return None
    data = document.data
    ok = _schema_passed(data, checker.schema(document, "article"))
    date = checker.date(document, ("date",), data["date"]) if ok("date") else None
    quotes = text_rules.article_quotes(raw_article, data)
    events = _events(raw_article, context, checker, ok, date, quotes)
    corrections = _corrections(document, data, context, checker, ok, date)
    archive = archived_copies(checker, document, data, date, ok)
    if context.theme_ids is not None:
        _references(checker, document, data, "themes", context, ok,
                    "unknown theme `{}`; expected one of: " + ", ".join(context.suggestions("themes").known))
    _references(checker, document, data, "entities", context, ok,
                "unknown entity `{}`: add it to dossier/entities.yml or correct the id")
    _related(raw_article, context, checker, ok)
    text = raw_article.text
    if text is not None:
        text_rules.check_lines(checker, document, data, raw_article, ok, quotes.shown.lines)
        _digest(raw_article, checker, ok)
    if checker.problems or text is None or date is None:
        return None
    if data.get("draft") and not context.include_drafts:
        return None
    source = data["source"]
    return Article(
        id=raw_article.id, title=data["title"], date=date,
        source=Source(source.get("outlet"), source.get("url"), source.get("note"), archive),
        themes=list(data["themes"]), summary=data["summary"].strip(), entities=list(data["entities"]),
        events=events, text=text, sha256=raw_article.sha256, related=list(data.get("related", [])),
        hide_lines=list(data.get("hide_lines", [])), date_note=data.get("date_note"),
        draft=bool(data.get("draft")), corrections=sorted(corrections, key=lambda c: c.date), yml_path=document.path, txt_path=raw_article.txt_path,
        fingerprint=fingerprint(document.digest, raw_article.sha256 or ""))


def _article_id(raw_article: RawArticle, checker: Checker) -> None:
    """The file name is the article's id: the id pattern, and none of the generator's own pages."""
    shown = rel(raw_article.yml.path, checker.root)
    if not valid_id(raw_article.id):
        invisible = BIDI_CONTROLS.search(raw_article.id)
        why = (f" (it contains the invisible direction control U+{ord(invisible.group()):04X})" if invisible else "")
        checker.problems.append(Problem(shown, 1, 1,
                                        f"file name `{raw_article.id}`{why} is not a valid article id: {ID_HINT}, at most "
                                        f"{ID_MAX} characters; the id becomes the article's address. Rename both "
                                        f"{raw_article.id}.yml and {raw_article.id}.txt"))
    elif raw_article.id in RESERVED_IDS:
        checker.problems.append(Problem(shown, 1, 1,
                                        f"article id `{raw_article.id}` is reserved: the site has a page of that name of "
                                        "its own, which one of the two would overwrite; rename both files"))


def _schema_passed(data, bad: frozenset):
    """ok(*key_path): the value at key_path is there and the schema found nothing wrong with it."""
    def ok(*key_path) -> bool:
        value = data
        for key in key_path:
            if isinstance(value, dict) and key in value:
                value = value[key]
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                return False
        return not is_bad(bad, key_path)
    return ok


def _events(raw_article: RawArticle, context: _Context, checker: Checker, ok, date, quotes) -> list[Event]:
    """An article's events: their references, dates and quotes checked; those with a date kept."""
    document, data = raw_article.yml, raw_article.yml.data
    txt_name = raw_article.txt_path.name if raw_article.txt_path else f"{raw_article.id}.txt"
    events = []
    for index, event in enumerate(checker.items("article", data.get("events"), ("events",))):
        if isinstance(event, dict):  # its references, each value the schema let through
            check_event(checker, document, index, event, context, ok)
        if not ok("events", index):
            continue
        event_date = checker.date(document, ("events", index, "date"), event["date"])
        if event_date and date and event_date.could_be_after(date):
            checker.problem(document, ("events", index, "date"),
                            f"`events[{index}].date` {event_date} is after the article's date {date}: an article reports "
                            "only what happened by the time it was published; check both dates")
        quote = event.get("quote")
        if quote is None:
            checker.warning(document, ("events", index), f"`events[{index}]` has no `quote`: copy the passage of "
                                                         f"{txt_name} that states the event, so that "
                                                         "the page can mark it and a reader can check it")
        elif quotes is not None:
            why = text_rules.quote_problem(quotes.locate(quote), txt_name)
            if why:
                checker.problem(document, ("events", index, "quote"),
                                f"`events[{index}].quote` of article `{raw_article.id}` {why}")
        if event_date:
            events.append(Event(event_date, event["title"], quote, event.get("date_note"), event["attribution"],
                                event.get("id"), list(event.get("places") or []), list(event.get("actors") or []),
                                event.get("attributed_to"), document.where(("events", index, "date"))))
    return events


def _corrections(document: YamlDocument, data, context: _Context, checker: Checker, ok, date) -> list[Correction]:
    """An article's corrections, each dated after the article and not in the future."""
    corrections = []
    for index, correction in enumerate(checker.items("article", data.get("corrections"), ("corrections",))):
        if not ok("corrections", index):
            continue
        when = checker.date(document, ("corrections", index, "date"), correction["date"])
        if when and date and date.could_be_after(when):
            checker.problem(document, ("corrections", index, "date"),
                            f"`corrections[{index}].date` {when} is before the article's date {date}: a correction "
                            "comes after publication; check the date")
        if when and when.could_be_after(context.today):
            checker.problem(document, ("corrections", index, "date"),
                            f"`corrections[{index}].date` {when} is in the future (today is {context.today} at the "
                            "latest, anywhere): a correction is dated the day it was made, and its date becomes the "
                            "article's modification date in the feed and the page's data; check the date")
        if when:
            corrections.append(Correction(when, correction["text"]))
    return corrections


def _related(raw_article: RawArticle, context: _Context, checker: Checker, ok) -> None:
    """Related articles: other articles of the dossier."""
    document, data = raw_article.yml, raw_article.yml.data
    for index, related_id in enumerate(checker.items("article", data.get("related"), ("related",))):
        if not ok("related", index):
            continue
        if related_id == raw_article.id:
            checker.problem(document, ("related", index), f"`related[{index}]` names this article itself; "
                                                          "list other articles' ids")
        elif related_id not in context.article_ids:
            checker.problem(document, ("related", index), f"unknown article `{related_id}` in `related[{index}]`: expected "
                                                          f"the id of an article in dossier/articles/"
                                                          f"{checker.did_you_mean(related_id, context.suggestions('related'))}")


def _digest(raw_article: RawArticle, checker: Checker, ok) -> None:
    """The text's SHA-256 in the metadata: the text kept as received."""
    document, data = raw_article.yml, raw_article.yml.data
    if ok("sha256") and raw_article.sha256 != data["sha256"]:
        checker.problem(document, ("sha256",),
                        f"`sha256` does not match {raw_article.txt_path.name}: the text has changed since its metadata "
                        f"was written (its SHA-256 is now {raw_article.sha256}); source texts are kept as received, "
                        "so if the change is intended, put the new value in `sha256` and say why in the pull request")
    elif "sha256" not in data:
        for i, problem in enumerate(checker.problems):
            if problem.message.startswith("missing required field `sha256`"):
                checker.problems[i] = dataclasses.replace(problem, message=(
                    f"missing required field `sha256`: add `sha256: {raw_article.sha256}`, the SHA-256 of "
                    f"{raw_article.txt_path.name}, so that a changed text is noticed"))


def _references(checker, document, data, field_, context: _Context, ok, message) -> None:
    known_ids = context.theme_ids if field_ == "themes" else context.entity_ids
    if known_ids is None:  # the file that declares them could not be read, or is of the wrong shape: said there
        return
    for index, value in enumerate(checker.items("article", data.get(field_), (field_,))):
        if ok(field_, index) and value not in known_ids:
            checker.problem(document, (field_, index),
                            message.format(value) + checker.did_you_mean(value, context.suggestions(field_)))


def _checked(check, document, root: Path, schemas: Schemas) -> tuple[list, tuple[Problem, ...]]:
    checker = Checker(root, schemas)
    try:
        return check(document, checker), tuple(checker.problems)
    except Exception as error:  # noqa: BLE001 - as for an article: a problem, never a traceback
        return [], (_could_not_check(document.path, root, error),)


def _could_not_check(path: Path, root: Path, error: Exception) -> Problem:
    return Problem(rel(path, root), 1, 1, f"could not check this file ({type(error).__name__}: {error}); "
                                          "please report this with the file attached")


def themes_and_entities(raw: RawDossier, schemas: Schemas) -> tuple[list[Theme], list[Entity], list[Problem]]:
    """The valid themes and entities alone (for `add`'s suggestions), and their files' problems."""
    checker = Checker(raw.root, schemas)
    return check_themes(raw.themes, checker), check_entities(raw.entities, checker), checker.problems


def _is_draft(raw_article: RawArticle) -> bool:
    data = raw_article.yml.data if raw_article.yml is not None else None
    return isinstance(data, dict) and data.get("draft") is True


def validate(raw: RawDossier, schemas: Schemas, *, include_drafts: bool = False, strict_drafts: bool = False,
             cache: BuildCache = NO_CACHE) -> Validation:
    """The dossier as model objects, or the problems that stop it.

    include_drafts: drafts become articles (serve, check); strict_drafts: a draft's problems
    stop the build like any other (`check --drafts`); otherwise they are warnings.
    """
    checker = Checker(raw.root, schemas)
    themes = cache.get("themes", (raw.themes.digest if raw.themes else None, schemas.digest),
                       lambda: _checked(check_themes, raw.themes, raw.root, schemas))
    entities = cache.get("entities", (raw.entities.digest if raw.entities else None, schemas.digest),
                         lambda: _checked(check_entities, raw.entities, raw.root, schemas))
    checker.problems.extend(themes[1] + entities[1])
    context = _context(raw.themes, raw.entities, raw, include_drafts)
    # Every article's check kept by what it read (its files, the ids it may name, the schemas),
    # and all of them as one: an edit of an entity's description walks none of them.
    def read(a: RawArticle) -> tuple:  # what an article's check reads of its own
        return a.id, a.yml.digest if a.yml else None, a.sha256, a.text is None

    every_file = fingerprint(str(raw.root), *("\0".join(map(str, read(a))) for a in raw.articles))
    whole = (every_file, context.key, schemas.digest)
    cache.keep_parts("article")  # each() below is skipped when the whole is kept: its parts are for the next walk

    def check_all() -> tuple[list[Article], list[Problem], list[Problem]]:
        checked = cache.each("article", raw.articles, lambda a: (*read(a), context.key, schemas.digest),
                             lambda a: _check_one(a, context, raw.root, schemas), whole)
        return _joined(raw, checked, strict_drafts, cache)

    articles, problems, warnings = cache.get("articles-checked", (*whole, strict_drafts), check_all)
    checker.problems.extend(problems)
    problems = capped(checker.problems)
    checked = Dossier(themes[0], entities[0], articles)
    if problems:
        return Validation(None, problems, capped(warnings), checked)
    return Validation(checked, [], capped(warnings), checked)


def _check_one(raw_article: RawArticle, context: _Context, root: Path,
               schemas: Schemas) -> tuple[Article | None, tuple[Problem, ...], tuple[Problem, ...]]:
    try:
        return check_article(raw_article, context, root, schemas)
    except Exception as error:  # noqa: BLE001 - a rule that trips over odd data must not hide the others
        document = raw_article.yml
        return None, (_could_not_check(document.path, root, error) if document else
                      Problem(raw_article.id, 1, 1, _could_not_check(Path(), root, error).message),), ()


def _joined(raw: RawDossier, checked: list, strict_drafts: bool,
            cache: BuildCache) -> tuple[list[Article], list[Problem], list[Problem]]:
    """The articles that passed, the problems and the warnings, with those across articles: a text
    that is another's, byte for byte; reports of one event on dates that cannot both be true."""
    texts: dict[str, str] = {}
    articles: list[Article] = []
    found: list[Problem] = []
    warnings: list[Problem] = []
    for raw_article, (article, problems, notes) in zip(raw.articles, checked):
        if raw_article.sha256 and raw_article.yml is not None:
            first = texts.setdefault(raw_article.sha256, raw_article.id)
            if first != raw_article.id:
                problems += (Problem(rel(raw_article.yml.path, raw.root), *raw_article.yml.where(()),
                                     f"{raw_article.txt_path.name} is byte for byte the same text as article "
                                     f"`{first}`; keep one of the two"),)
                article = None
        warnings.extend(notes)
        if problems and _is_draft(raw_article) and not strict_drafts:
            warnings.extend(problems)
            continue
        found.extend(problems)
        if article:
            articles.append(article)
    # kept by every article (their events, ids and files): an edit of entities.yml compares no dates again
    every_article = fingerprint(str(raw.root), *(f"{a.id}\0{a.fingerprint}" for a in articles))
    found.extend(cache.get("conflicting-dates", every_article, lambda: conflicting_dates(articles, raw.root)))
    return articles, found, warnings
