#!/usr/bin/env python3
"""Write a synthetic dossier of N articles in the real format, for the benchmark.

    python bench/synth.py N DEST_REPO [--seed 6] [--source REPO]

DEST_REPO is a copy of the repository (never the working tree itself): its
dossier/articles/ is emptied and filled with N articles. Everything is drawn
deterministically (seeded) from the shipped dossier of --source (default: the
repository this script lives in):

- the text: a headline line followed by 5-16 lines taken from the shipped texts
  (sometimes with a line of page furniture that the metadata hides);
- the metadata: the schema comment line, title, a date between 2003 and 2024 at day,
  month or year precision, an outlet (sometimes unknown, sometimes with a URL or a
  note), 1-2 themes from themes.yml, a summary, 3-8 entity ids from entities.yml,
  2-4 events dated no later than the article (half with an id, a fifth of them reported
  already by an earlier article: the same id and date; an attribution, places and actors), sometimes 1-2 related articles,
  sometimes a date note, and the SHA-256 of the text's bytes.

The result passes `python build.py check` in DEST_REPO.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

SCHEMA_LINE = "# yaml-language-server: $schema=../schema/article.schema.json"
FIRST_YEAR, LAST_YEAR = 2003, 2024
OUTLETS = ["وكالة أنباء براثا", "العربي الجديد", "الحرة", "سكاي نيوز عربية", "السومرية نيوز",
           "شفق نيوز", "المدى", "الشرق الأوسط", "رووداو عربية", "وكالة الأنباء العراقية"]
FURNITURE = ["+ الخط -", "المصدر", "عدد المشاهدات: 381", "https://telegram.me/example", "(Getty)"]
SOURCE_NOTES = ["لا يذكر النص رابط الخبر.", "النص منقول عن موقع آخر ولا يذكر الناشر الذي أعاد نشره.",
                "يُعرف الناشر من توقيع في آخر النص."]
DATE_NOTES = ["لا يذكر النص تاريخ نشره؛ التاريخ مستنتج من الأحداث التي يرويها.",
              "يذكر النص الشهر دون اليوم."]


def article_id(index: int) -> str:
    return f"synth-{index:05d}"


class Pool:
    """What the synthetic articles are made of, read from a shipped dossier."""

    def __init__(self, source: Path):
        articles = source / "dossier" / "articles"
        self.hidden: set[str] = set()
        self.titles: list[str] = []
        self.event_titles: list[str] = []
        self.summaries: list[str] = []
        for yml in sorted(articles.glob("*.yml")):
            data = yaml.safe_load(yml.read_text(encoding="utf-8"))
            self.hidden.update(str(h).strip() for h in data.get("hide_lines", []))
            self.titles.append(data["title"])
            self.summaries.append(" ".join(str(data["summary"]).split()))
            self.event_titles.extend(e["title"] for e in data.get("events", []))
        self.lines: list[str] = []
        for txt in sorted(articles.glob("*.txt")):
            text = txt.read_bytes().decode("utf-8-sig")
            for line in text.splitlines():
                line = line.strip()
                # prose only: no headlines (kept as titles), no furniture, nothing too short
                if len(line) >= 40 and line not in self.hidden and line not in self.titles:
                    self.lines.append(line)
        if not self.lines:
            raise SystemExit(f"no text lines found in {articles}")
        self.themes = [t["id"] for t in yaml.safe_load((source / "dossier" / "themes.yml").read_text(encoding="utf-8"))]

    @staticmethod
    def words(line: str, low: int, high: int, rng: random.Random) -> str:
        words = line.split()
        if len(words) <= low:
            return line
        start = rng.randrange(0, max(1, len(words) - low))
        return " ".join(words[start:start + rng.randint(low, high)]).strip(" ،,.:؛")


def random_date(rng: random.Random) -> tuple[str, datetime.date]:
    """A date string at day, month or year precision, and its earliest possible day."""
    day = datetime.date(FIRST_YEAR, 1, 1) + datetime.timedelta(
        days=rng.randrange((datetime.date(LAST_YEAR, 12, 31) - datetime.date(FIRST_YEAR, 1, 1)).days + 1))
    return truncate(day, rng)


def truncate(day: datetime.date, rng: random.Random) -> tuple[str, datetime.date]:
    roll = rng.random()
    if roll < 0.75:
        return day.isoformat(), day
    if roll < 0.92:
        return f"{day.year:04d}-{day.month:02d}", day.replace(day=1)
    return f"{day.year:04d}", day.replace(month=1, day=1)


def q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


ATTRIBUTIONS = ("official-statement", "named-official", "anonymous-official", "outlet", "other-media", "witness",
                "armed-group-claim", "document")
SHARED = 0.25  # the chance that an event is one an earlier article reported (the same id): about a fifth are


class SharedEvents:
    """Events with an id that later articles may report again: each keeps its date, so that
    the reports agree (validate refuses reports whose dates cannot both be true)."""

    def __init__(self):
        self.known: list[tuple[str, str, datetime.date, str]] = []  # id, date, latest possible day, title

    def pick(self, earliest: datetime.date, taken: set[str], rng: random.Random):
        for _ in range(8):  # a recent one, dated no later than the article
            if not self.known:
                return None
            found = self.known[max(0, len(self.known) - 1 - int(rng.expovariate(1 / 200)))]
            if found[2] <= earliest and found[0] not in taken:
                return found
        return None


def _latest(date: str) -> datetime.date:
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 3:
        return datetime.date(*parts)
    if len(parts) == 2:
        following = datetime.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    return datetime.date(parts[0], 12, 31)


def _quote(text: str, body: list[str], hidden: list[str], index: int, number: int) -> str | None:
    """Five to eight whole words of one shown line that occur only once in the text, as a
    maintainer copies a quote (a generator of its own: the rest of the dossier stays as it was)."""
    rng = random.Random(index * 7919 + number)
    lines = [line for line in body if line not in hidden]
    for _ in range(6):
        words = rng.choice(lines).split() if lines else []
        size = rng.randint(5, 8)
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        span = words[start:start + size]
        if not (span[0].isalpha() and span[-1].isalpha()):
            continue
        quote = " ".join(span)
        if text.count(quote) == 1 and len(quote) <= 300:
            return quote
    return None


def make_article(index: int, n: int, pool: Pool, entity_ids: list[str], rng: random.Random,
                 kinds: dict[str, str] | None = None, shared: SharedEvents | None = None) -> tuple[str, bytes]:
    """The .yml text and the .txt bytes of one synthetic article."""
    kinds = kinds or {}
    shared = shared or SharedEvents()
    places = [e for e in entity_ids if kinds.get(e) == "place"]
    actors = [e for e in entity_ids if kinds.get(e) in ("person", "organization")]
    title = pool.words(rng.choice(pool.lines), 6, 14, rng) if rng.random() < 0.9 else rng.choice(pool.titles)
    body = rng.sample(pool.lines, k=min(len(pool.lines), rng.randint(5, 16)))
    hide = []
    if rng.random() < 0.15:
        furniture = rng.choice(FURNITURE)
        body.insert(rng.randrange(len(body) + 1), furniture)
        hide.append(furniture)
    text = (title + "\n" + "\n".join(body) + "\n").encode("utf-8")

    date, earliest = random_date(rng)
    events = []
    taken: set[str] = set()
    for _ in range(rng.randint(2, 4)):  # about 3 each
        again = shared.pick(earliest, taken, rng) if rng.random() < SHARED else None
        if again:
            event_id, event_date, _, title_pick = again
        else:
            # no later than the article's earliest possible day, within two years before it
            day = earliest - datetime.timedelta(days=rng.randrange(0, 730))
            event_date, _ = truncate(day, rng)
            title_pick = rng.choice(pool.event_titles) if pool.event_titles and rng.random() < 0.5 \
                else pool.words(rng.choice(pool.lines), 5, 12, rng)
            event_id = f"synth-event-{index:05d}-{len(events)}" if rng.random() < 0.5 else None
            if event_id:
                shared.known.append((event_id, event_date, _latest(event_date), title_pick))
        if event_id:
            taken.add(event_id)
        events.append((event_date, title_pick, event_id, _quote(text.decode("utf-8"), body, hide, index, len(events))))

    lines = [SCHEMA_LINE, f"title: {q(title)}", f"date: {q(date)}"]
    if not date.count("-") == 2 and rng.random() < 0.5:
        lines.append(f"date_note: {q(rng.choice(DATE_NOTES))}")
    lines.append("source:")
    outlet = rng.choice(OUTLETS) if rng.random() < 0.85 else None
    lines.append(f"  outlet: {q(outlet) if outlet else 'null'}")
    if rng.random() < 0.2:
        lines.append(f"  url: {q(f'https://news.example.org/{date[:4]}/{article_id(index)}')}")
    if rng.random() < 0.4:
        lines.append(f"  note: {q(rng.choice(SOURCE_NOTES))}")
    themes = rng.sample(pool.themes, k=min(len(pool.themes), 1 if rng.random() < 0.7 else 2))
    lines.append(f"themes: [{', '.join(themes)}]")
    summary = pool.words(rng.choice(pool.lines), 20, 45, rng) + "." if rng.random() < 0.8 else rng.choice(pool.summaries)
    lines.append(f"summary: {q(summary)}")
    entities = rng.sample(entity_ids, k=min(len(entity_ids), rng.randint(3, 8)))
    lines.append(f"entities: [{', '.join(entities)}]")
    lines.append("events:")
    for event_date, event_title, event_id, quote in events:
        lines.append(f"  - date: {q(event_date)}")
        lines.append(f"    title: {q(event_title)}")
        if quote:
            lines.append(f"    quote: {q(quote)}")
        lines.append(f"    attribution: {rng.choice(ATTRIBUTIONS)}")
        if event_id:
            lines.append(f"    id: {event_id}")
        if places:
            lines.append(f"    places: [{', '.join(rng.sample(places, k=min(len(places), rng.randint(0, 2))))}]")
        if actors and rng.random() < 0.6:
            lines.append(f"    actors: [{', '.join(rng.sample(actors, k=min(len(actors), rng.randint(1, 2))))}]")
        if actors and rng.random() < 0.4:
            lines.append(f"    attributed_to: {rng.choice(actors)}")
    if n > 1 and rng.random() < 0.25:
        others = [i for i in rng.sample(range(n), k=min(n, 3)) if i != index][:rng.randint(1, 2)]
        lines.append(f"related: [{', '.join(article_id(i) for i in others)}]")
    if hide:
        lines.append("hide_lines:")
        lines.extend(f"  - {q(h)}" for h in hide)
    lines.append(f"sha256: {hashlib.sha256(text).hexdigest()}")
    return "\n".join(lines) + "\n", text


def write_dossier(n: int, dest: Path, seed: int = 6, source: Path = REPO) -> list[str]:
    """Replace dest/dossier/articles with n synthetic articles; return their ids."""
    dest = Path(dest).resolve()
    if dest == Path(source).resolve() or dest == REPO:
        raise SystemExit("refusing to overwrite the articles of the working tree; give a copy of the repo")
    pool = Pool(Path(source))
    entities = yaml.safe_load((dest / "dossier" / "entities.yml").read_text(encoding="utf-8"))
    entity_ids = [e["id"] for e in entities]
    kinds = {e["id"]: e["kind"] for e in entities}
    shared = SharedEvents()
    articles = dest / "dossier" / "articles"
    shutil.rmtree(articles, ignore_errors=True)
    articles.mkdir(parents=True)
    rng = random.Random(seed)
    ids = []
    for index in range(n):
        yml, text = make_article(index, n, pool, entity_ids, rng, kinds, shared)
        ids.append(article_id(index))
        (articles / f"{ids[-1]}.txt").write_bytes(text)
        (articles / f"{ids[-1]}.yml").write_text(yml, encoding="utf-8")
    return ids


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("dest", type=Path, help="a copy of the repository whose dossier/articles is replaced")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--source", type=Path, default=REPO, help="repository whose shipped dossier is drawn from")
    args = parser.parse_args(argv)
    ids = write_dossier(args.n, args.dest, args.seed, args.source)
    print(f"wrote {len(ids)} articles into {args.dest / 'dossier' / 'articles'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
