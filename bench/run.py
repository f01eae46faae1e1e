#!/usr/bin/env python3
"""Benchmark the dossier build on synthetic dossiers of N articles and print the figures.

    python bench/run.py                         # N = 100, 1000 and 5000
    python bench/run.py --sizes 100 500         # other sizes
    python bench/run.py --sizes 2000 --browser  # also time the first search in headless Chromium
    python bench/run.py --sizes 1000 --serve    # also time `serve` showing an edited article
    python bench/run.py --sizes 1000 --profile  # also cProfile the stages before MkDocs

For every N the repository is copied into a temporary folder (tracked and untracked,
not ignored files: no site/, .build/, dist/, .git), its dossier/articles/ is replaced
by bench/synth.py's N articles, and every stage runs in its own subprocess (so that peak
memory is the stage's own): pipeline.generate as `build.py build` runs it, with its
load+validate, link and render stages timed one by
one; the MkDocs build (sitegen.output.mkdocs_build.build_site, as `build.py build` calls it); the same
two again on the docs/ the first build left (a warm build); `python build.py bundle`;
and a bare `mkdocs build` of the same generated Markdown. The working tree is copied once
per run (a snapshot), so edits made meanwhile do not mix in; --tree reuses a snapshot.
It is a benchmark that prints figures, not a test: nothing here asserts a target. Times
are CPU seconds (the stage's process and the processes it ended) and wall-clock seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from common import copy_repo, tree_pss_mb, tree_state  # noqa: E402

# load+validate includes reading the articles in two halves at once (pipeline.read_in_halves);
# plan is the render stage as `build` runs it (paths only); render+search is what the writer
# process does while MkDocs builds (output/stream.py), timed here on its own.
PRE_STAGES = ("load+validate", "link", "plan", "render+search")
RENDER_PARTS: tuple[str, ...] = ()  # parts of render timed on their own (none at present)
SEARCH_QUERY = "الكاظمي"


# ---------------------------------------------------------------- running a measured subprocess

def measured(cmd: list[str], cwd: Path, log: Path, env: dict | None = None, timeout: float = 7200,
             tree_memory: bool = False) -> dict:
    """Run cmd; return its wall time, exit code and peak resident memory (the largest of the process
    and the processes it waited for, via wait4); with tree_memory, also the peak of the memory of
    the process and all its descendants together (PSS, sampled every 0.1 s from /proc)."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = start + timeout
        tree_peak, sampled = 0.0, 0.0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            if tree_memory and time.perf_counter() - sampled >= 0.1 and os.path.isdir("/proc"):
                sampled = time.perf_counter()
                tree_peak = max(tree_peak, tree_pss_mb(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    result = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rc": process.returncode,
              "maxrss_mb": usage.ru_maxrss / 1024,
              "log": log.read_text(encoding="utf-8", errors="replace")}
    if tree_memory:
        result["tree_pss_mb"] = tree_peak
    return result


def stage_cmd(stage: str, repo: Path, data: Path, profile: Path | None = None) -> list[str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, "--repo", str(repo), "--data", str(data)]
    return cmd + (["--profile-out", str(profile)] if profile else [])


# ---------------------------------------------------------------- the stages (in their own process)

def cpu_now() -> float:
    """Processor time of this process (all threads) and of its children that have ended (e.g. the card workers)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def run_stage(args) -> int:
    import resource

    repo = Path(args.repo).resolve()
    sys.path.insert(0, str(repo))
    profiler = None
    if args.profile_out:
        import cProfile

        profiler = cProfile.Profile()
    result: dict = {}
    if args.stage == "generate":
        # pipeline.generate as `build.py build` runs it; on_stage reports each stage's wall time,
        # and the CPU time is read around each stage the same way.
        from sitegen import pipeline
        from sitegen.output import offer
        from sitegen.project import Project

        project = Project.at(repo)
        marks = {"cpu": cpu_now()}
        names = {"load": "load+validate", "validate": "load+validate", "link": "link", "render": "plan",
                 "writer": "render+search"}

        def on_stage(name: str, seconds: float) -> None:
            label = names[name]
            result[label] = result.get(label, 0.0) + seconds
            now = cpu_now()
            result[label + " cpu"] = result.get(label + " cpu", 0.0) + now - marks["cpu"]
            marks["cpu"] = now

        download, _ = offer.offered_bundle(project)
        start, cpu = time.perf_counter(), cpu_now()
        marks["cpu"] = cpu
        if profiler:
            profiler.enable()
        outcome = pipeline.generate(project, include_drafts=False, download=download, on_stage=on_stage, parallel=True)
        result["generate"], result["generate cpu"] = time.perf_counter() - start, cpu_now() - cpu
        generated, problems = outcome.generated, outcome.problems
        if problems or generated is None:
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1
        # What `build` has the writer process do while MkDocs builds: render every planned page,
        # then the search index.
        marks["cpu"], started = cpu_now(), time.perf_counter()
        pages = generated.pages.materialize()
        on_stage("writer", time.perf_counter() - started)
        if profiler:
            profiler.disable()
        for name in PRE_STAGES + RENDER_PARTS:
            result.setdefault(name, 0.0)
            result.setdefault(name + " cpu", 0.0)
        nav = generated.nav
        def size(content) -> int:
            """Bytes of a generated file: text, bytes, or a path to a file that is copied as it is."""
            if isinstance(content, str):
                return len(content.encode("utf-8"))
            if isinstance(content, (bytes, bytearray)):
                return len(content)
            try:
                return Path(content).stat().st_size
            except (TypeError, OSError):
                return 0
        result.update(articles=len(generated.dossier.articles), pages=len(pages),
                      markdown_bytes=sum(size(t) for p, t in pages.items() if p.endswith(".md")),
                      generated_bytes=sum(size(t) for t in pages.values()),
                      largest_markdown=max(((size(t), p) for p, t in pages.items() if p.endswith(".md")),
                                           default=(0, "")))
        with open(args.data, "wb") as out:
            pickle.dump({"pages": pages, "nav": nav, "cards": generated.cards}, out, protocol=pickle.HIGHEST_PROTOCOL)
    elif args.stage == "mkdocs":
        from sitegen.output import mkdocs_build
        from sitegen.project import Project

        with open(args.data, "rb") as data_file:
            data = pickle.load(data_file)
        mkdocs_build.quiet_mkdocs_logging(False)
        start, cpu = time.perf_counter(), cpu_now()
        if profiler:
            profiler.enable()
        stats: dict = {}
        mkdocs_build.build_site(Project.at(repo), data["pages"], data["nav"], cards=data["cards"], stats=stats)
        if profiler:
            profiler.disable()
        result["mkdocs"] = time.perf_counter() - start
        result["mkdocs cpu"] = cpu_now() - cpu  # with the cards drawn alongside, in other processes
        result.update(stats)
    else:
        raise SystemExit(f"unknown stage {args.stage}")
    if profiler:
        profiler.dump_stats(args.profile_out)
    result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH-RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


def stage_result(run: dict) -> dict:
    for line in run["log"].splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    raise RuntimeError("stage failed (exit %s):\n%s" % (run["rc"], run["log"][-4000:]))


# ---------------------------------------------------------------- sizes of the built site

class _Spans(HTMLParser):
    """Byte spans of the parts of a Material page (header, primary nav, toc, content, footer...)."""

    PARTS = (("md-header", "header"), ("md-nav--primary", "navigation"), ("md-sidebar--secondary", "table of contents"),
             ("md-content", "content"), ("md-footer", "footer"))

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.line_starts = [0]
        for match in re.finditer("\n", text):
            self.line_starts.append(match.end())
        self.text = text
        self.stack: list[tuple[str, str | None, int]] = []
        self.spans: dict[str, int] = {}
        self.feed(text)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        part = None
        if not any(p for _, p, _ in self.stack if p):  # outermost part only
            part = next((name for cls, name in self.PARTS if cls in classes.split()), None)
            if tag in ("script", "svg"):
                part = tag
        if tag in ("meta", "link", "input", "img", "br", "hr", "path", "source"):
            if part:
                self.spans[part] = self.spans.get(part, 0) + len(self.get_starttag_text().encode())
            return
        self.stack.append((tag, part, self._offset()))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                _, part, start = self.stack[index]
                del self.stack[index:]
                if part:
                    end = self._offset() + len(f"</{tag}>")
                    self.spans[part] = self.spans.get(part, 0) + len(self.text[start:end].encode())
                return


def page_kind(path: str) -> str:
    if path == "index.html":
        return "home"
    top = path.split("/", 1)[0]
    if top == "entities":
        return "entities index" if path == "entities/index.html" else "entity"
    return {"articles": "article", "themes": "theme", "timeline": "timeline"}.get(top, "other")


def site_sizes(site: Path) -> dict:
    total, pages = 0, []
    for path in site.rglob("*"):
        if path.is_file():
            size = path.stat().st_size
            total += size
            if path.suffix == ".html":
                pages.append((size, path.relative_to(site).as_posix()))
    pages.sort(reverse=True)
    kinds: dict[str, list[tuple[int, str]]] = {}
    for size, path in pages:
        kinds.setdefault(page_kind(path), []).append((size, path))
    search_files = [p for p in (site / "search").rglob("*.js")] if (site / "search").is_dir() else []
    manifest = site / "search" / "manifest.js"
    manifest_text = manifest.read_text(encoding="utf-8") if manifest.is_file() else ""
    result = {
        "site_bytes": total, "html_pages": len(pages),
        "largest": pages[0] if pages else (0, ""),
        "kinds": {kind: {"count": len(items), "max": items[0], "median": statistics.median(s for s, _ in items)}
                  for kind, items in kinds.items()},
        # the search files (sitegen/search/): all of them, and the largest shard and chunk
        "search_index_bytes": sum(p.stat().st_size for p in search_files),
        "search_files": len(search_files),
        "search_docs": json.loads(manifest_text[manifest_text.index(",") + 1:manifest_text.rindex(");")])["documents"]
        if manifest_text else 0,
        "search_other": {f"largest {folder[:-1]}": max((p.stat().st_size for p in (site / "search" / folder).glob("*.js")),
                                                       default=0) for folder in ("shards", "docs")},
    }
    if "article" in kinds:
        text = (site / kinds["article"][0][1]).read_text(encoding="utf-8")
        result["largest_article_parts"] = _Spans(text).spans
        result["largest_article_nav_links"] = text.count("md-nav__link")
    return result


# ---------------------------------------------------------------- browser and serve

_RESULT_OBSERVER = """
const q = arguments[0];
window.__bench = {typed: performance.now(), first: null, full: null};
new MutationObserver(() => {
  const items = document.querySelectorAll('.md-search-result__item').length;
  const shown = document.querySelector('[data-dossier-search]').getAttribute('data-shown');
  if (items && window.__bench.first === null) window.__bench.first = performance.now();
  if (shown === q && window.__bench.full === null) window.__bench.full = performance.now();
}).observe(document.body, {childList: true, subtree: true, attributes: true});
"""


def first_search(site: Path, query: str = SEARCH_QUERY, runs: int = 3) -> list[dict]:
    """Load the home page in headless Chromium, type a query at once, time the first answer.

    All times are milliseconds since the navigation started (performance.now()).
    """
    sys.path.insert(0, str(REPO / "tests"))
    from browser import chromium, search_box, served

    results = []
    with served(site) as base, chromium() as driver:
        for run in range(runs):
            driver.get(base)  # returns after the load event
            driver.execute_script(_RESULT_OBSERVER, query)
            box = search_box(driver)
            box.send_keys(query)
            deadline = time.monotonic() + 180
            state = None
            while time.monotonic() < deadline:
                state = driver.execute_script(
                    "const t = performance.timing; return Object.assign({}, window.__bench, "
                    "{load: t.loadEventEnd - t.navigationStart});")
                if state["full"] is not None:
                    break
                time.sleep(0.02)
            results.append({"run": run + 1, **{k: state.get(k) for k in ("load", "typed", "first", "full")}})
    return results


# ---------------------------------------------------------------- the whole build against a bare MkDocs build

def _clean_outputs(repo: Path) -> None:
    """What a build leaves (site/, .build/, docs/' generated folders): a cold build starts without them."""
    sys.path.insert(0, str(repo))
    from sitegen.output.writer import GENERATED_DIRS

    for folder in ("site", ".build", *(f"docs/{name}" for name in GENERATED_DIRS)):
        shutil.rmtree(repo / folder, ignore_errors=True)


def _nav_config(repo: Path) -> Path:
    """A configuration that is mkdocs.yml plus the navigation `build.py build` sets (MkDocs' INHERIT)."""
    import yaml

    sys.path.insert(0, str(repo))
    from sitegen import pipeline
    from sitegen.project import Project
    from sitegen.stages import render

    project = Project.at(repo)
    themes = pipeline.check(project, include_drafts=False).dossier.themes
    path = repo / "mkdocs-bench-nav.yml"
    path.write_text("INHERIT: mkdocs.yml\n" + yaml.safe_dump({"nav": render.navigation(themes, project.templates_dir)},
                                                             allow_unicode=True), encoding="utf-8")
    return path


def build_versus_bare(repo: Path, work: Path, n: int, logs: Path, rounds: int, say) -> dict:
    """`python build.py build` from a clean state (no site/, .build/ or generated docs/), then
    `mkdocs build` of the Markdown it generated into a new folder: with mkdocs.yml as it is
    (MkDocs' automatic navigation) and with the navigation `build` sets (the same site), in
    turn, rounds times (this machine's timings drift: the best and the median of each)."""
    runs: dict[str, list[dict]] = {"build": [], "bare": [], "bare_nav": []}
    nav_config = None
    bare_site = work / f"bare-site-n{n}"

    def build_round(number: int) -> None:
        _clean_outputs(repo)
        run = measured([sys.executable, "build.py", "build"], repo, logs / f"build-{number}.log", tree_memory=True)
        if run["rc"] != 0:
            raise RuntimeError(f"build.py build failed:\n{run['log'][-3000:]}")
        runs["build"].append(run)

    def bare_round(number: int, name: str, config: str) -> None:
        shutil.rmtree(bare_site, ignore_errors=True)
        bare = measured([sys.executable, "-m", "mkdocs", "build", "-q", "-f", config, "-d", str(bare_site)],
                        repo, logs / f"{name}-{number}.log")
        if number == 1 and name == "bare" and bare["rc"] == 0:
            sizes = site_sizes(bare_site)
            bare.update(site_bytes=sizes["site_bytes"], largest=sizes["largest"],
                        article_max=sizes["kinds"].get("article", {}).get("max"),
                        nav_links=sizes.get("largest_article_nav_links"))
        runs[name].append(bare)

    for number in range(1, rounds + 1):
        say(f"whole build against bare mkdocs builds, round {number} of {rounds}")
        # On this machine the first command of a pair ran 5-10% slower, whichever it was (bench/README):
        # odd rounds build first, even rounds last, on the Markdown the round before generated (deterministic).
        if number % 2:
            build_round(number)
        nav_config = nav_config or _nav_config(repo)
        bares = (("bare", "mkdocs.yml"), ("bare_nav", nav_config.name))
        for name, config in (bares if number % 2 else reversed(bares)):
            bare_round(number, name, config)
        if not number % 2:
            build_round(number)
    shutil.rmtree(bare_site, ignore_errors=True)
    summary: dict = {}
    for name, items in runs.items():
        walls = [r["wall"] for r in items if r["rc"] == 0]
        summary[name] = {"best": min(walls) if walls else None, "median": statistics.median(walls) if walls else None,
                         "walls": [r["wall"] for r in items], "cpu_best": min(r["cpu"] for r in items),
                         "maxrss_mb": max(r["maxrss_mb"] for r in items), "failed": sum(r["rc"] != 0 for r in items)}
    summary["build"]["tree_pss_mb"] = max(r.get("tree_pss_mb", 0.0) for r in runs["build"])
    first = runs["bare"][0]
    summary["bare_first"] = {"wall": first["wall"], "cpu": first["cpu"], "rc": first["rc"],
                             "maxrss_mb": first["maxrss_mb"], "nav": "automatic nav (mkdocs.yml as it is)",
                             "why": (first["log"].strip().splitlines() or [""])[-1][:200],
                             **{k: first[k] for k in ("site_bytes", "largest", "article_max", "nav_links") if k in first}}
    return summary


# ---------------------------------------------------------------- one size

def bench_size(n: int, args, work: Path, tree: Path) -> dict:
    repo = work / f"n{n}"
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(tree, repo)
    started = time.perf_counter()
    ids = synth.write_dossier(n, repo, seed=args.seed, source=tree)
    result: dict = {"n": n, "synth_s": time.perf_counter() - started, "load_before": os.getloadavg()[0]}
    logs = work / f"logs-n{n}"
    logs.mkdir(exist_ok=True)
    data = work / f"pages-n{n}.pickle"
    say = lambda message: print(f"[N={n}] {message}", file=sys.stderr, flush=True)

    def profile(state: str) -> None:
        """cProfile the stages before MkDocs (and with --profile-mkdocs the MkDocs build) in this state."""
        if not args.profile:
            return
        OUT.mkdir(exist_ok=True)
        stages = ("generate",) + (("mkdocs",) if args.profile_mkdocs else ())
        for stage in stages:
            say(f"cProfile of {stage} ({state})")
            prof = OUT / f"profile-{stage}-{state}-n{n}.prof"
            # the MkDocs stage swaps docs/ in: profile it on a throwaway copy so the state stays as it was
            where = repo
            if stage == "mkdocs":
                where = work / f"profile-copy-n{n}"
                shutil.rmtree(where, ignore_errors=True)
                shutil.copytree(repo, where, ignore=shutil.ignore_patterns(".build", "site", "dist"))
            stage_result(measured(stage_cmd(stage, where, data, prof), where, logs / f"profile-{stage}-{state}.log"))
            if where != repo:
                shutil.rmtree(where, ignore_errors=True)
            result.setdefault("profiles", {})[f"{stage} ({state})"] = str(prof)

    say("load, validate, link, render")
    generate = measured(stage_cmd("generate", repo, data), repo, logs / "generate.log")
    result["generate"] = stage_result(generate)
    result["generate"]["process_maxrss_mb"] = generate["maxrss_mb"]
    profile("cold")

    say("MkDocs build (sitegen.output.mkdocs_build.build_site)")
    build = measured(stage_cmd("mkdocs", repo, data), repo, logs / "mkdocs.log")
    result["mkdocs"] = stage_result(build)
    result["sizes"] = site_sizes(repo / "site")

    if not args.no_warm:
        say("warm rebuild: the same dossier again, with the last build's docs/ in place")
        warm = {}
        run = measured(stage_cmd("generate", repo, data), repo, logs / "generate-warm.log")
        warm["generate"] = stage_result(run)
        profile("warm")
        run = measured(stage_cmd("mkdocs", repo, data), repo, logs / "mkdocs-warm.log")
        warm["mkdocs"] = stage_result(run)
        result["warm"] = warm

    if not args.no_bundle:
        say("bundle (python build.py bundle)")
        bundle = measured([sys.executable, "build.py", "bundle"], repo, logs / "bundle.log")
        result["bundle"] = {"wall": bundle["wall"], "cpu": bundle["cpu"], "rc": bundle["rc"], "maxrss_mb": bundle["maxrss_mb"],
                            "why": (bundle["log"].strip().splitlines() or [""])[-1][:200]}
        dist = repo / "dist"
        if bundle["rc"] == 0 and dist.is_dir():
            result["bundle"]["bytes"] = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())

    if not args.no_bare:
        result["versus"] = build_versus_bare(repo, work, n, logs, args.rounds, say)
        result["bare"] = result["versus"]["bare_first"]

    if args.browser:
        say("first search in headless Chromium")
        result["browser"] = first_search(repo / "site")

    if args.serve:
        say("serve: two sessions, edits in each (bench/serve_loop.py)")
        from serve_loop import serve_sessions  # it imports this module's helpers

        result["serve"] = serve_sessions(repo, ids[len(ids) // 2], logs)

    result["load_after"] = os.getloadavg()[0]
    data.unlink(missing_ok=True)
    if not args.keep:
        shutil.rmtree(repo, ignore_errors=True)
        shutil.rmtree(logs, ignore_errors=True)
    return result


# ---------------------------------------------------------------- the tables

OUT = HERE / "out"


def kb(size: float) -> str:
    return f"{size / 1024:,.1f} KB"


def mb(size: float) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def print_tables(results: list[dict]) -> None:
    print("\n### Time: CPU seconds (wall-clock seconds)\n")
    parts = "".join(f" | of which {part}" for part in RENDER_PARTS)
    print(f"| N | build | load+validate | link | plan{parts} | render+search (writer) | generate as `build` runs it "
          "| MkDocs build | cards drawn alongside | stages one after another | before MkDocs share | ms per article | bundle "
          "| bare `mkdocs build` | load average |")
    print("|---:|---|" + "---:|" * (12 + len(RENDER_PARTS)) + "---:|")
    both = lambda cpu, wall: f"{cpu:.2f} ({wall:.2f})"
    for r in results:
        rounds = [("cold", r["generate"], r["mkdocs"])]
        if r.get("warm"):
            rounds.append(("warm", r["warm"]["generate"], r["warm"]["mkdocs"]))
        for label, g, m in rounds:
            n = r["n"]
            pre, pre_cpu = g["generate"], g["generate cpu"]  # pipeline.generate as `build` runs it (pages planned)
            cards_cpu = m.get("cards_cpu", 0.0)
            mkdocs_cpu = m["mkdocs cpu"] - cards_cpu  # MkDocs' own share of the site stage
            writer, writer_cpu = g.get("render+search", 0.0), g.get("render+search cpu", 0.0)
            whole, whole_cpu = pre + writer + m["mkdocs"], pre_cpu + writer_cpu + m["mkdocs cpu"]
            cards = (f"{m.get('cards_drawn', 0):,} of {m.get('cards', 0):,}: {cards_cpu:.2f} CPU, "
                     f"{m.get('cards_waited', 0.0):.2f} s waited after MkDocs")
            bundle, bare = (r.get("bundle"), r.get("bare")) if label == "cold" else (None, None)
            bundle_text = "–" if bundle is None else both(bundle["cpu"], bundle["wall"]) if bundle["rc"] == 0 else "n/a"
            bare_text = "–" if bare is None else f"{both(bare['cpu'], bare['wall'])}, {bare['nav']}" \
                if bare["rc"] == 0 else f"n/a ({bare['nav']}, failed)"
            print(f"| {n:,} | {label} | " + " | ".join(both(g[s + " cpu"], g[s]) for s in PRE_STAGES + RENDER_PARTS)
                  + f" | {both(pre_cpu, pre)} | {both(mkdocs_cpu, m['mkdocs'])} | {cards} | {both(whole_cpu, whole)} "
                  f"| {100 * pre / whole:.1f}% of wall ({100 * pre_cpu / (pre_cpu + mkdocs_cpu):.1f}% of CPU without cards) "
                  f"| {1000 * whole_cpu / n:.1f} ({1000 * whole / n:.1f}) | {bundle_text} | {bare_text} "
                  f"| {r['load_before']:.1f} → {r['load_after']:.1f} |")
    print("\nEach stage in its own process, one after another (not how `build` runs them: see the next table). "
          "'generate as `build` runs it' is pipeline.generate(parallel=True): the articles read in two halves at once, "
          "the pages only planned. 'render+search (writer)' is rendering every planned page and cutting the search "
          "index, which `build` has a second process do while MkDocs builds. "
          "'MkDocs build' is the site stage (sitegen.output.mkdocs_build.build_site): its wall time, and the CPU time of MkDocs "
          "alone; the link-preview cards are drawn in other processes during it (their CPU time is in 'cards' "
          "and in 'stages one after another', and 'waited' is how long the stage waited for them after MkDocs finished). "
          "A cold build starts from a fresh copy (as CI does); a warm one runs again on the docs/ the cold one left. "
          "CPU time is the processor time of the stage's process, its threads and the processes it started and ended "
          "(less disturbed by other work on the machine than wall-clock time); bundle and bare build times include "
          "starting Python and importing MkDocs.")

    versus = [r for r in results if r.get("versus")]
    if versus:
        print("\n### The whole build against a bare `mkdocs build` (wall seconds, best and median of the rounds)\n")
        print("| N | rounds | `build.py build` | bare, mkdocs.yml as it is | ratio | bare, with `build`'s navigation "
              "| ratio | peak memory of the build (all its processes, PSS) | largest process |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        ratio = lambda a, b: f"{a / b:.3f}×" if a and b else "–"
        for r in versus:
            v = r["versus"]
            b, bare, nav = v["build"], v["bare"], v["bare_nav"]
            cell = lambda x: f"{x['best']:.2f} / {x['median']:.2f}" if x["best"] else "failed"
            print(f"| {r['n']:,} | {len(b['walls'])} | {cell(b)} | {cell(bare)} "
                  f"| {ratio(b['best'], bare['best'])} / {ratio(b['median'], bare['median'])} | {cell(nav)} "
                  f"| {ratio(b['best'], nav['best'])} / {ratio(b['median'], nav['median'])} "
                  f"| {b['tree_pss_mb']:.0f} MB | {b['maxrss_mb']:.0f} MB |")
        print("\nEach round: `python build.py build` from a clean copy (no site/, .build/ or generated docs/), then "
              "`python -m mkdocs build` of the Markdown it generated, into a new folder, with mkdocs.yml as it is "
              "(MkDocs' automatic navigation; the comparison the issue's 1.17× was measured with) and with the "
              "navigation `build` sets (the same site, byte for byte), in turn: the build first in odd rounds, last in even ones. Every time includes starting Python. "
              "Ratios: of the best times / of the medians. Memory: the build's processes together (MkDocs, and the "
              "writer while it works), sampled.")
        for r in versus:
            print(f"N={r['n']:,} walls: build {', '.join(f'{w:.2f}' for w in r['versus']['build']['walls'])}; "
                  f"bare {', '.join(f'{w:.2f}' for w in r['versus']['bare']['walls'])}; "
                  f"bare with the navigation {', '.join(f'{w:.2f}' for w in r['versus']['bare_nav']['walls'])}; "
                  f"build ÷ bare by round {', '.join(f'{b / a:.3f}' for b, a in zip(r['versus']['build']['walls'], r['versus']['bare']['walls']))}")

    print("\n### Memory and size\n")
    print("| N | peak RSS generate | peak RSS MkDocs | peak RSS bare | generated Markdown | site/ | HTML pages "
          "| largest page | largest article page | search index | index docs | largest search files |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for r in results:
        s, g = r["sizes"], r["generate"]
        bare = r.get("bare")
        bare_mem = f"{bare['maxrss_mb']:.0f} MB" if bare else "skipped"
        article = s["kinds"].get("article", {}).get("max", (0, ""))
        print(f"| {r['n']:,} | {g['maxrss_mb']:.0f} MB | {r['mkdocs']['maxrss_mb']:.0f} MB | {bare_mem} "
              f"| {mb(g['markdown_bytes'])} | {mb(s['site_bytes'])} | {s['html_pages']:,} "
              f"| {s['largest'][1]} ({kb(s['largest'][0])}) | {kb(article[0])} "
              f"| {mb(s['search_index_bytes'])} ({s['search_files']:,} files) | {s['search_docs']:,} "
              f"| {', '.join(f'{name} {kb(size)}' for name, size in s.get('search_other', {}).items()) or '–'} |")

    kinds = ["home", "timeline", "theme", "entities index", "entity", "article", "other"]
    print("\n### Largest HTML page of each kind (KB; median in brackets)\n")
    print("| N | " + " | ".join(kinds) + " |")
    print("|---:|" + "---:|" * len(kinds))
    for r in results:
        cells = []
        for kind in kinds:
            k = r["sizes"]["kinds"].get(kind)
            cells.append("–" if not k else f"{k['max'][0] / 1024:,.1f} ({k['median'] / 1024:,.1f})")
        print(f"| {r['n']:,} | " + " | ".join(cells) + " |")

    print("\n### What the largest article page is made of (KB)\n")
    parts = ["header", "navigation", "table of contents", "content", "footer", "script", "svg"]
    print("| N | page | total | " + " | ".join(parts) + " | rest | nav links |")
    print("|---:|---|---:|" + "---:|" * (len(parts) + 2))
    for r in results:
        s = r["sizes"]
        spans = s.get("largest_article_parts", {})
        size, path = s["kinds"].get("article", {}).get("max", (0, ""))
        rest = size - sum(spans.values())
        print(f"| {r['n']:,} | {path} | {size / 1024:,.1f} | "
              + " | ".join(f"{spans.get(p, 0) / 1024:,.1f}" for p in parts)
              + f" | {rest / 1024:,.1f} | {s.get('largest_article_nav_links', 0)} |")

    bares = [r for r in results if r.get("bare") and r["bare"]["rc"] == 0]
    if bares:
        print("\n### Bare `mkdocs build` of the same Markdown\n")
        print("| N | nav | CPU s (wall s) | peak RSS | site/ | largest page | largest article page | nav links in it |")
        print("|---:|---|---:|---:|---:|---|---:|---:|")
        for r in bares:
            b = r["bare"]
            article = b.get("article_max") or (0, "")
            print(f"| {r['n']:,} | {b['nav']} | {b['cpu']:.2f} ({b['wall']:.2f}) | {b['maxrss_mb']:.0f} MB | {mb(b['site_bytes'])} "
                  f"| {b['largest'][1]} ({kb(b['largest'][0])}) | {kb(article[0])} | {b.get('nav_links')} |")
    for r in results:
        for name in ("bundle", "bare"):
            if r.get(name) and r[name]["rc"] != 0:
                print(f"\nN={r['n']:,}: {name} failed (exit {r[name]['rc']}): {r[name]['why']}")

    browsers = [r for r in results if r.get("browser")]
    if browsers:
        print("\n### First search in headless Chromium (ms since navigation start; query "
              f"{SEARCH_QUERY!r} typed right after the load event)\n")
        print("| N | run | load event | typed | first result shown | full query answered | typed → answered |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        fmt = lambda v: "–" if v is None else f"{v:,.0f}"
        for r in browsers:
            for b in r["browser"]:
                took = None if b["full"] is None else b["full"] - b["typed"]
                print(f"| {r['n']:,} | {b['run']} | {fmt(b['load'])} | {fmt(b['typed'])} "
                      f"| {fmt(b['first'])} | {fmt(b['full'])} | {fmt(took)} |")
    serves = [r for r in results if r.get("serve")]
    if serves:
        from serve_loop import print_table

        print_table([{"n": r["n"], "serve": r["serve"], "build": None} for r in serves])

    for r in results:
        for stage, prof in r.get("profiles", {}).items():
            print(f"\n### cProfile, {stage} stage, N={r['n']:,} (top 20 by own time; {prof})\n")
            print("```")
            print(profile_summary(prof))
            print("```")


def profile_summary(path: str, limit: int = 20) -> str:
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(path, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    text = out.getvalue()
    return text[text.find("ncalls") if "ncalls" in text else 0:].rstrip()


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000], metavar="N")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--browser", action="store_true", help="time the first search in headless Chromium")
    parser.add_argument("--serve", action="store_true", help="time `serve` showing an edited article")
    parser.add_argument("--profile", action="store_true",
                        help="also run the stages before MkDocs under cProfile (bench/out/*.prof)")
    parser.add_argument("--profile-mkdocs", action="store_true", help="with --profile, profile the MkDocs stage too")
    parser.add_argument("--no-warm", action="store_true",
                        help="skip the second (warm) build, which reuses what the first left in docs/")
    parser.add_argument("--no-bundle", action="store_true", help="skip `python build.py bundle`")
    parser.add_argument("--no-bare", action="store_true",
                        help="skip the whole build against bare `mkdocs build`s")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of the whole build against the bare builds (default 3)")
    parser.add_argument("--workdir", type=Path, help="where the copies are made (default: a new temporary folder)")
    parser.add_argument("--tree", type=Path,
                        help="copy this snapshot (a --keep run's <workdir>/tree) instead of the working tree, "
                             "so that several runs measure the same code")
    parser.add_argument("--keep", action="store_true", help="keep the copies, their sites and logs")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON")
    # internal: one measured stage, in its own process
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--repo", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        return run_stage(args)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    # one snapshot of the working tree for every N, so that edits made meanwhile do not mix in
    if args.tree:
        snapshot = args.tree.resolve()
        state_file = snapshot / ".bench-tree-state"
        tree = state_file.read_text().strip() if state_file.is_file() else f"snapshot {snapshot}"
    else:
        tree = tree_state()
        snapshot = work / "tree"
        shutil.rmtree(snapshot, ignore_errors=True)
        snapshot.mkdir(parents=True)
        copy_repo(snapshot)
        (snapshot / ".bench-tree-state").write_text(tree + "\n")
    try:
        for n in args.sizes:
            results.append(bench_size(n, args, work, snapshot))
            if args.json:
                args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    finally:
        if results:
            print(f"\n## Dossier build benchmark ({os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
                  f"seed {args.seed}; {tree}")
            print_tables(results)
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            print(f"\ncopies kept in {work}", file=sys.stderr)
    return 0 if len(results) == len(args.sizes) else 1


if __name__ == "__main__":
    sys.exit(main())
