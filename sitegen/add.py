"""`python build.py add PATH.txt [--id ID]`: import a new article text and write a YAML stub.

The text is copied byte for byte into dossier/articles/<id>.txt; beside it goes <id>.yml,
pre-filled with suggestions found in the text and in the dossier, for the maintainer to
confirm: the headline, the dates the text mentions (Iraqi/Levantine and Egyptian month
names), the entities of entities.yml it names, the themes ranked by their words, the
SHA-256 and `draft: true`. Fields only a person can fill (the summary, and the title or
date when the text gives none) are left empty, so that `check` points at each of them.

Nothing is ever overwritten, and a text `check` would refuse (not UTF-8, empty, too large,
a bad id) is refused here before anything is written.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import arabic, pipeline
from .checking import checker, load, validate
from .checking.schema import Schemas
from .checking.schema_messages import BIDI_CONTROLS, ID_HINT
from .checking.yaml_reader import rel
from .model import PartialDate, Problem
from .project import Project


# Month names as they are folded by arabic.normalize (hamza forms, ة/ه, ى/ي, diacritics).
MONTHS: dict[str, int] = {}
for _number, _names in {
    1: ("كانون الثاني", "كانون ثاني", "يناير"),
    2: ("شباط", "فبراير"),
    3: ("آذار", "مارس"),
    4: ("نيسان", "أبريل", "ابريل", "إبريل"),
    5: ("أيار", "آيار", "مايو", "مايس"),
    6: ("حزيران", "يونيو", "يونية", "يونيه"),
    7: ("تموز", "يوليو", "يولية", "يوليه"),
    8: ("آب", "أغسطس", "اغسطس"),
    9: ("أيلول", "سبتمبر"),
    10: ("تشرين الأول", "تشرين اول", "أكتوبر"),
    11: ("تشرين الثاني", "تشرين ثاني", "نوفمبر"),
    12: ("كانون الأول", "كانون اول", "ديسمبر"),
}.items():
    for _name in _names:
        MONTHS[arabic.normalize(_name)] = _number

_MONTH = "|".join(sorted((re.escape(m).replace(r"\ ", r"\s+") for m in MONTHS), key=len, reverse=True))
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_B, _E = r"(?<![\w])", r"(?![\w])"  # word boundaries (Arabic letters are \w)
# Linear on any text: no two runs of spaces can share the same spaces (`\s*(?:[،,]\s*)?`, never
# `\s*[،,]?\s*`, which tries every split of a long run of spaces after a month name).
_DATE_PATTERNS = [
    # 27 آيار 2019 · 7 آذار (مارس) · 18 ابريل 2022 · فبراير/ شباط 2022 · شهر آذار · مطلع فبراير
    re.compile(
        rf"(?:(?<![0-9])(?P<day>[0-9]{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?|{_B}(?P<lead>شهر|مطلع|منتصف|اواسط|اواخر|اوائل|بدايه|نهايه)\s+|{_B})"
        rf"(?P<month>{_MONTH}){_E}"
        rf"(?:\s*(?:\(\s*|/\s*)(?P<alt>{_MONTH})\s*\)?)?"
        rf"(?:\s*(?:[،,]\s*)?(?:(?:من\s+)?(?:عام|العام|سنه)\s+)?(?P<year>[12][0-9]{{3}}){_E})?"
        rf"(?P<tail>\s+(?:الماضي|المقبل|الحالي|المنصرم|القادم|الجاري))?"),
    re.compile(r"(?<![0-9])(?P<year>[12][0-9]{3})-(?P<month_number>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"),
    re.compile(r"(?<![0-9])(?P<day>[0-9]{1,2})[/.](?P<month_number>[0-9]{1,2})[/.](?P<year>[12][0-9]{3})(?![0-9])"),
    re.compile(rf"{_B}(?:عام|العام|سنه|لعام|انتخابات)\s+(?P<year>[12][0-9]{{3}}){_E}"),
]

@dataclass(frozen=True)
class DateFound:
    line: int
    quote: str  # as written in the text
    year: int | None
    month: int | None
    day: int | None

    @property
    def date(self) -> PartialDate | None:
        return PartialDate(self.year, self.month or 0, self.day or 0) if self.year else None

    def explain(self) -> str:
        if self.date:
            return f"{self.date.iso} ({self.date.precision})"
        if self.day:
            return f"day {self.day} of month {self.month:02d}, year not stated: YYYY-{self.month:02d}-{self.day:02d} once the year is known"
        return f"month {self.month:02d}, year not stated: YYYY-{self.month:02d} once the year is known"


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded for matching (hamza forms, ة/ه, ى/ي, no diacritics, Western digits),
    with the index in the original of every folded character."""
    chars, origin = [], []
    for index, ch in enumerate(text):
        for c in arabic.fold_char(ch).translate(_ARABIC_DIGITS):
            chars.append(c)
            origin.append(index)
    return "".join(chars), origin


def find_dates(text: str) -> list[DateFound]:
    """Dates the text mentions, in reading order; a month without a year keeps no year."""
    found: list[tuple[int, DateFound]] = []  # (where the quote starts in its line, the date)
    for number, line in enumerate(text.splitlines(), 1):
        folded, origin = _folded(line)
        taken = bytearray(len(folded))  # the characters an earlier pattern's date holds
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(folded):
                if taken[match.start()] or taken[match.end() - 1]:
                    continue
                groups = match.groupdict()
                year = int(groups["year"]) if groups.get("year") else None
                day = int(groups["day"]) if groups.get("day") else None
                if groups.get("month"):
                    month = MONTHS[" ".join(groups["month"].split())]
                    alt = groups.get("alt")
                    if alt and MONTHS[" ".join(alt.split())] != month:
                        continue
                    if not (day or year or groups.get("lead") or alt or groups.get("tail")):
                        continue  # a lone month name may be another word (مارس "he practised", آب/أب)
                elif groups.get("month_number"):
                    month = int(groups["month_number"])
                else:
                    month = None
                if year and not 1900 <= year <= 2100:
                    continue
                candidate = f"{year or 2000:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day and month else "")
                try:
                    PartialDate.parse(candidate)  # 30 شباط is no date
                except ValueError:
                    continue
                taken[match.start():match.end()] = b"\1" * (match.end() - match.start())
                start, end = origin[match.start()], origin[match.end() - 1] + 1
                quote = line[start:end].strip()
                found.append((line.find(quote), DateFound(number, quote, year, month, day if month else None)))
    found.sort(key=lambda pair: (pair[1].line, pair[0]))
    return [date for _, date in found]


def headline(text: str) -> str | None:
    """The first line, when it reads as a headline: short, not a sentence, with text after it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = BIDI_CONTROLS.sub("", lines[0]).strip()
    if not first or len(first) > 200 or len(first.split()) > 30 or first[-1] in ".:،,؛;":
        return None
    return first


def suggest_entities(text: str, entities: list[dict]) -> list[tuple[str, str, int]]:
    """(id, name, times) of the entities whose names or aliases the text uses, by first mention."""
    matcher = arabic.Matcher({e["id"]: [e["name"], *e["aliases"]] for e in entities})
    names = {e["id"]: e["name"] for e in entities}
    first: dict[str, tuple[int, int]] = {}
    counts: Counter = Counter()
    for number, line in enumerate(text.splitlines()):
        for start, _end, entity_id in matcher.find(line):
            first.setdefault(entity_id, (number, start))
            counts[entity_id] += 1
    return [(i, names[i], counts[i]) for i in sorted(first, key=first.__getitem__)]


def _cores(text: str) -> list[str]:
    return [c for c in (arabic.core(w.folded) for w in arabic.words(text))
            if len(c) >= 3 and c not in arabic.STOP_WORDS and not c.isdigit()]


def rank_themes(text: str, themes: list[dict]) -> list[tuple[str, float]]:
    """Themes ranked by how often the text uses their words (title and description);
    a word shared by several themes counts for less."""
    words_of = {t["id"]: set(_cores(f"{t['title']} {t['description']}")) for t in themes}
    spread = Counter(word for words in words_of.values() for word in words)
    in_text = Counter(_cores(text))
    scores = []
    for theme in themes:
        score = sum(math.log(1 + in_text[w]) / spread[w] for w in words_of[theme["id"]] if in_text[w])
        title_bonus = sum(1 for w in _cores(theme["title"]) if in_text[w])
        scores.append((theme["id"], round(score + title_bonus, 1)))
    return sorted(scores, key=lambda s: (-s[1], s[0]))


def furniture(text: str, title: str | None) -> list[str]:
    """Lines that look like page furniture rather than prose (counters, credits, widgets, links)."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped == title:
            continue
        words = stripped.split()
        if (len(words) <= 3 and not stripped.endswith(".")) or re.fullmatch(r"https?://\S+", stripped):
            found.append(stripped)
    return list(dict.fromkeys(found))


def _q(value) -> str:
    """A YAML scalar: JSON strings are valid YAML, and nothing in them is interpreted."""
    return json.dumps(value, ensure_ascii=False)


def stub(article_id: str, source_name: str, text: str, digest: str, themes: list[dict], entities: list[dict],
         templates_dir: Path, event_fields: frozenset[str] = frozenset()) -> str:
    """The YAML stub for a new article: suggestions to confirm, blanks to fill, comments to delete.

    event_fields: the fields the schema gives an event; a required one it has is written blank
    (check points at it), one it does not have yet only as a comment."""
    title = headline(text)
    dates = find_dates(text)
    dated = [d for d in dates if d.date]
    ranked = rank_themes(text, themes)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir), autoescape=False, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["q"] = _q
    return env.get_template("article-stub.yml.j2").render(
        article_id=article_id, source_name=source_name, title=title, dates=dates, digest=digest,
        best=max(dated, key=lambda d: (d.date.year, d.date.month, d.date.day)) if dated else None,
        ranked=ranked, chosen=[ranked[0][0]] if ranked and ranked[0][1] > 0 else [],
        entities=suggest_entities(text, entities),
        urls=list(dict.fromkeys(re.findall(r"https?://[^\s<>\"«»]+", text)))[:5],
        hidden=furniture(text, title)[:10], event_fields=event_fields)


def text_fingerprint(text: str) -> str:
    """A digest of the text blind to what copying a file changes without changing its text: a byte
    order mark, line ends (CRLF, CR), spaces and tabs at the ends of lines, blank lines at the end."""
    lines = [line.rstrip(" \t") for line in text.lstrip("\ufeff").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _event_fields(article_schema: dict) -> frozenset[str]:
    """The fields an event has in the article schema."""
    items = article_schema.get("properties", {}).get("events", {}).get("items", {})
    return frozenset(items.get("properties", {}) if isinstance(items, dict) else ())


def derive_id(name: str) -> str:
    stem = Path(name).stem.lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", stem)).strip("-")[:checker.ID_MAX].strip("-")


def _refuse(problems: list[Problem]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) found; nothing was written.", file=sys.stderr)
    return 1


def _write_new(path: Path, data: bytes) -> None:
    """Create path with data, atomically, failing if it exists (never overwrite)."""
    temporary = path.with_name(f".add-{os.getpid()}-{path.name}.tmp")
    try:
        temporary.write_bytes(data)
        try:
            os.link(temporary, path)  # fails if path exists, whatever happens in between
        except OSError as error:
            if isinstance(error, FileExistsError):
                raise
            with open(path, "xb") as handle:  # no hard links on this file system
                handle.write(data)
    finally:
        temporary.unlink(missing_ok=True)


def _id_problem(article_id: str, text_path: Path) -> str | None:
    """Why article_id (given with --id, or made from the file name) cannot be the new article's, or None."""
    if not article_id:
        return (f"cannot make an id from the file name {text_path.name!r}: give one with "
                f"--id, e.g. --id kadhimi-visit-to-basra ({ID_HINT})")
    if not checker.valid_id(article_id):
        invisible = BIDI_CONTROLS.search(article_id)
        why = f" (it contains the invisible direction control U+{ord(invisible.group()):04X})" if invisible else ""
        return (f"--id {article_id!r}{why} is not a valid article id: {ID_HINT}, at "
                f"most {checker.ID_MAX} characters; it becomes dossier/articles/<id>.txt and "
                "the page's address, so it cannot contain / or ..")
    if article_id in checker.RESERVED_IDS:
        return f"--id {article_id!r} is reserved: the site has a page of that name of its own; choose another id"
    return None


def _write_both(raw: bytes | None, txt: Path, document: str, yml: Path) -> None:
    """The text (unless it is already in place: raw None) and the stub, each created new; the text
    written here is removed again if the stub cannot be (FileExistsError: a file appeared)."""
    wrote_text = False
    try:
        if raw is not None:
            _write_new(txt, raw)
            wrote_text = True
        _write_new(yml, document.encode("utf-8"))
    except BaseException:
        if wrote_text:
            txt.unlink(missing_ok=True)
        raise


def add(project: Project, text_path: Path, article_id: str | None) -> int:
    dossier = project.dossier_dir
    articles = dossier / "articles"
    shown = str(text_path)
    if not text_path.is_file():
        return _refuse([Problem(shown, 1, 1, "no such file: give the path of the article's text file (UTF-8)")])
    article_id = article_id if article_id is not None else derive_id(text_path.name)
    why_not = _id_problem(article_id, text_path)
    if why_not:
        return _refuse([Problem(shown, 1, 1, why_not)])
    txt, yml = articles / f"{article_id}.txt", articles / f"{article_id}.yml"
    in_place = txt.exists() and txt.resolve() == text_path.resolve()
    existing = [p for p in (yml, None if in_place else txt) if p is not None and (p.exists() or p.is_symlink())]
    if existing:
        return _refuse([Problem(rel(p, dossier), 1, 1, f"article `{article_id}` already exists: `add` never "
                                                       "overwrites; choose another id with --id, or edit the existing "
                                                       "files") for p in existing])
    size = text_path.stat().st_size
    if size > load.MAX_TEXT_BYTES:
        return _refuse([Problem(shown, 1, 1, f"text is {size:,} bytes; the limit is {load.MAX_TEXT_BYTES:,} bytes")])
    raw = text_path.read_bytes()
    text, problem = load.decode_text(raw, text_path.name)
    if problem:
        return _refuse([Problem(shown, *problem)])
    digest = hashlib.sha256(raw).hexdigest()

    raw_dossier, problems = load.load(dossier)
    schemas, schema_problems = Schemas.load(project.schema_dir, project.schemas_passed)
    if schema_problems:
        return _refuse(schema_problems)
    themes, entities, more = validate.themes_and_entities(raw_dossier, schemas)
    problems = [p for p in problems + more if p.path in ("dossier/themes.yml", "dossier/entities.yml")]
    if problems and not themes:
        return _refuse(problems + [Problem("dossier/themes.yml", 1, 1, "fix themes.yml first: the stub's suggestions need it")])
    for problem in problems:  # a broken entities.yml only makes the suggestions poorer
        print(f"warning: {problem}", file=sys.stderr)
    same = text_fingerprint(text)
    for other in raw_dossier.articles:
        if other.id == article_id or other.text is None:
            continue
        if other.sha256 == digest or text_fingerprint(other.text) == same:
            how = "byte for byte" if other.sha256 == digest else \
                "differing only in a byte order mark, line ends, spaces at the ends of lines or the final newline"
            return _refuse([Problem(shown, 1, 1, f"this text is already in the dossier, {how}, as article "
                                                 f"`{other.id}` (dossier/articles/{other.id}.txt)")])
    document = stub(article_id, text_path.name, text, digest,
                    [{"id": t.id, "title": t.title, "description": t.description} for t in themes],
                    [{"id": e.id, "name": e.name, "aliases": e.aliases} for e in entities], project.templates_dir,
                    _event_fields(schemas.raw.get("article", {})))

    articles.mkdir(parents=True, exist_ok=True)
    try:
        _write_both(None if in_place else raw, txt, document, yml)
    except FileExistsError as error:
        return _refuse([Problem(rel(Path(error.filename or yml), dossier), 1, 1,
                                f"article `{article_id}` appeared while importing; nothing was overwritten")])

    print(f"{'kept' if in_place else 'copied'} {text_path} → dossier/articles/{article_id}.txt")
    print(f"wrote dossier/articles/{article_id}.yml (draft: true), with suggestions to confirm.")
    outcome = pipeline.generate(project, include_drafts=True, strict_drafts=True)
    mine = [p for p in outcome.problems if p.path in (f"dossier/articles/{article_id}.yml", f"dossier/articles/{article_id}.txt")]
    if mine:
        print("Still to do before `python build.py check --drafts` passes:")
        for problem in mine:
            print(f"  {problem}")
    print("Review every CONFIRM and FILL IN comment in the .yml, remove `draft: true`, and run "
          "`python build.py check --drafts`.")
    return 0


def main(project: Project, args) -> int:
    try:
        return add(project, Path(args.text), getattr(args, "id", None))
    except OSError as error:
        return _refuse([Problem(str(getattr(error, "filename", None) or args.text), 1, 1,
                                f"cannot import: {error.strerror or error}")])
