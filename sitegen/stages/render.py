"""Stage 4, render: turn the linked dossier into Markdown pages through the Jinja2 templates.

The result is a mapping of page paths (relative to docs/) to their text; nothing is written
here. Everything from the dossier reaches the page escaped and on one line (`values.inert`, the
environment's finalize), so a `<script>`, `{{ }}`, `#`, `*` or a blank line in a value is shown
as what it is and never interpreted; front matter is written by a YAML emitter and read back
with MkDocs' own parser before it is used.

Links are relative URLs computed here (sitegen/urls.py), for the hosted site or the offline
bundle. A page is rendered again only when its key changes: the key names everything the page
shows (the fingerprints of its articles, themes and entities, the templates, the URL style).
"""
from __future__ import annotations

import functools
import hashlib
import html
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .. import json_in_script
from ..arabic import dictionary_key, format_partial_date
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..checksums import sums_text
from ..geo import maps
from ..model import Article, Correction, Entity, EventRecord, Theme
from ..plan import PagePlan
from ..project import SITE_DESCRIPTION, SITE_NAME, folder_digest
from ..urls import HOSTED, UrlStyle
from . import event_pages, exports
from .link import LinkedDossier, Outlet, outlet_slug
from .values import (front_matter, groupby_initial as _groupby_initial, inert, isolate_latin, json_script, load_labels, load_words,
                     plural, url_breaks)


# A listing (a theme's articles, an entity's, the timeline) stays on one page up to this many
# entries; past it, the page shows the latest ones and an archive of pages by year (each year
# cut into pages of this size), so that no page grows with the dossier.
LIST_LIMIT = 300
LATEST_SHOWN = 50
ARTICLES_SHOWN = 100  # on /articles/ when the dossier is larger than a page: the newest


def page_path(thing) -> str:
    """The page of an article, theme, entity or outlet, relative to docs/."""
    if isinstance(thing, Outlet):
        return f"outlets/{thing.slug}.md"
    if isinstance(thing, Article):
        return f"articles/{thing.id}.md"
    if isinstance(thing, Theme):
        return f"themes/{thing.id}.md"
    if isinstance(thing, Entity):
        return f"entities/{thing.id}.md"
    if isinstance(thing, EventRecord) and thing.id:
        return f"events/{thing.id}.md"
    raise TypeError(thing)


def outlet_page(name: str) -> str:
    """The page of the outlet a source names (a byline links to it)."""
    return f"outlets/{outlet_slug(name)}.md"


@dataclass(frozen=True)
class Download:
    """The offline bundle offered on the home page."""

    name: str
    size: int
    data: bytes

    @functools.cached_property
    def sha256(self) -> str:
        """Published beside the download link, so that a copy passed from hand to hand can be checked."""
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class RenderSettings:
    templates_dir: Path
    style: UrlStyle = HOSTED
    offline: bool = False  # pages for the bundle opened from disk
    download: Download | None = None
    site_url: str = ""  # the published address, "" when not known (no absolute URLs then); the bundle's too
    list_limit: int = LIST_LIMIT
    latest_shown: int = LATEST_SHOWN


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

    @property
    def key(self) -> tuple:
        """What the page shows: its items, and the labels of its neighbours in the pager."""
        return (self.path, self.label, _fingerprints(self.items),
                *((other.path, other.label) if other else None for other in (self.previous, self.next)))


def archive(items: list, year_of, base: str, limit: int = LIST_LIMIT) -> list[ArchivePage]:
    """Pages of items by year (in the items' order), each at most limit long."""
    pages: list[ArchivePage] = []
    by_year: dict[int, list] = {}
    for item in items:
        by_year.setdefault(year_of(item), []).append(item)
    for year, year_items in by_year.items():
        for part, start in enumerate(range(0, len(year_items), limit), 1):
            suffix = "" if part == 1 else f"-{part}"
            pages.append(ArchivePage(f"{base}/{year}{suffix}.md", year, part, year_items[start:start + limit]))
    for before, after in zip(pages, pages[1:]):
        before.next, after.previous = after, before
    return pages


@dataclass(frozen=True)
class CorrectionEntry:
    """One correction on /corrections/, with the article it corrects."""

    source: Article
    correction: Correction

    @property
    def date(self):
        return self.correction.date

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.source.fingerprint, self.correction.date.iso, self.correction.text)


def _fingerprints(items) -> tuple:
    """The fingerprints of articles, or of the articles of timeline entries (with the entry's own title)."""
    out = []
    for item in items:
        article = getattr(item, "article", None)
        event = getattr(item, "event", None)
        out.append((article.fingerprint, item.title, item.is_publication, event.key if event else "")
                   if article else item.fingerprint)
    return tuple(out)


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
    target = thing if isinstance(thing, str) else page_path(thing)
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

    return run.cache.get("item", (article.fingerprint or id(article), root, show_summary, run.key), make)


def environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
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
    env.filters.update(count=lambda n, noun: plural(n, words[noun]), groupby_initial=_groupby_initial,
                       url_breaks=url_breaks, isolate=isolate_latin,
                       outlet_page=outlet_page)
    env.filters.update(arabic_date=format_partial_date, href=_href, front_matter=front_matter, json_script=json_script, atom_timestamp=exports.atom_timestamp, updated=exports.updated, article_item=_article_item)
    return env


# ------------------------------------------------------------------------------------- the pages

def render(linked: LinkedDossier, settings: RenderSettings, cache: BuildCache = NO_CACHE) -> dict[str, str | bytes]:
    """Every generated page and file, keyed by its path under docs/, in path order.

    The link-preview cards are not drawn here (see card_set).
    """
    return plan(linked, settings, cache).materialize()


def plan(linked: LinkedDossier, settings: RenderSettings, cache: BuildCache = NO_CACHE) -> PagePlan:
    """Every generated page and file by its path under docs/, each rendered when first asked for:
    the paths are all known here, so the site stage can have them written in the order MkDocs
    reads them while it builds (output/stream.py)."""
    dossier = linked.dossier
    templates_key = folder_digest(settings.templates_dir)
    env = cache.get("environment", (str(settings.templates_dir), templates_key), lambda: environment(settings.templates_dir))
    run = RenderRun(settings.style, cache,
               fingerprint(templates_key, str(settings.style), str(settings.offline), settings.site_url,
                           *(t.fingerprint or t.id for t in dossier.themes), linked.names_key),
               {t.id: t for t in dossier.themes}, {e.id: e for e in dossier.entities}, settings.site_url)
    pages = PagePlan()

    def page(path: str, template: str, key: tuple, shown_in: str | None = None, **values) -> None:
        """Render path (shown_in: the page a snippet is included in, whose links it shares)."""
        deferred_page(path, template, lambda: (key, values), shown_in)

    def deferred_page(path: str, template: str, arguments, shown_in: str | None = None) -> None:
        """Render path with the (key, values) that arguments() returns when the page is made: what
        only one page shows (an article's related articles) is worked out with the page."""
        def make_page() -> str:
            key, values = arguments()
            return cache.get("page", (path, template, key, run.key), lambda: env.get_template(template).render(
                root=settings.style.root(shown_in or path), site=run, themes_by_id=run.themes_by_id,
                entities_by_id=run.entities_by_id, **values))

        pages.add(path, make_page)

    def article_page(item) -> tuple[tuple, dict]:
        article = item.article
        key = (item.fingerprint, tuple(item.entity_ids),
               tuple((r.article.fingerprint, tuple(r.shared_entities), tuple(r.shared_themes), r.explicit)
                     for r in item.related),
               tuple((n.theme_id, n.previous and n.previous.fingerprint, n.next and n.next.fingerprint)
                     for n in item.neighbours))
        paragraphs, anchors = item.paragraphs, item.event_anchors  # kept in the cache by the link stage
        events = sorted(zip(article.events, anchors), key=lambda pair: pair[0].date)  # oldest first
        return key, dict(article=article, paragraphs=paragraphs, events=events,
                         page_url=run.page_url(page_path(article)),
                         themes=[run.themes_by_id[t] for t in article.themes],
                         entities=[run.entities_by_id[e] for e in item.entity_ids], related=item.related,
                         neighbours=item.neighbours)

    for item in linked.articles.values():
        deferred_page(page_path(item.article), "article.md.j2", functools.partial(article_page, item))

    def archived(items: list, base: str, name: str, parent, field_: str, entries: int | None = None) -> list[ArchivePage]:
        """The year archive of a long listing (none for a short one), its pages added to pages.

        entries is how many entries the unsplit page would show (default: the items).
        """
        if (len(items) if entries is None else entries) <= settings.list_limit:
            return []
        years = archive(items, lambda item: item.date.year, base, settings.list_limit)
        parent_path = parent if isinstance(parent, str) else page_path(parent)
        for year_page in years:
            page(year_page.path, "archive.md.j2", (year_page.key, name, parent_path),
                 title=f"{name}: {year_page.label}", parent=parent, page=year_page, **{field_: year_page.items})
        return years

    for theme in dossier.themes:
        articles = linked.by_theme[theme.id]
        timeline = linked.theme_timeline(theme.id)  # shown on the theme's page too, while it is short
        years = archived(articles, f"themes/{theme.id}", theme.title, theme, "articles", len(articles) + len(timeline))
        shown = articles[:settings.latest_shown] if years else articles
        page(page_path(theme), "theme.md.j2", (theme.fingerprint, _fingerprints(shown), len(articles),
                                               tuple(y.key for y in years), bool(years)),
             theme=theme, articles=shown, total=len(articles), years=years, timeline=[] if years else timeline)

    labels = load_labels(settings.templates_dir)
    # Each kind: its id, the heading of a list of them, and what one of them is.
    kinds = tuple((kind, words["heading"], words["one"]) for kind, words in labels["kinds"].items())
    kind_titles = {kind: one for kind, _, one in kinds}
    def entity_page(entity: Entity, articles: list, shown: list, years: list) -> tuple[tuple, dict]:
        named = linked.named_with.get(entity.id, [])
        events = linked.events_by_entity.get(entity.id, [])
        events_shown = events[:settings.latest_shown]  # the newest: a page's size stays bounded
        key = (entity.fingerprint, _fingerprints(shown), len(articles), tuple(y.key for y in years), tuple(named),
               tuple(e.key for e in events_shown), len(events))
        return key, dict(named_with=[(run.entities_by_id[other], together) for other, together in named],
                         entity=entity, kind_title=kind_titles[entity.kind], articles=shown, total=len(articles),
                         years=years, locator=maps.locator(entity), events=events_shown, events_total=len(events))

    for entity in dossier.entities:
        articles = linked.by_entity.get(entity.id, [])
        years = archived(articles, f"entities/{entity.id}", entity.name, entity, "articles")
        shown = articles[:settings.latest_shown] if years else articles
        deferred_page(page_path(entity), "entity.md.j2", functools.partial(entity_page, entity, articles, shown, years))

    counts = tuple(len(linked.by_entity.get(e.id, ())) for e in dossier.entities)
    page("entities/index.md", "entities.md.j2", counts,
         entities=sorted(dossier.entities, key=lambda e: (dictionary_key(e.name), e.id)), kinds=kinds,
         entry_count=lambda entity: len(linked.by_entity.get(entity.id, ())))
    all_articles = linked.newest_first
    years = archived(all_articles, "articles/years", labels["archives"]["articles"], "articles/index.md", "articles")
    latest = all_articles[:ARTICLES_SHOWN] if years else all_articles
    page("articles/index.md", "articles.md.j2", (_fingerprints(latest), len(all_articles), tuple(y.key for y in years),
                                                tuple((o.slug, o.name) for o in linked.outlets)),
         latest=latest, total=len(all_articles), years=years, themes=dossier.themes,
         all_years=sorted({a.date.year for a in all_articles}, reverse=True), outlets=linked.outlets,
         entities=sorted(dossier.entities, key=lambda e: (dictionary_key(e.name), e.id)))
    years_shown = sorted({article.date.year for article in dossier.articles})
    pages.add_group(["articles/data/index.js", *(f"articles/data/{year}.js" for year in years_shown)],
                    lambda: filter_data(linked, settings.style))
    for outlet in linked.outlets:
        years = archived(outlet.articles, f"outlets/{outlet.slug}", outlet.name or labels["archives"]["unknown_outlet"], outlet,
                         "articles")
        shown = outlet.articles[:settings.latest_shown] if years else outlet.articles
        page(page_path(outlet), "outlet.md.j2", (outlet.slug, outlet.name, _fingerprints(shown), len(outlet.articles),
                                                 tuple(y.key for y in years)),
             outlet=outlet, articles=shown, total=len(outlet.articles), years=years)
    page("outlets/index.md", "outlets.md.j2", tuple((o.slug, o.name, len(o.articles)) for o in linked.outlets),
         named=[o for o in linked.outlets if o.name], unknown=next((o for o in linked.outlets if not o.name), None),
         entry_count=lambda outlet: len(outlet.articles))
    places = [e for e in dossier.entities if e.kind == "place"]
    weights = {e.id: len(linked.by_entity.get(e.id, [])) for e in places}
    event_years = event_pages.years_by_place(linked.events)
    deferred_page("map/index.md", "map.md.j2", lambda: ((tuple(sorted(weights.items())), tuple(sorted(event_years.items()))), dict(
        map=maps.site_map(places, weights), by_entity=linked.by_entity, event_years=event_years)))
    for record in linked.events_by_id.values():
        deferred_page(page_path(record), "event.md.j2", functools.partial(event_pages.event_page, linked, run, record))
    years = archived(linked.timeline, "timeline", labels["archives"]["timeline"], "timeline/index.md", "timeline")
    page("timeline/index.md", "timeline.md.j2", (tuple(y.key for y in years),) if years else _fingerprints(linked.timeline),
         timeline=[] if years else linked.timeline, years=years)
    corrections = sorted((CorrectionEntry(a, c) for a in dossier.articles for c in a.corrections),
                         key=lambda entry: (entry.date, entry.source.id), reverse=True)  # newest first
    years = archived(corrections, "corrections", labels["archives"]["corrections"], "corrections/index.md",
                     "corrections")  # paged like every other listing: thousands make pages, not one huge page
    shown = corrections[:settings.latest_shown] if years else corrections
    page("corrections/index.md", "corrections.md.j2", (_fingerprints(shown), len(corrections),
                                                       tuple(y.key for y in years)),
         corrections=shown, total=len(corrections), years=years)
    latest = linked.newest_first[:10]
    page("_partials/home.md", "home.md.j2", (_fingerprints(latest), tuple(len(v) for v in linked.by_theme.values())),
         shown_in="index.md", themes=dossier.themes, by_theme=linked.by_theme, latest=latest)
    download = settings.download
    offered = (download.name, download.size, download.sha256) if download else None
    page("_partials/download.md", "download.md.j2", (offered, settings.offline),
         shown_in="index.md", bundle=download, offline=settings.offline)
    page("_partials/verify.md", "verify.md.j2", (offered, settings.offline),
         shown_in="open-data.md", bundle=download, offline=settings.offline)
    if download and not settings.offline:
        pages.add_value(f"downloads/{download.name}", download.data)
        # Beside the zip, its SHA-256 as sha256sum writes it: `sha256sum -c NAME.sha256` checks a download.
        pages.add_value(f"downloads/{download.name}.sha256", sums_text({download.name: download.sha256}))
    pages.add_group(list(DATA_FILES), lambda: data_files(linked, env, settings.site_url, labels["exports"], cache))
    return pages


def filter_data(linked: LinkedDossier, style: UrlStyle) -> dict[str, str]:
    """The data behind /articles/'s filters, as scripts (they load from file:// too): an index of
    every article's year, themes, outlet and entities, and per year the titles and summaries."""
    dossier = linked.dossier
    theme_index = {t.id: i for i, t in enumerate(dossier.themes)}
    entity_index = {e.id: i for i, e in enumerate(dossier.entities)}
    outlet_of = {a.id: i for i, o in enumerate(linked.outlets) for a in o.articles}
    by_year: dict[int, list] = {}
    rows = []
    for article in linked.newest_first:
        item = linked.articles[article.id]
        rows.append([article.id, article.date.year, [theme_index[t] for t in article.themes], outlet_of[article.id],
                     [entity_index[e] for e in item.entity_ids]])
        by_year.setdefault(article.date.year, []).append(
            [article.id, article.title, format_partial_date(article.date), article.date.iso, article.summary])
    index = {"themes": [[t.id, t.title] for t in dossier.themes],
             "outlets": [[o.slug, o.name] for o in linked.outlets],
             "entities": [[e.id, e.name] for e in dossier.entities], "articles": rows}
    files = {"articles/data/index.js": _script("index", index)}
    files.update({f"articles/data/{year}.js": _script("details", {"year": year, "articles": items})
                  for year, items in sorted(by_year.items())})
    return files


def _script(kind: str, data) -> str:
    """Data as a script that hands it to the page (a script loads from file://, a fetch does not)."""
    return f"window.dossierArticles&&window.dossierArticles.{kind}({json_in_script.dumps(data)});\n"


DATA_FILES = ("data/dossier.json", "data/dossier.csv", "data/datapackage.json", "data/citations.json",
              "data/citations.bib", "data/atom.xml", "data/events.csv", "data/events.json")


def data_files(linked: LinkedDossier, env: jinja2.Environment, site_url: str, words: dict,
               cache: BuildCache = NO_CACHE) -> dict[str, str]:
    """The open-data downloads and the Atom feed, under docs/data/ (words: labels.yml's `exports`)."""
    articles = exports.feed_entries(linked)
    atom = env.get_template("atom.xml.j2").render(
        feed_id=exports.FEED_ID, site_name=SITE_NAME, site_description=SITE_DESCRIPTION, articles=articles,
        updated=exports.atom_timestamp(max(map(exports.updated, articles))) if articles else "2000-01-01T00:00:00Z",
        themes_by_id={t.id: t for t in linked.dossier.themes}, base=site_url)
    return {
        "data/dossier.json": exports.dossier_json(linked, cache),
        "data/dossier.csv": exports.dossier_csv(linked, cache),
        "data/datapackage.json": exports.datapackage(linked, SITE_NAME, site_url),
        "data/citations.json": exports.citations_json(linked, site_url, cache),
        "data/citations.bib": exports.citations_bibtex(linked, site_url, words["archived_copy"], cache),
        "data/atom.xml": atom,
        "data/events.csv": exports.events_csv(linked, cache),
        "data/events.json": exports.events_json(linked, cache),
    }


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
        {words["themes"]: [{html.escape(t.title): page_path(t)} for t in themes]},  # Material prints nav titles unescaped
        {words["timeline"]: "timeline/index.md"},
        {words["entities"]: "entities/index.md"},
        {words["outlets"]: "outlets/index.md"},
        {words["map"]: "map/index.md"},
        {words["corrections"]: "corrections/index.md"},
        {words["open_data"]: "open-data.md"},
        {words["about"]: "about.md"},
        {words["contributing"]: "contributing.md"},
    ]


def card_set(linked: LinkedDossier, templates_dir: Path) -> dict:
    """What the link-preview card of the home page, each theme and each article shows, keyed by its path.

    Drawing them is the site stage's job (output/cards.py), done while MkDocs builds.
    """
    from ..output.cards import Card

    dossier = linked.dossier
    articles = load_words(templates_dir)["article"]
    words = load_labels(templates_dir)["cards"]
    themes_by_id = {t.id: t for t in dossier.themes}
    wanted = {"cards/home.png": Card(words["home_title"], words["home_subtitle"],
                                     plural(len(dossier.articles), articles), SITE_NAME)}
    for theme in dossier.themes:
        wanted[f"cards/themes/{theme.id}.png"] = Card(
            theme.title, words["theme"], plural(len(linked.by_theme[theme.id]), articles), SITE_NAME)
    for article in dossier.articles:
        outlet = article.source.outlet or words["unknown_outlet"]
        wanted[f"cards/articles/{article.id}.png"] = Card(
            article.title, "، ".join(themes_by_id[t].title for t in article.themes),
            f"{format_partial_date(article.date)} · {outlet}", SITE_NAME)
    return wanted
