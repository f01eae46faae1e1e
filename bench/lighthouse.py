#!/usr/bin/env python3
"""Lighthouse (mobile, default simulated throttling) on the home page, a theme page and an
article page, at the shipped dossier and at synthetic dossiers of N articles.

    python bench/lighthouse.py                          # the shipped five articles and N = 3000
    python bench/lighthouse.py --sizes 0 1000           # 0: the shipped dossier
    python bench/lighthouse.py --workdir W --reuse      # measure sites an earlier run built in W
    python bench/lighthouse.py --keep-alive             # served over HTTP/1.1 with keep-alive

Each site is served by bench/search_weight.py's gzip-compressing local server; Lighthouse
(tools/node, `npm ci --prefix tools/node`) drives Debian's chromium. Every page is measured
`--runs` times (default 3) and the median performance score is shown with that run's
cumulative layout shift, largest contentful paint, total blocking time and transferred
bytes, the load average when each run started (the machine's, as `uptime` shows it), the
LCP element and the render-blocking resources Lighthouse names. A benchmark that prints figures, not a test.

Lighthouse's simulated LCP (Lantern) is built from every request that had finished, and every
script that had run, before the LCP it observed in the real, unthrottled load; in headless
Chromium that observed paint is sometimes held back by a whole second or two after the page was
ready (GoogleChrome/lighthouse#17148: viz withholds BeginFrames from a client it takes for
unresponsive), and then every request of the page falls inside the simulated LCP. So each run
also records the observed FCP and LCP and the requests (and their bytes) that finished before
the observed LCP: the network part of the graph Lantern simulates.

The server: bench/search_weight.py's gzip server, HTTP/1.0 with a new connection per request
(the first figures in bench/README.md), or with --keep-alive HTTP/1.1 with persistent connections,
as static hosts serve (Lantern takes each request's connection, new or reused, from the trace).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from search_weight import built_copy, gzip_served  # noqa: E402

LIGHTHOUSE = REPO / "tools" / "node" / "node_modules" / "lighthouse" / "cli" / "index.js"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking"


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run of url (its JSON report written to out), reduced to the figures shown."""
    from browser import find_chromium

    browser, _ = find_chromium(whole_browser=True)
    load = os.getloadavg()[0]
    result = subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json", f"--output-path={out}",
         f"--chrome-flags={FLAGS}", "--quiet", "--max-wait-for-load=60000"],
        capture_output=True, text=True, timeout=600, env=dict(os.environ, CHROME_PATH=browser))
    if result.returncode:
        raise SystemExit(f"lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(out.read_text(encoding="utf-8"))
    audits = report["audits"]
    return {"load": load,  # simulated throttling scales the CPU time it observes: a loaded machine inflates it
            "score": round(report["categories"]["performance"]["score"] * 100),
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "bytes": audits["total-byte-weight"]["numericValue"],
            "blocking": [item["url"].rsplit("/", 1)[-1] for item in
                         (audits["render-blocking-resources"].get("details") or {}).get("items", [])],
            "lcp_element": _lcp_element(audits),
            **_observed(audits)}


def _observed(audits: dict) -> dict:
    """The observed (unthrottled) FCP and LCP, and the requests that finished before that LCP:
    the network nodes of Lantern's LCP graphs (both keep every request that ended before it)."""
    metrics = audits["metrics"]["details"]["items"][0]
    lcp = metrics["observedLargestContentfulPaint"]
    before = [(item["url"].split("?")[0].rsplit("/", 1)[-1] or "(page)", item.get("transferSize") or 0)
              for item in audits["network-requests"]["details"]["items"]
              if item.get("finished") and not item["url"].startswith("data:") and item["networkEndTime"] <= lcp]
    return {"obs_fcp_ms": metrics["observedFirstContentfulPaint"], "obs_lcp_ms": lcp,
            "fcp_ms": audits["first-contentful-paint"]["numericValue"],
            "before_lcp": before, "before_lcp_bytes": sum(size for _, size in before)}


def _lcp_element(audits: dict) -> str:
    """The LCP element's selector, as Lighthouse names it (the first node of its details' tables)."""
    for table in (audits.get("largest-contentful-paint-element", {}).get("details") or {}).get("items", []):
        for row in table.get("items", []) if table.get("type") == "table" else ():
            if "node" in row:
                return row["node"].get("selector", "?")
    return "?"


def site_for(n: int, work: Path, seed: int, reuse: bool) -> tuple[Path, str, str]:
    """(site, an article id, a theme id) for the shipped dossier (n = 0) or n synthetic articles."""
    repo, _ = built_copy(n, work, seed, reuse)
    ids = sorted(p.stem for p in (repo / "dossier" / "articles").glob("*.yml"))
    themes = sorted(p.name for p in (repo / "site" / "themes").iterdir() if (p / "index.html").is_file())
    return repo / "site", ids[len(ids) // 2], themes[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 3000], help="0: the shipped dossier")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse", action="store_true", help="with --workdir: measure the sites an earlier run built")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep-alive", action="store_true", help="serve over HTTP/1.1 with persistent connections")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lighthouse-"))
    rows = []
    try:
        for n in args.sizes:
            print(f"N = {n or 'shipped'}: building…", file=sys.stderr, flush=True)
            site, article, theme = site_for(n, work, args.seed, args.reuse)
            articles = len(list((site.parent / "dossier" / "articles").glob("*.yml")))
            with gzip_served(site, keep_alive=args.keep_alive) as base:
                for kind, path in (("home", ""), ("theme", f"themes/{theme}/"), ("article", f"articles/{article}/")):
                    runs = [lighthouse(base + path, work / f"lh-{n}-{kind}-{i}.json") for i in range(args.runs)]
                    median = sorted(runs, key=lambda r: r["score"])[len(runs) // 2]
                    rows.append(dict(median, n=articles, page=kind,
                                     scores=[r["score"] for r in runs], cls_max=max(r["cls"] for r in runs),
                                     loads=[r["load"] for r in runs]))
                    print(f"  {kind}: {[r['score'] for r in runs]}", file=sys.stderr, flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    server = "HTTP/1.1 keep-alive" if args.keep_alive else "HTTP/1.0, a connection per request"
    print(f"\n### Lighthouse, mobile, simulated throttling (median of {args.runs} runs; server {server})\n")
    print("| articles | page | performance (all runs) | CLS (largest of the runs) | LCP | TBT | bytes transferred "
          "| load average (1 min) at each run |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['n']:,} | {r['page']} | {r['score']} ({', '.join(map(str, r['scores']))}) "
              f"| {r['cls']:.3f} ({r['cls_max']:.3f}) | {r['lcp_ms'] / 1000:.2f} s | {r['tbt_ms']:.0f} ms "
              f"| {r['bytes'] / 1024:,.1f} KB | {', '.join(f'{x:.1f}' for x in r['loads'])} |")
    print("\nLCP element and render-blocking resources (the median run):\n")
    for r in rows:
        print(f"- {r['n']:,} {r['page']}: {r['lcp_element']}; blocking: {', '.join(r['blocking']) or 'none'}; "
              f"observed FCP {r['obs_fcp_ms']:.0f} ms, LCP {r['obs_lcp_ms']:.0f} ms; finished before it: "
              + ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in r["before_lcp"]))
    print(f"\n(statistics: median score {statistics.median(r['score'] for r in rows)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
