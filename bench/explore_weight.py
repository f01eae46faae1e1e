#!/usr/bin/env python3
"""What the exploring pages cost a reader at N articles: /articles/ (plain and filtered), /outlets/,
the largest outlet page, /map/, the timeline, the event page with the most reports and
/map/?year= (the year of most events), in bytes transferred and requests.

    python bench/explore_weight.py                                   # N = 100, 1000, 5000
    python bench/explore_weight.py --workdir W --reuse               # the sites search_weight.py built in W

Each site is built as bench/search_weight.py builds it (a copy of the repo with bench/synth.py's
dossier) and served gzip-compressed; a new headless Chromium per page view, cache disabled, so
every figure is a first visit. The filtered view waits until its results show. A benchmark that
prints figures, not a test.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from search_weight import _bytes, built_copy, gzip_served  # noqa: E402


def view(base: str, path: str, ready: str) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    from browser import chromium, network_log

    with chromium(width=390, height=844) as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        started = time.perf_counter()
        driver.get(base + path)
        WebDriverWait(driver, 60, poll_frequency=0.02).until(lambda d: d.execute_script(ready))
        shown_ms = (time.perf_counter() - started) * 1000
        time.sleep(0.5)
        total, requests = _bytes(network_log(driver), 0, base)
    return {"bytes": total, "requests": requests, "ms": shown_ms}


PAGES = [  # (label, path, when it is ready)
    ("/articles/", "articles/", "return document.readyState === 'complete'"),
    ("/articles/?theme=…&year=…", "articles/?theme={theme}&year={year}",
     "const r = document.querySelector('.dossier-filter__results'); return r && !r.hidden && r.children.length > 0"),
    ("/outlets/", "outlets/", "return document.readyState === 'complete'"),
    ("largest outlet page", "outlets/{outlet}/", "return document.readyState === 'complete'"),
    ("/map/", "map/", "return document.readyState === 'complete'"),
    ("/timeline/", "timeline/", "return document.readyState === 'complete'"),
    ("an event page (the most reports)", "events/{event}/", "return document.readyState === 'complete'"),
    ("/map/?year=… (the year of most events)", "map/?year={event_year}",
     "const s = document.querySelector('[data-dossier-year-filter] .dossier-filter__status'); "
     "return s && s.textContent.length > 0"),
]


def _events(site: Path) -> tuple[str, int, int]:
    """The event reported most often, the year of most events (from data/events.json), and how many events."""
    from collections import Counter

    rows = json.loads((site / "data" / "events.json").read_text(encoding="utf-8"))
    reports = Counter(r["event_id"] for r in rows if r["event_id"])
    years = Counter(r["date"][:4] for r in rows)
    return max(sorted(reports), key=reports.__getitem__), int(max(sorted(years), key=years.__getitem__)), len(rows)


def bench(n: int, work: Path, seed: int, reuse: bool) -> list[dict]:
    repo, _ = built_copy(n, work, seed, reuse)
    site = repo / "site"
    theme = sorted(p.name for p in (site / "themes").iterdir() if (p / "index.html").is_file())[0]
    years = sorted(int(p.stem) for p in (site / "articles" / "data").glob("[0-9]*.js"))
    outlets = [p for p in (site / "outlets").iterdir() if (p / "index.html").is_file()]
    outlet = max(outlets, key=lambda p: (p / "index.html").stat().st_size).name
    event, event_year, _ = _events(site)
    rows = []
    with gzip_served(site) as base:
        for label, path, ready in PAGES:
            path = path.format(theme=theme, year=years[len(years) // 2], outlet=outlet, event=event,
                               event_year=event_year)
            size = (site / path.split("?")[0] / "index.html").stat().st_size
            rows.append(dict(view(base, path, ready), n=n, page=label, path=path, html_raw=size))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse", action="store_true", help="with --workdir: measure the sites an earlier run built")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="explore-weight-"))
    rows = []
    try:
        for n in args.sizes:
            print(f"N = {n:,}…", file=sys.stderr, flush=True)
            rows += bench(n, work, args.seed, args.reuse)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("\n### Exploring pages: a first visit on a phone (gzip over HTTP, headless Chromium, cache disabled)\n")
    print("| N | page | HTML on disk | page view: bytes transferred (requests) | shown after |")
    print("|---:|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['n']:,} | {r['page']} | {r['html_raw'] / 1024:,.1f} KB | {r['bytes'] / 1024:,.1f} KB ({r['requests']}) "
              f"| {r['ms']:,.0f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
