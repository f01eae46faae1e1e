"""Stage 4, render: turn the linked dossier into Markdown pages through the Jinja2 templates.

The result is a mapping of page paths (relative to docs/) to their text; nothing is written
here. Everything from the dossier reaches the page escaped and on one line (`values.inert`, the
environment's finalize), so a `<script>`, `{{ }}`, `#`, `*` or a blank line in a value is shown
as what it is and never interpreted; front matter is written by a YAML emitter and read back
with MkDocs' own parser before it is used.

Links are relative URLs computed here (sitegen/urls.py), for the hosted site or the offline
bundle. Which pages there are, their addresses and what each template receives is decided by
the page families (sitegen/families/); this module is the environment they render in.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .. import families
from ..arabic import format_partial_date
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..compiled_templates import COMPILED_IN_MEMORY, CompiledTemplates
from ..families import reuse
from ..families.cards import card_set  # noqa: F401 (the site stage asks the render stage for the cards)
from ..model import Article, Download, Entity, Theme
from ..plan import PagePlan
from ..project import SITE_NAME, folder_digest
from ..urls import HOSTED, UrlStyle
from . import exports
from .link import LinkedDossier
from .values import (front_matter, groupby_initial, inert, isolate_latin, json_script, load_labels, load_words,
                     plural, url_breaks)


# A listing (a theme's articles, an entity's, the timeline) stays on one page up to this many
# entries; past it, the page shows the latest ones and an archive of pages by year (each year
# cut into pages of this size), so that no page grows with the dossier.
LIST_LIMIT = 300
LATEST_SHOWN = 50


@dataclass(frozen=True)
class RenderSettings:
    templates_dir: Path
    style: UrlStyle = HOSTED
    offline: bool = False  # pages for the bundle opened from disk
    download: Download | None = None
    site_url: str = ""  # the published address, "" when not known (no absolute URLs then); the bundle's too
    list_limit: int = LIST_LIMIT
    latest_shown: int = LATEST_SHOWN
    compiled_dir: Path | None = None  # where compiled templates are kept between runs (Project.compiled_templates_dir)


# ------------------------------------------------------------------------------ the environment

@dataclass
class RenderRun:
    """What every template of one render run can reach: the lookups, the URL style, the cache."""

    style: UrlStyle
    cache: BuildCache
    key: str  # everything every page depends on: templates, settings, themes, entities' names
    themes_by_id: dict[str, Theme] = field(default_factory=dict)
    entities_by_id: dict[str, Entity] = field(default_factory=dict)
    url: str = ""  # the site's published address, "" when not known
    name: str = SITE_NAME

    def page_url(self, path: str) -> str:
        """A page's address: the published one when the site's is known (the offline bundle's
        pages cite it too, not the file they were read from), else from the site's root."""
        return self.url + HOSTED.url(path) if self.url else self.style.url(path)


@jinja2.pass_context
def _href(context, thing, fragment: str = "") -> str:
    """A link from the page being rendered to an article, theme, entity or path under docs/."""
    run: RenderRun = context["site"]
    target = thing if isinstance(thing, str) else families.page_path(thing)
    return context["root"] + run.style.url(target) + (f"#{fragment}" if fragment else "")


@jinja2.pass_context
def _article_item(context, article: Article, show_summary: bool = True):
    """An article's list item (the article_item macro), made once per article and page depth and
    reused: an article is listed under each of its entities, themes and years."""
    run: RenderRun = context["site"]
    root = context["root"]

    def make():
        module = context.environment.get_template("_macros.j2").make_module(
            {"root": root, "site": run, "themes_by_id": run.themes_by_id, "entities_by_id": run.entities_by_id})
        return module.article_item(article, show_summary)

    return run.cache.get("item", (article.fingerprint, root, show_summary, run.key), make)


def environment(templates_dir: Path, compiled_dir: Path | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=CompiledTemplates(compiled_dir, templates_dir) if compiled_dir is not None else COMPILED_IN_MEMORY,
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=inert,
    )
    words = load_words(templates_dir)
    env.globals["words"] = words
    env.globals["labels"] = load_labels(templates_dir)  # the words the pages' scripts write (data-* attributes)
    env.filters.update(count=lambda n, noun: plural(n, words[noun]), groupby_initial=groupby_initial,
                       url_breaks=url_breaks, isolate=isolate_latin,
                       outlet_page=families.OUTLETS.of_name, card=families.CARDS.path)
    env.filters.update(arabic_date=format_partial_date, href=_href, front_matter=front_matter, json_script=json_script, atom_timestamp=exports.atom_timestamp, updated=exports.updated, article_item=_article_item)
    return env


# ------------------------------------------------------------------------------------- the pages

def render(linked: LinkedDossier, settings: RenderSettings, cache: BuildCache = NO_CACHE) -> dict[str, str | bytes]:
    """Every generated page and file, keyed by its path under docs/, in path order.

    The link-preview cards are not drawn here (see card_set).
    """
    return plan(linked, settings, cache).materialize()


def plan(linked: LinkedDossier, settings: RenderSettings, cache: BuildCache = NO_CACHE, *,
         docs_dir: Path | None = None, schemas=None) -> PagePlan:
    """Every generated page and file by its path under docs/, each rendered when first asked for:
    the paths are all known here, so the site stage can have them written in the order MkDocs
    reads them while it builds (output/stream.py). Each family of pages plans its own
    (sitegen/families/). With docs_dir and schemas (a site build), the search files and the
    field reference too."""
    dossier = linked.dossier
    templates_key = folder_digest(settings.templates_dir)
    env = cache.get("environment", (str(settings.templates_dir), templates_key), lambda: environment(settings.templates_dir, settings.compiled_dir))
    run = RenderRun(settings.style, cache,
                    fingerprint(templates_key, str(settings.style), str(settings.offline), settings.site_url,
                                *(t.fingerprint or t.id for t in dossier.themes), linked.names_key),
                    {t.id: t for t in dossier.themes}, {e.id: e for e in dossier.entities}, settings.site_url)
    pages = PagePlan()
    # Everything every page reads besides the objects it shows: a page whose objects did not
    # change since a run with the same frame is taken as that run made it (families/reuse.py).
    frame = fingerprint(run.key, reuse.shape(linked, cache), str(settings.list_limit), str(settings.latest_shown),
                        settings.download.fingerprint if settings.download else "")
    shown = cache.evolve("shown-pages", lambda before: reuse.ShownPages(frame, reuse.objects(dossier), before))
    labels = env.globals["labels"]  # templates/labels.yml, read with the environment
    families.plan(pages, linked, settings, run, env, cache, labels, docs_dir=docs_dir, schemas=schemas, shown=shown)
    return pages


def site_files(templates_dir: Path, site_url: str) -> dict[str, str]:
    """Files for the root of the published site: robots.txt naming the sitemap (only with the
    site's address: a sitemap is named by an absolute URL)."""
    if not site_url:
        return {}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return {"robots.txt": env.get_template("robots.txt.j2").render(site_url=site_url)}


def navigation(themes: list[Theme], templates_dir: Path) -> list:
    """The site navigation: a short, fixed shape, never a list of every article, that reaches
    every kind of page (an article, entity or outlet through its listing)."""
    words = load_labels(templates_dir)["navigation"]
    return [
        {words["home"]: "index.md"},
        {words["articles"]: "articles/index.md"},
        {words["themes"]: [{html.escape(t.title): families.THEMES.path(t)} for t in themes]},  # Material prints nav titles unescaped
        {words["timeline"]: "timeline/index.md"},
        {words["entities"]: "entities/index.md"},
        {words["outlets"]: "outlets/index.md"},
        {words["map"]: "map/index.md"},
        {words["corrections"]: "corrections/index.md"},
        {words["open_data"]: "open-data.md"},
        {words["about"]: "about.md"},
        {words["contributing"]: "contributing.md"},
    ]
