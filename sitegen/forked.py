"""A function computed in a forked child process while the caller goes on with other work.

The pipeline uses it to cut the search index on the second core while the first renders the
pages (`generate(..., parallel=True)`, as `build` and `bundle` run it). A fork shares the
parent's memory as it is, so the inputs are not copied or pickled; only the result comes back,
pickled through a pipe. Where there is no fork, the function simply runs at once.

Only for work whose result is all that matters: whatever the child puts in a cache or any
other object stays in the child (so `serve`, which keeps its cache between edits, does not use it).
"""
from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ChildFailed(RuntimeError):
    """The child raised: its exception, as text (a traceback does not cross the pipe)."""


class Forked(Generic[T]):
    def __init__(self, function: Callable[..., T], *args, **kwargs):
        self._pid = None
        self._value: tuple[bool, object] | None = None
        if not hasattr(os, "fork"):
            self._value = self._call(function, args, kwargs)
            return
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's clean-up
            try:
                os.close(read_end)
                payload = pickle.dumps(self._call(function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write_end)
        self._pid, self._read_end = pid, read_end

    @staticmethod
    def _call(function, args, kwargs) -> tuple[bool, object]:
        try:
            return True, function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
            return False, f"{type(error).__name__}: {error}"

    def result(self) -> T:
        """Wait for the child and return what the function returned (or raise ChildFailed)."""
        if self._value is None:
            with os.fdopen(self._read_end, "rb") as source:  # read all first: a full pipe would block the child
                data = source.read()
            os.waitpid(self._pid, 0)
            self._pid = None
            self._value = pickle.loads(data) if data else (False, "the child process ended without a result")
        ok, value = self._value
        if not ok:
            raise ChildFailed(value)
        return value  # type: ignore[return-value]

    def cancel(self) -> None:
        """Stop the child if it is still running (the caller failed and will not ask for the result)."""
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
            except ProcessLookupError:
                pass
            os.close(self._read_end)
            self._pid = None
