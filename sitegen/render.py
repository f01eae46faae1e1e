"""Stage 4, render: turn the linked dossier into Markdown pages through the Jinja2 templates.

The result is a mapping of page paths (relative to docs/) to their text; nothing is written
here. Everything from the dossier reaches the page escaped (autoescape), so a `<script>`,
`{{ }}`, `#` or `*` in a text is shown as that character and never interpreted.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import markupsafe
import yaml
from mkdocs.utils.meta import get_data

from . import cards, characters, exports, fieldref
from .arabic import format_partial_date
from .geo import maps
from .link import LinkedDossier
from .model import Article, Entity, PartialDate, Theme

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Must agree with mkdocs.yml (a test checks): the cards and the feed carry them.
SITE_NAME = "ملف الأمن العراقي"
SITE_DESCRIPTION = "ملف منسّق من التقارير الإخبارية العربية عن أمن العراق، أمن الانتخابات وبقايا داعش وحملات حصر السلاح."

ENTITY_KINDS = (("person", "الأشخاص"), ("place", "الأماكن"), ("organization", "المنظمات"))


def page_path(thing) -> str:
    """The page of an article, theme or entity, relative to docs/."""
    if isinstance(thing, Article):
        return f"articles/{thing.id}.md"
    if isinstance(thing, Theme):
        return f"themes/{thing.id}.md"
    if isinstance(thing, Entity):
        return f"entities/{thing.id}.md"
    raise TypeError(thing)


def href(thing) -> str:
    """A link to another page, resolved to a real URL by the MkDocs hook (works with any URL style)."""
    return "@/" + (thing if isinstance(thing, str) else page_path(thing))


# A listing (a theme's articles, an entity's, the timeline) stays on one page up to this many
# entries; past it, the page shows the latest ones and an archive of pages by year (each year
# cut into pages of this size), so that no page grows with the dossier.
LIST_LIMIT = 300
LATEST_SHOWN = 50


@dataclass
class ArchivePage:
    path: str  # under docs/
    year: int
    part: int  # 1, 2 ... when a year needs more than one page
    items: list
    previous: "ArchivePage | None" = None
    next: "ArchivePage | None" = None

    @property
    def label(self) -> str:
        return str(self.year) if self.part == 1 else f"{self.year} ({self.part})"


def archive(items: list, year_of, base: str) -> list[ArchivePage]:
    """Pages of items by year (in the items' order), each at most LIST_LIMIT long."""
    pages: list[ArchivePage] = []
    by_year: dict[int, list] = {}
    for item in items:
        by_year.setdefault(year_of(item), []).append(item)
    for year, year_items in by_year.items():
        for part, start in enumerate(range(0, len(year_items), LIST_LIMIT), 1):
            suffix = "" if part == 1 else f"-{part}"
            pages.append(ArchivePage(f"{base}/{year}{suffix}.md", year, part, year_items[start:start + LIST_LIMIT]))
    for before, after in zip(pages, pages[1:]):
        before.next, after.previous = after, before
    return pages


class UnsafeFrontMatter(ValueError):
    """Front matter that MkDocs would not read back as written (it would then show it as Markdown)."""


def front_matter(fields: dict) -> markupsafe.Markup:
    """A page's front matter, written by a YAML emitter and checked by MkDocs' own reader.

    MkDocs and Material put these values into the HTML unescaped, so they are HTML-escaped
    first. If MkDocs cannot parse front matter it silently renders it as Markdown, where a
    title's `[x](javascript:…)` would become a link: every block is read back with MkDocs'
    parser and refused unless it gives exactly these values and nothing else.
    """
    values = {key: html.escape(value, quote=True) if isinstance(value, str) else value for key, value in fields.items()}
    block = "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1_000_000) + "---\n"
    body, meta = get_data(block + "\n")
    if meta != values or body.strip():
        raise UnsafeFrontMatter(f"front matter does not read back as written: {values!r}")
    return markupsafe.Markup(block)


# Characters a value could use to end a raw HTML block of the generated Markdown (a blank
# line) or that no format here may carry; check refuses them all (characters.py), and the
# renderer writes them inert whatever reaches it.
_LINE_ENDS = {"\n": "&#10;", "\r": "&#13;"}
_INERT = re.compile(f"[\\n\\r]|{characters.IN_VALUE.pattern}")


def inert(value) -> markupsafe.Markup:
    """Every `{{ value }}` of a template: HTML-escaped, on one line, with no forbidden character."""
    if isinstance(value, markupsafe.Markup):  # a macro's output, or a filter's that escaped already
        return value
    escaped = markupsafe.escape(value)
    return markupsafe.Markup(_INERT.sub(lambda m: _LINE_ENDS.get(m.group(), "\ufffd"), str(escaped)))


def arabic_count(n: int, one: str, two: str, few: str, many: str) -> str:
    """A count with the Arabic noun form that goes with it (1, 2, 3–10, 11+)."""
    if n == 0:
        return f"لا {few}"
    if n == 1:
        return f"{one} واحد"
    if n == 2:
        return two
    if n % 100 in range(3, 11):
        return f"{n} {few}"
    return f"{n} {many}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=inert,
    )
    env.filters.update(arabic_date=format_partial_date, href=href, front_matter=front_matter, arabic_count=arabic_count,
                       atom_timestamp=exports.atom_timestamp, article_item=_article_items(env))
    return env


def _article_items(env: jinja2.Environment):
    """The filter behind article lists: an article's list item (the article_item macro), made
    once per article and reused, since an article is listed under each of its entities,
    themes and years."""
    made: dict[tuple[str, bool], str] = {}

    def article_item(article, show_summary: bool = True):
        key = (article.id, show_summary)
        if key not in made:
            made[key] = env.get_template("_macros.j2").module.article_item(article, show_summary)
        return made[key]

    return article_item


@dataclass(frozen=True)
class Download:
    """The offline bundle offered on the home page."""

    name: str
    size: int
    data: bytes


def render(linked: LinkedDossier, download: Download | None = None, offline: bool = False) -> dict[str, str | bytes]:
    """Every generated page and file, keyed by its path under docs/, in a stable order.

    download is the offline bundle to offer (none in the bundle itself, which is offline).
    The link-preview cards are not drawn here (see card_set).
    """
    env = environment()
    dossier = linked.dossier
    themes_by_id = {t.id: t for t in dossier.themes}
    entities_by_id = {e.id: e for e in dossier.entities}
    common = dict(themes_by_id=themes_by_id, entities_by_id=entities_by_id)
    pages: dict[str, str] = {}

    template = env.get_template("article.md.j2")
    for item in linked.articles.values():
        article = item.article
        pages[page_path(article)] = template.render(
            article=article, paragraphs=item.paragraphs,
            themes=[themes_by_id[t] for t in article.themes],
            entities=[entities_by_id[e] for e in item.entity_ids],
            related=item.related, neighbours=item.neighbours, **common)

    year_template = env.get_template("archive.md.j2")

    def archived(items: list, base: str, name: str, parent, field: str, entries: int | None = None) -> list[ArchivePage]:
        """The year archive of a long listing (none for a short one), its pages added to pages.

        entries is how many entries the unsplit page would show (default: the items).
        """
        if (len(items) if entries is None else entries) <= LIST_LIMIT:
            return []
        years = archive(items, lambda item: item.date.year, base)
        for page in years:
            pages[page.path] = year_template.render(
                title=f"{name}: {page.label}", parent=parent, page=page, **{field: page.items}, **common)
        return years

    template = env.get_template("theme.md.j2")
    for theme in dossier.themes:
        articles = linked.by_theme[theme.id]
        timeline = linked.theme_timeline(theme.id)  # shown on the theme's page too, while it is short
        years = archived(articles, f"themes/{theme.id}", theme.title, theme, "articles", len(articles) + len(timeline))
        pages[page_path(theme)] = template.render(
            theme=theme, articles=articles[:LATEST_SHOWN] if years else articles, total=len(articles), years=years,
            timeline=[] if years else timeline, **common)

    template = env.get_template("entity.md.j2")
    kind_titles = dict(ENTITY_KINDS)
    for entity in dossier.entities:
        articles = linked.by_entity.get(entity.id, [])
        years = archived(articles, f"entities/{entity.id}", entity.name, entity, "articles")
        pages[page_path(entity)] = template.render(
            entity=entity, kind_title=kind_titles[entity.kind], articles=articles[:LATEST_SHOWN] if years else articles,
            total=len(articles), years=years, locator=maps.locator(entity), **common)

    pages["entities/index.md"] = env.get_template("entities.md.j2").render(
        entities=sorted(dossier.entities, key=lambda e: e.name), kinds=ENTITY_KINDS, by_entity=linked.by_entity)
    places = [e for e in dossier.entities if e.kind == "place"]
    pages["map/index.md"] = env.get_template("map.md.j2").render(
        map=maps.site_map(places, {e.id: len(linked.by_entity.get(e.id, [])) for e in places}), by_entity=linked.by_entity)
    years = archived(linked.timeline, "timeline", "الخط الزمني", "timeline/index.md", "timeline")
    pages["timeline/index.md"] = env.get_template("timeline.md.j2").render(
        timeline=[] if years else linked.timeline, years=years, **common)
    pages["_partials/home.md"] = env.get_template("home.md.j2").render(
        themes=dossier.themes, by_theme=linked.by_theme, latest=linked.newest_first[:10], **common)
    pages["_partials/fields.md"] = fieldref.markdown("ar")  # the field reference on the contributing page
    pages["_partials/download.md"] = env.get_template("download.md.j2").render(bundle=download, offline=offline)
    if download and not offline:
        pages[f"downloads/{download.name}"] = download.data
    pages.update(data_files(linked, env))
    return dict(sorted(pages.items()))


def data_files(linked: LinkedDossier, env: jinja2.Environment) -> dict[str, str]:
    """The open-data downloads and the Atom feed, under docs/data/."""
    articles = exports.feed_entries(linked)
    atom = env.get_template("atom.xml.j2").render(
        feed_id=exports.FEED_ID, site_name=SITE_NAME, site_description=SITE_DESCRIPTION, articles=articles,
        updated=exports.atom_timestamp(articles[0].date) if articles else "2000-01-01T00:00:00Z",
        themes_by_id={t.id: t for t in linked.dossier.themes})
    return {
        "data/dossier.json": exports.dossier_json(linked),
        "data/dossier.csv": exports.dossier_csv(linked),
        "data/datapackage.json": exports.datapackage(SITE_NAME),
        "data/citations.json": exports.citations_json(linked),
        "data/citations.bib": exports.citations_bibtex(linked),
        "data/atom.xml": atom,
    }


def card_set(linked: LinkedDossier) -> dict[str, cards.Card]:
    """What the link-preview card of the home page, each theme and each article shows, keyed by its path.

    Drawing them is the site stage's job (cards.Drawing), done while MkDocs builds.
    """
    dossier = linked.dossier
    themes_by_id = {t.id: t for t in dossier.themes}
    wanted = {"cards/home.png": cards.Card(
        "أمن الانتخابات، بقايا داعش، حملات حصر السلاح", "تقارير إخبارية عربية عن أمن العراق",
        arabic_count(len(dossier.articles), "مقال", "مقالان", "مقالات", "مقالًا"), SITE_NAME)}
    for theme in dossier.themes:
        wanted[f"cards/themes/{theme.id}.png"] = cards.Card(
            theme.title, "محور", arabic_count(len(linked.by_theme[theme.id]), "مقال", "مقالان", "مقالات", "مقالًا"), SITE_NAME)
    for article in dossier.articles:
        outlet = article.source.outlet or "الناشر غير مذكور"
        wanted[f"cards/articles/{article.id}.png"] = cards.Card(
            article.title, "، ".join(themes_by_id[t].title for t in article.themes),
            f"{format_partial_date(article.date)} · {outlet}", SITE_NAME)
    return wanted


def navigation(themes: list[Theme]) -> list:
    """The site navigation: a short, fixed shape, never a list of every article."""
    return [
        {"الرئيسية": "index.md"},
        {"المحاور": [{html.escape(t.title): page_path(t)} for t in themes]},  # Material prints nav titles unescaped
        {"الخط الزمني": "timeline/index.md"},
        {"الأعلام والأماكن": "entities/index.md"},
        {"الخريطة": "map/index.md"},
        {"البيانات المفتوحة": "open-data.md"},
        {"عن الملف": "about.md"},
        {"المساهمة": "contributing.md"},
    ]
