"""The theme's compiled templates kept in .build/jinja/ (sitegen/output/template_cache.py): a
build takes them from there, and a template whose source changed is compiled again, never shown
from the kept code."""
from __future__ import annotations

from conftest import run


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
