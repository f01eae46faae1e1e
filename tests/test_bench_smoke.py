"""Smoke test of the benchmark (bench/run.py) on a small synthetic dossier.

The benchmark prints figures and asserts no target; this only checks that it still runs
against the current generator and prints a number for every stage. No browser, no serve.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Few articles: the run's cost is nearly all fixed (about 8 processes importing MkDocs, each
# building the hand-written pages). 8 is the fewest whose synthetic dossier (seed 6) still has
# every kind of page the tables measure, related articles, hidden lines and events shared
# between articles, as 20 had.
N = 8


def _table_rows(output: str, heading: str) -> list[dict[str, str]]:
    """The rows of the Markdown table under `### heading`, as {column: cell}."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### ") and heading in line)
    table = []
    for line in lines[start + 1:]:
        if line.startswith("|"):
            table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif table:
            break
    header, rows = table[0], table[2:]
    return [dict(zip(header, row)) for row in rows]


def _number(cell: str) -> float:
    match = re.match(r"^([0-9][0-9,]*(?:\.[0-9]+)?)", cell)
    assert match, f"not a figure: {cell!r}"
    return float(match.group(1).replace(",", ""))


def test_benchmark_runs_and_prints_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", str(N), "--workdir", str(tmp_path),
         "--rounds", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout

    rows = _table_rows(output, "Time")
    assert [row["build"] for row in rows] == ["cold", "warm"]
    for row in rows:
        assert _number(row["N"]) == N
        for stage in ("generate as `build` runs it", "render+search (writer)", "MkDocs build",
                      "stages one after another", "ms per article"):
            assert _number(row[stage]) > 0, stage
        # the stages are timed inside generate: together they cannot take longer
        stages = sum(_number(row[stage]) for stage in ("load+validate", "link", "plan"))
        assert 0 < stages <= _number(row["generate as `build` runs it"]) + 0.02, row
        assert _number(row["stages one after another"]) >= _number(row["MkDocs build"]), row
    times = rows[0]
    for stage in ("bare `mkdocs build`", "bundle"):  # the bundle is built too: "n/a" would say it failed
        assert _number(times[stage]) > 0, stage

    (versus,) = _table_rows(output, "The whole build against a bare")
    for column in ("`build.py build`", "bare, mkdocs.yml as it is", "bare, with `build`'s navigation", "ratio",
                   "peak memory of the build (all its processes, PSS)"):
        assert _number(versus[column]) > 0, column

    (sizes,) = _table_rows(output, "Memory and size")
    for column in ("peak RSS generate", "peak RSS MkDocs", "site/", "largest article page", "search index",
                   "HTML pages", "index docs"):
        assert _number(sizes[column]) > 0, column
    assert re.search(r"\(\d[\d,.]* KB\)", sizes["largest page"]), sizes["largest page"]

    (kinds,) = _table_rows(output, "Largest HTML page of each kind")
    for kind in ("home", "timeline", "theme", "entity", "article"):
        assert _number(kinds[kind]) > 0, kind
