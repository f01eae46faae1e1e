"""Stage 4, render: turn the linked dossier into Markdown pages through the Jinja2 templates.

The result is a mapping of page paths (relative to docs/) to their text; nothing is written
here. Everything from the dossier reaches the page escaped (autoescape), so a `<script>`,
`{{ }}`, `#` or `*` in a text is shown as that character and never interpreted.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import jinja2
import markupsafe

from .arabic import format_partial_date
from .link import LinkedDossier
from .model import Article, Entity, PartialDate, Theme

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

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
    return "@/" + page_path(thing)


def meta(value: str) -> str:
    """A front-matter value: MkDocs and Material put it into the HTML unescaped, so escape it here."""
    return markupsafe.Markup(json.dumps(html.escape(value, quote=True), ensure_ascii=False))


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
    )
    env.filters.update(arabic_date=format_partial_date, href=href, meta=meta, arabic_count=arabic_count)
    return env


def render(linked: LinkedDossier) -> dict[str, str]:
    """Every generated page, keyed by its path under docs/, in a stable order."""
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

    template = env.get_template("theme.md.j2")
    for theme in dossier.themes:
        pages[page_path(theme)] = template.render(
            theme=theme, articles=linked.by_theme[theme.id], timeline=linked.theme_timeline(theme.id), **common)

    template = env.get_template("entity.md.j2")
    kind_titles = dict(ENTITY_KINDS)
    for entity in dossier.entities:
        pages[page_path(entity)] = template.render(
            entity=entity, kind_title=kind_titles[entity.kind], articles=linked.by_entity.get(entity.id, []), **common)

    pages["entities/index.md"] = env.get_template("entities.md.j2").render(
        entities=sorted(dossier.entities, key=lambda e: e.name), kinds=ENTITY_KINDS, by_entity=linked.by_entity)
    pages["timeline/index.md"] = env.get_template("timeline.md.j2").render(timeline=linked.timeline, **common)
    pages["_partials/home.md"] = env.get_template("home.md.j2").render(
        themes=dossier.themes, by_theme=linked.by_theme, latest=linked.newest_first[:10], **common)
    return dict(sorted(pages.items()))


def navigation(themes: list[Theme]) -> list:
    """The site navigation: a short, fixed shape, never a list of every article."""
    return [
        {"الرئيسية": "index.md"},
        {"المحاور": [{html.escape(t.title): page_path(t)} for t in themes]},  # Material prints nav titles unescaped
        {"الخط الزمني": "timeline/index.md"},
        {"الأعلام والأماكن": "entities/index.md"},
        {"عن الملف": "about.md"},
        {"المساهمة": "contributing.md"},
    ]
