"""How the command line shows problems: one line each, and GitHub annotations on CI."""
from __future__ import annotations

import sys

from .model import Problem


def report(problems: list[Problem], annotate: bool = False) -> int:
    """Print every problem (annotate: also as GitHub annotations, on CI); return the exit status (1)."""
    for problem in problems:
        print(problem, file=sys.stderr)
        if annotate:
            print(problem.github_annotation())
    print(f"{len(problems)} problem(s) found; nothing was written.", file=sys.stderr)
    return 1


def report_warnings(warnings: list[Problem], why: str) -> None:
    """Print problems that do not stop the build (drafts not yet ready), saying so."""
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if warnings:
        print(f"{len(warnings)} warning(s): {why}.", file=sys.stderr)
