"""Shared fixtures: a private copy of the repository that a test may break safely.

`repo` is a copy of the project (dossier/, docs/, templates/, sitegen/, build.py, mkdocs.yml,
overrides/ and whatever else the build needs) in which `python build.py build` has already
run once, so there is a previous site/ to protect. Tests drive the real command line in it
(`run(repo, "check")`) and compare `snapshot(repo)` before and after to prove nothing was
written.
"""
from __future__ import annotations

import compileall
import fcntl
import hashlib
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from launcher import Launcher

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # tests may import sitegen directly
# Never copied: version control, built output, caches, and the tests themselves.
NOT_COPIED = {".git", "site", "dist", ".build", "tests", "bench", ".benchmarks", ".pytest_cache", "__pycache__",
              "node_modules", ".venv", "venv", ".ci", ".github"}
SCHEMA_LINE = "# yaml-language-server: $schema=../schema/article.schema.json"

# A small article for tests to add and then break in one place. Its YAML is written by
# article_yaml() one field per line, in this order, so a test knows every line number.
TEXT = (
    "عنوان الخبر التجريبي\n"
    "قالت وزارة الدفاع في بغداد يوم 27 أيار 2019 إن الخطة الأمنية بدأت.\n"
    "وأضافت أن القوات انتشرت في الأنبار.\n"
)
FIELDS = {
    "title": '"عنوان الخبر التجريبي"',          # line 2
    "date": '"2019-05-27"',                      # line 3
    "source": '\n  outlet: "العربي الجديد"',      # lines 4-5
    "themes": "[isis-remnants]",                 # line 6
    "summary": '"ملخص قصير للخبر."',             # line 7
    "entities": "[ministry-of-defence, baghdad]", # line 8
    # lines 9-11 (a flow mapping, so that every later field keeps its line)
    "events": '\n  - {date: "2019-05-26", attribution: official-statement, attributed_to: ministry-of-defence,\n'
              '     places: [anbar], title: "انتشار القوات في الأنبار"}',
}


def _ignore(folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in NOT_COPIED or n.endswith(".pyc")]


def copy_repo(destination: Path, source: Path = REPO) -> Path:
    destination.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.name in NOT_COPIED:
            continue
        if item.is_dir():
            shutil.copytree(item, destination / item.name, ignore=_ignore)
        else:
            shutil.copy2(item, destination / item.name)
    return destination


def copy_built(source: Path, destination: Path) -> Path:
    """destination, a copy of the built repository at source: symbolic links copied as links, modes
    and times kept (shutil.copytree(symlinks=True) with copy2). `cp -a` does it in half the CPU of
    copytree's file-by-file Python (a built copy, ~600 files: 38 against 75 ms), which the `repo`
    fixture pays for each test that breaks a copy of its own."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--", os.fspath(source), os.fspath(destination)], check=True)
    return destination


# The address the shared builds are published at, as the deploy workflow sets SITE_URL.
SITE_URL = "https://dossier.example/"


def _environment(env: dict | None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SITE_URL")}
    environment.update({"PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "SITE_URL": SITE_URL, **(env or {})})
    return environment


_launcher: Launcher | None = None  # this test worker's, started by its first command


def run(repo: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python build.py ARGS` in repo, as CI would run it to publish (SITE_URL set; env={"SITE_URL": ""}
    runs it as a maintainer's first try would, without). Each run is a process of its own, forked
    by the worker's launcher with the libraries already imported (tests/launcher.py)."""
    global _launcher
    if _launcher is None:
        _launcher = Launcher(_environment(None))
    return _launcher.run(repo, list(args), _environment(env), timeout)


def run_several(repo: Path, *commands: list[str], env: dict | None = None, timeout: float = 300
                ) -> list[subprocess.CompletedProcess]:
    """Several `python build.py ARGS` in repo, one after the other, each with its own exit status
    and output."""
    return [run(repo, *argv, env=env, timeout=timeout) for argv in commands]


def shown(html: str) -> str:
    """HTML without the <bdi dir="ltr"> the templates put around Latin runs: the markup a value
    becomes, to compare with what it says (a value's own "<bdi" would be escaped, so never removed)."""
    return html.replace('<bdi dir="ltr">', "").replace("</bdi>", "")


def _sha256(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _files(folder: Path, skipped: Callable[[tuple[str, ...]], bool] = lambda parts: False,
           described: Callable[[str], object] = _sha256) -> dict[str, object]:
    """Every file under folder (a symbolic link to a file read through, one to a folder not
    followed, as folder.rglob("*") lists them) but those whose parts skipped() names, as described()
    (its SHA-256), in sorted(rglob)'s order. Walked with os.scandir and plain strings: pathlib's
    objects cost more than hashing the files (a built copy: 70 ms a snapshot, most of it Path
    objects), and a directory entry knows its own type where os.walk's names had each to be stat'ed
    again (a snapshot of a built copy: 3.6 ms against 10.3)."""
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(path: str, parts: tuple[str, ...]) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                here = (*parts, entry.name)
                if skipped(here):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, here)
                elif entry.is_file():  # follows a link: a link to a file counts, one to a folder not
                    found.append((here, entry.path))

    walk(os.fspath(folder), ())
    return {"/".join(parts): described(path) for parts, path in sorted(found)}


def _status(path: str) -> tuple[int, ...]:
    """What writing a file changes: its inode (replaced), size, mode and modification time (a
    write sets it to the moment, to the nanosecond, even when the bytes are the same). Not the
    change time: another hard link to the file (serve's site links the cards) changes it."""
    status = os.stat(path)
    return status.st_ino, status.st_size, status.st_mode, status.st_mtime_ns


def snapshot(repo: Path) -> dict[str, tuple[int, ...]]:
    """Every file of the repo (but the temporary .build/ and caches) with its _status(). Compared
    before and after a command in the same repo, it shows the command touched nothing: more
    strictly than hashing every file did, at a fraction of the cost (the hashing had cost more
    than the refused command it checked)."""
    return _files(repo, lambda parts: parts[0] == ".build" or parts[-1] == "__pycache__", _status)


def tree(folder: Path) -> dict[str, str]:
    return _files(folder)


def leftovers(repo: Path) -> list[str]:
    """Temporary build folders left behind in .build/ (not what is kept there on purpose: serve's
    site and cache, the font subsets)."""
    work = repo / ".build"
    return sorted(p.name for p in work.iterdir() if p.is_dir() and p.name.startswith(("build-", "done-"))) \
        if work.is_dir() else []


def article_yaml(text: bytes | str = TEXT, schema_line: bool = True, **fields) -> str:
    """The YAML of the test article: FIELDS, overridden by fields (None leaves one out), then sha256."""
    raw = text.encode("utf-8") if isinstance(text, str) else text
    values = {**FIELDS, "sha256": hashlib.sha256(raw).hexdigest()}
    values.update(fields)
    lines = [SCHEMA_LINE] if schema_line else []
    for key, value in values.items():
        if value is not None:
            lines.append(f"{key}:{'' if value.startswith(chr(10)) else ' '}{value}")
    return "\n".join(lines) + "\n"


def add_article(repo: Path, article_id: str = "test-article", text: bytes | str = TEXT,
                yaml_text: str | None = None, **fields) -> tuple[Path, Path]:
    """Write dossier/articles/<id>.txt and .yml (article_yaml(**fields) unless yaml_text is given)."""
    articles = repo / "dossier" / "articles"
    txt, yml = articles / f"{article_id}.txt", articles / f"{article_id}.yml"
    txt.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    yml.write_text(yaml_text if yaml_text is not None else article_yaml(text, **fields), encoding="utf-8")
    return txt, yml


def problems(result: subprocess.CompletedProcess) -> list[str]:
    """The `path:line:column: message` lines a run printed."""
    return [line for line in result.stderr.splitlines() if line.startswith(("dossier/", "docs/"))]


def assert_refused(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit status 1, every expected problem line printed exactly, and no Python traceback."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    printed = problems(result)
    for line in expected:
        assert line in printed, f"expected problem line:\n  {line}\nprinted:\n  " + "\n  ".join(printed or [output])


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output


def made_once(tmp_path_factory, worker_id: str, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, made by make(folder) once for the whole run. Under pytest-xdist the
    workers share it: the first to ask makes it while the others wait on a lock (an event, not a
    poll), so a shared build costs one build, not one per worker. A maker that failed leaves no
    mark, so the next one to ask tries again and reports its own failure."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's own folder, above each worker's popen-gwN
    folder, done = root / name, root / f"{name}.done"
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.is_file():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed maker left
            make(folder)
            done.touch()
    return folder


def _compiled(repo: Path) -> None:
    """sitegen/ of a copy compiled once, to bytecode checked against the hash of its source (PEP 552):
    each command run in the copy, or in a copy of it, loads it instead of compiling every module
    again (PYTHONDONTWRITEBYTECODE keeps the commands from writing any), and a module a test edits
    no longer matches its hash, so it is compiled from its new source."""
    compileall.compile_dir(repo / "sitegen", quiet=1, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)


def _build(folder: Path) -> None:
    repo = copy_repo(folder)
    _compiled(repo)
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "site" / "index.html").is_file()
    (repo / "build-output.txt").write_text(result.stdout + result.stderr, encoding="utf-8")


def _bundle(folder: Path) -> None:
    result = run(copy_repo(folder), "bundle")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def built_template(tmp_path_factory, worker_id) -> Path:
    """The repository copied and built once for the run: the one shared build. Tests that only
    read a built site use its site/ (the `site` fixture); tests that change things copy it (`repo`)."""
    return made_once(tmp_path_factory, worker_id, "template", _build)


@pytest.fixture(scope="session")
def site(built_template) -> Path:
    """The shared build's site/, to read (never to change: copy `repo` for that)."""
    return built_template / "site"


@pytest.fixture(scope="session")
def site_address(site) -> str:
    """The shared build's site/ served over HTTP on 127.0.0.1 (one server per worker): its base
    URL, ending in /. Every test that opens the shared site in a browser uses this one."""
    from browser import served

    with served(site) as base:
        yield base


@pytest.fixture(scope="session")
def site_tour(site, site_address):
    """Every page of the shared build opened once on a phone, and what the browser met there
    (tests/tours.py): for the tests that check every page. Their modules share an xdist group,
    so one worker makes it once."""
    from tours import tour

    return tour(site, site_address)


@pytest.fixture(scope="session")
def bundled(tmp_path_factory, worker_id) -> Path:
    """A copy of the repository in which `python build.py bundle` has run once: its dist/ zip."""
    return next((made_once(tmp_path_factory, worker_id, "bundled", _bundle) / "dist").glob("*.zip"))


@pytest.fixture(scope="session")
def published(bundled, tmp_path_factory, worker_id) -> Path:
    """A copy of the repository in which `bundle` and then `build` have run: a site that offers
    its bundle for download (dist/ holds the zip the site links). To read, never to change."""
    def make(folder: Path) -> None:
        copy_built(bundled.parent.parent, folder)
        result = run(folder, "build")
        assert result.returncode == 0, result.stdout + result.stderr

    return made_once(tmp_path_factory, worker_id, "published", make)


@pytest.fixture(scope="session", autouse=True)
def both_workers_busy_from_the_start(request, worker_id) -> None:
    """The first tests of both workers ask for the shared build, so one worker waited for the
    other's (8 s at the start of a run): the second makes the bundle meanwhile, which later tests
    need anyway (made once either way, by whichever worker asks first)."""
    if worker_id == "gw1" and any("bundled" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("bundled")


@pytest.fixture(scope="session")
def built_copy(built_template: Path) -> Callable[[Path], Path]:
    """built_copy(folder): folder/repo, a copy of the shared build, its caches (.build/) included,
    so that a build in it builds again what changed, not everything."""
    def copy(folder: Path) -> Path:
        destination = folder / "repo"
        return copy_built(built_template, destination)

    return copy


@pytest.fixture
def repo(built_copy, tmp_path: Path) -> Path:
    """A private, already built copy of the repository."""
    return built_copy(tmp_path)


# The run's temporary files (every copy of the repository, its builds, Chromium's profiles) go to
# memory when the machine has room there: on this project's machine a 563-file copy cost 0.5-0.9 s
# of kernel time on the disk (ext4) and 0.05 s on tmpfs. pytest.ini removes a passed test's folder
# as it ends, so the run holds little at once.
MEMORY = Path("/dev/shm")
MEMORY_NEEDED = 2 * 1024 ** 3


def pytest_configure(config):
    """TMPDIR set to MEMORY in the run's first process, before its temporary folder is made; the
    workers, the launcher's commands and Chromium inherit it. Not when --basetemp or TMPDIR is
    given, or where /dev/shm is missing, not writable, small (a container's is 64 MB) or mounted
    noexec (tests run scripts they write, e.g. test_readme's stand-ins for apt-get)."""
    if "PYTEST_XDIST_WORKER" in os.environ or config.option.basetemp or os.environ.get("TMPDIR"):
        return
    try:
        mounted = os.statvfs(MEMORY)
    except OSError:
        return
    room, runnable = mounted.f_bavail * mounted.f_frsize, not mounted.f_flag & os.ST_NOEXEC
    if room >= MEMORY_NEEDED and runnable and os.access(MEMORY, os.W_OK | os.X_OK):
        os.environ["TMPDIR"] = str(MEMORY)
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go to be looked at: $SCREENSHOTS, or a folder among the run's temporary
    ones (never the checkout)."""
    if os.environ.get("SCREENSHOTS"):
        folder = Path(os.environ["SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


def pytest_xdist_make_scheduler(config, log):
    """--dist loadgroup, with the group a module names read by tests/scheduling.py (xdist's own
    reads no group under pytest 9)."""
    if config.getvalue("dist") == "loadgroup":
        from scheduling import ModuleGroups

        return ModuleGroups(config, log)
    return None


def pytest_sessionfinish(session):
    """The worker's pooled Chromiums (tests/browser.py) quit with the run, not left to exit."""
    browser = sys.modules.get("browser")
    if browser is not None:
        browser.stop_pool()


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))
