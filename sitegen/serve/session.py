"""What `serve` keeps between its sessions, in .build/serve/: the site it last built and the
BuildCache it last had, so that a new session starts from where the last one stopped instead of
from nothing (a dirty MkDocs build then rebuilds only the pages whose Markdown changed since).

Both are only ever used when they were made by the same code, configuration and theme: the
site under a stamp of mkdocs.yml, overrides/ and the navigation (anything else that shows on
every page), the cache under a stamp of the generator's code and its libraries' versions (the
cache's own keys name the inputs of every result). A stamp that differs, a cache file that
does not load: the site is built afresh, the cache starts empty. The cache file is this
machine's own, written by serve into a git-ignored folder; it is never read from elsewhere.
"""
from __future__ import annotations

import functools
import logging
import os
import pickle
import shutil
import signal
import sys
import threading
from importlib import metadata
from pathlib import Path

from ..cache import BuildCache, fingerprint
from ..project import Project, folder_digest
from ..workers import Worker, WorkerFailed

log = logging.getLogger("mkdocs.plugins.dossier")
CACHE_FILE = "cache.pickle"
SITE_STAMP = ".dossier-serve-stamp"
# What cannot or need not outlive a session: a Jinja environment (rebuilt in a moment), and the
# linked articles, which hold the session's cache itself (their relations look results up in it)
# and are made again from the kept parts (each article's names, read and checked) in moments.
NOT_KEPT = frozenset({"environment", "linked-articles"})


def state_dir(project: Project) -> Path:
    return project.work_dir / "serve"


def site_dir(project: Project) -> Path:
    return state_dir(project) / "site"


@functools.cache  # the running code: read once, as it was when this process started using it
def _code_stamp() -> str:
    code = Path(__file__).resolve().parent.parent
    versions = []
    for name in ("mkdocs", "mkdocs-material", "jinja2", "pyyaml", "jsonschema", "babel", "pymdown-extensions"):
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return fingerprint(folder_digest(code, "*.py"), sys.version, *versions)


def load_cache(project: Project) -> BuildCache:
    """The last session's cache, if this code made it; else an empty one."""
    path = state_dir(project) / CACHE_FILE
    cache = BuildCache()
    try:
        with open(path, "rb") as handle:
            stamp, entries, lasting = pickle.load(handle)
    except FileNotFoundError:
        return cache
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file: start afresh
        log.info(f"serve: the last session's cache could not be read ({type(error).__name__}); starting afresh")
        return cache
    if stamp == _code_stamp():
        cache.restore(entries, lasting)
    return cache


class CacheWriter:
    """Writes the cache to disk for the next session, in a forked worker process
    (sitegen/workers.py), when serve stops, or once it has been idle for a minute; never while a
    maintainer is at work: the forked copy of a large process slows every edit it overlaps (each
    page the parent writes to is copied). on_idle (if given) runs once serve has been idle a
    moment (the adapter collects the build's garbage then)."""

    def __init__(self, project: Project, idle: float = 2.0, keep_after: float = 60.0, on_idle=None):
        self.on_idle = on_idle
        self.path = state_dir(project) / CACHE_FILE
        self.worker: Worker | None = None
        self.idle, self.keep_after = idle, keep_after
        self._building = threading.Lock()  # held by a build; the idle work waits for none
        self._held = False  # by the build under way (builds run one at a time, in one thread)
        self._timers: list[threading.Timer] = []
        self._pending: BuildCache | None = None  # the last good build's cache, not yet written

    def building(self) -> None:
        """A build starts: no idle work starts until it ends (one under way is let finish)."""
        for timer in self._timers:
            timer.cancel()
        if not self._held:
            self._building.acquire()
            self._held = True

    def built(self, cache: BuildCache | None) -> None:
        """The build ended; cache (None: the build kept nothing new worth writing) is written when
        serve stops or has been idle for keep_after seconds."""
        if not self._held:
            return
        self._held = False
        self._building.release()
        if cache is not None:
            self._pending = cache
        jobs = ((self.idle, self.on_idle), (self.keep_after, self._keep))
        self._timers = [self._after(seconds, job) for seconds, job in jobs if job is not None]

    def _after(self, seconds: float, job) -> threading.Timer:
        def when_idle() -> None:
            if self._building.acquire(blocking=False):  # a build started meanwhile: next time
                try:
                    job()
                finally:
                    self._building.release()
        timer = threading.Timer(seconds, when_idle)
        timer.daemon = True
        timer.start()
        return timer

    def _keep(self) -> None:
        cache, self._pending = self._pending, None
        if cache is None:
            return
        if self.worker is not None:
            if not self.worker.ended():
                self._pending = cache  # the last writing is still going on: next time
                return
            self._finish()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.worker = Worker(_write, self.path, cache)

    def _finish(self) -> None:
        try:
            self.worker.result()
        except WorkerFailed as failed:  # a cache that cannot be written is only a slower next start
            log.info(f"serve: the cache was not kept for the next session ({failed})")
        self.worker = None

    def close(self) -> None:
        """serve stops: the cache not yet written is written now (waited for)."""
        for timer in self._timers:
            timer.cancel()
        self.built(None)  # a build stopped half way (Ctrl-C) holds it still
        with self._building:
            if self.worker is not None:
                self._finish()
            self._keep()
            if self.worker is not None:
                self._finish()


def _write(path: Path, cache: BuildCache) -> None:
    # Stopping serve (Ctrl-C, a signal to its process group) must not cut the file short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    temporary = path.with_name(f"{CACHE_FILE}.{os.getpid()}")
    try:
        with open(temporary, "wb") as handle:
            pickle.dump((_code_stamp(), _picklable(cache.kept(NOT_KEPT)), sorted(cache.lasting_kinds() - NOT_KEPT)),
                        handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _picklable(entries: dict) -> dict:
    """The entries of every kind whose results can be written (a schema's validator classes, made
    at run time, cannot: they are made again in a moment)."""
    by_kind: dict[str, dict] = {}
    for entry, value in entries.items():
        by_kind.setdefault(entry[0], {})[entry] = value
    kept: dict = {}
    for group in by_kind.values():
        try:
            pickle.dumps(group, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - left out, made again next session
            continue
        kept.update(group)
    return kept


def site_stamp(project: Project, nav) -> str:
    """What every page of the site shows and a dirty build would not notice changing."""
    config = project.config_file.read_bytes() if project.config_file.is_file() else b""
    return fingerprint(config, folder_digest(project.overrides_dir), repr(nav), _code_stamp())


def prepare_site(folder: Path, stamp: str) -> bool:
    """Keep folder's pages if they were built under stamp; else empty it. True if kept."""
    marker = folder / SITE_STAMP
    try:
        if marker.read_text(encoding="utf-8") == stamp:
            return True
    except OSError:
        pass
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(stamp, encoding="utf-8")
    return False


def docs_view(project: Project, generated: tuple[str, ...]) -> Path:
    """A folder MkDocs takes for docs/ under serve: a link to each hand-written entry of docs/,
    none to the generated folders (the adapter names MkDocs the generated files an edit needs,
    from docs/ itself). Kept in step with docs/ at every build."""
    view = state_dir(project) / "docs"
    view.mkdir(parents=True, exist_ok=True)
    docs = project.docs_dir.resolve()
    wanted = {entry.name for entry in docs.iterdir() if entry.name not in generated}
    for entry in view.iterdir():
        if entry.name not in wanted or not entry.is_symlink() or os.readlink(entry) != str(docs / entry.name):
            entry.unlink() if entry.is_symlink() or not entry.is_dir() else shutil.rmtree(entry)
    for name in sorted(wanted):
        link = view / name
        if not link.is_symlink():
            link.symlink_to(docs / name)
    return view
