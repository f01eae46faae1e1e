"""Plain data classes that flow through the stages: load → validate → link → render → site."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the precision the source supports: a year, a month or a day."""

    year: int
    month: int = 0  # 0: not known
    day: int = 0  # 0: not known

    @classmethod
    def parse(cls, value: str) -> "PartialDate":
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError for anything else or impossible dates."""
        import datetime

        match = _DATE_RE.match(str(value))
        if not match:
            raise ValueError("not a date")
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if match.group(2) and not 1 <= month <= 12:
            raise ValueError("no such month")
        if match.group(3):
            datetime.date(year, month, day)  # raises for 2019-02-30
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.iso

    def could_be_after(self, other: "PartialDate") -> bool:
        """True only when self is certainly later than other, whatever the unknown parts are."""
        mine_earliest = (self.year, self.month or 1, self.day or 1)
        other_latest = (other.year, other.month or 12, other.day or 31)
        return mine_earliest > other_latest


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dossier, located as precisely as we can."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass
class Theme:
    id: str
    title: str
    description: str


@dataclass
class Entity:
    id: str
    name: str
    kind: str  # person | place | organization
    aliases: list[str]
    description: str

    @property
    def spellings(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Event:
    date: PartialDate
    title: str


@dataclass
class Source:
    outlet: str | None
    url: str | None = None
    note: str | None = None


@dataclass
class Article:
    id: str
    title: str
    date: PartialDate
    source: Source
    themes: list[str]
    summary: str
    entities: list[str]
    events: list[Event]
    text: str  # decoded text, exactly as stored (BOM removed)
    sha256: str
    related: list[str] = field(default_factory=list)
    hide_lines: list[str] = field(default_factory=list)
    date_note: str | None = None
    draft: bool = False
    yml_path: Path | None = None
    txt_path: Path | None = None

    @property
    def body_lines(self) -> list[str]:
        """The lines shown as prose: not blank, not page furniture, not the headline repeated."""
        hidden = set(self.hide_lines)
        lines = [line for line in self.text.splitlines() if line.strip()]
        if lines and lines[0].strip() == self.title.strip():
            lines = lines[1:]
        return [line for line in lines if line.strip() not in hidden and line not in hidden]


@dataclass
class Dossier:
    themes: list[Theme]
    entities: list[Entity]
    articles: list[Article]  # sorted by id

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)
