#!/usr/bin/env python3
"""What subsetting the fonts adds to a build (issue 26), on sites of N articles.

    python bench/font_subset.py --sizes 0 5000                 # builds the copies (search_weight's built_copy)
    python bench/font_subset.py --sizes 0 5000 --workdir W --reuse   # the sites an earlier run built in W

For each site: its assets/fonts/ is put back to the shipped files, then sitegen/output/fonts.py
runs as `build` runs it after MkDocs: the characters of every page collected (timed alone), the
font files subset with an empty cache (cold: what the first build after a new character costs),
then again with that cache (warm: every later build). Prints a Markdown table. A benchmark that
prints figures, not a test.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from search_weight import built_copy  # noqa: E402
from sitegen.output.fonts import FONTS_DIR, site_characters, subset_fonts  # noqa: E402


def _restore(repo: Path) -> None:
    for font in (repo / "docs" / FONTS_DIR).glob("*.woff2"):
        shutil.copy(font, repo / "site" / FONTS_DIR / font.name)


def measure(repo: Path) -> dict:
    site = repo / "site"
    pages = list(site.rglob("*.html"))
    _restore(repo)
    started, cpu = time.perf_counter(), time.process_time()
    characters = site_characters(site)
    collect, collect_cpu = time.perf_counter() - started, time.process_time() - cpu
    with tempfile.TemporaryDirectory() as cache:
        cpu = time.process_time()
        cold = subset_fonts(site, Path(cache))
        cold_cpu = time.process_time() - cpu
        _restore(repo)
        cpu = time.process_time()
        warm = subset_fonts(site, Path(cache))
        warm_cpu = time.process_time() - cpu
    return {"pages": len(pages), "html_mb": sum(p.stat().st_size for p in pages) / 1e6,
            "characters": len(characters), "collect_s": collect, "cold_s": cold["seconds"],
            "warm_s": warm["seconds"], "collect_cpu": collect_cpu, "cold_cpu": cold_cpu, "warm_cpu": warm_cpu, "made": cold["made"], "reused": warm["reused"],
            "before_kb": cold["before"] / 1024, "after_kb": cold["after"] / 1024}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 5000], help="0: the shipped dossier")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse", action="store_true", help="with --workdir: the sites an earlier run built")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="font-subset-"))
    rows = []
    for n in args.sizes:
        repo, _ = built_copy(n, work, args.seed, args.reuse)
        rows.append((n, measure(repo)))
    print("\n### Subsetting the fonts (sitegen/output/fonts.py, after MkDocs)\n")
    print("| N | pages | HTML | characters | collecting them: wall (CPU) | collecting and subsetting, cold: "
          "wall (CPU) | warm: wall (CPU) | the font files |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for n, r in rows:
        print(f"| {n:,} | {r['pages']:,} | {r['html_mb']:,.0f} MB | {r['characters']} | {r['collect_s']:.2f} s "
              f"({r['collect_cpu']:.2f} s) | {r['cold_s']:.2f} s ({r['cold_cpu']:.2f} s; {r['made']} made) "
              f"| {r['warm_s']:.2f} s ({r['warm_cpu']:.2f} s; {r['reused']} reused) "
              f"| {r['before_kb']:,.1f} KB → {r['after_kb']:,.1f} KB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
