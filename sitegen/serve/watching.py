"""How serve learns of an edit: from the system as it happens, or by looking, as MkDocs does.

MkDocs' dev server looks at every watched file every half second (watchdog's PollingObserver,
chosen so that folders shared into Docker or over a network are seen: mkdocs/mkdocs#2477). At
5,000 articles a look stats the dossier's 10,000 files and compares them with the last look
(about 0.17 s of the one interpreter serve has), so an edit waited 0.8 s to be noticed, and the
looks went on while each build ran. The system's own notices (inotify on Linux, FSEvents on
macOS, ReadDirectoryChangesW on Windows: watchdog's `Observer`) arrive at once and cost nothing
while nothing changes. Where they do not arrive (a folder shared into a container or over a
network), `serve --poll` looks as MkDocs does, as Hugo's and Vite's dev servers offer it.

The notices are also written in a Journal, from which each build learns which files were
written since the last one (load then takes the status of those alone, not of all 10,000).
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading

from mkdocs.livereload import LiveReloadServer
from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("mkdocs.commands.serve")

POLL_SECONDS = 0.5  # MkDocs' own interval
# What changes a file: the system also reports files opened and closed unwritten, which each build
# does to every source it reads (and MkDocs rebuilds on any event it is told of).
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
           DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


class Journal:
    """The files the system reported written since the last take(). It cannot say (None) until
    the observer watches, after a folder was created, removed or moved, and after the system
    dropped notices (its queue overflowed, which watchdog logs as a warning): the next build
    then looks at every file."""

    def __init__(self):
        self._lock = threading.Lock()
        self._paths: set[str] | None = None
        self._watching = False

    def record(self, event) -> None:
        with self._lock:
            if self._paths is None:
                return
            if event.is_directory:
                self._paths = None
                return
            self._paths.add(os.fsdecode(event.src_path))
            if getattr(event, "dest_path", ""):
                self._paths.add(os.fsdecode(event.dest_path))

    def lose(self) -> None:
        with self._lock:
            self._paths = None

    def watching(self) -> None:
        """Called once the observer watches: notices are recorded from the next take() on."""
        with self._lock:
            self._watching = True

    def take(self) -> frozenset[str] | None:
        """The files written since the last take (None: not known), and a new record from now."""
        with self._lock:
            paths = self._paths
            if self._watching:
                self._paths = set()
        return None if paths is None else frozenset(paths)


class _Recorded(FileSystemEventHandler):
    """A handler whose notices are written in the journal first: a build MkDocs starts on a
    notice finds it there."""

    def __init__(self, journal: Journal, handler: FileSystemEventHandler):
        super().__init__()
        self.journal, self.handler = journal, handler

    def dispatch(self, event) -> None:
        self.journal.record(event)
        self.handler.dispatch(event)


class _Dropped(logging.Handler):
    """watchdog's warnings (notices lost when the system's queue overflowed): the journal cannot say."""

    def __init__(self, journal: Journal):
        super().__init__(logging.WARNING)
        self.journal = journal

    def emit(self, record: logging.LogRecord) -> None:
        self.journal.lose()


class ChangesObserver(Observer):
    """The system's observer, told only of changes, which it writes in its journal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.journal = Journal()
        self._dropped = _Dropped(self.journal)

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None):
        return super().schedule(_Recorded(self.journal, event_handler), path, recursive=recursive,
                                event_filter=event_filter or CHANGES)

    def start(self) -> None:
        watchdog_log = logging.getLogger("watchdog.observers")
        watchdog_log.addHandler(self._dropped)
        if watchdog_log.getEffectiveLevel() > logging.WARNING:
            watchdog_log.setLevel(logging.WARNING)
        super().start()  # the system watches once this returns (each emitter starts in it)
        self.journal.watching()

    def stop(self) -> None:
        logging.getLogger("watchdog.observers").removeHandler(self._dropped)
        super().stop()


class DevServer(LiveReloadServer):
    """MkDocs' dev server, told of changes by the system unless poll (seconds between looks) is
    given or the system cannot tell (then it looks every POLL_SECONDS, as MkDocs does)."""

    def __init__(self, *args, poll: float | None = None, **kwargs):
        super().__init__(*args, polling_interval=poll or POLL_SECONDS, **kwargs)
        self.journal: Journal | None = None  # what was written since the last build, where the system says
        if poll is None:
            native = system_observer()
            if native is not None:
                # MkDocs makes its observer in its constructor and starts it in serve(); nothing is
                # scheduled on it yet, so this one takes its place for every watch() that follows.
                self.observer = native
                # Trusted on Linux only, where it was tried: inotify reports each write and watchdog
                # warns when it drops notices. macOS' FSEvents coalesces events into folders' (which
                # serve is not told of), so elsewhere load looks at every file, as before.
                self.journal = native.journal if sys.platform.startswith("linux") else None
        self.watching = "by polling" if isinstance(self.observer, PollingObserver) else "by the system's notices"


def system_observer() -> BaseObserver | None:
    """watchdog's observer for this system, if it is not a polling one and the system lets it
    watch (inotify's instances or watches can run out); None otherwise."""
    observer = ChangesObserver()
    if isinstance(observer, PollingObserver):
        return None
    probe = ChangesObserver()
    try:
        with tempfile.TemporaryDirectory(prefix="dossier-watch-") as folder:
            probe.schedule(FileSystemEventHandler(), folder)
            probe.start()
            probe.stop()
            probe.join()
    except OSError as error:
        log.warning(f"serve: the system cannot tell serve of changes ({error}); looking every {POLL_SECONDS} s instead")
        return None
    return observer
