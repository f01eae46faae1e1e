#!/usr/bin/env python3
"""What search costs a reader: bytes and time, on synthetic dossiers of N articles.

    python bench/search_weight.py                       # N = 100, 1000, 5000
    python bench/search_weight.py --sizes 1000 --keep   # keep the copy and its site

For each N: a copy of the repo gets a synthetic dossier (bench/synth.py) and is built with
`python build.py build`; site/ is served by a small local HTTP server that gzip-compresses
text files as static hosts do (Content-Encoding: gzip); headless Chromium (tests/browser.py,
a new browser for each N, so nothing is cached) then

1. loads an article page and waits: the bytes of that page view (before any search), and
   those of it under search/ (must be none);
2. focuses the search box and types the query one key at a time: the bytes transferred from
   the focus to the results shown (search.js itself included: it comes when search opens), and the time from the last keystroke (the last `input`
   event, in the page) to the results shown (search.js marks the box `data-shown`);
3. clears the box and types a second query: its bytes and time.

Bytes are DevTools' Network.loadingFinished encodedDataLength (as transferred: compressed
body plus response headers). A benchmark that prints figures, not a test.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from common import copy_repo  # noqa: E402
import synth  # noqa: E402

GZIP_TYPES = (".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".map")


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text ones gzip-compressed (level 6, as nginx's gzip_comp_level default is 1
    and most hosts use 5-6) when the client accepts it."""

    cache: dict = {}

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix not in GZIP_TYPES or "gzip" not in self.headers.get("Accept-Encoding", "")
                or not path.is_file()):
            return super().send_head()
        body = self.cache.get(path)
        if body is None:
            body = self.cache[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


class _KeepAliveGzipHandler(_GzipHandler):
    """The same files over HTTP/1.1 with keep-alive, as static hosts serve them: a browser reuses
    its connections instead of opening one per request, as it must with HTTP/1.0 (every response
    here has a Content-Length: the files', the gzip bodies', and the errors' and redirects'
    from http.server)."""

    protocol_version = "HTTP/1.1"


@contextlib.contextmanager
def gzip_served(directory: Path, keep_alive: bool = False):
    """Serve directory on 127.0.0.1; keep_alive: HTTP/1.1 with persistent connections, otherwise
    HTTP/1.0 with a new connection for every request (the server these benchmarks used first)."""
    handler = functools.partial(_KeepAliveGzipHandler if keep_alive else _GzipHandler, directory=str(directory))
    handler.func.cache = {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# In the page: when the last input event came, and when search.js showed the results.
_OBSERVE = """
const box = document.querySelector('[data-dossier-search]'), input = box.querySelector('input');
window.__bench = {lastInput: null, shown: {}};
// capture: before search.js's own listener, which may show cached results at once
window.addEventListener('input', () => { window.__bench.lastInput = performance.now(); }, true);
new MutationObserver(() => {
  const q = box.getAttribute('data-shown');
  if (q !== null && !(q in window.__bench.shown)) window.__bench.shown[q] = performance.now();
}).observe(box, {attributes: true, attributeFilter: ['data-shown']});
"""


def _bytes(log: list[dict], start: int, base: str, only: str | None = None) -> tuple[int, int]:
    """(bytes, requests) of the site's finished requests from position start on (not the
    browser's own chrome:// pages)."""
    entries = [r for r in log[start:] if r["finished"] and r["url"].startswith(base)
               and (only is None or only in r["url"])]
    return sum(r["bytes"] for r in entries), len(entries)


KINDS = {".html": "HTML", "/": "HTML", ".css": "CSS", ".js": "JS", ".woff2": "fonts", ".woff": "fonts", ".ttf": "fonts"}


def by_kind(log: list[dict], base: str) -> dict[str, int]:
    """The bytes of the site's finished requests by kind of file (HTML, CSS, JS, fonts, other)."""
    kinds: dict[str, int] = {}
    for r in log:
        if r["finished"] and r["url"].startswith(base):
            path = r["url"].split("?")[0].split("#")[0]
            kind = next((name for end, name in KINDS.items() if path.endswith(end)), "other")
            kinds[kind] = kinds.get(kind, 0) + r["bytes"]
    return kinds


def measure(site: Path, article: str, queries: list[str], gap: float = 0.0, keep_alive: bool = False) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    from browser import chromium, network_log, search_box

    out: dict = {}
    with gzip_served(site, keep_alive) as base, chromium() as driver:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.get(base + f"articles/{article}/")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
        time.sleep(1.0)  # anything the page's scripts fetch after the load event
        log = network_log(driver)
        out["page_bytes"], out["page_requests"] = _bytes(log, 0, base)
        out["page_search_bytes"], _ = _bytes(log, 0, base, "/search/")
        out["page_kinds"] = by_kind(log, base)
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        driver.execute_script(_OBSERVE)
        start = len(log)
        box = search_box(driver)
        for number, query in enumerate(queries):
            if number:
                box.clear()
            for letter in query:
                box.send_keys(letter)
                time.sleep(gap)
            WebDriverWait(driver, 120, poll_frequency=0.01).until(
                lambda d: query in d.execute_script("return window.__bench.shown"))
            time.sleep(0.3)
            state = driver.execute_script("return window.__bench")
            log = network_log(driver)
            total, requests = _bytes(log, start, base)
            out[f"q{number}"] = {"query": query, "bytes": total, "requests": requests,
                                 "ms": state["shown"][query] - state["lastInput"],
                                 "count": driver.execute_script(
                                     "return document.querySelector('.md-search-result__meta').textContent")}
            start = len(log)
    return out


def built_copy(n: int, work: Path, seed: int, reuse: bool = False) -> tuple[Path, float | None]:
    """A copy of the repo in work/n<N>/repo with N synthetic articles (0: the shipped dossier),
    built with `python build.py build`; with reuse, the copy an earlier run built there. Returns
    the copy and the build's wall seconds (None when reused). Shared by the reader benchmarks."""
    repo = work / f"n{n}" / "repo"
    if reuse and (repo / "site" / "index.html").is_file():
        return repo, None
    if repo.exists():
        shutil.rmtree(repo)
    repo.parent.mkdir(parents=True, exist_ok=True)
    copy_repo(repo)
    if n:
        synth.write_dossier(n, repo, seed=seed)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "build.py", "build"], cwd=repo, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"N={n}: build failed\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return repo, time.perf_counter() - started


def bench(n: int, work: Path, seed: int, queries: list[str], gap: float = 0.0, reuse: bool = False,
          keep_alive: bool = False) -> dict:
    repo, build_s = built_copy(n, work, seed, reuse)
    ids = sorted(p.stem for p in (repo / "dossier" / "articles").glob("*.yml"))
    site = repo / "site"
    search_files = list((site / "search").rglob("*.js"))
    figures = measure(site, sorted(ids)[len(ids) // 2], queries, gap, keep_alive)
    figures.update(n=n, build_s=build_s, search_files=len(search_files),
                   search_bytes=sum(p.stat().st_size for p in search_files),
                   search_gzip=sum(len(gzip.compress(p.read_bytes(), 6)) for p in search_files))
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--queries", nargs="+", default=["الكاظمي", "الانتخابات"])
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="with --workdir: measure the sites an earlier run built there")
    parser.add_argument("--gap", type=float, default=0.0,
                        help="seconds between keys (0: as fast as WebDriver types; 0.2: a reader's pace, "
                             "where the words' beginnings are searched, and loaded, as they are typed)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep-alive", action="store_true", help="serve over HTTP/1.1 with persistent connections")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="search-weight-"))
    results = []
    try:
        for n in args.sizes:
            print(f"N = {n:,}: building…", file=sys.stderr, flush=True)
            results.append(bench(n, work, args.seed, args.queries, args.gap, args.reuse, args.keep_alive))
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    kb = lambda b: f"{b / 1024:,.1f} KB"  # noqa: E731
    q0, q1 = args.queries[0], args.queries[1] if len(args.queries) > 1 else ""
    print(f"\n### Search weight (gzip over HTTP, headless Chromium; first query {q0!r}, second {q1!r}, "
          f"typed a key at a time, {args.gap * 1000:.0f} ms apart)\n")
    print("| N | build s | search files (all; raw / gzip) | article page view | of it under search/ "
          "| first search: bytes (requests) | last key → results | second query: bytes (requests) | second: ms "
          "| first results |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        first, second = r["q0"], r.get("q1") or {"bytes": 0, "requests": 0, "ms": 0}
        build = "–" if r["build_s"] is None else f"{r['build_s']:.0f}"
        print(f"| {r['n']:,} | {build} | {r['search_files']:,} files; {kb(r['search_bytes'])} / "
              f"{kb(r['search_gzip'])} | {kb(r['page_bytes'])} ({r['page_requests']} requests) "
              f"| {kb(r['page_search_bytes'])} | {kb(first['bytes'])} ({first['requests']}) | {first['ms']:.0f} ms "
              f"| {kb(second['bytes'])} ({second['requests']}) | {second['ms']:.0f} ms | {first['count']} |")
    print("\n### The article page view by kind (as transferred, gzip)\n")
    print("| N | HTML | CSS | JS | fonts | other | all |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        kinds = r["page_kinds"]
        print(f"| {r['n']:,} | " + " | ".join(kb(kinds.get(k, 0)) for k in ("HTML", "CSS", "JS", "fonts", "other"))
              + f" | {kb(r['page_bytes'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
