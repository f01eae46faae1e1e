"""The site search: what is searched (documents), the Arabic rules (tokens), the files (index).

`search_files(linked, docs_dir, style, cache, labels=…, address=…)` is the one call the build makes
(families/search.py plans it): the generated files under docs/search/ (MkDocs copies them into
the site as they are).
"""
from __future__ import annotations

import html.parser
from collections.abc import Callable
from pathlib import Path

from ..arabic import dictionary_key, format_partial_date
from ..cache import NO_CACHE, BuildCache
from ..stages.link import LinkedDossier
from ..urls import HOSTED, UrlStyle
from .index import SearchDocument, build_search_files, document_terms

__all__ = ["SearchDocument", "build_search_files", "document_terms", "documents", "search_files"]

# The hand-written pages of docs/ that are searched (the others are generated or assets).
PAGES = ("index.md", "about.md", "contributing.md", "open-data.md")
SUMMARY_FROM_BODY = 220  # characters of a page's text shown when it has no description


class _Text(html.parser.HTMLParser):
    """The text of a small HTML fragment, blocks on lines of their own."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "blockquote", "dt", "dd", "br", "table"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.BLOCKS or tag in ("td", "th"):
            self.parts.append("\n" if tag in self.BLOCKS else " ")

    def handle_data(self, data):
        self.parts.append(data)


def markdown_page(path: Path, source: str) -> tuple[str, str, str]:
    """(title, description, text) of the hand-written Markdown page at path, whose text is source,
    through Python-Markdown.

    Snippet lines (`--8<--`, generated lists of other pages) are left out, and so is the
    page's first heading when it is its title.
    """
    import markdown
    from mkdocs.utils.meta import get_data

    body, meta = get_data(source)
    body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith("--8<--"))
    parser = _Text()
    parser.feed(markdown.markdown(body, extensions=["attr_list", "tables"]))
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    lines = [line for line in lines if line]
    title = str(meta.get("title") or (lines[0] if lines else path.stem))
    if lines and lines[0] == title:
        lines = lines[1:]
    return title, str(meta.get("description") or ""), "\n".join(lines)


def _article_order(article) -> tuple:
    date = article.date
    return (0, -date.year, -date.month, -date.day, article.id)


def documents(linked: LinkedDossier, docs_dir: Path | None, style: UrlStyle = HOSTED, *,
              labels: dict, address: Callable[[object], str], cache: BuildCache = NO_CACHE) -> list[SearchDocument]:
    """Everything the search finds: articles, events with a page, themes, entities and the hand-written pages
    (address: the page of each under docs/, as the page families place it)."""
    words = labels["search"]  # templates/labels.yml: the kind shown beside a result
    kind_labels = {"article": words["article"], "theme": words["theme"], "page": words["page"],
                   **{kind: names["one"] for kind, names in labels["kinds"].items()}}
    dossier = linked.dossier
    found: list[SearchDocument] = []
    def article_document(article) -> SearchDocument:
        return SearchDocument(
            url=style.url(address(article)), title=article.title, date_iso=article.date.iso,
            date_label=format_partial_date(article.date), kind="article", kind_label=kind_labels["article"],
            summary=article.summary, body="\n".join(article.body_lines), order=_article_order(article))

    # each kept by its article (serve: the same document, its hash known), the list as one by linked.articles_key
    found += cache.each("search-document", (item.article for item in linked.articles.values()),
                        lambda article: (article.fingerprint, str(style), kind_labels["article"]),
                        article_document, (linked.articles_key, str(style), kind_labels["article"]))
    entities_by_id = {e.id: e for e in dossier.entities}
    def event_document(record) -> SearchDocument:  # an event with a page: its places and the reports' quotes
        return SearchDocument(
            url=style.url(address(record)), title=record.title, date_iso=record.date.iso,
            date_label=format_partial_date(record.date), kind="event", kind_label=words["event"],
            summary="، ".join(entities_by_id[i].name for i in (*record.places, *record.actors)),
            body="\n".join(r.event.quote for r in record.reports if r.event.quote),
            order=(0, -record.date.year, -record.date.month, -record.date.day, "~" + record.id))

    # each kept by its reports and the entities' names
    found += cache.each("search-event", linked.events_by_id.values(),
                        lambda record: (record.key, linked.names_key, str(style), words["event"]), event_document,
                        (linked.articles_key, linked.names_key, str(style), words["event"]))
    for position, theme in enumerate(dossier.themes):
        found.append(SearchDocument(
            url=style.url(address(theme)), title=theme.title, date_iso=None, date_label=None,
            kind="theme", kind_label=kind_labels["theme"], summary=theme.description, body="",
            order=(1, position)))
    for entity in dossier.entities:
        summary = entity.description
        if entity.aliases:
            summary = f"{summary} ({words['aliases']}: {'، '.join(entity.aliases)})".strip()
        found.append(SearchDocument(
            url=style.url(address(entity)), title=entity.name, date_iso=None, date_label=None,
            kind="entity", kind_label=kind_labels[entity.kind], summary=summary, body="",
            order=(2, dictionary_key(entity.name), entity.id), names=(entity.name, *entity.aliases)))
    for position, name in enumerate(PAGES):
        path = Path(docs_dir or "") / name
        if docs_dir is None or not path.is_file():
            continue
        source = path.read_text(encoding="utf-8")  # kept by its text: serve parses it again only when it changed
        title, description, text = cache.get("hand-written-page", (name, source),
                                             lambda path=path, source=source: markdown_page(path, source))
        summary = description or (text[:SUMMARY_FROM_BODY].rsplit(" ", 1)[0] + "…"
                                  if len(text) > SUMMARY_FROM_BODY else text)
        found.append(SearchDocument(
            url=style.url(name), title=title, date_iso=None, date_label=None, kind="page",
            kind_label=kind_labels["page"], summary=summary.replace("\n", " "), body=text, order=(3, position)))
    return found


def search_files(linked: LinkedDossier, docs_dir: Path | None, style: UrlStyle = HOSTED,
                 cache: BuildCache = NO_CACHE, *, labels: dict, address: Callable[[object], str]) -> dict[str, str]:
    """The search files, keyed by their path under docs/ (search/...).

    A document's terms are cut again only when the document changed (cache: `serve` keeps one
    for the session, so an edit re-reads only what it touched).
    """
    docs = documents(linked, docs_dir, style, labels=labels, address=address, cache=cache)
    return build_search_files(docs, cache=cache)
