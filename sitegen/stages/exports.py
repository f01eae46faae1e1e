"""Open data: the dossier as JSON, CSV (with a Frictionless data package), CSL-JSON, BibTeX and Atom.

Researchers get the same fields the maintainers write (the schema's names), so that nobody
has to scrape the site. Everything is sorted and free of build times: the same dossier gives
the same files.
"""
from __future__ import annotations

import csv
import io
import json

from ..arabic import format_partial_date
from .link import LinkedDossier, newest_key
from ..model import Article, PartialDate

DATA_DIR = "data"
FEED_ID = "tag:iraqi-security-dossier,2026:"


def _article_record(article: Article, entity_ids: list[str]) -> dict:
    record = {
        "id": article.id,
        "title": article.title,
        "date": article.date.iso,
        "date_precision": article.date.precision,
        "date_note": article.date_note,
        "source": {"outlet": article.source.outlet, "url": article.source.url, "note": article.source.note},
        "themes": article.themes,
        "summary": article.summary,
        "entities": article.entities,
        "entities_found": entity_ids,
        "events": [{"date": e.date.iso, "title": e.title} for e in article.events],
        "related": article.related,
        "sha256": article.sha256,
        "page": f"articles/{article.id}/",
        "text": article.text,
    }
    return record


def dossier_json(linked: LinkedDossier) -> str:
    dossier = linked.dossier
    data = {
        "themes": [{"id": t.id, "title": t.title, "description": t.description} for t in dossier.themes],
        "entities": [{"id": e.id, "name": e.name, "kind": e.kind, "aliases": e.aliases, "description": e.description}
                     for e in dossier.entities],
        "articles": [_article_record(item.article, item.entity_ids) for item in linked.articles.values()],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


CSV_FIELDS = [
    ("id", "string", "The article's id; its page is articles/<id>/"),
    ("title", "string", "Headline"),
    ("date", "string", "Publication date at its known precision: YYYY-MM-DD, YYYY-MM or YYYY"),
    ("date_precision", "string", "day, month or year"),
    ("outlet", "string", "The outlet, empty when the text does not name it"),
    ("url", "string", "The original article's address, when the text gives it"),
    ("themes", "string", "Theme ids separated by ';'"),
    ("entities", "string", "Entity ids named in the YAML or found in the text, separated by ';'"),
    ("events", "string", "Events as 'date title' separated by ' ; '"),
    ("summary", "string", "The curator's summary"),
    ("sha256", "string", "SHA-256 of the article's text file"),
]


def dossier_csv(linked: LinkedDossier) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _, _ in CSV_FIELDS])
    for item in linked.articles.values():
        a = item.article
        writer.writerow([
            a.id, a.title, a.date.iso, a.date.precision, a.source.outlet or "", a.source.url or "",
            ";".join(a.themes), ";".join(item.entity_ids),
            " ; ".join(f"{e.date.iso} {e.title}" for e in a.events), a.summary, a.sha256])
    return out.getvalue()


def datapackage(site_name: str) -> str:
    package = {
        "profile": "data-package",
        "name": "iraqi-security-dossier",
        "title": site_name,
        "description": "Curated Arabic news reporting on Iraqi security: election security, ISIS remnants and weapons campaigns.",
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
                "name": "dossier",
                "path": "dossier.json",
                "profile": "data-resource",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "Themes, entities and articles (with their texts) using the dossier schema's field names.",
            },
        ],
    }
    return json.dumps(package, ensure_ascii=False, indent=1) + "\n"


def _date_parts(date: PartialDate) -> list[int]:
    return [p for p in (date.year, date.month, date.day) if p]


def csl_items(linked: LinkedDossier) -> list[dict]:
    items = []
    for item in linked.articles.values():
        a = item.article
        entry = {
            "id": a.id,
            "type": "article-newspaper",
            "title": a.title,
            "issued": {"date-parts": [_date_parts(a.date)]},
            "language": "ar",
        }
        if a.source.outlet:
            entry["container-title"] = a.source.outlet
        if a.source.url:
            entry["URL"] = a.source.url
        if a.date_note:
            entry["note"] = a.date_note
        items.append(entry)
    return items


def citations_json(linked: LinkedDossier) -> str:
    return json.dumps(csl_items(linked), ensure_ascii=False, indent=1) + "\n"


def _bib(value: str) -> str:
    """BibTeX-safe text: braces and specials escaped, nothing else changed."""
    for char, escaped in (("\\", r"\textbackslash{}"), ("{", r"\{"), ("}", r"\}"), ("%", r"\%"),
                          ("&", r"\&"), ("#", r"\#"), ("$", r"\$"), ("_", r"\_")):
        value = value.replace(char, escaped)
    return value


def citations_bibtex(linked: LinkedDossier) -> str:
    entries = []
    for item in linked.articles.values():
        a = item.article
        fields = [("title", a.title), ("date", a.date.iso), ("year", str(a.date.year))]
        if a.date.month:
            fields.append(("month", str(a.date.month)))
        if a.source.outlet:
            fields.append(("journaltitle", a.source.outlet))
        if a.source.url:
            fields.append(("url", a.source.url))
        fields.append(("langid", "arabic"))
        body = ",\n".join(f"  {name} = {{{_bib(value)}}}" for name, value in fields)
        entries.append(f"@article{{{a.id},\n{body}\n}}\n")
    return "\n".join(entries)


FEED_LIMIT = 50  # newest entries in the Atom feed: readers poll it, so it must not grow with the dossier


def feed_entries(linked: LinkedDossier) -> list[Article]:
    return sorted(linked.dossier.articles, key=newest_key)[:FEED_LIMIT]


def atom_timestamp(date: PartialDate) -> str:
    """Atom requires a full timestamp; a partial date is given as the start of its period."""
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"
