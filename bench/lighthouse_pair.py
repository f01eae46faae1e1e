#!/usr/bin/env python3
"""Lighthouse on two builds of the same dossier, run by run in turn: A, B, A, B, ...

    python bench/lighthouse_pair.py BEFORE AFTER --size 0     # workdirs lighthouse.py built
    python bench/lighthouse_pair.py W W --keep-alive after     # one build, the two servers in turn

On a shared machine the load changes from minute to minute and Lighthouse's simulated
throttling scales the CPU time it observes, so two rounds measured one after the other compare
the machine as much as the pages; taken in turn, each page's runs of A and B meet the same
load. BEFORE and AFTER are workdirs where `lighthouse.py --workdir W` (or search_weight.py)
built a site for the size. Prints, for each page, the median run (by score) of each, with the
load average when each run started. A benchmark that prints figures, not a test.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lighthouse import lighthouse, site_for  # noqa: E402
from search_weight import gzip_served  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--size", type=int, default=0, help="the N both workdirs were built for (0: shipped)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep-alive", choices=("none", "both", "after"), default="none",
                        help="which side is served over HTTP/1.1 with keep-alive (the other over HTTP/1.0)")
    parser.add_argument("--pages", nargs="+", default=["home", "theme", "article"])
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args(argv)
    sites = {name: site_for(args.size, work, args.seed, reuse=True) for name, work in
             (("before", args.before), ("after", args.after))}
    out = Path(tempfile.mkdtemp(prefix="lighthouse-pair-"))
    keep = {"before": args.keep_alive == "both", "after": args.keep_alive != "none"}
    print(f"\n### Lighthouse, mobile, simulated throttling, N = {args.size or 'shipped'}: before and after in turn "
          f"(median of {args.runs} by score; server: before "
          + ", after ".join("HTTP/1.1 keep-alive" if keep[n] else "HTTP/1.0" for n in ("before", "after")) + ")\n")
    print("| page | before | after |")
    print("|---|---|---|")
    every: dict[str, list] = {"before": [], "after": []}
    with gzip_served(sites["before"][0], keep["before"]) as before_base, \
            gzip_served(sites["after"][0], keep["after"]) as after_base:
        bases = {"before": before_base, "after": after_base}
        for kind in args.pages:
            runs: dict[str, list] = {"before": [], "after": []}
            for i in range(args.runs):
                for name in ("before", "after"):
                    _, article, theme = sites[name]
                    path = {"home": "", "theme": f"themes/{theme}/", "article": f"articles/{article}/"}[kind]
                    runs[name].append(lighthouse(bases[name] + path, out / f"{name}-{kind}-{i}.json"))
            cells = []
            for name in ("before", "after"):
                median = sorted(runs[name], key=lambda r: r["score"])[len(runs[name]) // 2]
                cells.append(f"{median['score']} ({', '.join(str(r['score']) for r in runs[name])}), "
                             f"{median['lcp_ms'] / 1000:.2f} s, {median['tbt_ms']:.0f} ms, "
                             f"CLS {max(r['cls'] for r in runs[name]):.3f}, {median['bytes'] / 1024:.1f} KB; "
                             "LCP " + "/".join(f"{r['lcp_ms'] / 1000:.2f}" for r in runs[name])
                             + " s (observed " + "/".join(f"{r['obs_lcp_ms']:.0f}" for r in runs[name]) + " ms); "
                             "load " + "/".join(f"{r['load']:.0f}" for r in runs[name]))
                every[name] += [dict(r, page=kind) for r in runs[name]]
            print(f"| {kind} | {cells[0]} | {cells[1]} |", flush=True)
    print()
    for name in ("before", "after"):
        runs = every[name]
        print(f"- {name}: {len(runs)} runs; median LCP {statistics.median(r['lcp_ms'] for r in runs) / 1000:.2f} s, "
              f"median score {statistics.median(r['score'] for r in runs):.0f}; score >= 95 in "
              f"{sum(r['score'] >= 95 for r in runs)}, LCP <= 1.6 s in {sum(r['lcp_ms'] <= 1600 for r in runs)}; "
              f"largest CLS {max(r['cls'] for r in runs):.3f}; observed LCP over 1 s in "
              f"{sum(r['obs_lcp_ms'] > 1000 for r in runs)}; median bytes finished before the observed LCP "
              f"{statistics.median(r['before_lcp_bytes'] for r in runs) / 1024:.1f} KB")
    if args.json:
        args.json.write_text(json.dumps(every, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
