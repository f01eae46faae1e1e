"""What every page family is and what it plans with.

A family is one kind of generated output (an article's page, the entities index, the data
files...). It owns its folder under docs/, the addresses of its pages, their template and the
values the template receives; the Planner turns those into entries of the PagePlan, each
rendered when first asked for and kept in the cache under a key worked out from its values
(keys.context_key), so that no family writes a key by hand.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..cache import BuildCache
from ..plan import PagePlan
from ..stages.link import LinkedDossier
from ..urls import HOSTED
from .keys import Derived, Found, context_key
from .reuse import Made, ShownPages


class Family:
    """One kind of generated output. Subclasses set what they own and plan their pages."""

    folder: str = ""  # the folder under docs/ it writes in (the generator owns it wholly)
    reserved: tuple[str, ...] = ()  # names of its own that an id must not take (checker.RESERVED_IDS)
    models: tuple[type, ...] = ()  # the dossier objects one of its pages is about (page_path dispatches on them)
    partials: tuple[str, ...] = ()  # snippets hand-written pages include (serve writes them empty at first)

    def path(self, thing) -> str:
        """The page of thing (one of `models`), relative to docs/."""
        raise TypeError(thing)

    def address(self, thing) -> str:
        """The published page of thing, relative to the site's root (what the feed and the data
        files name: the hosted site's, in the offline bundle too)."""
        return HOSTED.url(self.path(thing))

    def plan(self, planner: "Planner") -> None:
        """Add this family's pages and files to planner.pages."""


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

    # What a listing shows of it (its address, label and count, all of the dossier's shape) is its
    # key there: an edit of one of its entries changes the archive page, not the listing's.
    shows = ()

    @property
    def count(self) -> int:
        return len(self.items)

    @functools.cached_property
    def key(self) -> str:
        """What a page linking to it shows: its address, label and count, and its neighbours' (read
        once the archive is linked up: by its own page and by its listing's)."""
        return context_key((self.path, self.label, len(self.items),
                            [(other.path, other.label) if other else None for other in (self.previous, self.next)]))

    @functools.cached_property
    def entries(self) -> Derived:
        """Its entries, as its own page receives them: keyed by all they show, in one walk."""
        shown: set[str] = set()
        digest = context_key(self.items, shown)
        return Derived(self.items, digest, shows=Found(shown))


def archive_layout(items: list, limit: int) -> list[tuple[int, int, slice | list[int]]]:
    """Where each archive page's entries are in items: (year, part, their positions), a year's
    entries in the items' order, at most limit to a page. The listings are in date order, so a
    year's entries are one run of positions (a slice); otherwise their positions one by one."""
    by_year: dict[int, list[int]] = {}
    for index, item in enumerate(items):  # tens of thousands at thousands of articles: no call per item
        year = item.date.year
        group = by_year.get(year)
        if group is None:
            by_year[year] = group = []
        group.append(index)
    layout: list[tuple[int, int, slice | list[int]]] = []
    for year, positions in by_year.items():
        for part, start in enumerate(range(0, len(positions), limit), 1):
            chosen = positions[start:start + limit]
            contiguous = chosen[-1] - chosen[0] == len(chosen) - 1
            layout.append((year, part, slice(chosen[0], chosen[-1] + 1) if contiguous else chosen))
    return layout


def archive(items: list, base: str, limit: int, layout: list | None = None) -> list[ArchivePage]:
    """Pages of items by the year of their dates (in the items' order), each at most limit long
    (layout: archive_layout's of items, if known)."""
    pages = []
    for year, part, chosen in archive_layout(items, limit) if layout is None else layout:
        suffix = "" if part == 1 else f"-{part}"
        entries = items[chosen] if isinstance(chosen, slice) else [items[index] for index in chosen]
        pages.append(ArchivePage(f"{base}/{year}{suffix}.md", year, part, entries))
    for before, after in zip(pages, pages[1:]):
        before.next, after.previous = after, before
    return pages


@dataclass
class Planner:
    """What the families plan with: the dossier, the settings, and the one way to add a page."""

    pages: PagePlan
    linked: LinkedDossier
    settings: object  # render.RenderSettings
    run: object  # render.RenderRun: the lookups and URL style every template reaches
    env: object  # the Jinja2 environment
    cache: BuildCache
    labels: dict  # templates/labels.yml
    page_path: Callable[[object], str]  # any family's page of a dossier object (the registry's page_path)
    shown: ShownPages  # the pages made, with what each showed (serve takes unchanged ones as they were)
    docs_dir: Path | None = None  # the hand-written pages (searched)
    schemas: object | None = None  # the dossier's JSON Schemas (the field reference)

    def page(self, path: str, template: str, context: Callable[[], dict], shown_in: str | None = None) -> None:
        """Plan path, rendered from template with the values context() returns when the page is
        made (shown_in: the page a snippet is included in, whose links it shares)."""
        shown_pages = self.shown
        made = shown_pages.unchanged(path, template)
        if made is not None:  # as the last run made it (most pages, on most edits under serve): nothing to defer
            shown_pages.made[path] = made
            self.pages.add_value(path, made.content)
            return
        run, style, cache = self.run, self.settings.style, self.cache

        def render(values: dict) -> str:
            return self.env.get_template(template).render(
                root=style.root(shown_in or path), site=run, themes_by_id=run.themes_by_id,
                entities_by_id=run.entities_by_id, **values)

        def make() -> str:
            values = context()
            shown: set[str] = set()
            key = (path, template, context_key(values, shown), run.key)
            shown_pages.worked_out.append(path)
            content = shown_pages.rendered(path, key)
            reused = content is not None
            made = Made(template, key, frozenset(shown), content if reused else render(values))
            cache.count("page", reused=reused)
            shown_pages.record(path, made)
            return made.content

        self.pages.add(path, make)

    def each_page(self, things: dict, path: Callable[[object], str], template: str,
                  context: Callable[[object], dict]) -> None:
        """A page per thing (things: by id, path: its page, worked out from its id alone), each
        planned as page() plans it. Under serve, when the last run listed the same ids with the
        same frame, their paths are the last run's and the pages none of whose objects changed
        are taken together: the others alone are looked at one by one (the articles' and the
        events' pages, thousands of each)."""
        ids = list(things)
        paths = self.shown.paths_of(template, ids)
        if paths is None:
            paths = [path(thing) for thing in things.values()]
            taken = {}
        else:
            taken = self.shown.unchanged_of(paths, template)
            self.shown.made.update(taken)
            self.pages.add_values({page_path: made.content for page_path, made in taken.items()})
        self.shown.listed[template] = (ids, paths)
        for page_path, thing in zip(paths, things.values()):
            if page_path not in taken:
                self.page(page_path, template, lambda thing=thing: context(thing))

    def archived(self, items: list, base: str, title: str, parent: str, field: str,
                 entries: int | None = None) -> list[ArchivePage]:
        """The year archive of a long listing (none for a short one), its pages planned.

        parent is the listing's page; entries how many entries the unsplit page would show
        (default: the items).
        """
        limit = self.settings.list_limit
        if (len(items) if entries is None else entries) <= limit:
            return []
        # Where each year's entries are depends on the listing's dates and order only, which the
        # articles' shapes decide: kept by them, an edit of a title or summary groups nothing again.
        shape = self.linked.shape_key
        layout = (self.cache.get("archive-layout", (shape, base, limit), lambda: archive_layout(items, limit))
                  if shape else None)
        years = archive(items, base, limit, layout)
        for year_page in years:
            self.page(year_page.path, "archive.md.j2", lambda year_page=year_page: {
                "title": f"{title}: {year_page.label}", "parent": parent, "page": year_page,
                field: year_page.entries})
        return years

    def latest(self, items: list, years: list) -> list:
        """What a listing with an archive shows itself: the newest entries (all without one)."""
        return items[:self.settings.latest_shown] if years else items
