"""The test suite's own figures: its wall time as `pytest` runs it (pytest.ini: two workers), the
load on the machine before and after, the tests passed, and the slowest steps.

    python bench/suite.py [--durations N] [pytest arguments...]

It asserts nothing: the target (the suite in four minutes on a 2-core machine, issue 23) is read
from what it prints. The machine's load is printed because a shared machine slows the suite.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--durations", type=int, default=25, help="how many of the slowest steps to print")
    args, rest = parser.parse_known_args()
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", f"--durations={args.durations}", *rest], cwd=ROOT,
                            capture_output=True, text=True)
    wall = time.monotonic() - start
    load_after = os.getloadavg()[0]
    output = result.stdout + result.stderr
    summary = next((line for line in reversed(output.splitlines()) if re.search(r"\d+ (passed|failed)", line)), "")
    slowest = output[output.find("slowest"):].splitlines()[1:args.durations + 1] if "slowest" in output else []
    print(f"wall {wall:.0f} s ({wall / 60:.1f} min), load average {load_before:.1f} before, {load_after:.1f} after, "
          f"{os.cpu_count()} cores")
    print(summary.strip("= "))
    print("\n".join(slowest))
    if result.returncode:
        print(output[-6000:], file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
