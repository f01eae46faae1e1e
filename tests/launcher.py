"""`python build.py ARGS` without paying Python's and the libraries' start-up on every run.

A test worker starts one launcher process. For each command it forks a child that does what
`python build.py ARGS` does in a fresh interpreter: it changes to the repository, takes the
command's environment, has files for stdin (empty), stdout and stderr, runs the copy's own
build.py as __main__ (so the copy's sitegen/ is imported, as in a real run) and ends with the
command's exit status after what the interpreter's shutdown does that a caller can see
(exit_as_the_interpreter_does). Only the third-party libraries
(MkDocs, Material, Jinja2, PyYAML, jsonschema...) are already imported: the launcher imports, in
itself, those its children imported from outside their repository, so the first build teaches
it what the next ones need. Nothing of the repository is imported by the launcher itself.
"""
from __future__ import annotations

import atexit
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_LAUNCHER = r'''
import atexit, gc, importlib, json, os, runpy, sys, threading, traceback

if os.fork():
    os._exit(0)  # the launcher goes on in a child of its own: no child process of the test worker


def imported_from_outside(repo):
    """The modules this process imported from anywhere but the repository: the libraries."""
    names = []
    for name, module in list(sys.modules.items()):
        places = [getattr(module, "__file__", None) or "", *(getattr(module, "__path__", None) or [])]
        if name != "__main__" and not any(os.path.realpath(place).startswith(repo + os.sep) for place in places if place):
            names.append(name)
    return names


def exit_as_the_interpreter_does(code):
    """End with the status a fresh interpreter would, after what its shutdown does that a caller can
    see: the threads that are not daemons joined, the atexit functions run (weakref.finalize's and
    logging's among them), stdout and stderr flushed. Then os._exit, as multiprocessing's forked
    children end: tearing down the modules the launcher imported touches every object of the
    libraries (10-25 ms a command, ~430 commands a run)."""
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)  # sys.exit("message"), as the interpreter shows it
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code & 0xFF)


known = set(sys.modules)
for line in sys.stdin:
    request = json.loads(line)
    # The libraries imported here are never garbage: frozen, a child's collections skip them, so
    # they neither walk them nor write to their pages (each write a page copied after the fork).
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in ((0, os.devnull, os.O_RDONLY), (1, request["out"], os.O_WRONLY | os.O_TRUNC),
                                (2, request["err"], os.O_WRONLY | os.O_TRUNC)):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        sys.argv = ["build.py", *request["argv"]]
        sys.path[0] = request["cwd"]  # as `python build.py` puts the script's folder first

        def learn(repo=os.path.realpath(request["cwd"]), to=request["modules"]):
            with open(to, "w", encoding="utf-8") as out:
                json.dump(imported_from_outside(repo), out)

        if request["learn"]:
            atexit.register(learn)
        try:
            runpy.run_path(os.path.join(request["cwd"], "build.py"), run_name="__main__")
            code = 0
        except SystemExit as stop:
            code = stop.code
        except BaseException:
            traceback.print_exc()  # as the interpreter prints an uncaught exception
            code = 1
        exit_as_the_interpreter_does(code)
    print(json.dumps(pid), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
    try:
        with open(request["modules"], encoding="utf-8") as learned:
            for name in json.load(learned):
                if name not in known:
                    known.add(name)
                    try:
                        importlib.import_module(name)
                    except BaseException:
                        pass  # a module that cannot be imported alone: its children import it themselves
    except (OSError, ValueError):
        pass
'''


class Launcher:
    """One launcher process, for the commands of one test worker, one command at a time."""

    def __init__(self, environment: dict[str, str]):
        self.files = Path(tempfile.mkdtemp(prefix="launcher-"))  # each command's stdout and stderr
        atexit.register(shutil.rmtree, self.files, True)  # with the test worker: never left in a tmpfs
        self.process = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, encoding="utf-8", env=environment,
                                        cwd=self.files)
        # The process started ends at once, leaving the launcher (its child) reading from the same
        # pipes: tests that check that the test worker has no child process left see none.
        self.process.wait()
        self.lock = threading.Lock()
        self.taught: dict[str, int] = {}  # runs of each command that told the launcher what they imported

    def _line(self, timeout: float | None):
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                return None
        line = self.process.stdout.readline()
        assert line, "the launcher ended"
        return json.loads(line)

    def run(self, repo: Path, argv: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
        """`python build.py *argv` in repo with env, as subprocess.run(capture_output=True, text=True) returns it
        (subprocess.TimeoutExpired after timeout seconds, the command killed)."""
        with self.lock:
            out, err, modules = self.files / "stdout", self.files / "stderr", self.files / "modules.json"
            for path in (out, err):
                path.write_bytes(b"")
            modules.unlink(missing_ok=True)
            command = argv[0] if argv else "build"
            learn = self.taught.get(command, 0) < 2  # what a command imports is learnt from its first runs
            self.taught[command] = self.taught.get(command, 0) + learn
            request = {"cwd": os.fspath(Path(repo).resolve()), "argv": list(argv), "env": env, "out": os.fspath(out),
                       "err": os.fspath(err), "modules": os.fspath(modules), "learn": learn}
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            pid = self._line(None)
            code = self._line(timeout)
            if code is None:
                os.kill(pid, signal.SIGKILL)
                self._line(None)
                raise subprocess.TimeoutExpired(["build.py", *argv], timeout)
            return subprocess.CompletedProcess(["build.py", *argv], code,
                                               out.read_text(encoding="utf-8", errors="replace"),
                                               err.read_text(encoding="utf-8", errors="replace"))
