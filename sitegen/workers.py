"""Work in another process: a function run in a forked child while the caller goes on.

The one way the build uses a second core (the articles read in halves, the pages written while
MkDocs builds, the link-preview cards drawn meanwhile). A fork shares the parent's memory as it
is, so the inputs are not copied or pickled; only the result comes back, pickled through a pipe.

- `Worker(function, *args)` starts function(*args) in a child at once; `result()` waits and
  returns what it returned, or raises WorkerFailed with its exception's type and message (or
  how the child ended, if it died without a word).
- `Worker(function, *args, progress=True)` calls function(done, *args): each call to done()
  tells the parent one more item is finished, so that it can wait for the first n
  (`wait_for(n)`) while the child goes on.
- `cancel()` kills the child and reaps it; so does leaving a `with Worker(...)` block, however
  it is left, unless the result was taken. No process outlives the build.
- `nice` lowers the child's priority, for work that should take only what the caller leaves idle.

Only for work whose result is all that matters: whatever the child puts in a cache stays in the
child. Where there is no fork, the function runs at once, in this process.
"""
from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE, _END = b".", b"#"  # one byte per finished item, then the end and the pickled outcome


class WorkerFailed(RuntimeError):
    """The function raised in the child, or the child died. str() is the message; error is the
    exception itself when it could be pickled (so a caller can tell its own errors apart)."""

    def __init__(self, message: str, error: BaseException | None = None):
        super().__init__(message)
        self.error = error


def _outcome(function, args, catch: type[BaseException] = BaseException) -> tuple[bool, object, str]:
    """(True, result, "") or (False, the exception, its message)."""
    try:
        return True, function(*args), ""
    except catch as error:  # noqa: BLE001 - handed to the parent, which raises it
        return False, error, f"{type(error).__name__}: {error}"


def _payload(outcome: tuple[bool, object, str]) -> bytes:
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # noqa: BLE001 - an unpicklable result or exception: its message at least
        ok, value, message = outcome
        text = message if not ok else f"the result could not be sent back: {type(error).__name__}: {error}"
        return pickle.dumps((False, None, text), protocol=pickle.HIGHEST_PROTOCOL)


def _send(out: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(out, view):]


class Worker(Generic[T]):
    """function(*args) started in a forked child at once (see the module's docstring)."""

    def __init__(self, function: Callable[..., T], *args, progress: bool = False, nice: int = 0):
        self.finished = 0  # items the child has said are done (with progress)
        self._pid: int | None = None
        self._outcome: tuple[bool, object, str] | None = None
        self._tail: list[bytes] = []  # what came after the end byte, in pieces (joined once: a result may be large)
        self._status = 0  # how the child ended (os.waitpid's status)
        if not hasattr(os, "fork"):
            # run here: an interrupt (Ctrl-C) stays the caller's, as it would without a worker
            self._outcome = _outcome(function, (self._count, *args) if progress else args, catch=Exception)
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's clean-up
            try:
                os.close(read_end)
                if nice:
                    os.nice(nice)
                done = lambda: os.write(write_end, _DONE)  # noqa: E731 - one byte is written whole
                outcome = _outcome(function, (done, *args) if progress else args)
                _send(write_end, _END + _payload(outcome))
            finally:
                os._exit(0)
        os.close(write_end)
        self._pid, self._read_end, self._ended, self._reaped = pid, read_end, False, False

    def _count(self) -> None:
        self.finished += 1

    # -- the parent's side ----------------------------------------------------------------------

    def _read(self) -> bool:
        """Take what the child sent next, blocking until it sends something; False at its end."""
        data = os.read(self._read_end, 1 << 20)
        if not data:
            return False
        if not self._ended:
            head, end, data = data.partition(_END)
            self.finished += len(head)
            self._ended = bool(end)
        self._tail.append(data)
        return True

    def wait_for(self, count: int) -> bool:
        """Until the child has finished count items (True), or has ended short of them (False:
        result() then says why)."""
        while self.finished < count and self._pid is not None:
            if not self._read():
                self._reap()
        return self.finished >= count

    def ended(self) -> bool:
        """Whether the child has ended, without waiting for it (result() then returns at once,
        for a result small enough to wait in the pipe)."""
        if self._pid is None or self._reaped:
            return True
        pid, status = os.waitpid(self._pid, os.WNOHANG)
        if pid:
            self._status, self._reaped = status, True
        return bool(pid)

    def result(self) -> T:
        """Wait for the child and return what the function returned (or raise WorkerFailed)."""
        if self._outcome is None:
            while self._pid is not None and self._read():  # all of it first: a full pipe would block the child
                pass
            self._reap()
            try:
                self._outcome = pickle.loads(b"".join(self._tail))
            except Exception:  # noqa: BLE001 - nothing (or half a message) came: the child died
                self._outcome = (False, None, f"the worker process ended before it finished ({_how(self._status)})")
            self._tail = []
        ok, value, message = self._outcome
        if not ok:
            raise WorkerFailed(message, value if isinstance(value, BaseException) else None)
        return value  # type: ignore[return-value]

    def _reap(self) -> None:
        if self._pid is not None:
            if not self._reaped:
                _, self._status = os.waitpid(self._pid, 0)
            os.close(self._read_end)
            self._pid = None

    def cancel(self) -> None:
        """Stop the child if it is still running (the caller will not ask for the result)."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
            self._outcome = (False, None, "the worker was cancelled")

    def __enter__(self) -> Worker[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()


def _how(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"
