"""How serve learns of an edit: from the system as it happens, or by looking, as MkDocs does.

MkDocs' dev server looks at every watched file every half second (watchdog's PollingObserver,
chosen so that folders shared into Docker or over a network are seen: mkdocs/mkdocs#2477). At
5,000 articles a look stats the dossier's 10,000 files and compares them with the last look
(about 0.17 s of the one interpreter serve has), so an edit waited 0.8 s to be noticed, and the
looks went on while each build ran. The system's own notices (inotify on Linux, FSEvents on
macOS, ReadDirectoryChangesW on Windows: watchdog's `Observer`) arrive at once and cost nothing
while nothing changes. Where they do not arrive (a folder shared into a container or over a
network), `serve --poll` looks as MkDocs does, as Hugo's and Vite's dev servers offer it.
"""
from __future__ import annotations

import logging
import tempfile

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


class ChangesObserver(Observer):
    """The system's observer, told only of changes."""

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None):
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or CHANGES)


class DevServer(LiveReloadServer):
    """MkDocs' dev server, told of changes by the system unless poll (seconds between looks) is
    given or the system cannot tell (then it looks every POLL_SECONDS, as MkDocs does)."""

    def __init__(self, *args, poll: float | None = None, **kwargs):
        super().__init__(*args, polling_interval=poll or POLL_SECONDS, **kwargs)
        if poll is None:
            native = system_observer()
            if native is not None:
                # MkDocs makes its observer in its constructor and starts it in serve(); nothing is
                # scheduled on it yet, so this one takes its place for every watch() that follows.
                self.observer = native
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
