#!/usr/bin/env python3
"""What checking a copy of the offline bundle costs (issue 27): `build.py verify` on the zip
(read in place) and on the unzipped folder, against coreutils' `sha256sum -c SHA256SUMS`.

    python bench/verify.py                    # the shipped dossier and 1,000 synthetic articles
    python bench/verify.py --sizes 0 3000 --rounds 3

For each size (0: the shipped dossier) a copy of the repository gets that dossier (synth.py),
`build.py bundle` runs once, and each check is timed over the rounds (best and median, wall
clock, each in a fresh process as a reader would run it). Prints a Markdown table; asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import copy_repo, tree_state  # noqa: E402
from synth import write_dossier  # noqa: E402


def timed(command: list[str], cwd: Path, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return times


def measure(n: int, work: Path, rounds: int) -> dict:
    repo = work / f"repo-{n}"
    copy_repo(repo)
    if n:
        write_dossier(n, repo)
    built = subprocess.run([sys.executable, "build.py", "bundle"], cwd=repo, capture_output=True, text=True)
    if built.returncode != 0:
        raise SystemExit(built.stdout + built.stderr)
    zipped = next((repo / "dist").glob("*.zip"))
    folder = work / f"unzipped-{n}"
    with zipfile.ZipFile(zipped) as archive:
        archive.extractall(folder)
        files = len(archive.infolist())
        unzipped_bytes = sum(info.file_size for info in archive.infolist())
    inner = next(folder.iterdir())
    return {
        "n": n, "files": files, "zip": zipped.stat().st_size, "unzipped": unzipped_bytes,
        "verify zip": timed([sys.executable, "build.py", "verify", str(zipped)], repo, rounds),
        "verify folder": timed([sys.executable, "build.py", "verify", str(folder)], repo, rounds),
        "sha256sum -c": timed(["sha256sum", "-c", "--quiet", "SHA256SUMS"], inner, rounds),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"### build.py verify ({tree_state()}; best / median of {args.rounds}, seconds)\n")
    print("| articles | files | zip | unzipped | verify zip | verify folder | sha256sum -c |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as work:
        for n in args.sizes:
            row = measure(n, Path(work), args.rounds)
            cells = [f"{min(row[k]):.2f} / {statistics.median(row[k]):.2f}"
                     for k in ("verify zip", "verify folder", "sha256sum -c")]
            print(f"| {n or 'shipped'} | {row['files']:,} | {row['zip'] / 1e6:.1f} MB | {row['unzipped'] / 1e6:.1f} MB | "
                  + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
