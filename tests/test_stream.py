"""The site stage has the pages rendered and written by a second process while MkDocs builds
(sitegen/output/stream.py, through sitegen/workers.py): the same site as pages written first, MkDocs told of them in its
own order, and a writer that fails fails the build without touching site/ or docs/."""
from __future__ import annotations

import os

import pytest

from conftest import SITE_URL, leftovers, snapshot, tree
from sitegen import pipeline
from sitegen.output import mkdocs_build
from sitegen.output.stream import writing_order
from sitegen.output.writer import BuildFailed
from sitegen.project import Project


def _generated(repo):
    project = Project.at(repo, site_url=SITE_URL)
    outcome = pipeline.generate(project, parallel=True)
    assert outcome.problems == []
    return project, outcome.generated


def test_pages_written_while_mkdocs_builds_make_the_same_site_as_pages_written_first(repo, tmp_path):
    project, generated = _generated(repo)
    streamed = mkdocs_build.build_site(project, generated.pages, generated.nav, site_dir=tmp_path / "streamed",
                                       swap_docs=False, cards=generated.cards, site_files=generated.site_files)
    _, again = _generated(repo)
    first = mkdocs_build.build_site(project, again.pages.materialize(), again.nav, site_dir=tmp_path / "first",
                                    swap_docs=False, cards=again.cards, site_files=again.site_files)
    assert tree(streamed) == tree(first)
    assert tree(streamed) == tree(repo / "site")  # and the same as `build.py build` made (it streams too)
    assert any(path.startswith("search/") for path in tree(streamed))  # the late files are in the site


def test_the_writer_follows_the_order_mkdocs_reads_the_pages_in(built_template):
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    project, generated = _generated(built_template)
    config = load_config(str(project.config_file), docs_dir=str(project.docs_dir))
    read = [f.src_uri for f in get_files(config).documentation_pages()]  # docs/ as the last build left it
    planned = set(generated.pages.planned())
    pages = [path for path in writing_order(planned) if path.endswith(".md") and not path.startswith("_partials/")]
    assert pages == [path for path in read if path in planned]
    assert writing_order(planned)[0].startswith("_partials/")  # the snippets the hand-written pages include: first


@pytest.mark.parametrize("failure", ["raises", "dies"])
def test_a_writer_that_fails_fails_the_build_and_changes_nothing(repo, failure):
    project, generated = _generated(repo)
    before = snapshot(repo)

    def broken():
        if failure == "raises":
            raise ValueError("a page that cannot be made")
        os._exit(3)  # the writer process ends at once, saying nothing

    generated.pages.add("articles/zz-broken.md", broken)
    message = "ValueError: a page that cannot be made" if failure == "raises" else "ended before it finished"
    with pytest.raises(BuildFailed, match=message):
        mkdocs_build.build_site(project, generated.pages, generated.nav)
    assert snapshot(repo) == before
    assert leftovers(repo) == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no writer process left behind


def test_mkdocs_waits_through_events_it_does_not_mark_deprecated():
    import ast
    import inspect

    import mkdocs.plugins

    from sitegen.output.stream import GeneratedFilesPlugin

    # MkDocs documents its events on BasePlugin and deletes them once the module is loaded: read the source.
    base = next(node for node in ast.parse(inspect.getsource(mkdocs.plugins)).body
                if isinstance(node, ast.ClassDef) and node.name == "BasePlugin")
    documented = {node.name: ast.get_docstring(node) or "" for node in base.body if isinstance(node, ast.FunctionDef)}
    events = [name for name in vars(GeneratedFilesPlugin) if name.startswith("on_")]
    assert "on_pre_page" in events and set(events) <= set(documented)  # where MkDocs waits: just before a read
    assert [name for name in events if "DEPRECATED" in documented[name]] == []
