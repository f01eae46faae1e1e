"""CPU seconds each test file costs, counting every process it starts (the launcher's builds,
which leave pytest's process tree, and Chromium included): each file run alone (`-n0`) in a
cpuacct cgroup of its own (cgroup v1, as on the project's machine; needs the right to make one).

    python bench/suite_cpu.py [tests/test_x.py ...]     (default: every tests/test_*.py)
    python bench/suite_cpu.py --together tests/test_x.py tests/test_y.py   (the files in one run)

--together runs the files in one pytest (-n0), as one worker of a full run does: what their
tests share (a session fixture such as the one tour of every page) is made once.

It asserts nothing; it prints one line per file: CPU seconds, wall seconds, pytest's summary.
A file's figure includes the shared build its fixtures make (each file run alone makes its own).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CGROUP = Path("/sys/fs/cgroup/cpuacct")


def measure(*test_files: str) -> tuple[float, float, str]:
    group = CGROUP / f"suite-cpu-{os.getpid()}"
    group.mkdir()
    try:
        start = time.monotonic()
        # The shell joins the group before it starts pytest, so every descendant is counted.
        result = subprocess.run(
            ["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$0" -m pytest -q -n0 -p no:cacheprovider "$@"',
             sys.executable, *test_files], cwd=ROOT, capture_output=True, text=True)
        wall = time.monotonic() - start
        time.sleep(1)  # orphaned processes (the launcher) finish quitting
        cpu = int((group / "cpuacct.usage").read_text()) / 1e9
        for pid in (group / "cgroup.procs").read_text().split():
            (CGROUP / "cgroup.procs").write_text(pid)  # a straggler back to the root group
    finally:
        group.rmdir()
    summary = next((line for line in reversed(result.stdout.splitlines()) if re.search(r"\d+ (passed|failed|error)", line)), "")
    return cpu, wall, summary.strip("= ")


def main() -> int:
    together = sys.argv[1:2] == ["--together"]
    files = sys.argv[1 + together:] or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py"))
    total = 0.0
    for test_file in [" ".join(files)] if together else files:
        cpu, wall, summary = measure(*test_file.split())
        total += cpu
        print(f"{cpu:7.1f} CPU s {wall:7.1f} s wall  {test_file}  {summary}", flush=True)
    print(f"{total:7.1f} CPU s in all, load average now {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
