"""Plain data classes that flow through the stages: load → validate → link → render → site."""
from __future__ import annotations

import dataclasses
import functools
import hashlib

import re
from dataclasses import dataclass, field
from pathlib import Path

_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
# Characters that must never reach a terminal or a log verbatim: C0/C1 controls (an escape
# sequence could rewrite the screen) and the invisible direction controls (they can make a
# message read differently from what it says).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the precision the source supports: a year, a month or a day."""

    year: int
    month: int = 0  # 0: not known
    day: int = 0  # 0: not known

    @classmethod
    def parse(cls, value: str) -> "PartialDate":
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError, saying why, for anything else."""
        import calendar

        match = _DATE_RE.match(str(value))
        if not match:
            raise ValueError("not a date")
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if year < 1000:
            raise ValueError(f"the year {match.group(1)} is not plausible")
        if match.group(2) and not 1 <= month <= 12:
            raise ValueError(f"there is no month {match.group(2)}")
        if match.group(3):
            days = calendar.monthrange(year, month)[1]
            if not 1 <= day <= days:
                raise ValueError(f"{_MONTHS[month - 1]} {year} has {days} days")
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


def printable(text: str) -> str:
    """Text safe to print on one line: control and direction characters shown as \\uXXXX."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", str(text).replace("\r\n", "\n").replace("\n", " "))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dossier, located as precisely as we can.

    Shown as one line, `path:line:column: message`, the form editors and CI understand.
    """

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}:{self.column}: {printable(self.message)}"

    def github_annotation(self) -> str:
        """The same problem as a GitHub Actions workflow command, shown on the pull request's diff."""
        def escape(value: str, in_property: bool = False) -> str:
            value = printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return value.replace(":", "%3A").replace(",", "%2C") if in_property else value

        return (f"::error file={escape(self.path, True)},line={self.line},col={self.column}"
                f"::{escape(self.message)}")


def _fingerprint_by_value(thing) -> None:
    """An object made without a fingerprint (in a test, say) gets one from its values, so that a
    cache never takes two different objects for the same."""
    if not thing.fingerprint:
        from .cache import fingerprint

        thing.fingerprint = "v:" + fingerprint(repr(thing))


@dataclass
class Theme:
    id: str
    title: str
    description: str
    fingerprint: str = ""  # of its YAML: equal fingerprints, equal themes (caches key on it)

    def __post_init__(self):
        _fingerprint_by_value(self)


@dataclass(frozen=True)
class Location:
    """Where a place is, as a maintainer can check it: decimal degrees (north and east positive)
    and the record they came from, e.g. "geonames:98182" (https://www.geonames.org/98182)."""

    latitude: float
    longitude: float
    source: str

    @property
    def geonames_id(self) -> str | None:
        return self.source.split(":", 1)[1] if self.source.startswith("geonames:") else None


@dataclass
class Entity:
    id: str
    name: str
    kind: str  # person | place | organization
    aliases: list[str]
    description: str
    fingerprint: str = ""
    location: Location | None = None  # places only

    def __post_init__(self):
        _fingerprint_by_value(self)

    @property
    def spellings(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class Event:
    date: PartialDate
    title: str
    quote: str | None = None  # the passage of the text that states it, verbatim
    date_note: str | None = None  # how the date was inferred, when the text does not state it
    attribution: str = "outlet"  # whom the article credits: one of ATTRIBUTIONS
    id: str | None = None  # the same id in several articles: one event, reported by each
    places: list[str] = field(default_factory=list)  # place entity ids
    actors: list[str] = field(default_factory=list)  # person or organisation ids
    attributed_to: str | None = None  # the entity credited
    where: tuple[int, int] = field(default=(0, 0), compare=False)  # line, column of its date: problems across articles


# Whom an article credits for an event, in the order the schema lists them.
ATTRIBUTIONS = ("official-statement", "named-official", "anonymous-official", "outlet", "other-media", "witness",
                "armed-group-claim", "document")


def dates_agree(first: PartialDate, second: PartialDate) -> bool:
    """True when both dates can be true of one event: equal as far as both are known."""
    return first.year == second.year and all(a == b or not a or not b for a, b in (
        (first.month, second.month), (first.day, second.day)))


@dataclass(frozen=True)
class Correction:
    date: PartialDate  # a day
    text: str


@dataclass(frozen=True)
class ArchivedCopy:
    """A preserved copy of the source: its address and the day it was captured."""

    url: str
    date: PartialDate  # a day


@dataclass
class Source:
    outlet: str | None
    url: str | None = None
    note: str | None = None
    archive: tuple[ArchivedCopy, ...] = ()  # in the order the maintainer listed them


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
    corrections: list[Correction] = field(default_factory=list)  # oldest first
    yml_path: Path | None = None
    txt_path: Path | None = None
    fingerprint: str = ""  # of its two files: equal fingerprints, equal articles (caches key on it)

    def __post_init__(self):
        _fingerprint_by_value(self)

    @property
    def body_lines(self) -> list[str]:
        """The lines shown as prose: not blank, not page furniture, not the headline repeated."""
        return shown_lines(self.text, self.title, self.hide_lines)[0]


def shown_lines(text: str, title: str, hide_lines: list[str]) -> tuple[list[str], str | None]:
    """The lines of text shown as prose (not blank, not hidden, not the headline repeated), and
    the title line left out (None: the text does not start with its title). validate decides
    with the same function what the page will show."""
    hidden = set(hide_lines)
    lines = [line for line in text.splitlines() if line.strip()]
    title_line = None
    if lines and lines[0].strip() == title.strip():
        title_line, lines = lines[0], lines[1:]
    return [line for line in lines if line.strip() not in hidden and line not in hidden], title_line


@dataclass
class Dossier:
    themes: list[Theme]
    entities: list[Entity]
    articles: list[Article]  # sorted by id

    def theme(self, theme_id: str) -> Theme:
        return next(t for t in self.themes if t.id == theme_id)


@dataclass(frozen=True)
class Report:
    """One article's report of an event."""

    article: Article
    event: Event
    index: int  # of the event among the article's


@dataclass
class EventRecord:
    """An event as the dossier knows it: every report of it (an event without an id has one).

    Its date is the most precise its reports give (they agree: validate checks it); its title
    is the first report's, the reports in order of their articles' dates, oldest first.
    """

    id: str | None
    reports: list[Report]

    @property
    def first(self) -> Report:
        return self.reports[0]

    @functools.cached_property  # a sort key of the timeline and of every listing of events
    def date(self) -> PartialDate:
        return max((r.event.date for r in self.reports), key=lambda d: (d.precision == "day", d.precision == "month"))

    @property
    def title(self) -> str:
        return self.first.event.title

    @property
    def places(self) -> list[str]:
        return list(dict.fromkeys(p for r in self.reports for p in r.event.places))

    @property
    def actors(self) -> list[str]:
        return list(dict.fromkeys(a for r in self.reports for a in r.event.actors))

    @property
    def attributions(self) -> list[str]:
        """The kinds its reports credit, each once, in the schema's order."""
        found = {r.event.attribution for r in self.reports}
        return [kind for kind in ATTRIBUTIONS if kind in found]

    @property
    def shows(self) -> list[Article]:
        """The articles a page showing it shows (their titles, dates, outlets)."""
        return [r.article for r in self.reports]

    @functools.cached_property  # asked for by every page and data file that shows it; reports never change
    def key(self) -> str:
        """What a page showing it depends on."""
        from .cache import fingerprint

        return fingerprint(self.id or "", *(f"{r.article.fingerprint}:{r.index}" for r in self.reports))


# The fields that show on the pages of the object they belong to (and in lists of it), and
# decide nothing else: no order, no membership, no other page's values.
CONTENT_ONLY = {"Article": ("title", "summary"), "Entity": ("description",)}


def shape_of(thing) -> str:
    """A digest of a theme, entity or article but the fields only it shows (CONTENT_ONLY): two
    versions of the dossier whose objects have the same shapes order and group them alike."""
    from .cache import fingerprint

    left_out = ("fingerprint", *CONTENT_ONLY.get(type(thing).__name__, ()))
    shape = [(f.name, getattr(thing, f.name)) for f in dataclasses.fields(thing) if f.name not in left_out]
    if isinstance(thing, Article):
        # A title decides one thing besides what it shows: whether the text's first line, when it
        # repeats the title, is hidden, and so which names the text is found to hold.
        shape.append(("body_lines", thing.body_lines))
    return fingerprint(type(thing).__name__, repr(shape))


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

    @property
    def fingerprint(self) -> str:
        """What a page offering it shows of it (its name, size and digest), for the page's key."""
        from .cache import fingerprint

        return fingerprint(self.name, str(self.size), self.sha256)
