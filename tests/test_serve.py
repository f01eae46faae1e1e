"""`python build.py serve`: the preview regenerates when the dossier changes, drafts included.

serve regenerates incrementally in one long-running process (sitegen/serve/): these tests
drive the real command, edit real files and fetch the real pages over HTTP.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from browser import chromium, waiting
from conftest import TEXT, add_article, tree
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

GENERATED = ("articles", "themes", "timeline", "entities", "map", "_partials", "data", "cards", "downloads")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def _page(url: str, needle: str):
    """A check for Serve.until: the page at url holds needle (not yet while it cannot be fetched)."""
    def check():
        try:
            return needle in _get(url)
        except OSError:
            return False
    return check


def _from_preview(url: str):
    """A check for Serve.until: the page at url is the preview's, not the last build's (with its notice)."""
    def check():
        try:
            return "_dossier-serve/last-build.js" not in _get(url)
        except OSError:
            return False
    return check


def _missing(url: str):
    """A check for Serve.until: the page at url is answered with 404."""
    def check():
        try:
            _get(url)
        except urllib.error.HTTPError as error:
            return error.code == 404
        except OSError:
            pass
        return False
    return check


class Serve:
    """`python build.py serve` in repo, its output collected line by line as it comes."""

    def __init__(self, repo: Path, *options: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        self.lines: list[str] = []
        self.ended = False
        self.printed = threading.Condition()  # notified for each line and when serve's output ends
        self.process = subprocess.Popen([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{self.port}",
                                         *options],
                                        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        encoding="utf-8", errors="replace")
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self.printed:
                self.lines.append(line)
                self.printed.notify_all()
        with self.printed:
            self.ended = True
            self.printed.notify_all()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def until(self, ready, what: str, seconds: float = 60):
        """ready()'s first result that is neither None nor False. It is asked at once and again each time serve prints a line
        (serve prints when a build ends, and what it serves changes only with a build), and at
        least each second for what serve does without a line (its server answering). Fails naming
        what after seconds, or as soon as serve has exited."""
        deadline = time.monotonic() + seconds
        seen = -1
        while True:
            with self.printed:
                self.printed.wait_for(lambda: len(self.lines) != seen or self.ended,
                                      timeout=min(1.0, max(0.0, deadline - time.monotonic())))
                seen, ended = len(self.lines), self.ended
            result = ready()
            if result is not None and result is not False:
                return result
            assert not ended, f"serve exited before {what}:\n{self.output}"
            if time.monotonic() >= deadline:
                raise AssertionError(f"not {what} within {seconds} s:\n{self.output}")

    def shows(self, url: str, needle: str, seconds: float = 60) -> float:
        """Wait until the page at url holds needle; the seconds it took."""
        start = time.monotonic()
        self.until(_page(url, needle), f"{needle!r} shown at {url}", seconds)
        return time.monotonic() - start

    def gone(self, url: str, seconds: float = 60) -> None:
        """Wait until url is answered with 404 (its article removed)."""
        self.until(_missing(url), f"{url} gone", seconds)

    def wait_for_output(self, needle: str, seconds: float = 60, after: int = 0) -> str:
        """The first line holding needle printed after the first `after` lines."""
        return self.until(lambda: next((line for line in self.lines[after:] if needle in line), None),
                          f"{needle!r} printed", seconds)

    def up(self, seconds: float = 60) -> None:
        """Wait until the preview itself answers: until its first build ends, serve shows the last
        build (with a notice), and stopping it as MkDocs' server starts would race MkDocs' own start."""
        self.wait_for_output("Serving on", seconds)
        self.until(_from_preview(self.base), "the preview answering", seconds)

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        return self.output


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_serve_edits_end_as_a_full_regeneration_would_leave_them(repo, tmp_path):
    """Edits of every kind under serve (a summary, a mistake and its fix, a title, a new article, a
    hand-written page, a removed article), a draft shown from the start:
    each shows in the served pages, the mistake is reported and serve goes on, each change costs at
    most one MkDocs build, site/ is never touched, and docs/ ends up exactly as a fresh full
    regeneration writes it. (One session for all: each starts with a full build.)"""
    articles = repo / "dossier" / "articles"
    add_article(repo, draft="true")
    server = Serve(repo)
    try:
        base = server.base
        server.shows(base + "articles/test-article/", "عنوان الخبر التجريبي")
        started_builds = server.output.count("Documentation built")

        # a summary: the article's page and the home page's latest articles
        _edit(articles / "2010-election-results-alert.yml", "مثل الأعظمية والعامرية.", "مثل الأعظمية والعامرية. ملخص-معدل")
        took = server.shows(base + "articles/2010-election-results-alert/", "ملخص-معدل")
        server.shows(base, "ملخص-معدل")  # the home page's latest articles too
        print(f"edited article shown after {took:.2f} s")
        assert not (repo / "site").joinpath("articles/test-article").exists()  # serve never touches site/

        # a mistake: reported with file, line and field; serve goes on with the last good pages
        _edit(articles / "test-article.yml", 'date: "2019-05-27"', 'date: "2019-02-30"')
        line = server.wait_for_output("dossier/articles/test-article.yml:3:")
        assert "`date`" in line and "February 2019 has 28 days" in line, line
        assert "عنوان الخبر التجريبي" in _get(base + "articles/test-article/")
        # ... and its fix
        _edit(articles / "test-article.yml", 'date: "2019-02-30"', 'date: "2019-05-27"')
        _edit(articles / "test-article.yml", "ملخص قصير للخبر.", "ملخص قصير للخبر بعد التصحيح.")
        server.shows(base + "articles/test-article/", "بعد التصحيح")

        # a title: its page, its card, and the page of the article that lists it as related
        _edit(articles / "kadhimi-election-security-campaign.yml", "على مراحل\n", "على مراحل عنوان-معدل\n")
        server.shows(base + "articles/kadhimi-election-security-campaign/", "عنوان-معدل")
        server.shows(base + "articles/2010-election-results-alert/", "عنوان-معدل")

        # a new article, and a hand-written page
        add_article(repo, "second-test-article", text=TEXT.replace("عنوان الخبر التجريبي", "خبر تجريبي ثان"),
                    title='"خبر تجريبي ثان"', date='"2019-05-28"')
        server.shows(base + "articles/second-test-article/", "خبر تجريبي ثان")
        about = repo / "docs" / "about.md"
        about.write_text(about.read_text(encoding="utf-8") + "\nفقرة-يدوية\n", encoding="utf-8")
        server.shows(base + "about/", "فقرة-يدوية")

        # a removed article: its page is gone from the preview
        (articles / "test-article.yml").unlink()
        (articles / "test-article.txt").unlink()
        server.gone(base + "articles/test-article/")
        assert server.process.poll() is None
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
    builds = output.count("Documentation built") - started_builds
    assert output.count("Building documentation") == output.count("Documentation built"), output
    # 7 changes: the summary, the mistake (a build that keeps the last good pages and shows the
    # problem on them), its fix, the title, the new article, the hand-written page, the removal.
    assert builds <= 7, f"{builds} MkDocs builds for 7 changes (one each at most):\n{output}"

    _assert_docs_as_a_fresh_regeneration_writes_them(repo, tmp_path / "fresh")
    assert "articles/test-article.md" not in tree(repo / "docs" / "articles")


def _assert_docs_as_a_fresh_regeneration_writes_them(repo: Path, fresh: Path) -> None:
    """docs/' generated folders hold exactly what a full regeneration of the same input writes."""
    script = ("import sys; sys.path.insert(0, '.')\n"
              "from pathlib import Path\n"
              "from sitegen import pipeline\n"
              "from sitegen.output import cards, writer\n"
              "from sitegen.project import Project\n"
              "outcome = pipeline.generate(Project.at('.'), include_drafts=True)\n"
              "assert not outcome.problems, outcome.problems\n"
              "generated = outcome.generated\n"
              "writer.write_pages(Path(sys.argv[1]), {**generated.pages, **cards.card_pngs(generated.cards, None)})\n")
    result = subprocess.run([sys.executable, "-c", script, str(fresh)], cwd=repo, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    docs = repo / "docs"
    served = {f"{folder}/{path}": digest for folder in GENERATED if (docs / folder).is_dir()
              for path, digest in tree(docs / folder).items()}
    expected = {f"{folder}/{path}": digest for folder in GENERATED if (fresh / folder).is_dir()
                for path, digest in tree(fresh / folder).items()}
    assert sorted(set(served) ^ set(expected)) == [], "files only in one of serve's docs/ and a fresh regeneration"
    assert [path for path in served if served[path] != expected[path]] == [], "files that differ"
    assert "cards/articles/test-article.png" not in served


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def test_an_entity_description_edit_reaches_its_page_and_only_what_shows_it(repo, tmp_path):
    """A description shows on the entity's page (and in search): that page is rebuilt, the
    articles that name the entity are not (they show its name, not its description). In a
    checkout never built (no site/), every address says the preview is being built until it is."""
    shutil.rmtree(repo / "site")
    server = Serve(repo)
    entities = repo / "dossier" / "entities.yml"
    site = repo / ".build" / "serve" / "site"
    try:
        with pytest.raises(urllib.error.HTTPError) as first:
            _first_answer(server.base + "entities/isis/")
        body = first.value.read().decode("utf-8")
        assert first.value.code == 503 and "The preview is being built" in body and "last-build.js" in body, body
        server.shows(server.base + "entities/isis/", "تنظيم داعش")
        server.up()
        before = _mtimes(site)
        _edit(entities, "التنظيم المسلح المعروف", "التنظيم المسلح وصف-معدل المعروف")
        server.shows(server.base + "entities/isis/", "وصف-معدل")
        after = _mtimes(site)
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
    assert after["entities/isis/index.html"] != before["entities/isis/index.html"]
    assert after["articles/kadhimi-alert-after-isis-threat/index.html"] == \
        before["articles/kadhimi-alert-after-isis-threat/index.html"], "an article naming the entity was rebuilt"
    search = "".join(p.read_text(encoding="utf-8") for p in (repo / "docs" / "search").rglob("*.js"))
    assert "وصف-معدل" in search
    _assert_docs_as_a_fresh_regeneration_writes_them(repo, tmp_path / "fresh")


def test_a_new_session_starts_where_the_last_stopped(repo, tmp_path):
    """serve keeps its site and cache in .build/serve/: a second session rebuilds only the pages
    whose Markdown changed while it was stopped (edits made meanwhile still show, removed pages
    are gone), and all of them when what every page shows changed (a theme override)."""
    articles = repo / "dossier" / "articles"
    site = repo / ".build" / "serve" / "site"
    first = Serve(repo)
    try:
        first.shows(first.base + "articles/2010-election-results-alert/", "مستنفرة")
        first.up()
    finally:
        output = first.stop()
    assert "Traceback" not in output, output
    cache = repo / ".build" / "serve" / "cache.pickle"
    deadline = time.monotonic() + 120
    while not cache.is_file() and time.monotonic() < deadline:  # written by a process of its own
        time.sleep(0.2)
    assert cache.is_file(), "serve kept no cache for its next session"
    before = _mtimes(site)

    # while serve is stopped: a title edited, an article removed
    _edit(articles / "kadhimi-election-security-campaign.yml", "على مراحل\n", "على مراحل عنوان-بين-جلستين\n")
    removed = "kadhimi-arms-campaign-doubts"
    for suffix in (".yml", ".txt"):
        (articles / f"{removed}{suffix}").unlink()
    second = Serve(repo)
    try:
        second.shows(second.base + "articles/kadhimi-election-security-campaign/", "عنوان-بين-جلستين")
        second.gone(second.base + f"articles/{removed}/")
        after = _mtimes(site)
    finally:
        output = second.stop()
    assert "Traceback" not in output, output
    kept = [page for page in before if page in after and after[page] == before[page]]
    # pages the two edits do not touch (hand-written pages with no generated part, an event of another article)
    untouched = ("about/index.html", "events/iraq-parliamentary-election-2010-03-07/index.html")
    assert all(page in kept for page in untouched), f"the second session rebuilt pages no edit touched: {kept}"
    assert after["articles/kadhimi-election-security-campaign/index.html"] != \
        before["articles/kadhimi-election-security-campaign/index.html"]
    _assert_docs_as_a_fresh_regeneration_writes_them(repo, tmp_path / "fresh")

    # a theme override changes every page: a third session rebuilds them all
    main = repo / "overrides" / "main.html"
    main.write_text(main.read_text(encoding="utf-8") + "\n{# تغيير-في-القالب #}\n", encoding="utf-8")
    third = Serve(repo)
    try:
        third.shows(third.base + "about/", "")
        third.up()
        rebuilt = _mtimes(site)
    finally:
        output = third.stop()
    assert "Traceback" not in output, output
    assert all(rebuilt[page] != after[page] for page in after if page in rebuilt), "pages kept across a theme change"


def _first_answer(url: str, seconds: float = 60) -> tuple[str, dict]:
    """The first answer at url once serve listens (a port opening has no event to wait for)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError:
            raise
        except OSError:  # refused, reset, timed out (urllib's errors are OSErrors too)
            assert time.monotonic() < deadline, f"nothing answered at {url} within {seconds} s"
            time.sleep(0.02)


def test_a_start_shows_the_last_build_with_a_notice_until_the_preview_is_up(repo):
    """While serve's first build runs, the last `build` (site/) is served at once, each page with a
    notice that says so; the page reloads itself into the preview when it is up. A change made
    meanwhile (the watcher starts after the first build) is built too, with no further edit."""
    articles = repo / "dossier" / "articles"
    _edit(articles / "2010-election-results-alert.yml", "مثل الأعظمية والعامرية.", "مثل الأعظمية والعامرية. بعد-آخر-بناء")
    page = "articles/2010-election-results-alert/"
    published = tree(repo / "site")
    with chromium(width=390) as driver:
        server = Serve(repo)
        try:
            body, headers = _first_answer(server.base + page)
            assert headers.get("X-Dossier-Preview") == "last-build", headers
            assert "last-build.js" in body and "مستنفرة" in body and "بعد-آخر-بناء" not in body
            driver.get(server.base + page)
            # the dossier read, MkDocs building the pages: an edit now is not in this build
            server.wait_for_output("dossier regenerated")
            _edit(articles / "kadhimi-election-security-campaign.yml", "على مراحل\n", "على مراحل أثناء-البناء-الأول\n")
            notice = driver.find_element(By.CSS_SELECTOR, "section.dossier-last-build[role=status]")
            assert notice.is_displayed() and "last `build`" in notice.text, notice.text
            # the notice reloads the page once the preview answers: the change since the last build shows
            # (a body found just before the reload is gone when its text is asked: asked again)
            waiting(driver, 120, poll=0.2, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: "بعد-آخر-بناء" in d.find_element(By.TAG_NAME, "body").text)
            assert not driver.find_elements(By.CSS_SELECTOR, "section.dossier-last-build")
            server.shows(server.base + "articles/kadhimi-election-security-campaign/", "أثناء-البناء-الأول")
        finally:
            output = server.stop()
    assert "Traceback" not in output, output
    assert "The last build (site/, made " in output, output
    assert "Changes during the first build: building again" in output, output
    assert tree(repo / "site") == published  # site/ is read, never written


def test_a_busy_port_is_named_with_the_way_to_choose_another(repo):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "build.py", "serve", "--dev-addr", f"127.0.0.1:{port}"], cwd=repo,
                                capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"127.0.0.1:{port} is in use" in output and "--dev-addr" in output, output
    assert "Traceback" not in output and "report this as a bug" not in output.lower(), output


def test_serve_does_not_warn_about_dirty_builds_on_every_edit(repo):
    """Nor, as it starts, that pages are missing from the menu (the front door: every page is in it);
    nor, after an edit, that the open-data page (rebuilt on every edit: it includes a generated
    snippet) links to downloads MkDocs was not told of, whose links it would then leave broken."""
    server = Serve(repo)
    try:
        page = server.base + "articles/2010-election-results-alert/"
        server.shows(page, "مستنفرة", seconds=180)
        server.up()
        yml = repo / "dossier/articles/2010-election-results-alert.yml"
        _edit(yml, "مثل الأعظمية والعامرية.", "مثل الأعظمية والعامرية. تعديل-أول")
        server.shows(page, "تعديل-أول")
        _edit(yml, "تعديل-أول", "تعديل-ثان")
        server.shows(page, "تعديل-ثان")
        open_data = server.base + "open-data/"
        downloads = re.findall(r'href="([^"]*data/[a-z]+\.(?:json|csv|bib|xml))"', _get(open_data))
        assert len(downloads) >= 8, downloads
        for href in downloads:  # each download link of the page as rebuilt after the edits answers
            with urllib.request.urlopen(urllib.parse.urljoin(open_data, href), timeout=5) as response:
                assert response.status == 200, href
    finally:
        output = server.stop()
    assert output.count("Documentation built") >= 3, output  # the first build and one per edit
    assert "Edits are noticed by the system's notices" in output, output  # not by looking at every file (watching.py)
    assert "dirty" not in output.lower(), output
    assert "not included in the \"nav\"" not in output, output
    assert "not found among documentation files" not in output, output


def test_with_poll_serve_looks_for_edits(repo):
    """By default the system tells serve of an edit (test_serve_does_not_warn_about_dirty_builds_on_every_edit
    checks it says so); with --poll serve looks every SECONDS, as MkDocs' own serve does, for folders
    whose changes the system does not report (shared into a container, or over a network). An edit
    shows, with one build; a poll that is not a number of seconds is one line, before anything starts."""
    server = Serve(repo, "--poll", "0.2")
    try:
        page = server.base + "articles/2010-election-results-alert/"
        server.up(seconds=180)
        built = server.output.count("Documentation built")
        _edit(repo / "dossier/articles/2010-election-results-alert.yml", "مثل الأعظمية والعامرية.",
              "مثل الأعظمية والعامرية. تعديل-مراقب")
        server.shows(page, "تعديل-مراقب")
    finally:
        output = server.stop()
    assert "Edits are noticed by polling" in output, output
    assert output.count("Documentation built") == built + 1, output
    refused = subprocess.run([sys.executable, "build.py", "serve", "--poll", "0"], cwd=repo, capture_output=True,
                             text=True, timeout=60)
    assert refused.returncode == 2 and "'0' is not a number of seconds between 0.05 and 60" in refused.stderr, refused
    assert "Traceback" not in refused.stderr, refused.stderr


def test_reading_a_watched_file_is_not_a_change(tmp_path):
    """The system reports files opened and closed unwritten too, and every build reads every source:
    told of those, serve would build again after each build, for ever. Only changes are passed on
    (a file read, then one written: the written one's events arrive, in order, and nothing before)."""
    from watchdog.events import FileSystemEventHandler

    from sitegen.serve.watching import system_observer

    observer = system_observer()
    assert observer is not None, "this system's file notices could not be used (inotify on Linux)"
    source, marker = tmp_path / "article.yml", tmp_path / "marker.yml"
    source.write_text("title: x\n", encoding="utf-8")
    seen, written = [], threading.Event()

    class Record(FileSystemEventHandler):
        def on_any_event(self, event):
            seen.append((event.event_type, Path(event.src_path).name))
            if Path(event.src_path) == marker:
                written.set()

    observer.schedule(Record(), str(tmp_path), recursive=True)
    observer.start()
    try:
        assert source.read_text(encoding="utf-8") == "title: x\n"
        marker.write_text("written\n", encoding="utf-8")
        assert written.wait(10), seen
    finally:
        observer.stop()
        observer.join()
    assert all(name == "marker.yml" for _, name in seen), seen


def test_the_journal_holds_a_write_before_mkdocs_hears_of_it_and_cannot_say_after_a_folder_or_lost_notices(tmp_path):
    """Each build asks the journal which files were written since the last (load then looks at
    those alone): a write is in it before MkDocs' handler runs, so a build MkDocs starts for it
    finds it; before the observer watches, after a folder was created and after the system lost
    notices (watchdog warns of an overflowed queue), it cannot say, and the build looks at all."""
    import logging

    from watchdog.events import FileSystemEventHandler

    from sitegen.serve.watching import system_observer

    observer = system_observer()
    assert observer is not None, "this system's file notices could not be used (inotify on Linux)"
    journal = observer.journal
    first, second = tmp_path / "first.yml", tmp_path / "second.yml"
    folder = tmp_path / "folder"
    in_journal, heard, folder_heard = {}, threading.Event(), threading.Event()

    class MkDocsHandler(FileSystemEventHandler):
        def on_any_event(self, event):
            if not event.is_directory:
                in_journal.setdefault(Path(event.src_path).name, journal._paths is not None
                                      and event.src_path in journal._paths)
            if Path(event.src_path) == second and event.event_type == "closed":  # a write's last notice
                heard.set()
            if Path(event.src_path) == folder:
                folder_heard.set()

    observer.schedule(MkDocsHandler(), str(tmp_path), recursive=True)
    assert journal.take() is None  # not watching yet
    observer.start()
    try:
        assert journal.take() is None  # what happened before it watched is not known
        first.write_text("a\n", encoding="utf-8")
        second.write_text("b\n", encoding="utf-8")
        assert heard.wait(10), in_journal
        assert in_journal == {"first.yml": True, "second.yml": True}
        assert journal.take() == {str(first), str(second)}
        assert journal.take() == frozenset()  # nothing written since

        folder.mkdir()
        assert folder_heard.wait(10)
        assert journal.take() is None  # a folder made: the build looks at everything
        assert journal.take() == frozenset()

        logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
        assert journal.take() is None
    finally:
        observer.stop()
        observer.join()
