"""generate(parallel=True) cuts the search index in a forked process while the pages render:
the same pages as one process makes, and a child that fails or is no longer wanted never
hangs the build or outlives it."""
from __future__ import annotations

import os
import time

import pytest

from conftest import REPO
from sitegen import pipeline
from sitegen.forked import ChildFailed, Forked
from sitegen.project import Project


def test_parallel_generation_gives_the_same_pages_as_one_process():
    project = Project.at(REPO, site_url="https://dossier.example/")
    alone = pipeline.generate(project).generated
    parallel = pipeline.generate(project, parallel=True).generated
    assert any(path.startswith("search/") for path in parallel.pages)
    assert parallel.pages == alone.pages


def test_a_large_result_comes_back_whole():
    value = {"text": "نص " * 2_000_000, "numbers": list(range(100_000))}  # far more than a pipe holds
    assert Forked(lambda: value).result() == value


def test_the_childs_exception_is_raised_in_the_parent():
    with pytest.raises(ChildFailed, match="ZeroDivisionError"):
        Forked(lambda: 1 / 0).result()


def test_a_cancelled_child_is_gone():
    child = Forked(time.sleep, 60)
    pid = child._pid
    started = time.monotonic()
    child.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # already reaped: no such child
