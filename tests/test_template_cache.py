"""The theme's compiled templates kept in .build/jinja/ (sitegen/output/template_cache.py): a
build takes them from there, and a template whose source changed is compiled again, never shown
from the kept code."""
from __future__ import annotations

import sys
import traceback

import jinja2
from conftest import copy_built, run, tree

from sitegen.compiled_templates import CompiledTemplates


def test_a_changed_override_is_compiled_again_not_taken_from_the_kept_code(repo):
    kept = repo / ".build" / "jinja"
    assert run(repo, "build").returncode == 0  # this copy's templates compiled and kept
    cached = sorted(p.name for p in kept.glob("*.cache"))
    assert len(cached) >= 10, cached  # Material's templates and ours
    main = repo / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8").replace(
        "{% block extrahead %}", "{% block extrahead %}\n  <meta name=\"x-kept-code-test\" content=\"1\">", 1),
        encoding="utf-8")
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert '<meta name="x-kept-code-test" content="1">' in (repo / "site" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in kept.glob("*.cache")) == cached  # one file per template, rewritten in place
    assert not list(kept.glob("*.tmp"))


def test_a_copied_checkout_keeps_the_compiled_code_of_its_templates(repo, tmp_path):
    """The kept code is named by each template's place in the checkout, not its absolute path: a
    copy elsewhere (a clone moved, the tests' copies) builds with what the original compiled, writing
    no code of its own, and makes the same site."""
    assert run(repo, "build").returncode == 0
    kept = repo / ".build" / "jinja"
    before = {p.name: p.stat().st_mtime_ns for p in kept.glob("*.cache")}
    assert any(p.read_bytes().find(b"templates/article.md.j2") >= 0 for p in kept.glob("*.cache")), \
        "the generator's templates are not kept"
    elsewhere = copy_built(repo, tmp_path / "elsewhere" / "repo")
    result = run(elsewhere, "build")
    assert result.returncode == 0, result.stderr
    after = {p.name: p.stat().st_mtime_ns for p in (elsewhere / ".build" / "jinja").glob("*.cache")}
    assert after == before, "the copy compiled templates again: " + ", ".join(sorted(set(after) - set(before)))
    assert tree(elsewhere / "site") == tree(repo / "site")


def test_code_kept_by_another_copy_names_this_copys_file(tmp_path):
    """Jinja's messages name a template by its code's file name: code compiled in one checkout and
    loaded in another is given the file it was loaded for."""
    first, second = tmp_path / "first", tmp_path / "second"
    for root in (first, second):
        (root / "templates").mkdir(parents=True)
        (root / "templates" / "page.j2").write_text("{% macro m() %}{{ x }}{% endmacro %}{{ m() }}\n", encoding="utf-8")
    shared = tmp_path / "kept"
    names = []
    for root in (first, second):
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(root / "templates"),
                                 bytecode_cache=CompiledTemplates(shared, root), undefined=jinja2.StrictUndefined)
        template = env.get_template("page.j2")
        names.append(template.filename)
        try:
            template.render()
        except jinja2.UndefinedError:
            frames = traceback.extract_tb(sys.exc_info()[2])
            assert any(frame.filename == str(root / "templates" / "page.j2") for frame in frames), frames
        else:
            raise AssertionError("an undefined name was rendered")
    assert names == [str(first / "templates" / "page.j2"), str(second / "templates" / "page.j2")]
    assert len(list(shared.glob("*.cache"))) == 1  # one code for both copies
