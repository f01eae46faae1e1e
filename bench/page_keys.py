#!/usr/bin/env python3
"""What working out every page's key costs serve on each edit (issue 23's page families).

    python bench/page_keys.py REPO [REPO ...] [--rounds 3]

Each REPO is a copy of the repository holding a dossier (bench/synth.py writes one), possibly
at another commit: the same dossier in two copies compares two versions of the code. In a
fresh process per REPO: `pipeline.generate` with a BuildCache (every page rendered), then
`--rounds` times again with nothing changed, as serve regenerates after an edit that touches
no page: every page is then a cache hit, so the time is planning, linking from the cache and
each page's key. It prints the seconds and the number of pages; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, sys, time
sys.path.insert(0, ".")
from sitegen import pipeline
from sitegen.cache import BuildCache
from sitegen.project import Project

project, cache = Project.at(".", ""), BuildCache()
start = time.perf_counter()
cold = pipeline.generate(project, cache=cache).generated.pages
cold_s = time.perf_counter() - start
warm = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    pages = pipeline.generate(project, cache=cache).generated.pages
    warm.append(time.perf_counter() - start)
    assert pages == cold
print(json.dumps({"pages": len(cold), "cold": cold_s, "warm": warm, "page hits": cache.hits["page"]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| repo | files | first generate (s) | again, nothing changed (s, each round) |")
    print("| --- | ---: | ---: | --- |")
    for repo in args.repos:
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.rounds)], cwd=repo, check=True,
                             capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        warm = ", ".join(f"{s:.2f}" for s in figures["warm"])
        print(f"| {repo} | {figures['pages']} | {figures['cold']:.2f} | {warm} |", flush=True)


if __name__ == "__main__":
    main()
