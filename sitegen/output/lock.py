"""Locks that keep two runs in one checkout from writing the same folders at once.

Each lock is a file under .build/ held with flock (released by the kernel when its process ends,
however it ends), and names its holder ("build 1234") so that a run that finds it taken can say
who has it. Three locks, always taken in this order:

- `docs.lock`: the generated folders in docs/ and site/. `build` holds it for its whole run and
  `serve` for its whole session. A build waits for another build; a build refuses at once while
  serve runs (serve would keep writing into docs/ under the build's swap, and its pages would
  vanish from under it), and serve waits for a build to finish but refuses beside another serve.
- `dist.lock`: dist/, held by `bundle` (another bundle waits).
- `lock`: the transaction's work folders in .build/ (output/transaction.py); every build waits.

`add` takes none: it only creates new files, never replacing one (sitegen/add.py).
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path

POLL = 0.1  # seconds between tries while waiting: the holder may change (a build, then a serve)


class Busy(Exception):
    """Another run holds a lock this run will not wait for; str() is the one line to print."""


def _read_holder(path: Path) -> tuple[str, str]:
    """(who, pid) as the holder wrote them; ("", "") while not yet written, or when the process named
    is gone (a killed holder's line, read before the run that now holds the lock rewrote it)."""
    try:
        who, _, pid = path.read_text(encoding="utf-8", errors="replace").strip().partition(" ")
    except OSError:
        return "", ""
    return (who, pid) if pid.isdigit() and _alive(int(pid)) else ("", "")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is another user's
        return True
    return True


@contextlib.contextmanager
def holding(path: Path, who: str, wait_for: tuple[str, ...], refusal: str = ""):
    """Hold the lock file path as who. While another holds it: wait (saying so once) if its holder
    is one of wait_for or not yet known; otherwise raise Busy(refusal, with the holder filled in)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock (one run at a time is then the maintainer's care)
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        said = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder, pid = _read_holder(path)
                if holder and holder not in wait_for:
                    raise Busy(refusal.format(holder=holder, pid=pid)) from None
                if not said:
                    print(f"waiting for another {holder or 'build'} to finish"
                          f"{f' (process {pid})' if pid else ''}…", file=sys.stderr, flush=True)
                    said = True
                time.sleep(POLL)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{who} {os.getpid()}\n")
            handle.flush()
            yield
        finally:
            handle.truncate(0)
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def writing_docs(work_root: Path, who: str):
    """The generated folders of docs/ and site/, for a `build` or a `serve` session."""
    if who == "serve":
        refusal = ("another `{holder}` is running in this checkout (process {pid}) and writes docs/: use its "
                   "preview, or stop it (Ctrl+C) before starting another")
    else:
        refusal = ("`{holder}` is running in this checkout (process {pid}) and writes docs/: stop it (Ctrl+C) "
                   "before building, or build in another checkout; nothing was changed")
    return holding(work_root / "docs.lock", who, wait_for=("build",), refusal=refusal)


def writing_dist(work_root: Path):
    """dist/, for a `bundle`."""
    return holding(work_root / "dist.lock", "bundle", wait_for=("bundle",))


def locked(work_root: Path):
    """The transaction's work folders in .build/: held for the whole MkDocs build and swap."""
    return holding(work_root / "lock", "build", wait_for=("build", "bundle"))
