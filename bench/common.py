"""What the benchmarks share: copies of the working tree, the memory of a process tree, a local port
and a page fetched from it. Kept apart from run.py so that the other benchmarks import these
without importing run.py, and run.py imports serve_loop.py without a circle."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SKIP_TOP = {"site", ".build", "dist", ".git", "bench", "node_modules", ".pytest_cache", ".benchmarks"}


def tree_state() -> str:
    """Which state of the repository the copies are made from (the working tree, as it is)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=normal"], cwd=REPO, check=True,
                               capture_output=True, text=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "working tree (not a git checkout)"
    dirty = [line for line in dirty if not line[3:].startswith("bench/")]
    return f"working tree at {head}" + (f" with {len(dirty)} uncommitted change(s)" if dirty else ", clean")


def copy_repo(dest: Path) -> None:
    """Copy the working tree's files (tracked, and untracked but not ignored) into dest."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = None
    if listed is None:
        shutil.copytree(REPO, dest, dirs_exist_ok=True,
                        ignore=lambda folder, names: [n for n in names if n in SKIP_TOP or n == "__pycache__"]
                        if Path(folder) == REPO else [n for n in names if n == "__pycache__"])
        return
    for name in filter(None, listed):
        if name.split("/", 1)[0] in SKIP_TOP:
            continue
        source = REPO / name
        if not source.is_file():
            continue  # deleted in the working tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def tree_pss_mb(root: int) -> float:
    """Proportional set size of a process and its descendants (memory a fork shares is counted once)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parent = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
                for line in rollup:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total / 1024


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None
