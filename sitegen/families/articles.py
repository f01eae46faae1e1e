"""An article's page (/articles/<id>/), and /articles/: every article with filters, its
archive by year, and the scripts its filters read (articles/data/)."""
from __future__ import annotations

from .. import json_in_script
from ..cache import NO_CACHE, BuildCache
from ..arabic import dictionary_key, format_partial_date
from ..model import Article
from ..urls import UrlStyle
from ..stages.link import LinkedDossier
from .base import Family, Planner
from .keys import Derived, named
from .reuse import shape

ARTICLES_SHOWN = 100  # on /articles/ when the dossier is larger than a page: the newest


class ArticlePages(Family):
    folder = "articles"
    models = (Article,)

    def path(self, article: Article) -> str:
        return f"articles/{article.id}.md"

    def plan(self, planner: Planner) -> None:
        planner.each_page(planner.linked.articles, lambda item: self.path(item.article), "article.md.j2",
                          lambda item: self.context(planner, item))

    def context(self, planner: Planner, item) -> dict:
        """What only this page shows (its related articles) is worked out with the page."""
        run, article = planner.run, item.article
        # The marked-up text and the events' anchors come from the linked article (kept in the
        # cache by the link stage): they stand in the key by its fingerprint.
        paragraphs, anchors = item.paragraphs, item.event_anchors
        events = sorted(zip(article.events, anchors), key=lambda pair: pair[0].date)  # oldest first
        return dict(article=article, paragraphs=Derived(paragraphs, item.fingerprint, shows=(article,)),
                    events=Derived(events, item.fingerprint, shows=(article,)), page_url=run.page_url(self.path(article)),
                    themes=[run.themes_by_id[t] for t in article.themes],
                    entities=named([run.entities_by_id[e] for e in item.entity_ids]), related=item.related,
                    neighbours=item.neighbours)


class ArticleIndex(Family):
    """/articles/, its years past a page's worth, and the data its filters load."""

    folder = "articles"
    reserved = ("index", "years", "data")  # articles/index.md, articles/years/, articles/data/
    PATH = "articles/index.md"

    def plan(self, planner: Planner) -> None:
        linked, settings = planner.linked, planner.settings
        all_articles = linked.newest_first
        years = planner.archived(all_articles, "articles/years", planner.labels["archives"]["articles"], self.PATH,
                                 "articles")
        latest = all_articles[:ARTICLES_SHOWN] if years else all_articles
        dossier = linked.dossier
        planner.page(self.PATH, "articles.md.j2", lambda: dict(
            latest=latest, total=len(all_articles), years=years, themes=dossier.themes,
            all_years=sorted({a.date.year for a in all_articles}, reverse=True), outlets=linked.outlets,
            entities=sorted(dossier.entities, key=lambda e: (dictionary_key(e.name), e.id))))
        years_shown = sorted({article.date.year for article in dossier.articles})
        planner.pages.add_group(["articles/data/index.js", *(f"articles/data/{year}.js" for year in years_shown)],
                                lambda: filter_data(linked, settings.style, planner.cache))


def filter_data(linked: LinkedDossier, style: UrlStyle, cache: BuildCache = NO_CACHE) -> dict[str, str]:
    """The data behind /articles/'s filters, as scripts (they load from file:// too): an index of
    every article's year, themes, outlet and entities, and per year the titles and summaries."""
    by_year: dict[int, list] = {}
    fingerprints: dict[int, list[str]] = {}  # of each year's articles, in order
    # each article's row kept by the article, all of them by every article (an entity's edit walks none)
    rows = cache.each("filter-row", linked.newest_first, lambda article: article.fingerprint, lambda article: (
        article.date.year, article.fingerprint,
        [article.id, article.title, format_partial_date(article.date), article.date.iso, article.summary]),
        ("newest first", linked.articles_key))
    for year, article_fingerprint, row in rows:
        by_year.setdefault(year, []).append(row)
        fingerprints.setdefault(year, []).append(article_fingerprint)
    # the index holds only the dossier's shape (families/reuse.py): kept by it
    files = {"articles/data/index.js": cache.get("filter-index", shape(linked, cache),
                                                 lambda: _script("index", _filter_index(linked)))}
    # a year's script kept by its articles: an edit writes again the year of the article it changed
    files.update({f"articles/data/{year}.js": cache.get(
        "filter-year", (year, *fingerprints[year]), lambda year=year, items=items: _script(
            "details", {"year": year, "articles": items})) for year, items in sorted(by_year.items())})
    return files


def _filter_index(linked: LinkedDossier) -> dict:
    dossier = linked.dossier
    theme_index = {t.id: i for i, t in enumerate(dossier.themes)}
    entity_index = {e.id: i for i, e in enumerate(dossier.entities)}
    outlet_of = {a.id: i for i, o in enumerate(linked.outlets) for a in o.articles}
    rows = [[article.id, article.date.year, [theme_index[t] for t in article.themes], outlet_of[article.id],
             [entity_index[e] for e in linked.articles[article.id].entity_ids]] for article in linked.newest_first]
    return {"themes": [[t.id, t.title] for t in dossier.themes],
            "outlets": [[o.slug, o.name] for o in linked.outlets],
            "entities": [[e.id, e.name] for e in dossier.entities], "articles": rows}


def _script(kind: str, data) -> str:
    """Data as a script that hands it to the page (a script loads from file://, a fetch does not)."""
    return f"window.dossierArticles&&window.dossierArticles.{kind}({json_in_script.dumps(data)});\n"
