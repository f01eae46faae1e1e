#!/usr/bin/env python3
r"""Time `check` on hostile inputs of size n and 10n, to show that its cost grows linearly.

    python bench/hostile.py                   # every case at its default n and 10n
    python bench/hostile.py --cases hide-lines long-quotes --scale 0.5
    python bench/hostile.py --repeat 3        # best of three runs per size

Each case writes one kind of hostile input into a temporary copy of the repository's dossier/
and templates/ (the working tree is never touched) and times `pipeline.generate` on it as
`python build.py check` runs it (drafts included), in a fresh Python process per run so that
no cache of an earlier run helps a later one:

- mixed-items: one article's `entities` field holding n items of every kind (ids known and
  unknown, numbers, lists, mappings, nulls, repeats): the schema's uniqueItems, maxItems and
  per-item checks;
- hide-lines: an article whose text has n lines and whose `hide_lines` lists n lines that are
  not in it, each close to one that is (the "closest line" hints);
- unknown-ids: n more entities in entities.yml and n unknown entity ids, each one letter away
  from a known id, spread over articles (the "did you mean" suggestions);
- long-quotes: an article whose text has n lines, with n events quoting 250-character passages
  that are not in it (the quote look-ups);
- quotes-200 and quotes-none: an article whose text has n lines, with 200 events quoting
  passages of it that are there, once (each quote checked by validate and marked on the page
  by render: the whole build runs), against the same events without quotes;
- shared-first-word: n more entities whose names all begin with the same word (وزارة …) and an
  article naming each of them (entity matching; the dossier is valid, so link and render run
  too, and every entity gets its page).

- search-query (a second table): the site's search script (docs/assets/javascripts/search.js)
  in headless Chromium, on the shipped dossier built once, given a pasted run of n symbols
  (1k, 4k, 16k, 64k) between two letters, then a word: the milliseconds until its results are shown, the
  milliseconds of the script's query rules alone, and for comparison the trimming regular
  expression the script used before (`^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$`), which backtracks.
- add-dates: `add`'s date suggestions (sitegen/add.find_dates) on one line of n characters that
  is a month name followed by spaces (with and without a day before it; the case that used to
  backtrack), and on n characters of plain words; timed in this process, best of --repeat.

It prints a table of seconds for n and 10n and their ratio; the target is a ratio of at most
12 for ten times the input. It is a benchmark, not a test: nothing here asserts a figure
(tests/test_hostile_input.py checks, with small n, that such inputs finish with a bounded
number of messages).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))  # the browser helpers (search-query)
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/article.schema.json"
# Letters that no folding changes and no particle is read from at the start of a word.
_LETTERS = "تثجحخدذرزسشصضطظعغقمنهي"


def _word(index: int, length: int = 4) -> str:
    """A made-up Arabic word, different for every index (ت and then base-22 digits)."""
    letters = []
    for _ in range(length - 1):
        index, digit = divmod(index, len(_LETTERS))
        letters.append(_LETTERS[digit])
    return "ت" + "".join(reversed(letters))


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a double-quoted YAML scalar


def _shipped_lines() -> list[str]:
    """The lines of the shipped texts that are long enough to be sentences."""
    lines = []
    for path in sorted((REPO / "dossier" / "articles").glob("*.txt")):
        lines.extend(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 60)
    return lines


def _text_lines(n: int) -> list[str]:
    """n different lines of Arabic prose, each about 60 to 100 characters (4,000 of them stay
    under the load stage's limit of 1,000,000 bytes a file)."""
    shipped = _shipped_lines()
    return [f"{shipped[i % len(shipped)][:90]} {_word(i)}" for i in range(n)]


def _article(dossier: Path, article_id: str, text: str, **fields: str) -> None:
    """Write an article's text and metadata (valid but for what fields say)."""
    raw = text.encode("utf-8")
    values = {"title": _q("خبر للاختبار"), "date": _q("2020-01-01"), "source": "\n  outlet: null",
              "themes": "[isis-remnants]", "summary": _q("ملخص قصير."), "entities": "[baghdad]", "events": "[]"}
    values.update(fields)
    values["sha256"] = hashlib.sha256(raw).hexdigest()
    body = "\n".join(f"{key}:{'' if value.startswith(chr(10)) else ' '}{value}" for key, value in values.items())
    (dossier / "articles" / f"{article_id}.txt").write_bytes(raw)
    (dossier / "articles" / f"{article_id}.yml").write_text(f"{SCHEMA_LINE}\n{body}\n", encoding="utf-8")


def mixed_items(dossier: Path, n: int) -> None:
    kinds = ["baghdad", "{i}", "unknown-{i}", "[{i}, {i}]", "{{a: {i}}}", "null", "true", "baghdad", '"x y {i}"']
    items = "\n".join("  - " + kinds[i % len(kinds)].format(i=i) for i in range(n))
    _article(dossier, "hostile-mixed-items", "نص قصير للاختبار في بغداد.\n", entities="\n" + items)


def hide_lines(dossier: Path, n: int) -> None:
    lines = _text_lines(n)
    hidden = "\n".join(f"  - {_q(line[:-2] + 'ـ' + line[-2:])}" for line in lines)  # a tatweel more: not in the text
    _article(dossier, "hostile-hide-lines", "\n".join(lines) + "\n", hide_lines="\n" + hidden)


def _add_entities(dossier: Path, names: list[str]) -> list[str]:
    ids = [f"hostile-entity-{i}" for i in range(len(names))]
    path = dossier / "entities.yml"
    extra = "".join(f"- id: {entity_id}\n  name: {_q(name)}\n  kind: organization\n  aliases: []\n"
                    f"  description: {_q('كيان للاختبار.')}\n" for entity_id, name in zip(ids, names))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return ids


def unknown_ids(dossier: Path, n: int) -> None:
    ids = _add_entities(dossier, [f"كيان {_word(i)}" for i in range(n)])
    typos = [entity_id.replace("entity", "entty") for entity_id in ids]  # one letter away, and no id
    per_article = 250  # under the schema's maxItems for `entities`
    for start in range(0, n, per_article):
        chunk = typos[start:start + per_article]
        _article(dossier, f"hostile-unknown-ids-{start // per_article}", f"نص للاختبار رقم {start}.\n",
                 entities="[" + ", ".join(chunk) + "]")


def long_quotes(dossier: Path, n: int) -> None:
    lines = _text_lines(n)
    events = []
    for i, line in enumerate(lines):
        words = line.split()
        quote = " ".join(words[1:] + words[:1])[:250]  # the line's words turned round: not in the text
        events.append(f"  - date: {_q('2019-12-01')}\n    title: {_q('حدث ' + _word(i))}\n    quote: {_q(quote)}")
    _article(dossier, "hostile-long-quotes", "\n".join(lines) + "\n", events="\n" + "\n".join(events))


QUOTES = 200  # the events of quotes-200


def _quoted_text(dossier: Path, n: int, article_id: str, quoted: bool) -> None:
    """A text of n lines and QUOTES events, each quoting the last six words of a line (the
    last one made up for that line: every quote is in one place), or the same events unquoted."""
    lines = _text_lines(n)
    events = []
    for k in range(QUOTES):
        words = lines[k * len(lines) // QUOTES].split()
        quote = f"\n    quote: {_q(' '.join(words[-6:]))}" if quoted else ""
        events.append(f"  - date: {_q('2019-12-01')}\n    title: {_q('حدث ' + _word(k))}{quote}")
    _article(dossier, article_id, "\n".join(lines) + "\n", events="\n" + "\n".join(events))


def quotes_200(dossier: Path, n: int) -> None:
    _quoted_text(dossier, n, "hostile-quotes-200", quoted=True)


def quotes_none(dossier: Path, n: int) -> None:
    _quoted_text(dossier, n, "hostile-quotes-none", quoted=False)


def shared_first_word(dossier: Path, n: int) -> None:
    names = [f"وزارة {_word(i)} {_word(i + 7)}" for i in range(n)]
    _add_entities(dossier, names)
    text = "\n".join(f"قالت {name} إن الخطة الأمنية بدأت في بغداد." for name in names) + "\n"
    _article(dossier, "hostile-shared-first-word", text)


CASES = {  # name: (builder, n, what grows)
    "mixed-items": (mixed_items, 1000, "items in one field"),
    "hide-lines": (hide_lines, 400, "text lines and hide_lines not in it"),
    "unknown-ids": (unknown_ids, 500, "entities and unknown entity ids"),
    "long-quotes": (long_quotes, 120, "text lines and events with long quotes"),
    "shared-first-word": (shared_first_word, 400, "entities named وزارة … and their mentions"),
    "quotes-200": (quotes_200, 400, "text lines, with 200 events quoting them"),
    "quotes-none": (quotes_none, 400, "text lines, with the same 200 events unquoted"),
}


# add's date suggestions: a text of about n characters, by kind (n grows the run after the month).
ADD_DATE_TEXTS = {
    "month name + n spaces": lambda n: "مارس" + " " * n + "x\n",
    "day and month + n spaces": lambda n: "7 مارس" + " " * n + "x\n",
    "كانون + n spaces": lambda n: "كانون" + " " * n + "x\n",
    "n characters of words": lambda n: "نص " * (n // 3) + "\n",
}
ADD_DATES_N = 4_000


def add_dates_rows(n: int, repeat: int) -> None:
    sys.path.insert(0, str(REPO))
    from sitegen.add import find_dates

    print("\n`add`'s date suggestions (find_dates), seconds, best of", repeat, "\n")
    print("| text | n | seconds (n) | 10n | seconds (10n) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, make in ADD_DATE_TEXTS.items():
        best = {}
        for size in (n, 10 * n):
            text = make(size)
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                find_dates(text)
                times.append(time.perf_counter() - started)
            best[size] = min(times)
        print(f"| {name} | {n:,} | {best[n]:.3f} | {10 * n:,} | {best[10 * n]:.3f} | {best[10 * n] / best[n]:.1f} |",
              flush=True)


def copy_project(destination: Path) -> Path:
    """The parts of the repository generate reads: dossier/ and templates/."""
    destination.mkdir(parents=True)
    for folder in ("dossier", "templates"):
        shutil.copytree(REPO / folder, destination / folder)
    return destination


def run_once(case: str, n: int) -> dict:
    """Build the case in a fresh copy and time generate on it in a fresh process."""
    with tempfile.TemporaryDirectory(prefix=f"hostile-{case}-") as folder:
        root = copy_project(Path(folder) / "repo")
        CASES[case][0](root / "dossier", n)
        result = subprocess.run([sys.executable, __file__, "--time-one", str(root)], capture_output=True, text=True,
                                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        if result.returncode != 0:
            raise SystemExit(f"{case} n={n} failed:\n{result.stdout}{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def time_one(root: Path) -> None:
    sys.path.insert(0, str(REPO))
    from sitegen import pipeline
    from sitegen.project import Project

    stages: dict[str, float] = {}
    started = time.perf_counter()
    outcome = pipeline.generate(Project.at(root), include_drafts=True,
                                on_stage=lambda name, seconds: stages.__setitem__(name, seconds))
    seconds = time.perf_counter() - started
    per_file: dict[str, int] = {}
    for problem in outcome.problems:
        per_file[problem.path] = per_file.get(problem.path, 0) + 1
    print(json.dumps({"seconds": seconds, "stages": stages, "problems": len(outcome.problems),
                      "most_in_a_file": max(per_file.values(), default=0), "built": outcome.generated is not None}))


QUERY_SIZES = (1_000, 4_000, 16_000, 64_000)
QUERY_SYMBOLS = "@#$%^*_+=~"  # not separators: one long "word" for the trimming to work on
OLD_TRIM = r"/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu"
_TIME_QUERY_JS = """
const [query, word, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const box = document.querySelector('[data-dossier-search]'), input = box.querySelector('input');
const rulesStart = performance.now();
window.dossierSearch.rules.queryTerms(query);
const rules = performance.now() - rulesStart;
const oldStart = performance.now();
if (arguments[2]) query.replace(%s, "");
const old = arguments[2] ? performance.now() - oldStart : null;
const start = performance.now();
input.value = query;
input.dispatchEvent(new Event('input'));
(function wait() {
  if (box.getAttribute('data-shown') === query) done([performance.now() - start, rules, old]);
  else setTimeout(wait, 1);
})();
""" % OLD_TRIM


def search_query_rows(repeat: int, old_up_to: int) -> None:
    """The search-query table: search.js on long pasted queries (see the module's docstring)."""
    from browser import chromium, search_loaded, served
    from search_weight import built_copy

    with tempfile.TemporaryDirectory(prefix="hostile-search-") as work:
        repo, _ = built_copy(0, Path(work), seed=0)
        with served(repo / "site") as base, chromium() as driver:
            driver.set_script_timeout(600)
            driver.get(base)
            search_loaded(driver)  # search.js comes when search opens
            driver.execute_async_script(_TIME_QUERY_JS, "داعش", "داعش", False)  # shards loaded, warm
            print("\n| case | n grows | n | results shown (ms) | query rules (ms) | old trimming regex (ms) |")
            print("|---|---|---:|---:|---:|---:|")
            for size in QUERY_SIZES:
                # a letter at each end of the run: the old regex tried "[^…]+$" from every symbol
                query = "ب" + (QUERY_SYMBOLS * (size // len(QUERY_SYMBOLS) + 1))[:size] + "ب داعش"
                runs = [driver.execute_async_script(_TIME_QUERY_JS, query, "داعش", size <= old_up_to)
                        for _ in range(repeat)]
                shown, rules = min(r[0] for r in runs), min(r[1] for r in runs)
                old = f"{min(r[2] for r in runs):.0f}" if size <= old_up_to else "not run"
                print(f"| search-query | symbols pasted between two letters, then a word | {size:,} | {shown:.1f} | {rules:.2f} | {old} |",
                      flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=sorted([*CASES, "search-query", "add-dates"]),
                        default=[*CASES, "search-query", "add-dates"])
    parser.add_argument("--old-regex-up-to", type=int, default=16_000,
                        help="time the former trimming regex up to this query size (it is quadratic; default 16000)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's n (default 1)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per size; the best is shown (default 2)")
    parser.add_argument("--time-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.time_one:
        time_one(args.time_one)
        return 0
    if any(c in CASES for c in args.cases):
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; seconds of pipeline.generate (as `check` runs "
              f"it), best of {args.repeat}; stage = the stage the case is about\n")
        header = ("| case | n grows | n | seconds (n) | 10n | seconds (10n) | ratio | stage (n) | stage (10n) | stage ratio "
                  "| problems (n / 10n) | most in one file (n / 10n) |")
        print(header)
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for case in [c for c in args.cases if c in CASES]:
        builder, n, what = CASES[case]
        n = max(1, round(n * args.scale))
        stage = "link" if case == "shared-first-word" else "render" if case.startswith("quotes-") else "validate"
        runs = {}
        for size in (n, 10 * n):
            best = None
            for _ in range(args.repeat):
                outcome = run_once(case, size)
                if best is None or outcome["seconds"] < best["seconds"]:
                    best = outcome
            runs[size] = best
        small, large = runs[n], runs[10 * n]
        print(f"| {case} | {what} | {n:,} | {small['seconds']:.2f} | {10 * n:,} | {large['seconds']:.2f} | "
              f"{large['seconds'] / small['seconds']:.1f} | {small['stages'].get(stage, 0):.3f} {stage} | "
              f"{large['stages'].get(stage, 0):.3f} {stage} | "
              f"{large['stages'].get(stage, 0) / max(small['stages'].get(stage, 0), 1e-9):.1f} | "
              f"{small['problems']} / {large['problems']} | {small['most_in_a_file']} / {large['most_in_a_file']} |",
              flush=True)
    if "search-query" in args.cases:
        search_query_rows(args.repeat, args.old_regex_up_to)
    if "add-dates" in args.cases:
        add_dates_rows(max(1, round(ADD_DATES_N * args.scale)), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
