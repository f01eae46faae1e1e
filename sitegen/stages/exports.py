"""Open data: the dossier as JSON, CSV (with a Frictionless data package), CSL-JSON, BibTeX and Atom.

Researchers get the same fields the maintainers write (the schema's names), so that nobody
has to scrape the site. Everything is sorted and free of build times: the same dossier gives
the same files.
"""
from __future__ import annotations

import csv
import io
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..cache import NO_CACHE, BuildCache, fingerprint, framed
from .link import LinkedDossier
from ..model import ATTRIBUTIONS, Article, PartialDate
from ..plan import Parts

FEED_ID = "tag:iraqi-security-dossier,2026:"
# An article's published page, relative to the site's root (the page families own addresses:
# families.address); the data files name the hosted pages, the offline bundle's as well.
Address = Callable[[Article], str]
T = TypeVar("T")


def _article_record(article: Article, entity_ids: list[str], address: Address) -> dict:
    record = {
        "id": article.id,
        "title": article.title,
        "date": article.date.iso,
        "date_precision": article.date.precision,
        "date_note": article.date_note,
        "source": {"outlet": article.source.outlet, "url": article.source.url, "note": article.source.note,
                   "archive": [{"url": c.url, "date": c.date.iso} for c in article.source.archive]},
        "themes": article.themes,
        "summary": article.summary,
        "entities": article.entities,
        "entities_found": entity_ids,
        "events": [{"date": e.date.iso, "title": e.title, "quote": e.quote, "date_note": e.date_note, "id": e.id,
                    "places": e.places, "actors": e.actors, "attribution": e.attribution,
                    "attributed_to": e.attributed_to} for e in article.events],
        "corrections": [{"date": c.date.iso, "text": c.text} for c in article.corrections],
        "related": article.related,
        "sha256": article.sha256,
        "page": address(article),
        "text": article.text,
    }
    return record


def dossier_json(linked: LinkedDossier, cache: BuildCache = NO_CACHE, *, address: Address) -> Parts:
    """The whole dossier as one JSON document, in UTF-8 parts. Each article's record is written
    (and encoded) on its own and set in place (cache: serve writes again only the records of
    the articles an edit changed; at thousands of articles the texts are tens of megabytes,
    which encoding, or even joining, on every edit took longer than writing them); the parts
    are byte for byte what json.dumps(document, indent=1) writes."""
    dossier = linked.dossier
    data = {
        "themes": [{"id": t.id, "title": t.title, "description": t.description} for t in dossier.themes],
        "entities": [{"id": e.id, "name": e.name, "kind": e.kind, "aliases": e.aliases, "description": e.description}
                     for e in dossier.entities],
        "articles": [],
    }
    if not linked.articles:
        return Parts([(json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")])
    key = (linked.entities_key, *(t.fingerprint for t in dossier.themes))
    return _whole_file(linked, cache, "article-json", key, lambda: _dossier_json(linked, data, cache, address))


def _dossier_json(linked: LinkedDossier, data: dict, cache: BuildCache, address: Address) -> Parts:
    records = _per_article(linked, cache, "article-json", (), lambda item: _nested_json(
        _article_record(item.article, item.entity_ids, address), depth=2).encode("utf-8"))
    data["articles"] = [_SLOT]
    head, tail = json.dumps(data, ensure_ascii=False, indent=1).rsplit(json.dumps(_SLOT), 1)
    parts = [head.rstrip(" ").encode("utf-8")]
    for record in records:
        parts += (record, b",\n")
    parts[-1] = (tail + "\n").encode("utf-8")
    return Parts(parts)


_SLOT = "\0article records\0"


def _nested_json(value, depth: int) -> str:
    """value as json.dumps(..., indent=1) writes it `depth` levels down in a larger document
    (a JSON string never holds a raw line end, so every line is shifted alike)."""
    return "\n".join(" " * depth + line for line in json.dumps(value, ensure_ascii=False, indent=1).split("\n"))


CSV_FIELDS = [
    ("id", "string", "The article's id; its page is articles/<id>/"),
    ("title", "string", "Headline"),
    ("date", "string", "Publication date at its known precision: YYYY-MM-DD, YYYY-MM or YYYY"),
    ("date_precision", "string", "day, month or year"),
    ("outlet", "string", "The outlet, empty when the text does not name it"),
    ("url", "string", "The original article's address, when the text gives it"),
    ("archive", "string", "Archived copies of the source as 'capture-date address' separated by ' ; '"),
    ("themes", "string", "Theme ids separated by ';'"),
    ("entities", "string", "Entity ids named in the YAML or found in the text, separated by ';'"),
    ("events", "string", "Events as 'date title' separated by ' ; '"),
    ("summary", "string", "The curator's summary"),
    ("sha256", "string", "SHA-256 of the article's text file"),
]


def dossier_csv(linked: LinkedDossier, cache: BuildCache = NO_CACHE) -> str:
    def row(item) -> str:
        a = item.article
        return _csv_line([
            a.id, a.title, a.date.iso, a.date.precision, a.source.outlet or "", a.source.url or "",
            " ; ".join(f"{c.date.iso} {c.url}" for c in a.source.archive),
            ";".join(a.themes), ";".join(item.entity_ids),
            " ; ".join(f"{e.date.iso} {e.title}" for e in a.events), a.summary, a.sha256])

    return _whole_file(linked, cache, "csv-row", (), lambda: _csv_line([name for name, _, _ in CSV_FIELDS]) + "".join(
        _per_article(linked, cache, "csv-row", (), row)))


def _csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)
    return out.getvalue()


def _whole_file(linked: LinkedDossier, cache: BuildCache, kind: str, key: tuple, make: Callable[[], T]) -> T:
    """A file joined from the parts of kind, kept whole by what they read (linked.articles_key)
    and key (what else it reads): an edit that changes none of them (an entity's description)
    joins none of the megabytes again, and hands serve the very text it wrote last time."""
    cache.keep_parts(kind)
    return cache.get(f"{kind}, file", (linked.articles_key, *key), make)


def _per_article(linked: LinkedDossier, cache: BuildCache, kind: str, key: tuple, make) -> list[str]:
    """make(item) for every linked article, each kept by the article and its entities (and key:
    what else it reads)."""
    return cache.each(kind, linked.articles.values(), lambda item: (item.fingerprint, tuple(item.entity_ids), *key),
                      make, (linked.articles_key, *key))


# One row per report of an event (the schema's field names; an event reported by several
# articles has a row for each, with the same event_id).
EVENT_FIELDS = [
    ("event_id", "string", "The event's id (its page is events/<id>/); empty for an event no other article shares "
                           "and that has no page"),
    ("date", "string", "The event's date as this report gives it: YYYY-MM-DD, YYYY-MM or YYYY"),
    ("date_precision", "string", "day, month or year"),
    ("title", "string", "What happened, as this report's entry words it"),
    ("article_id", "string", "The reporting article's id (a row of dossier.csv)"),
    ("event_index", "integer", "The event's position among the article's events, from 1"),
    ("outlet", "string", "The reporting article's outlet, empty when its text does not name it"),
    ("attribution", "string", "Whom the article credits: " + ", ".join(ATTRIBUTIONS)),
    ("attributed_to", "string", "The entity credited (an entity id), when the article names it"),
    ("places", "string", "Ids of the places where it happened, separated by ';'"),
    ("actors", "string", "Ids of the people or organisations that acted, separated by ';'"),
    ("quote", "string", "The passage of the article's text that states it, verbatim"),
]


def _record_rows(record) -> list[dict]:
    """One row per report of an event record (an event_id shared by several rows is one event)."""
    return [{"event_id": report.event.id or "", "date": report.event.date.iso,
             "date_precision": report.event.date.precision, "title": report.event.title,
             "article_id": report.article.id, "event_index": report.index + 1,
             "outlet": report.article.source.outlet or "", "attribution": report.event.attribution,
             "attributed_to": report.event.attributed_to or "", "places": report.event.places,
             "actors": report.event.actors, "quote": report.event.quote or ""}
            for report in record.reports]


def _per_record(linked: LinkedDossier, cache: BuildCache, kind: str, make) -> list[str]:
    """make(rows) for every event record, each kept by its key (what its reports' articles hold)."""
    return cache.each(kind, linked.events, lambda record: (record.key,), lambda record: make(_record_rows(record)),
                      (linked.articles_key,))


def events_json(linked: LinkedDossier, cache: BuildCache = NO_CACHE) -> str:
    """Every report's row as one JSON list, byte for byte as json.dumps(rows, indent=1) writes it."""
    def whole() -> str:
        parts = [part for part in _per_record(linked, cache, "event-json",
                                              lambda rows: ",\n".join(_nested_json(row, depth=1) for row in rows))
                 if part]
        return "[\n" + ",\n".join(parts) + "\n]\n" if parts else "[]\n"
    return _whole_file(linked, cache, "event-json", (), whole)


def events_csv(linked: LinkedDossier, cache: BuildCache = NO_CACHE) -> str:
    def lines(rows: list[dict]) -> str:
        return "".join(_csv_line([";".join(value) if isinstance(value, list) else value for value in row.values()])
                       for row in rows)

    return _whole_file(linked, cache, "event-csv", (), lambda: _csv_line([name for name, _, _ in EVENT_FIELDS]) + "".join(
        _per_record(linked, cache, "event-csv", lines)))


# The dossier's licences: its metadata (what the maintainers write) is open; the article texts
# are their publishers' and are reproduced for research, under none of the dossier's licences.
METADATA_LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                    "title": "Creative Commons Attribution 4.0 International (the dossier's metadata: "
                             "titles, summaries, dates, events, entities, themes)"}
TEXTS_NOTICE = ("The article texts (the `text` field of dossier.json) belong to their publishers; they are "
                "reproduced for research and are not covered by the licence above.")


@dataclass(frozen=True)
class Release:
    """What identifies this state of the dossier: derived from its content, never from the clock."""

    version: str  # the newest date in the dossier and a digest of every article
    created: str  # the newest date in the dossier (an article, an event or a correction), as a timestamp
    newest: PartialDate


def release(linked: LinkedDossier, cache: BuildCache = NO_CACHE) -> Release:
    """Worked out once per dossier (three files name it; every article is read for it)."""
    themes = tuple(t.fingerprint for t in linked.dossier.themes)
    return cache.get("release", (linked.articles_key, themes, linked.entities_key), lambda: _release(linked, cache))


def _release(linked: LinkedDossier, cache: BuildCache) -> Release:
    articles = linked.dossier.articles

    def of_articles() -> tuple[PartialDate, bytes]:  # kept by them: an entity's edit reads none of them again
        dates = [a.date for a in articles] + [c.date for a in articles for c in a.corrections]
        return max(dates, default=PartialDate(2000)), framed(*(f"{a.id}:{a.fingerprint}" for a in articles))

    newest, framed_articles = cache.get("release-articles", linked.articles_key, of_articles)
    digest = fingerprint(*(t.fingerprint for t in linked.dossier.themes), linked.entities_key,
                         prefix=framed_articles)[:12]
    return Release(f"{newest.year}.{newest.month}.{newest.day}+{digest}", atom_timestamp(newest), newest)


def datapackage(linked: LinkedDossier, site_name: str, site_url: str = "", cache: BuildCache = NO_CACHE) -> str:
    stamp = release(linked, cache)
    outlets = cache.get("outlet-names", linked.articles_key, lambda: sorted(
        {a.source.outlet for a in linked.dossier.articles if a.source.outlet}))
    package = {
        "profile": "data-package",
        "name": "iraqi-security-dossier",
        "title": site_name,
        "description": ("Curated Arabic news reporting on Iraqi security: election security, ISIS remnants and weapons "
                        "campaigns. " + TEXTS_NOTICE),
        "version": stamp.version,
        "created": stamp.created,
        "licenses": [METADATA_LICENSE],
        "sources": [{"title": outlet} for outlet in outlets],
        "resources": [
            {
                "name": "articles",
                "path": "dossier.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [{"name": n, "type": t, "description": d} for n, t, d in CSV_FIELDS],
                    "primaryKey": ["id"],
                },
            },
            {
                "name": "events",
                "path": "events.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": "One row per report of an event: the same event_id in several rows is one event "
                               "reported by several articles.",
                "schema": {
                    "fields": [{"name": n, "type": t, "description": d,
                                **({"constraints": {"required": True, "enum": list(ATTRIBUTIONS)}}
                                   if n == "attribution" else {})} for n, t, d in EVENT_FIELDS],
                    "primaryKey": ["article_id", "event_index"],
                    "foreignKeys": [{"fields": ["article_id"], "reference": {"resource": "articles", "fields": ["id"]}}],
                },
            },
            {
                "name": "events-json",
                "path": "events.json",
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The rows of events.csv as JSON objects, places and actors as lists of entity ids.",
            },
            {
                "name": "dossier",
                "path": "dossier.json",
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "Themes, entities and articles (with their texts) using the dossier schema's field names. "
                               + TEXTS_NOTICE,
            },
        ],
    }
    if site_url:
        package["homepage"] = site_url
    return json.dumps(package, ensure_ascii=False, indent=1) + "\n"


def _date_parts(date: PartialDate) -> list[int]:
    return [p for p in (date.year, date.month, date.day) if p]


def _csl_item(a: Article, accessed: PartialDate, site_url: str, address: Address) -> dict:
    entry = {
        "id": a.id,
        "type": "article-newspaper",
        "title": a.title,
        "issued": {"date-parts": [_date_parts(a.date)]},
        "language": "ar",
    }
    if a.source.outlet:
        entry["container-title"] = a.source.outlet
    url = a.source.url or (site_url + address(a) if site_url else "")
    if url:
        entry["URL"] = url
        entry["accessed"] = {"date-parts": [_date_parts(accessed)]}
    if a.source.archive:  # CSL has room for one: the first listed, named by its host (Zotero's "Archive")
        entry["archive"] = urllib.parse.urlsplit(a.source.archive[0].url).hostname or ""
        entry["archive_location"] = a.source.archive[0].url
    if a.date_note:
        entry["note"] = a.date_note
    return entry


def citations_json(linked: LinkedDossier, site_url: str = "", cache: BuildCache = NO_CACHE, *,
                   address: Address) -> str:
    """The CSL-JSON items as one list, byte for byte as json.dumps(items, indent=1) writes it."""
    if not linked.articles:
        return "[]\n"
    accessed = release(linked, cache).newest
    key = (accessed.iso, site_url)
    return _whole_file(linked, cache, "csl-item", key, lambda: "[\n" + ",\n".join(_per_article(
        linked, cache, "csl-item", key,
        lambda item: _nested_json(_csl_item(item.article, accessed, site_url, address), depth=1))) + "\n]\n")


_BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
                "$": r"\$", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_BIB_RE = re.compile("|".join(map(re.escape, _BIB_SPECIAL)))
# biblatex reads url verbatim (a \_ there would be two characters): the address goes in as it is,
# which is safe because Project.at made it inert (no brace, backslash or space left unencoded).
_BIB_VERBATIM = ("url",)


def bib_escape(value: str) -> str:
    """Text as BibTeX shows it literally: every special character escaped, in one pass (so that the
    braces an escape writes are never escaped again)."""
    return _BIB_RE.sub(lambda m: _BIB_SPECIAL[m.group()], value)


def citations_bibtex(linked: LinkedDossier, site_url: str = "", archived: str = "archived copy",
                     cache: BuildCache = NO_CACHE, *, address: Address) -> str:
    """biblatex @online entries: the dossier's page is the url (with SITE_URL), the original article's
    address, where known, and its archived copies (`archived` and the capture date before each) are
    in note; the outlet is the organization."""
    accessed = release(linked, cache).newest
    key = (accessed.iso, site_url, archived)
    return _whole_file(linked, cache, "bibtex-entry", key, lambda: "\n".join(_per_article(
        linked, cache, "bibtex-entry", key, lambda item: _bibtex_entry(item.article, accessed, site_url, archived,
                                                                       address))))


def _bibtex_entry(a: Article, accessed: PartialDate, site_url: str, archived: str, address: Address) -> str:
    fields = [("title", a.title), ("date", a.date.iso)]
    if a.source.outlet:
        fields.append(("organization", a.source.outlet))
    if site_url:
        fields += [("url", site_url + address(a)), ("urldate", accessed.iso)]
    notes = [f"{a.source.url}"] if a.source.url else []
    notes += [f"{archived} {c.date.iso}: {c.url}" for c in a.source.archive]
    if a.date_note:
        notes.append(a.date_note)
    if notes:
        fields.append(("note", " — ".join(notes)))
    fields.append(("langid", "arabic"))
    body = ",\n".join(f"  {name} = {{{value if name in _BIB_VERBATIM else bib_escape(value)}}}"
                       for name, value in fields)
    return f"@online{{{a.id},\n{body}\n}}\n"


FEED_LIMIT = 50  # newest entries in the Atom feed: readers poll it, so it must not grow with the dossier


def feed_entries(linked: LinkedDossier) -> list[Article]:
    return linked.newest_first[:FEED_LIMIT]


def updated(article: Article) -> PartialDate:
    """When an article last changed, as the feed says: its latest correction, else its date."""
    return max([article.date, *(c.date for c in article.corrections)])


def atom_timestamp(date: PartialDate) -> str:
    """Atom requires a full timestamp; a partial date is given as the start of its period."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"
