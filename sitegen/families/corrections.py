"""The corrections log (/corrections/: the newest, then an archive by year)."""
from __future__ import annotations

from dataclasses import dataclass

from ..cache import fingerprint
from ..model import Article, Correction
from .base import Family, Planner


@dataclass(frozen=True)
class CorrectionEntry:
    """One correction on /corrections/, with the article it corrects."""

    source: Article
    correction: Correction

    @property
    def date(self):
        return self.correction.date

    @property
    def shows(self) -> tuple:
        return (self.source,)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.source.fingerprint, self.correction.date.iso, self.correction.text)


class CorrectionPages(Family):
    folder = "corrections"
    reserved = ("corrections",)
    PATH = "corrections/index.md"

    def plan(self, planner: Planner) -> None:
        dossier = planner.linked.dossier
        corrections = sorted((CorrectionEntry(a, c) for a in dossier.articles for c in a.corrections),
                             key=lambda entry: (entry.date, entry.source.id), reverse=True)  # newest first
        # paged like every other listing: thousands make pages, not one huge page
        years = planner.archived(corrections, "corrections", planner.labels["archives"]["corrections"], self.PATH,
                                 "corrections")
        planner.page(self.PATH, "corrections.md.j2", lambda: dict(
            corrections=planner.latest(corrections, years), total=len(corrections), years=years))
