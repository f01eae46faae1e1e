"""Which pages an edit leaves as they were, known without working out their values.

Every page's key is a digest of the values its template receives (keys.py), so working out a
page's key means working out its values: under serve, at thousands of pages, most of an edit.
Yet most edits change no page's values but those showing the edited object: an article's
title or summary, an entity's description. So each page made is recorded with the fingerprints of the
articles, entities and themes its values show (`Made`), and the next run, if the dossier's
shape is as it was (everything but those fields, with the templates and settings: the
`frame`), takes a page as it was when none of the objects it showed changed, without asking for
its values. Any other edit (a date, a theme, an entity's name, a template) changes the frame, and every
page is worked out again as before. An object on a page that does not say what it shows (keys.UNKNOWN)
makes the page be worked out every time: forgetting to say costs time, never a stale page.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..cache import BuildCache, fingerprint
from ..model import Dossier, shape_of
from ..stages.link import LinkedDossier
from .keys import UNKNOWN

@dataclass(frozen=True)
class Made:
    """A page as a run made it: its template, its cache entry's key, the fingerprints of the
    dossier's objects its values showed, and its text."""

    template: str
    key: tuple
    shown: frozenset[str]
    content: str


class ShownPages:
    """The pages of one run, each as it was made; and, from the run before, those it can take as
    they were (the same frame, none of what they showed changed)."""

    def __init__(self, frame: str, objects: frozenset[str], before: "ShownPages | None"):
        self.frame = frame
        self.objects = objects  # the fingerprints of the dossier's objects in this run
        self.made: dict[str, Made] = {}
        self.worked_out: list[str] = []  # the pages whose values this run worked out (the others: as they were)
        self.listed: dict[str, tuple[list[str], list[str]]] = {}  # by template: the ids and paths of each_page's pages
        self._before = before.made if before is not None else {}
        same = before is not None and before.frame == frame
        self._listed_before = before.listed if same else {}
        changed = (before.objects - objects) | {UNKNOWN} if same else None
        # The last run's pages none of whose objects changed, found in one pass (thousands of pages).
        self._unchanged = {} if changed is None else {
            path: made for path, made in self._before.items() if made.shown.isdisjoint(changed)}

    def paths_of(self, template: str, ids: list[str]) -> list[str] | None:
        """The paths the last run gave the pages of these ids (Planner.each_page), if its frame
        was this run's and it listed the same ids; else None."""
        last = self._listed_before.get(template)
        return last[1] if last is not None and last[0] == ids else None

    def unchanged_of(self, paths: list[str], template: str) -> dict[str, Made]:
        """Those of paths whose pages are as the last run made them."""
        return {path: made for path in paths if (made := self.unchanged(path, template)) is not None}

    def unchanged(self, path: str, template: str) -> Made | None:
        """The page as the last run made it, if it is as it was: else None (work it out)."""
        made = self._unchanged.get(path)
        return made if made is not None and made.template == template else None

    def rendered(self, path: str, key: tuple) -> str | None:
        """The text the last run made for path from the same values (key), whatever the frame:
        the pages are kept here, not each in the cache, so that taking one as it was costs no lookup."""
        made = self._before.get(path)
        return made.content if made is not None and made.key == key else None

    def record(self, path: str, made: Made) -> None:
        self.made[path] = made


def shape(linked: LinkedDossier, cache: BuildCache) -> str:
    """A digest of the dossier but the fields only their own objects show (model.CONTENT_ONLY):
    the themes' and entities' shapes, and the articles' as link digested them (shape_key)."""
    dossier = linked.dossier
    return fingerprint(*(cache.get("shape", thing.fingerprint, lambda thing=thing: shape_of(thing))
                         for things in (dossier.themes, dossier.entities) for thing in things), linked.shape_key)


def objects(dossier: Dossier) -> frozenset[str]:
    return frozenset(thing.fingerprint for things in (dossier.themes, dossier.entities, dossier.articles)
                     for thing in things)
