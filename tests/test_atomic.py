"""Atomic, deterministic builds.

- A failed build, and a build killed at any moment (kill -9 during MkDocs, or between the
  renames of the final swap), leaves the previous site/ and every hand-written file exactly
  as they were; the next build cleans up and succeeds.
- The same input gives byte-identical generated Markdown, whatever the hash seed and
  whatever order the file system lists the articles in.
"""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import SITE_URL, TEXT, add_article, assert_clean, copy_built, leftovers, run, snapshot, tree

from sitegen import pipeline
from sitegen.output import transaction, writer
from sitegen.project import Project

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build of 60 more articles
# is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("atomic")

GENERATED = writer.GENERATED_DIRS


def hand_written(repo: Path) -> dict[str, str]:
    docs = tree(repo / "docs")
    return {path: digest for path, digest in docs.items() if path.split("/")[0] not in GENERATED}


def generated(repo: Path) -> dict[str, str]:
    docs = tree(repo / "docs")
    return {path: digest for path, digest in docs.items() if path.split("/")[0] in GENERATED}


def add_many(repo: Path, count: int, prefix: str = "bulk") -> None:
    for index in range(count):
        add_article(repo, f"{prefix}-{index:03d}", text=TEXT + f"سطر إضافي رقم {index}\n" * (1 + index % 3))


# ---------------------------------------------------------------------------------------------
# failures

def test_successful_build_never_touches_hand_written_files(repo):
    before = hand_written(repo)
    add_article(repo)
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert hand_written(repo) == before
    assert (repo / "site" / "articles" / "test-article" / "index.html").is_file()
    assert (repo / "docs" / "articles" / "test-article.md").is_file()
    assert leftovers(repo) == []


def test_failed_mkdocs_build_leaves_everything_as_it_was(repo):
    (repo / "docs" / "broken.md").write_text("# مكسور\n\n[رابط](no-such-page.md)\n", encoding="utf-8")
    add_article(repo)  # a new article that must not appear anywhere
    before = snapshot(repo)
    result = run(repo, "build")
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 1
    assert "no-such-page.md" in result.stderr
    assert "build failed: Aborted with 1 warnings in strict mode!" in result.stderr
    assert "site/ and docs/ were left as they were." in result.stderr
    assert snapshot(repo) == before
    assert not (repo / "site" / "articles" / "test-article").exists()
    assert leftovers(repo) == []


def test_theme_error_inside_mkdocs_is_a_clean_failure(repo):
    (repo / "overrides" / "main.html").write_text(
        '{% extends "base.html" %}\n{% block content %}{{ no_such_thing.attribute.deeper }}{% endblock %}\n',
        encoding="utf-8")
    before = snapshot(repo)
    result = run(repo, "build")
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 1
    assert "build failed: UndefinedError: 'no_such_thing' is undefined" in result.stderr
    assert snapshot(repo) == before
    assert leftovers(repo) == []


def test_symbolic_link_out_of_docs_is_refused(repo, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("سر\n", encoding="utf-8")
    (repo / "docs" / "leak.md").symlink_to(secret)
    before = snapshot(repo)
    result = run(repo, "build")
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 1
    assert ("build failed: docs/leak.md is a symbolic link to outside docs/; the site is built only from files inside "
            "docs/") in result.stderr
    assert snapshot(repo) == before


def test_generated_pages_cannot_be_written_outside_the_generated_folders(tmp_path):
    docs = tmp_path / "docs"
    (docs / "articles").mkdir(parents=True)
    for path in ("../escape.md", "articles/../../escape.md", "/tmp/escape.md", "index.md", "about.md"):
        with pytest.raises(writer.BuildFailed, match="refusing to write the generated page"):
            writer.write_pages(docs, {path: "x"})
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["articles", "docs"]



def test_writing_in_place_writes_over_a_file_of_its_own_and_nothing_else(tmp_path):
    """serve writes over the files it wrote before (in_place): a plain file keeps its inode and
    ends where the new content ends; a symbolic link, a second name of a card and a FIFO are
    replaced by a new file, the file they lead to untouched."""
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    (docs / "data").mkdir(parents=True)
    outside.mkdir()
    plain = docs / "data" / "plain.json"
    plain.write_bytes(b"x" * 1000)
    inode = plain.stat().st_ino
    (outside / "secret").write_bytes(b"secret")
    (docs / "data" / "link.json").symlink_to(outside / "secret")
    (outside / "card.png").write_bytes(b"card")
    os.link(outside / "card.png", docs / "data" / "card.png")
    os.mkfifo(docs / "data" / "fifo.json")
    written = writer.write_pages(docs, {"data/plain.json": writer.Parts([b"new ", b"text"]), "data/link.json": "new",
                                        "data/card.png": b"new", "data/fifo.json": "new"},
                                 folders=(), in_place=True)
    assert written == ["data/plain.json", "data/link.json", "data/card.png", "data/fifo.json"]
    assert plain.read_bytes() == b"new text" and plain.stat().st_ino == inode
    assert (outside / "secret").read_bytes() == b"secret" and (outside / "card.png").read_bytes() == b"card"
    for name in ("link.json", "card.png", "fifo.json"):
        path = docs / "data" / name
        assert not path.is_symlink() and path.is_file() and path.stat().st_nlink == 1
        assert path.read_bytes() == b"new"

# ---------------------------------------------------------------------------------------------
# killed

def _start_build(repo: Path) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.Popen([sys.executable, "build.py", "build"], cwd=repo, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=environment, start_new_session=True)


def _wait_for(predicate, process: subprocess.Popen, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    return False


@pytest.fixture(scope="module")
def big_template(built_copy, tmp_path_factory):
    """The built copy with 60 more articles, built again (once for the module): a build long
    enough to kill midway (65 article pages: killed after 40 of them, 25 and the rest of the
    site are still to write; 120 more made the module 5 CPU s dearer)."""
    repo = built_copy(tmp_path_factory.mktemp("big"))
    add_many(repo, 60)
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    return repo


@pytest.fixture
def big_repo(big_template, tmp_path):
    repo = tmp_path / "big"
    copy_built(big_template, repo)
    return repo


@pytest.mark.parametrize("pages_written", [0, 40])
def test_build_killed_during_mkdocs_leaves_the_previous_site(big_repo, pages_written):
    """Killed as MkDocs starts writing, and when it has written part of the site."""
    repo = big_repo
    add_article(repo, "added-after")  # so the interrupted build would have changed the site
    before_site, before_docs = tree(repo / "site"), tree(repo / "docs")
    process = _start_build(repo)
    started = _wait_for(lambda: any((repo / ".build").glob("build-*/site")), process)
    assert started, "the build finished before MkDocs started writing: " + process.communicate()[1].decode()
    midway = _wait_for(lambda: sum(1 for _ in (repo / ".build").glob("build-*/site/articles/*/index.html")) >= pages_written,
                       process)
    assert midway, "the build finished before it had written the pages: " + process.communicate()[1].decode()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert tree(repo / "site") == before_site
    assert tree(repo / "docs") == before_docs
    assert any(name.startswith("build-") for name in leftovers(repo)), "killed after the build had finished"
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert leftovers(repo) == []
    assert (repo / "site" / "articles" / "added-after" / "index.html").is_file()


CRASH_AFTER_RENAMES = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    sys.path.insert(0, os.getcwd())
    limit, count = int(sys.argv[1]), 0
    original = Path.rename
    def rename(self, target):
        global count
        result = original(self, target)
        count += 1
        if count >= limit:
            os._exit(137)  # killed right after this rename: no finally, no clean-up
        return result
    Path.rename = rename
    import build
    sys.exit(build.main(["build"]))
""")


@pytest.mark.parametrize("limit", [2, 5])
def test_build_killed_between_the_renames_of_the_swap_is_rolled_back(repo, limit):
    """The real command, killed (os._exit: no clean-up at all) right after a rename of the swap."""
    add_article(repo, "added-after")
    before_site, before_docs = tree(repo / "site"), tree(repo / "docs")
    crashed = subprocess.run([sys.executable, "-c", CRASH_AFTER_RENAMES, str(limit)], cwd=repo, capture_output=True,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert crashed.returncode == 137, crashed.stderr.decode()
    [left] = leftovers(repo)
    assert left.startswith("build-")
    assert transaction.recover(repo) == [f"rolled back the interrupted swap of {left}"]
    assert leftovers(repo) == []
    assert tree(repo / "site") == before_site
    assert tree(repo / "docs") == before_docs
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert (repo / "site" / "articles" / "added-after" / "index.html").is_file()


FAIL_AT_RENAME = CRASH_AFTER_RENAMES.replace("count >= limit", "count == limit").replace(
    "os._exit(137)  # killed right after this rename: no finally, no clean-up",
    "raise OSError(28, 'No space left on device', str(target))")


def test_error_in_the_middle_of_the_swap_is_undone_at_once(repo):
    """Not killed but failing (a full disk, say) half-way through the swap: rolled back before exiting."""
    add_article(repo, "added-after")
    before = snapshot(repo)
    result = subprocess.run([sys.executable, "-c", FAIL_AT_RENAME, "6"], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 1
    assert "build failed: No space left on device: " in result.stderr
    assert snapshot(repo) == before
    assert leftovers(repo) == []


class Killed(BaseException):
    """Stands for kill -9 in the middle of the swap: nothing after it runs, no finally of ours either."""


def _fake_repo(root: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """A repo with an old site/ and old generated folders, and a work folder holding the new ones."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("hand-written", encoding="utf-8")
    work = root / transaction.WORK_DIR / "build-test"
    moves = []
    for name in ("site", *(f"docs/{folder}" for folder in GENERATED)):
        old, new = root / name, work / "new" / name
        for folder, label in ((old, "old"), (new, "new")):
            (folder / "sub").mkdir(parents=True)
            (folder / "page.md").write_text(f"{label} {name}", encoding="utf-8")
            (folder / "sub" / "deep.md").write_text(f"{label} deep {name}", encoding="utf-8")
        moves.append((new, old))
    (root / "docs" / "cards").rename(work / "moved-away")  # one target that did not exist before
    return work, moves


def test_swap_interrupted_at_every_rename_is_rolled_back(tmp_path, monkeypatch):
    renames = None
    for limit in range(1, 100):
        root = tmp_path / f"crash-{limit}"
        work, moves = _fake_repo(root)
        before = tree(root)
        original, count = Path.rename, [0]

        def rename(self, target, _original=original, _count=count, _limit=limit):
            result = _original(self, target)
            _count[0] += 1
            if _count[0] >= _limit:
                raise Killed
            return result

        monkeypatch.setattr(Path, "rename", rename)
        try:
            transaction.commit(work, moves)
            work.rename(work.with_name("done-test"))  # the commit point, as in build_site
        except Killed:
            pass
        else:
            renames = count[0]
        monkeypatch.setattr(Path, "rename", original)
        if renames is not None:  # ran to the end without being killed: every rename has been tried
            break
        done = transaction.recover(root)
        assert leftovers(root) == []
        state = {k: v for k, v in tree(root).items() if not k.startswith(transaction.WORK_DIR)}
        if done[0].startswith("rolled back"):
            assert state == {k: v for k, v in before.items() if not k.startswith(transaction.WORK_DIR)}, f"rename {limit}"
        else:  # killed just after the commit point: the new versions are all in place
            assert done == ["removed the finished build done-test"]
            assert all((root / name / "page.md").read_text(encoding="utf-8").startswith("new") for _, name in
                       [(n, t.relative_to(root)) for n, t in moves])
            assert (root / "docs" / "index.md").read_text(encoding="utf-8") == "hand-written"
    assert renames == 2 * (1 + len(GENERATED)) - 1 + 1  # cards had nothing to retire; then the commit


def test_next_build_recovers_a_half_swapped_site_by_itself(repo):
    """The case the issue names: killed between `site → retired` and `new → site`: no site/ at all."""
    before_site = tree(repo / "site")
    crashed = subprocess.run([sys.executable, "-c", CRASH_AFTER_RENAMES, "1"], cwd=repo, capture_output=True,
                             env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert crashed.returncode == 137
    assert not (repo / "site").exists()  # the previous site is only in the retired copy now
    result = run(repo, "check")  # check writes nothing and recovers nothing
    assert result.returncode == 0
    recovered = transaction.recover(repo)
    assert recovered and tree(repo / "site") == before_site
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr


def test_leftover_temporary_folders_are_removed_by_the_next_build(repo):
    junk = repo / ".build" / "build-leftover"
    (junk / "site").mkdir(parents=True)
    (junk / "site" / "index.html").write_text("half", encoding="utf-8")
    (repo / ".build" / "done-old").mkdir()
    before = tree(repo / "site")
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert leftovers(repo) == []
    assert tree(repo / "site").keys() == before.keys()


def test_a_second_build_waits_for_the_first(repo):
    (repo / ".build").mkdir(exist_ok=True)
    with open(repo / ".build" / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        process = _start_build(repo)
        first = ""
        for line in process.stderr:  # awaited: the line it prints when it finds the lock taken
            first += line.decode()
            if b"waiting for another build to finish" in line:
                break
        assert "waiting for another build to finish" in first, first
        assert process.poll() is None, "the build did not wait for the lock"
        fcntl.flock(lock, fcntl.LOCK_UN)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, first + err.decode()


# ---------------------------------------------------------------------------------------------
# deterministic

def _pages(root: Path) -> dict[str, str]:
    outcome = pipeline.generate(Project.at(root), include_drafts=False)
    assert outcome.problems == [], outcome.problems
    return outcome.generated.pages


@pytest.fixture(scope="module")
def twenty_more(built_copy, tmp_path_factory) -> Path:
    """The built copy with 20 more articles, built again (once for the module's tests of
    determinism, which compare other builds and generations with this one). To read: the test
    that builds again copies it."""
    repo = built_copy(tmp_path_factory.mktemp("twenty"))
    add_many(repo, 20)
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    return repo


def test_building_twice_gives_byte_identical_markdown(twenty_more, tmp_path):
    first = generated(twenty_more)
    repo = tmp_path / "repo"
    copy_built(twenty_more, repo)
    shutil.rmtree(repo / "docs" / "articles")
    assert run(repo, "build").returncode == 0
    assert generated(repo) == first


def test_markdown_does_not_depend_on_the_hash_seed(twenty_more):
    repo = twenty_more  # only read: the generations below write nothing
    expected = generated(repo)
    script = textwrap.dedent("""
        import hashlib, json, os, sys
        sys.path.insert(0, ".")
        from pathlib import Path
        from sitegen import pipeline
        from sitegen.output import cards
        from sitegen.plan import Parts
        from sitegen.project import Project
        outcome = pipeline.generate(Project.at(".", os.environ["SITE_URL"]))
        assert not outcome.problems, outcome.problems
        generated = outcome.generated
        files = {**generated.pages, **cards.card_pngs(generated.cards, None)}  # the cards drawn afresh
        def content(t):  # text, bytes (a PNG) or parts of bytes (dossier.json)
            return t if isinstance(t, bytes) else bytes(t) if isinstance(t, Parts) else t.encode()
        print(json.dumps({p: hashlib.sha256(content(t)).hexdigest() for p, t in files.items()}))
    """)
    import json

    for seed in ("0", "4242"):
        result = subprocess.run([sys.executable, "-c", script], cwd=repo, capture_output=True, text=True,
                                env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONDONTWRITEBYTECODE": "1",
                                     "SITE_URL": SITE_URL})
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) == expected, f"PYTHONHASHSEED={seed} changed the generated Markdown"


def test_markdown_does_not_depend_on_the_directory_listing_order(twenty_more, monkeypatch):
    repo = twenty_more  # only read: pipeline.generate writes nothing
    baseline = _pages(repo)
    original = Path.iterdir
    for seed in range(3):
        shuffler = random.Random(seed)

        def shuffled(self, _shuffler=shuffler):
            items = list(original(self))
            _shuffler.shuffle(items)
            return iter(items)

        monkeypatch.setattr(Path, "iterdir", shuffled)
        assert _pages(repo) == baseline
        monkeypatch.setattr(Path, "iterdir", original)


def test_markdown_does_not_depend_on_the_order_files_were_created(twenty_more, tmp_path):
    repo = twenty_more  # only read: its files are copied, in other orders, under tmp_path
    baseline = _pages(repo)
    for order in ("reversed", "shuffled"):
        root = tmp_path / order
        copy = root / "dossier"
        (copy / "articles").mkdir(parents=True)
        (root / "templates").symlink_to(repo / "templates")
        (root / "docs").symlink_to(repo / "docs")  # the hand-written pages are searched too
        shutil.copytree(repo / "dossier" / "schema", copy / "schema")
        for name in ("entities.yml", "themes.yml"):
            shutil.copy2(repo / "dossier" / name, copy / name)
        files = sorted((repo / "dossier" / "articles").iterdir())
        files = files[::-1] if order == "reversed" else random.Random(7).sample(files, len(files))
        for path in files:
            shutil.copy2(path, copy / "articles" / path.name)
        assert _pages(root) == baseline, order
