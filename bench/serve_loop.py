#!/usr/bin/env python3
"""How long `python build.py serve` makes a maintainer wait, on synthetic dossiers of N articles.

    python bench/serve_loop.py --sizes 100 1000 5000
    python bench/serve_loop.py --sizes 5000 --no-build     # without the full build to compare with

For each N: a copy of the repository with bench/synth.py's N articles; `python build.py build`
once (its time is what the start is compared with, and its site/ is what serve shows while its
first build runs; with --no-build there is no site/ and serve shows nothing until then); then
two serve sessions, as a maintainer has them. The first starts with nothing kept in
.build/serve/, the second where the first stopped (its site and cache). In each: the seconds
from start until an article's page is served at all (the last build's, with its notice) and
until the preview serves it; then, in the first, an article's summary and an entity's
description each edited twice, with the seconds from the edit until the served page shows it,
the MkDocs builds each edit set off, and the memory of serve's processes (PSS); in the second,
one more summary edit. It prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from common import copy_repo, fetch, free_port, tree_pss_mb  # noqa: E402

LAST_BUILD = "_dossier-serve/last-build.js"  # the notice on the last build's pages (sitegen/serve/last_build.py)
ENTITY = "isis"  # named in most synthetic articles: its page lists many
TIMEOUT = 1800


class Session:
    """One `build.py serve`, its output in a log file."""

    def __init__(self, repo: Path, log: Path):
        self.repo, self.log = repo, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.out = open(log, "wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{self.port}"],
                                        cwd=repo, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for(self, path: str, needle: str = "", since: float | None = None, preview: bool = True) -> float | None:
        """Seconds from since until the page at path holds needle; served by the preview itself
        unless preview is False (then the last build, shown while the preview's first build runs, counts)."""
        since = self.started if since is None else since
        while time.perf_counter() - since < TIMEOUT:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            page = fetch(self.base + path)
            if page is not None and needle in page and not (preview and LAST_BUILD in page):
                return time.perf_counter() - since
            time.sleep(0.05)
        return None

    def builds(self) -> tuple[int, int]:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return text.count("Building documentation"), text.count("Documentation built")

    def settle(self) -> None:
        """Until serve has had no build running or queued for 3 s."""
        quiet_since = None
        while True:
            started, finished = self.builds()
            if started == finished:
                quiet_since = quiet_since or time.perf_counter()
                if time.perf_counter() - quiet_since >= 3:
                    return
            else:
                quiet_since = None
            time.sleep(0.2)

    def edit(self, path: Path, pattern: str, replacement: str, page: str, marker: str) -> dict:
        text = path.read_text(encoding="utf-8")
        edited_text, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert count == 1, f"{pattern!r} not found in {path}"
        before = self.builds()[1]
        edited = time.perf_counter()
        path.write_text(edited_text, encoding="utf-8")
        shown = self.wait_for(page, marker, since=edited)
        self.settle()
        return {"shown": shown, "builds": self.builds()[1] - before}

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.out.close()


def summary_edit(session: Session, repo: Path, article: str, number: int) -> dict:
    marker = f"SUMMARYEDIT{number}x{int(time.time())}"
    return session.edit(repo / "dossier" / "articles" / f"{article}.yml", r"^summary: .*$",
                        f'summary: "{marker} ملخص معدّل للقياس."', f"articles/{article}/", marker)


def description_edit(session: Session, repo: Path, number: int) -> dict:
    marker = f"DESCEDIT{number}x{int(time.time())}"
    pattern = rf"(^- id: {ENTITY}\n(?:  .*\n)*?  description: )(.*)$"
    return session.edit(repo / "dossier" / "entities.yml", pattern, rf"\g<1>{marker} \g<2>", f"entities/{ENTITY}/", marker)


def serve_sessions(repo: Path, article: str, logs: Path, edits: int = 2) -> dict:
    """The two sessions described in the module's docstring, on repo (whose .build/serve is removed first),
    with each kind of edit made `edits` times in the first."""
    shutil.rmtree(repo / ".build" / "serve", ignore_errors=True)
    result: dict = {}
    first = Session(repo, logs / "serve-1.log")
    try:
        result["cold_first"] = first.wait_for(f"articles/{article}/", preview=False)
        result["cold_start"] = first.wait_for(f"articles/{article}/")
        first.settle()
        result["summary"] = [summary_edit(first, repo, article, n) for n in range(edits)]
        result["description"] = [description_edit(first, repo, n) for n in range(edits)]
        result["pss_mb"] = tree_pss_mb(first.process.pid)
    finally:
        first.stop()
    second = Session(repo, logs / "serve-2.log")
    try:
        result["warm_first"] = second.wait_for(f"articles/{article}/", preview=False)
        result["warm_start"] = second.wait_for(f"articles/{article}/")
        second.settle()
        result["summary_warm"] = [summary_edit(second, repo, article, 9)]
        result["pss_mb_warm"] = tree_pss_mb(second.process.pid)
    finally:
        second.stop()
    return result


def print_table(rows: list[dict]) -> None:
    fmt = lambda v: "timeout" if v is None else f"{v:.2f}"
    edits = lambda found: ", ".join(f"{fmt(e['shown'])} ({e['builds']})" for e in found)
    print("\n### serve (seconds; MkDocs builds per edit in brackets)\n")
    print("| N | `build` | first page, nothing kept | preview up, nothing kept | first page, second session "
          "| preview up, second session | first page ÷ build (1st, 2nd) | summary edit → page "
          "| description edit → entity page | summary edit, second session | serve's memory (PSS) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|")
    for row in rows:
        s = row["serve"]
        build = row.get("build")
        ratio = lambda v: f"{v / build:.2f}" if build and v else "–"
        print(f"| {row['n']:,} | {fmt(build) if build else '–'} | {fmt(s['cold_first'])} | {fmt(s['cold_start'])} "
              f"| {fmt(s['warm_first'])} | {fmt(s['warm_start'])} | {ratio(s['cold_first'])}, {ratio(s['warm_first'])} "
              f"| {edits(s['summary'])} | {edits(s['description'])} | {edits(s['summary_warm'])} "
              f"| {s['pss_mb']:,.0f} MB, {s['pss_mb_warm']:,.0f} MB |")
    print("\nFirst page: any page answered (the last `build`'s, with its notice, while the preview's first build "
          "runs); preview up: the page as the preview builds it.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--no-build", action="store_true", help="skip the full build the start is compared with")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--edits", type=int, default=2, help="how many times each kind of edit is made in the first session "
                        "(MkDocs' watcher looks every 0.5 s, so one edit's figure can be up to that late)")
    args = parser.parse_args(argv)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="serve-bench-"))
    rows = []
    for n in args.sizes:
        repo = work / f"n{n}"
        shutil.rmtree(repo, ignore_errors=True)
        copy_repo(repo)
        ids = synth.write_dossier(n, repo, seed=args.seed)
        logs = work / f"logs-n{n}"
        logs.mkdir(exist_ok=True)
        row: dict = {"n": n}
        if not args.no_build:
            started = time.perf_counter()
            subprocess.run([sys.executable, "build.py", "build"], cwd=repo, check=True, capture_output=True)
            row["build"] = time.perf_counter() - started
        print(f"[N={n}] serve sessions", file=sys.stderr, flush=True)
        row["serve"] = serve_sessions(repo, ids[len(ids) // 2], logs, args.edits)
        rows.append(row)
        print_table(rows)
        shutil.rmtree(repo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
