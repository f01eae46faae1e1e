"""generate(parallel=True) reads, checks and searches the articles in two halves at once, one
in a forked process (pipeline.read_in_halves): the same pages and the same problems as one
process finds, and a child that fails or is no longer wanted never hangs the build or
outlives it."""
from __future__ import annotations

import os
import time

import pytest

from conftest import REPO, add_article, article_yaml
from sitegen import pipeline
from sitegen.forked import ChildFailed, Forked
from sitegen.project import Project


def test_parallel_generation_gives_the_same_pages_as_one_process():
    project = Project.at(REPO, site_url="https://dossier.example/")
    alone = pipeline.generate(project).generated
    parallel = pipeline.generate(project, parallel=True).generated
    assert any(path.startswith("search/") for path in parallel.pages)
    assert parallel.pages == alone.pages


def test_parallel_generation_finds_the_same_problems_in_both_halves(repo):
    # one article id in each half (the halves go by a checksum of the id)
    halves = {pipeline.in_second_half(f"broken-{i}"): f"broken-{i}" for i in reversed(range(20))}
    assert len(halves) == 2
    for article_id in halves.values():
        add_article(repo, article_id, yaml_text=article_yaml(date='"2019-02-30"', entities="[no-such-entity]"))
    project = Project.at(repo)
    alone = pipeline.generate(project)
    parallel = pipeline.generate(project, parallel=True)
    assert parallel.generated is None and alone.generated is None
    assert parallel.problems == alone.problems
    assert {p.path for p in parallel.problems} == {f"dossier/articles/{a}.yml" for a in halves.values()}


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
