"""How the command line shows problems: one line each, and GitHub annotations on CI."""
from __future__ import annotations

import os
import sys

from .model import Problem


def report(problems: list[Problem]) -> int:
    """Print every problem; return the exit status for a failed check (1)."""
    for problem in problems:
        print(problem, file=sys.stderr)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            print(problem.github_annotation())
    print(f"{len(problems)} problem(s) found; nothing was written.", file=sys.stderr)
    return 1
