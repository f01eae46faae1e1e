#!/usr/bin/env python3
"""What working out every page's key costs serve on each edit (issue 23's page families).

    python bench/page_keys.py REPO [REPO ...] [--rounds 3]

Each REPO is a copy of the repository holding a dossier (bench/synth.py writes one), possibly
at another commit: the same dossier in two copies compares two versions of the code. In a
fresh process per REPO: `pipeline.generate` with a BuildCache (every page rendered), then
`--rounds` times again with nothing changed, as serve regenerates after an edit that touches
no page: every page is then a cache hit, so the time is planning, linking from the cache and
each page's key. It prints the wall and CPU seconds, the number of files, and (with the page
families) the CPU seconds spent working out the pages' keys; it asserts nothing.
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

spent = [0.0]
try:  # the page families' code: time what working out the keys costs (CPU seconds)
    from sitegen.families import base, keys
    def timed(values, _key=keys.context_key):
        start = time.process_time()
        try:
            return _key(values)
        finally:
            spent[0] += time.process_time() - start
    base.context_key = timed
except ImportError:  # before the page families: the keys were tuples written with each page
    spent = None

project, cache = Project.at(".", ""), BuildCache()
start = time.perf_counter()
cold = pipeline.generate(project, cache=cache).generated.pages
cold_s = time.perf_counter() - start
warm, cpu, in_keys = [], [], []
for _ in range(int(sys.argv[1])):
    if spent:
        spent[0] = 0.0
    start, start_cpu = time.perf_counter(), time.process_time()
    pages = pipeline.generate(project, cache=cache).generated.pages
    warm.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
    in_keys.append(spent[0] if spent else None)
    assert pages == cold
print(json.dumps({"pages": len(cold), "cold": cold_s, "warm": warm, "cpu": cpu, "keys": in_keys}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| repo | files | first generate (s) | again, nothing changed: wall s | CPU s | of which page keys, CPU s |")
    print("| --- | ---: | ---: | --- | --- | --- |")
    for repo in args.repos:
        out = subprocess.run([sys.executable, "-c", CHILD, str(args.rounds)], cwd=repo, check=True,
                             capture_output=True, text=True).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        rounds = [", ".join("n/a" if s is None else f"{s:.2f}" for s in figures[kind]) for kind in ("warm", "cpu", "keys")]
        print(f"| {repo} | {figures['pages']} | {figures['cold']:.2f} | " + " | ".join(rounds) + " |", flush=True)


if __name__ == "__main__":
    main()
