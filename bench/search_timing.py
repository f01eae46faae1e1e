#!/usr/bin/env python3
"""Search timings in headless Chromium on an already built site (for example the site a
`bench/run.py --keep` run left in <workdir>/n<N>/site).

    python bench/search_timing.py SITE                 # first search, 3 runs, as bench/run.py times it
    python bench/search_timing.py SITE --typing        # also: typing the query one letter at a time
    python bench/search_timing.py SITE --runs 5 --json out.json

first search: bench/run.py's first_search() (load the home page, type the query at once,
time until the full results show), plus, from the worker's messages, when the page sent
the index to the worker (setup), when the worker was ready, and how long the worker took
to read and load the prebuilt index (prebuilt.ms).

typing: with the index loaded, the query is typed one letter at a time, in two ways:
"wait" waits for each prefix's results before typing the next letter and prints the
time from the keystroke to the results of that prefix (a query answered while a newer one
is waiting is not shown); "fast" types a letter every --gap ms and prints the time from
the last keystroke to the full query's results, and how many queries the worker answered.
It is a benchmark that prints figures, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import run  # noqa: E402  (bench/run.py: first_search)

# Every message the page sends to and receives from the search worker, with its time.
_PROBE = """
window.__msgs = [];
const NativeWorker = window.Worker;
window.Worker = function (...args) {
  const worker = new NativeWorker(...args);
  const post = worker.postMessage.bind(worker);
  worker.postMessage = (message, ...rest) => {
    if (message && typeof message.type === "number")
      window.__msgs.push({dir: "out", type: message.type, t: performance.now(),
                          query: message.type === 2 ? message.data : null});
    return post(message, ...rest);
  };
  worker.addEventListener("message", event => {
    const m = event.data;
    if (m && typeof m.type === "number")
      window.__msgs.push({dir: "in", type: m.type, t: performance.now(), prebuilt: m.prebuilt || null,
                          query: m.query === undefined ? null : m.query,
                          items: m.data && m.data.items ? m.data.items.length : null});
  });
  return worker;
};
window.Worker.prototype = NativeWorker.prototype;
"""

_SHOWN = """
const meta = document.querySelector('.md-search-result__meta');
return {value: document.querySelector('input.md-search__input').value,
        meta: meta ? meta.textContent : '', items: document.querySelectorAll('.md-search-result__item').length,
        now: performance.now(), msgs: window.__msgs};
"""


def first_search(site: Path, query: str, runs: int) -> list[dict]:
    """bench/run.py's figures, plus the worker's own (from a second probe in the same page)."""
    from browser import chromium, search_box, served

    results = run.first_search(site, query=query, runs=runs)
    # The worker's side: the same navigation again, once per run, reading the RESULT message.
    with served(site) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _PROBE})
        for r in results:
            driver.get(base)
            box = search_box(driver)
            box.send_keys(query)
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                msgs = driver.execute_script("return window.__msgs")
                got = [m for m in msgs if m["dir"] == "in" and m["type"] == 3]
                if got:
                    r["prebuilt"] = got[0]["prebuilt"]
                    break
                time.sleep(0.05)
    return results


def wait_ready(driver, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(m["dir"] == "in" and m["type"] == 1 for m in driver.execute_script("return window.__msgs")):
            return
        time.sleep(0.05)
    raise RuntimeError("the search worker never got ready")


def typing(site: Path, query: str, gap_ms: float, runs: int) -> dict:
    from browser import chromium, search_box, served

    out = {"wait": [], "fast": []}
    with served(site) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _PROBE})
        for _ in range(runs):
            # wait: each prefix's results before the next letter
            driver.get(base)
            wait_ready(driver)
            box = search_box(driver)
            per_prefix = []
            for i, letter in enumerate(query):
                prefix = query[: i + 1]
                start = driver.execute_script("return performance.now()")
                box.send_keys(letter)
                deadline = time.monotonic() + 120
                while True:
                    state = driver.execute_script(_SHOWN)
                    answered = [m for m in state["msgs"] if m["dir"] == "in" and m["type"] == 3 and m["t"] >= start]
                    # results for this prefix: a RESULT after the keystroke with nothing newer sent
                    sent = [m for m in state["msgs"] if m["dir"] == "out" and m["type"] == 2 and m["t"] >= start]
                    done = answered and (answered[-1]["query"] == prefix if answered[-1]["query"] is not None
                                         else len(answered) >= len(sent))
                    if sent and done and state["value"] == prefix:
                        per_prefix.append({"prefix": prefix, "ms": round(answered[-1]["t"] - start),
                                           "items": answered[-1]["items"]})
                        break
                    if time.monotonic() > deadline:
                        per_prefix.append({"prefix": prefix, "ms": None})
                        break
                    time.sleep(0.01)
            out["wait"].append(per_prefix)

            # fast: a letter every gap_ms, then time to the full query's results
            driver.get(base)
            wait_ready(driver)
            box = search_box(driver)
            t0 = driver.execute_script("return performance.now()")
            for letter in query:
                box.send_keys(letter)
                time.sleep(gap_ms / 1000)
            last_key = driver.execute_script("return performance.now()") - gap_ms
            deadline = time.monotonic() + 180
            while True:
                state = driver.execute_script(_SHOWN)
                sent = [m for m in state["msgs"] if m["dir"] == "out" and m["type"] == 2 and m["t"] >= t0]
                answered = [m for m in state["msgs"] if m["dir"] == "in" and m["type"] == 3 and m["t"] >= t0]
                # done: the worker answered the full query (results name their query), or, from a worker
                # that does not say, answered every query sent
                done = answered and (answered[-1]["query"] == query if answered[-1]["query"] is not None
                                     else len(answered) >= len(sent))
                if sent and sent[-1]["query"] == query and done and state["items"]:
                    out["fast"].append({"last_key_to_full_ms": round(answered[-1]["t"] - last_key),
                                        "first_key_to_full_ms": round(answered[-1]["t"] - t0),
                                        "queries_sent": len(sent), "results_received": len(answered)})
                    break
                if time.monotonic() > deadline:
                    out["fast"].append({"last_key_to_full_ms": None, "queries_sent": len(sent),
                                        "results_received": len(answered)})
                    break
                time.sleep(0.01)
    return out


def med(values):
    values = [v for v in values if v is not None]
    return (statistics.median(values), min(values), max(values)) if values else (None, None, None)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default=run.SEARCH_QUERY)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--typing", action="store_true", help="also time typing one letter at a time")
    parser.add_argument("--no-first", action="store_true", help="skip the first-search timing")
    parser.add_argument("--gap", type=float, default=150, help="ms between letters in the fast typing run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    site = args.site.resolve()
    result = {"site": str(site), "load_before": os.getloadavg()[0],
              "sizes": {p.name: p.stat().st_size for p in sorted((site / "search").glob("*")) if p.is_file()}}
    print(f"site {site}; load average {os.getloadavg()[0]:.2f}")
    for name, size in result["sizes"].items():
        print(f"  search/{name}: {size / 1e6:.2f} MB")
    if not args.no_first:
        runs = first_search(site, args.query, args.runs)
        result["first"] = runs
        for r in runs:
            tf = r["full"] - r["typed"] if r["full"] is not None else None
            print(f"  run {r['run']}: load {r['load']:.0f}, setup {r['setup'] or 0:.0f}, ready {r['ready'] or 0:.0f}, "
                  f"typed {r['typed']:.0f}, full {r['full'] or 0:.0f} ms; typed->full {tf if tf is None else round(tf)} ms, "
                  f"load->full {round(r['full'] - r['load']) if r['full'] else None} ms; worker {r.get('prebuilt')}")
        tf = med([r["full"] - r["typed"] for r in runs if r["full"] is not None])
        lf = med([r["full"] - r["load"] for r in runs if r["full"] is not None])
        print(f"first search: typed->full median {tf[0]:.0f} ms (range {tf[1]:.0f}-{tf[2]:.0f}); "
              f"load->full median {lf[0]:.0f} ms (range {lf[1]:.0f}-{lf[2]:.0f})")
    if args.typing:
        typed = typing(site, args.query, args.gap, args.runs)
        result["typing"] = typed
        for i in range(len(args.query)):
            values = [run_[i]["ms"] for run_ in typed["wait"]]
            m = med(values)
            items = typed["wait"][0][i].get("items")
            print(f"  typing, waiting for each prefix: {args.query[:i + 1]!r:>12} median {m[0]} ms "
                  f"(range {m[1]}-{m[2]}), {items} results")
        for r in typed["fast"]:
            print(f"  typing a letter every {args.gap:.0f} ms: {r}")
    result["load_after"] = os.getloadavg()[0]
    print(f"load average after: {result['load_after']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
