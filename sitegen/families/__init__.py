"""The page families: every kind of generated output, each in one class that owns its folder
under docs/, its pages' addresses, its template and the values the template receives (as
Pelican's generators and Material's blog views do). The registry below is the one list: the
render stage plans every family in turn; search, the open-data exports and the `href` filter
ask it for a page's address; the writer's generated folders, serve's partials and the ids an
article or entity must not take are read from it.

To add a kind of page: a module here with its Family subclass, its template in templates/,
and one line in FAMILIES.
"""
from __future__ import annotations

from pathlib import Path

from ..plan import PagePlan
from .articles import ArticleIndex, ArticlePages
from .base import Family, Planner
from .cards import Cards
from .corrections import CorrectionPages
from .data import DataFiles
from .entities import EntityIndex, EntityPages
from .events import EventPages
from .map import MapPage
from .outlets import OutletIndex, OutletPages
from .partials import BundlePartials, Downloads, FieldReference, HomePartial
from .search import SearchFiles
from .themes import ThemePages
from .timeline import TimelinePages

ARTICLES, THEMES, ENTITIES, OUTLETS, EVENTS = ArticlePages(), ThemePages(), EntityPages(), OutletPages(), EventPages()
CARDS = Cards()

FAMILIES: tuple[Family, ...] = (
    ARTICLES, THEMES, TimelinePages(), ENTITIES, EntityIndex(), MapPage(), HomePartial(), BundlePartials(),
    FieldReference(), DataFiles(), CARDS, Downloads(), CorrectionPages(), OUTLETS, OutletIndex(),
    SearchFiles(), EVENTS, ArticleIndex(),
)

# The folders under docs/ the generator owns wholly (output/writer.py writes only there;
# .gitignore and mkdocs.yml's first comment name the same: tests/test_families.py checks).
GENERATED_DIRS: tuple[str, ...] = tuple(dict.fromkeys(family.folder for family in FAMILIES))

# Snippets the hand-written pages include (serve writes them empty while the dossier has problems).
PARTIALS: tuple[str, ...] = tuple(path for family in FAMILIES for path in family.partials)

# Names MkDocs, Material or a published site use for files of their own (search, the sitemap,
# the 404 page, a theme's pagination).
SITE_NAMES = ("index", "search", "assets", "tags", "404", "sitemap", "robots", "feed", "page")

_BY_MODEL = {model: family for family in FAMILIES for model in family.models}


def reserved_ids() -> frozenset[str]:
    """The ids an article or entity must not take: a page of its own would overwrite another."""
    return frozenset(SITE_NAMES).union(*(family.reserved for family in FAMILIES))


def page_path(thing) -> str:
    """The page of an article, theme, entity, outlet or event (with an id), relative to docs/."""
    family = _BY_MODEL.get(type(thing))
    if family is None:
        raise TypeError(thing)
    return family.path(thing)


def plan(pages: PagePlan, linked, settings, run, env, cache, labels: dict, *, shown, docs_dir: Path | None = None,
         schemas=None) -> None:
    """Plan every family's pages and files into pages (the arguments: Planner's fields)."""
    planner = Planner(pages, linked, settings, run, env, cache, labels, page_path, shown, docs_dir, schemas)
    for family in FAMILIES:
        family.plan(planner)
    cache.count("page", reused=True, times=len(shown.made))  # so far, only the pages taken as they were


__all__ = ["ARTICLES", "CARDS", "ENTITIES", "EVENTS", "FAMILIES", "GENERATED_DIRS", "OUTLETS", "PARTIALS", "THEMES",
           "Family", "Planner", "page_path", "plan", "reserved_ids"]
