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

from . import arabic, load, validate
from .model import PartialDate, Problem

REPO = Path(__file__).resolve().parent.parent
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/article.schema.json"

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
_DATE_PATTERNS = [
    # 27 آيار 2019 · 7 آذار (مارس) · 18 ابريل 2022 · فبراير/ شباط 2022 · شهر آذار · مطلع فبراير
    re.compile(
        rf"(?:(?<![0-9])(?P<day>[0-9]{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?|{_B}(?P<lead>شهر|مطلع|منتصف|اواسط|اواخر|اوائل|بدايه|نهايه)\s+|{_B})"
        rf"(?P<month>{_MONTH}){_E}"
        rf"(?:\s*(?:\(\s*|/\s*)(?P<alt>{_MONTH})\s*\)?)?"
        rf"(?:\s*[،,]?\s*(?:(?:من\s+)?(?:عام|العام|سنه)\s+)?(?P<year>[12][0-9]{{3}}){_E})?"
        rf"(?P<tail>\s+(?:الماضي|المقبل|الحالي|المنصرم|القادم|الجاري))?"),
    re.compile(r"(?<![0-9])(?P<year>[12][0-9]{3})-(?P<month_number>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])"),
    re.compile(r"(?<![0-9])(?P<day>[0-9]{1,2})[/.](?P<month_number>[0-9]{1,2})[/.](?P<year>[12][0-9]{3})(?![0-9])"),
    re.compile(rf"{_B}(?:عام|العام|سنه|لعام|انتخابات)\s+(?P<year>[12][0-9]{{3}}){_E}"),
]
_STOPWORDS = {arabic.normalize(w) for w in (
    "في من إلى على عن مع بعد قبل التي الذي الذين هذه هذا ذلك تلك كل ما لا أو ثم حتى إلى بين عند "
    "منذ خلال ضد دون حول وما فيها فيه لها له بها به كما التي اللذين أن إن كان كانت قد لم لن").split()}


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
    found: list[DateFound] = []
    for number, line in enumerate(text.splitlines(), 1):
        folded, origin = _folded(line)
        taken: list[range] = []
        for pattern in _DATE_PATTERNS:
            for match in pattern.finditer(folded):
                if any(match.start() in span or match.end() - 1 in span for span in taken):
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
                taken.append(range(match.start(), match.end()))
                start, end = origin[match.start()], origin[match.end() - 1] + 1
                found.append(DateFound(number, line[start:end].strip(), year, month, day if month else None))
    found.sort(key=lambda d: (d.line, text.splitlines()[d.line - 1].find(d.quote)))
    return found


def headline(text: str) -> str | None:
    """The first line, when it reads as a headline: short, not a sentence, with text after it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = validate.BIDI_CONTROLS.sub("", lines[0]).strip()
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
            if len(c) >= 3 and c not in _STOPWORDS and not c.isdigit()]


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


def stub(article_id: str, source_name: str, text: str, digest: str, themes: list[dict], entities: list[dict]) -> str:
    """The YAML stub for a new article: suggestions to confirm, blanks to fill, comments to delete."""
    title = headline(text)
    dates = find_dates(text)
    dated = [d for d in dates if d.date]
    best = max(dated, key=lambda d: (d.date.year, d.date.month, d.date.day)) if dated else None
    ranked = rank_themes(text, themes)
    chosen = [ranked[0][0]] if ranked and ranked[0][1] > 0 else []
    found = suggest_entities(text, entities)
    urls = list(dict.fromkeys(re.findall(r"https?://[^\s<>\"«»]+", text)))
    out = [
        SCHEMA_LINE,
        f"# Written by `python build.py add` from {source_name}. Every value is a suggestion taken from the",
        "# text and the dossier: CONFIRM or correct each one, FILL IN the empty ones, then delete these",
        "# comments and the line `draft: true`, and run `python build.py check` until it reports nothing.",
        "",
    ]
    if title:
        out += ["# CONFIRM: the text's first line, which reads as its headline.", f"title: {_q(title)}"]
    else:
        out += ["# FILL IN: the headline in Arabic (the text's first line is not one).", 'title: ""']
    out.append("")
    if dates:
        out.append("# Dates found in the text (line: as written → reading):")
        out += [f"#   {d.line}: {_q(d.quote)} → {d.explain()}" for d in dates]
    if best:
        out += ["# CONFIRM: the latest dated mention, which is not necessarily the publication date. Keep only",
                "# the precision the text supports; never invent a day or a month.", f"date: {_q(best.date.iso)}"]
    else:
        out += ["# FILL IN: the publication date, YYYY-MM-DD, YYYY-MM or YYYY; the text gives no date with a year,",
                "# so explain how you established it in `date_note`.", 'date: ""', "# date_note: \"\""]
    out += ["", "source:",
            "  # FILL IN: the outlet's name in Arabic, or keep null when the text does not say.",
            "  outlet: null"]
    if urls:
        out.append("  # Addresses found in the text; keep the article's own, if it is one of them:")
        out += [f"  # url: {_q(u)}" for u in urls[:5]]
    out += ['  # note: ""', ""]
    out.append("# CONFIRM: themes ranked by how much the text uses their words (score):")
    out += [f"#   {theme_id}: {score}" for theme_id, score in ranked]
    out.append(f"themes: [{', '.join(chosen)}]" if chosen else
               "themes: []  # FILL IN: one or more theme ids from dossier/themes.yml")
    out += ["", "# FILL IN: one to three Arabic sentences summing up the article.", 'summary: ""', ""]
    if found:
        out.append("# CONFIRM: entities named in the text (matched through entities.yml names and aliases):")
        out.append("entities:")
        out += [f"  - {entity_id}  # {name} ({times}×)" for entity_id, name, times in found]
    else:
        out += ["# No entity of dossier/entities.yml is named in the text; add ids (and new entities) as needed.",
                "entities: []"]
    out += ["", "# FILL IN: the dated events the text reports, each as", "#   - date: \"YYYY-MM-DD\"",
            "#     title: \"…\"", "# (see the dates found above; an event is never after the article's date).",
            "events: []", ""]
    hidden = furniture(text, title)
    if hidden:
        out.append("# CONFIRM: short lines that may be page furniture rather than prose; uncomment to hide them:")
        out.append("# hide_lines:")
        out += [f"#   - {_q(line)}" for line in hidden[:10]]
        out.append("")
    out += [f"# The SHA-256 of {article_id}.txt: `check` reports the text if it ever changes.",
            f"sha256: {_q(digest)}", "", "# DELETE this line once the article is reviewed: drafts show in `serve`, not in `build`.",
            "draft: true", ""]
    return "\n".join(out)


def derive_id(name: str) -> str:
    stem = Path(name).stem.lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", stem)).strip("-")[:validate.ID_MAX].strip("-")


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


def add(text_path: Path, article_id: str | None, repo: Path = REPO) -> int:
    dossier = repo / "dossier"
    articles = dossier / "articles"
    shown = str(text_path)
    if not text_path.is_file():
        return _refuse([Problem(shown, 1, 1, "no such file: give the path of the article's text file (UTF-8)")])
    article_id = article_id if article_id is not None else derive_id(text_path.name)
    if not article_id:
        return _refuse([Problem(shown, 1, 1, f"cannot make an id from the file name {text_path.name!r}: give one with "
                                             f"--id, e.g. --id kadhimi-visit-to-basra ({validate.ID_HINT})")])
    if not validate.ID_RE.match(article_id) or len(article_id) > validate.ID_MAX:
        invisible = validate.BIDI_CONTROLS.search(article_id)
        why = f" (it contains the invisible direction control U+{ord(invisible.group()):04X})" if invisible else ""
        return _refuse([Problem(shown, 1, 1, f"--id {article_id!r}{why} is not a valid article id: {validate.ID_HINT}, at "
                                             f"most {validate.ID_MAX} characters; it becomes dossier/articles/<id>.txt and "
                                             "the page's address, so it cannot contain / or ..")])
    txt, yml = articles / f"{article_id}.txt", articles / f"{article_id}.yml"
    in_place = txt.exists() and txt.resolve() == text_path.resolve()
    existing = [p for p in (yml, None if in_place else txt) if p is not None and (p.exists() or p.is_symlink())]
    if existing:
        return _refuse([Problem(load.rel(p, dossier), 1, 1, f"article `{article_id}` already exists: `add` never "
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
    checker = validate._Checker(raw_dossier)
    themes, _ = checker.themes()
    entities, _ = checker.entities()
    problems = [p for p in problems + checker.problems if p.path in ("dossier/themes.yml", "dossier/entities.yml")]
    if problems and not themes:
        return _refuse(problems + [Problem("dossier/themes.yml", 1, 1, "fix themes.yml first: the stub's suggestions need it")])
    for problem in problems:  # a broken entities.yml only makes the suggestions poorer
        print(f"warning: {problem}", file=sys.stderr)
    for other in raw_dossier.articles:
        if other.sha256 == digest and other.id != article_id:
            return _refuse([Problem(shown, 1, 1, f"this text is already in the dossier, byte for byte, as article "
                                                 f"`{other.id}` (dossier/articles/{other.id}.txt)")])
    document = stub(article_id, text_path.name, text, digest,
                    [{"id": t.id, "title": t.title, "description": t.description} for t in themes],
                    [{"id": e.id, "name": e.name, "aliases": e.aliases} for e in entities])

    articles.mkdir(parents=True, exist_ok=True)
    wrote_text = False
    try:
        if not in_place:
            _write_new(txt, raw)
            wrote_text = True
        _write_new(yml, document.encode("utf-8"))
    except FileExistsError as error:
        if wrote_text:
            txt.unlink(missing_ok=True)
        return _refuse([Problem(load.rel(Path(error.filename or yml), dossier), 1, 1,
                                f"article `{article_id}` appeared while importing; nothing was overwritten")])
    except BaseException:
        if wrote_text:
            txt.unlink(missing_ok=True)
        raise

    print(f"{'kept' if in_place else 'copied'} {text_path} → dossier/articles/{article_id}.txt")
    print(f"wrote dossier/articles/{article_id}.yml (draft: true), with suggestions to confirm.")
    raw_dossier, load_problems = load.load(dossier)
    _, more = validate.validate(raw_dossier, include_drafts=True)
    mine = [p for p in load_problems + more if p.path in (f"dossier/articles/{article_id}.yml", f"dossier/articles/{article_id}.txt")]
    if mine:
        print("Still to do before `python build.py check` passes:")
        for problem in mine:
            print(f"  {problem}")
    print("Review every CONFIRM and FILL IN comment in the .yml, remove `draft: true`, and run `python build.py check`.")
    return 0


def main(args) -> int:
    try:
        return add(Path(args.text), getattr(args, "id", None))
    except OSError as error:
        return _refuse([Problem(str(getattr(error, "filename", None) or args.text), 1, 1,
                                f"cannot import: {error.strerror or error}")])
