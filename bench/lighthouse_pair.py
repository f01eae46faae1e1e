#!/usr/bin/env python3
"""Lighthouse on two builds of the same dossier, run by run in turn: A, B, A, B, ...

    python bench/lighthouse_pair.py BEFORE AFTER --size 0     # workdirs lighthouse.py built

On a shared machine the load changes from minute to minute and Lighthouse's simulated
throttling scales the CPU time it observes, so two rounds measured one after the other compare
the machine as much as the pages; taken in turn, each page's runs of A and B meet the same
load. BEFORE and AFTER are workdirs where `lighthouse.py --workdir W` (or search_weight.py)
built a site for the size. Prints, for each page, the median run (by score) of each, with the
load average when each run started. A benchmark that prints figures, not a test.
"""
from __future__ import annotations

import argparse
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
    args = parser.parse_args(argv)
    sites = {name: site_for(args.size, work, args.seed, reuse=True) for name, work in
             (("before", args.before), ("after", args.after))}
    out = Path(tempfile.mkdtemp(prefix="lighthouse-pair-"))
    print(f"\n### Lighthouse, mobile, simulated throttling, N = {args.size or 'shipped'}: before and after in turn "
          f"(median of {args.runs} by score)\n")
    print("| page | before | after |")
    print("|---|---|---|")
    with gzip_served(sites["before"][0]) as before_base, gzip_served(sites["after"][0]) as after_base:
        bases = {"before": before_base, "after": after_base}
        for kind in ("home", "theme", "article"):
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
                             "load " + "/".join(f"{r['load']:.0f}" for r in runs[name]))
            print(f"| {kind} | {cells[0]} | {cells[1]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
