"""generate(parallel=True) reads, checks and searches the articles in two halves at once, one
in a worker process (pipeline.read_in_halves), once there are enough of them (split_at): the same
pages and the same problems as one process finds. (The worker itself, sitegen/workers.py, is
tested in test_workers.py.)"""
from __future__ import annotations

from conftest import REPO, add_article, article_yaml
from sitegen import pipeline
from sitegen.project import Project


def test_parallel_generation_gives_the_same_pages_as_one_process():
    project = Project.at(REPO, site_url="https://dossier.example/")
    alone = pipeline.generate(project).generated
    parallel = pipeline.generate(project, parallel=True, split_at=0).generated
    assert isinstance(alone.pages, dict)  # every file made; in parallel, only planned until the site stage
    pages = parallel.pages.materialize()
    assert any(path.startswith("search/") for path in pages)
    assert pages == alone.pages


def test_parallel_generation_finds_the_same_problems_in_both_halves(repo):
    # one article id in each half (the halves go by a checksum of the id)
    halves = {pipeline.in_second_half(f"broken-{i}"): f"broken-{i}" for i in reversed(range(20))}
    assert len(halves) == 2
    for article_id in halves.values():
        add_article(repo, article_id, yaml_text=article_yaml(date='"2019-02-30"', entities="[no-such-entity]"))
    project = Project.at(repo)
    alone = pipeline.generate(project)
    parallel = pipeline.generate(project, parallel=True, split_at=0)
    assert parallel.generated is None and alone.generated is None
    assert parallel.problems == alone.problems
    assert {p.path for p in parallel.problems} == {f"dossier/articles/{a}.yml" for a in halves.values()}


def test_the_halves_are_read_apart_only_from_split_at_articles_on(monkeypatch):
    """A second process to read half of a small dossier costs more than it saves."""
    project = Project.at(REPO)
    articles = len(list((REPO / "dossier" / "articles").glob("*.yml")))
    assert articles < pipeline.SPLIT_AT
    split = []
    monkeypatch.setattr(pipeline, "read_in_halves", lambda *args: split.append(args))
    assert pipeline.generate(project, parallel=True, through="validate").problems == [] and split == []
    pipeline.generate(project, parallel=True, through="validate", split_at=articles + 1)
    assert split == []
    pipeline.generate(project, parallel=True, through="validate", split_at=articles)
    assert len(split) == 1
