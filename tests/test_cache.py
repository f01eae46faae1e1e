"""The BuildCache serve keeps between edits: what a run did not ask for is forgotten, except a
lasting result (a whole-dossier result only some runs need), kept until a run asks for its kind."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from conftest import copy_repo

from sitegen import pipeline
from sitegen.cache import BuildCache
from sitegen.project import Project


def _counting(value: str, made: list[str]):
    def compute() -> str:
        made.append(value)
        return value
    return compute


def test_a_result_no_run_asked_for_is_forgotten_but_a_lasting_one_waits_for_its_kind():
    cache, made = BuildCache(), []
    cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True)
    cache.get("page", "home", _counting("home", made))
    cache.finish_run()
    for _ in range(2):  # runs that ask for pages only (edits that touch no entity page)
        cache.get("page", "other", _counting("other", made))
        cache.finish_run()
    assert cache.get("page", "home", _counting("home", made)) == "home"
    assert cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True) == "named 1"
    assert made == ["named 1", "home", "other", "home"]  # the page made again, the lasting result not
    cache.finish_run()

    # a run that asks for the kind under another key (the dossier changed): the old result goes
    cache.get("named-with", "dossier-2", _counting("named 2", made), lasting=True)
    cache.finish_run()
    cache.finish_run()
    assert cache.get("named-with", "dossier-2", _counting("named 2", made), lasting=True) == "named 2"
    assert cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True) == "named 1"
    assert made[-2:] == ["named 2", "named 1"]


def test_a_lasting_result_waits_even_when_its_kind_is_also_asked_for_plainly():
    # yaml-file: entities.yml is read every run; the articles' files only when one changed
    cache, made = BuildCache(), []
    cache.get("yaml-file", "entities", _counting("entities", made))
    cache.get("yaml-file", "article-1", _counting("article 1", made), lasting=True)
    cache.finish_run()
    cache.get("yaml-file", "entities", _counting("entities", made))  # a run that reads no article
    cache.finish_run()
    assert cache.get("yaml-file", "article-1", _counting("article 1", made), lasting=True) == "article 1"
    assert made == ["entities", "article 1"]


def test_a_lasting_result_kept_for_a_new_session_waits_through_its_first_runs():
    """serve writes its cache for the next session; that session's first build may not ask for a
    lasting kind (the entities named together, read only by an entity page worked out again)."""
    cache, made = BuildCache(), []
    cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True)
    cache.get("page", "home", _counting("home", made))
    cache.finish_run()
    kept, lasting = cache.kept(), cache.lasting_kinds()
    assert lasting == {"named-with"}
    session = BuildCache()
    session.restore(kept, lasting)
    for _ in range(2):  # the new session's first build, and an edit, neither asking for it
        session.get("page", "home", _counting("home", made))
        session.finish_run()
    assert session.get("named-with", "dossier-1", _counting("named 1", made), lasting=True) == "named 1"
    assert made == ["named 1", "home"]


def test_a_failed_run_forgets_no_lasting_result():
    cache, made = BuildCache(), []
    for name in ("a", "b"):
        cache.get("mentions", name, _counting(name, made), lasting=True)
    cache.finish_run()
    cache.get("mentions", "a", _counting("a", made), lasting=True)  # stopped half way by a problem
    cache.finish_run(success=False)
    cache.get("page", "home", _counting("home", made))  # a run that asks for no mentions
    cache.finish_run()
    assert [cache.get("mentions", name, _counting(name, made), lasting=True) for name in ("a", "b")] == ["a", "b"]
    assert made == ["a", "b", "home"]


def test_each_keeps_the_list_whole_and_makes_again_only_the_part_that_changed():
    cache, made = BuildCache(), []
    things = ["x1", "y1", "z1"]
    each = lambda things, whole: cache.each("row", things, lambda thing: thing, lambda thing: _counting(  # noqa: E731
        thing.upper(), made)(), whole)
    assert each(things, "dossier-1") == ["X1", "Y1", "Z1"]
    cache.finish_run()
    for _ in range(2):  # runs in which none of the things changed: not one of them is looked at
        assert each(iter(()), "dossier-1") == ["X1", "Y1", "Z1"]
        cache.finish_run()
    assert each(["x1", "y2", "z1"], "dossier-2") == ["X1", "Y2", "Z1"]
    assert made == ["X1", "Y1", "Z1", "Y2"]
    assert cache.each("row", ["a"], str, str.upper) == ["A"]  # no whole: the parts only, as get would


class _Asked(BuildCache):
    """A BuildCache that records the kinds a run asks for, and which of them it had to make."""

    def __init__(self):
        super().__init__()
        self.asked: set[str] = set()
        self.made: Counter = Counter()

    def get(self, kind, key, compute, *, lasting=False):
        def made():
            self.made[kind] += 1
            return compute()
        self.asked.add(kind)
        return super().get(kind, key, made, lasting=lasting)

    def evolve(self, kind, update):
        def updated(before):
            after = update(before)
            if after is not before:
                self.made[kind] += 1
            return after
        self.asked.add(kind)
        return super().evolve(kind, updated)


def _pages(project: Project, cache: BuildCache) -> dict:
    outcome = pipeline.generate(project, cache=cache, include_drafts=True, strict_drafts=True)
    assert outcome.generated is not None, outcome.problems
    return outcome.generated.pages


def _after_edit(project: Project, cache: _Asked, path: Path, pattern: str, replacement: str) -> dict:
    """The pages after pattern's first match in path is replaced, what the run asked for and made recorded afresh."""
    text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.M)
    assert count == 1
    path.write_text(text, encoding="utf-8")
    cache.asked, cache.made = set(), Counter()
    return _pages(project, cache)


def test_a_description_edit_reads_and_links_no_article_and_a_summary_edit_one_each_as_a_fresh_run_would(tmp_path: Path):
    project = Project.at(copy_repo(tmp_path / "repo"))
    cache = _Asked()
    _pages(project, cache)
    edited = _after_edit(project, cache, project.dossier_dir / "entities.yml", r"^(  description: )",
                         r"\g<1>وصف معدل ")
    assert {"linked-articles", "article-read, all", "article-links, all", "shape, all", "article-json, all",
            "search-document, all"} <= cache.asked - set(cache.made)
    assert not {"article-read", "article-links", "mentions", "article-json", "search-document"} & cache.asked, cache.asked
    assert edited == _pages(project, BuildCache())

    # an article's summary then: its own parts made again, the others' taken as the last walk left them
    article = sorted((project.dossier_dir / "articles").glob("*.yml"))[0]
    edited = _after_edit(project, cache, article, r"^(summary: >-\n  )", r"\g<1>ملخص معدل ")
    # (the data files' parts too, though the description edit took those files whole and asked for none of them)
    assert [cache.made[kind] for kind in ("article-read", "yaml-file", "shape", "article-links", "mentions",
                                          "linked-articles", "article-json", "search-document", "csv-row",
                                          "csl-item", "bibtex-entry")
            ] == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], cache.made
    assert edited == _pages(project, BuildCache())


def test_load_told_which_files_were_written_reads_those_and_looks_again_at_anything_else(tmp_path: Path):
    """serve tells load which files the system reported written (serve/watching.py's journal):
    load takes the status of those alone, and looks at the whole folder again when a change is
    anything but the writing of a file it listed (a file added, a stray file, a link)."""
    import os

    from sitegen.checking import load

    project = Project.at(copy_repo(tmp_path / "repo"))
    root, cache = project.dossier_dir, BuildCache()

    def summaries(changed) -> dict[str, str]:
        raw, problems = load.load(root, cache, changed=changed)
        cache.finish_run(not problems)
        return {article.id: article.yml.data["summary"] for article in raw.articles} | {"problems": problems}

    def edit(path: Path, word: str) -> str:
        path.write_text(re.sub(r"^(summary: >-\n  )", rf"\g<1>{word} ", path.read_text(encoding="utf-8"), count=1,
                               flags=re.M), encoding="utf-8")
        return os.path.abspath(path)

    first, second = sorted((root / "articles").glob("*.yml"))[:2]
    before = summaries(None)
    written = edit(first, "أولى")
    after = summaries(frozenset({written}))
    assert after[first.stem].startswith("أولى ") and after[second.stem] == before[second.stem]
    # a file written that the journal did not name stays as listed (the journal is trusted) ...
    edit(second, "ثانية")
    assert summaries(frozenset())[second.stem] == before[second.stem]
    # ... until a change the listing cannot take in: the folder is looked at again, every file
    stray = root / "articles" / ".notes.yml.swp"
    stray.write_text("x", encoding="utf-8")
    after = summaries(frozenset({os.path.abspath(stray)}))
    assert after[second.stem].startswith("ثانية ")
    stray.unlink()
    (root / "articles" / "added.yml").write_bytes(first.read_bytes())
    (root / "articles" / "added.txt").write_bytes(first.with_suffix(".txt").read_bytes())
    after = summaries(frozenset({os.path.abspath(root / "articles" / "added.yml"), os.path.abspath(stray)}))
    assert after["added"] == after[first.stem]
    link = root / "articles" / "linked.yml"
    link.symlink_to(first)
    after = summaries(frozenset({os.path.abspath(link)}))
    assert [problem.message for problem in after["problems"]] == [
        "symbolic links are not allowed in the dossier: put the file itself here"]
