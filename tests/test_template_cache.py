"""The theme's compiled templates kept in .build/jinja/ (sitegen/output/template_cache.py): a
build takes them from there, and a template whose source changed is compiled again, never shown
from the kept code."""
from __future__ import annotations

import shutil
import sys
import traceback

import jinja2
from conftest import REPO, copy_built, run, tree

from sitegen.compiled_templates import COMPILED_IN_MEMORY, CompiledTemplates


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


def test_without_a_folder_the_compiled_code_is_kept_in_memory_and_an_edit_compiled_again(tmp_path):
    """A render with nothing kept on disk (no compiled_dir) keeps the compiled code in the process:
    a second environment takes it without compiling, and a template edited in between is compiled
    again, never shown from the kept code."""
    from sitegen.stages import render

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    page = templates / "robots.txt.j2"
    compiled = []

    def environment() -> jinja2.Environment:
        env = render.environment(templates)
        assert env.bytecode_cache is COMPILED_IN_MEMORY
        env.compile = lambda *args, **kwargs: compiled.append(args[1]) or jinja2.Environment.compile(env, *args, **kwargs)
        return env

    first = environment().get_template(page.name).render(site_url="https://a.example/")
    assert compiled == [page.name]
    assert environment().get_template(page.name).render(site_url="https://a.example/") == first
    assert compiled == [page.name]  # taken from memory
    page.write_text(page.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert environment().get_template(page.name).render(site_url="https://a.example/") == first + "# edited\n"
    assert compiled == [page.name, page.name]
