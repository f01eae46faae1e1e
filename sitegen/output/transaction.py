"""The build's transaction: a new site and new generated folders swapped in whole, or not at all.

Everything is built in a temporary folder, `.build/build-*/`, beside the repo's own; `site/`
and the generated folders in `docs/` are swapped in only when the whole build succeeded.
Hand-written pages are copied, never written.

The swap is a small transaction, so that even a build killed at any instant (kill -9, a
power cut aside) leaves a complete site behind:

1. `plan.json` is written (atomically) into the work folder: every target and whether it existed.
2. Each old target is renamed into `retired/`, and the new one renamed into its place.
3. The work folder is renamed to `done-*` (the commit point) and then deleted.

The next build (or `recover()`) finds any leftover `build-*` folder: without a plan it was
killed before the swap and is simply deleted; with a plan it was killed mid-swap, and every
target is put back from `retired/` as it was before. A site/ that is a symbolic link is kept: the
new site is swapped into the folder it leads to (swap_target). `done-*` folders are deleted. A lock
(`.build/lock`, output/lock.py) keeps two builds from swapping at once and from "recovering" each other.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from .lock import locked
from .writer import BuildFailed, inside

WORK_DIR = ".build"


def recover(repo: Path) -> list[str]:
    """Clean up after builds that were killed: roll back a half-done swap, delete temporary folders.

    Returns what was done, one line each (for tests and for the curious).
    """
    work_root = Path(repo) / WORK_DIR
    if not work_root.is_dir():
        return []
    with locked(work_root):
        return recover_unlocked(work_root)


def recover_unlocked(work_root: Path) -> list[str]:
    done = []
    for work in sorted(work_root.iterdir()):
        if not work.is_dir() or work.is_symlink():
            continue
        if work.name.startswith("build-"):
            plan_file = work / "plan.json"
            if plan_file.is_file():
                roll_back(work, json.loads(plan_file.read_text(encoding="utf-8")))
                done.append(f"rolled back the interrupted swap of {work.name}")
            else:
                done.append(f"removed the unfinished build {work.name}")
        elif work.name.startswith("done-"):
            done.append(f"removed the finished build {work.name}")
        else:
            continue
        shutil.rmtree(work, ignore_errors=True)
    return done


def roll_back(work: Path, plan: list[dict]) -> None:
    """Put every target back as it was before the swap recorded in plan began."""
    repo = work.parent.parent
    for index in reversed(range(len(plan))):
        target = repo / plan[index]["target"]  # relative to the repo, or absolute when outside it
        retired = work / "retired" / str(index)
        discard = work / f"discard-{index}"
        if retired.exists() or retired.is_symlink():
            if target.exists() or target.is_symlink():
                target.rename(discard)  # the new version had been moved in
            retired.rename(target)
        elif not plan[index]["existed"] and (target.exists() or target.is_symlink()):
            target.rename(discard)  # the new version had been moved in where there was nothing


def commit(work: Path, moves: list[tuple[Path, Path]]) -> None:
    """Swap every (new, target) pair in, as one transaction (see the module's docstring)."""
    repo = work.parent.parent

    def shown(target: Path) -> str:
        return os.path.relpath(target, repo) if inside(target, repo) else str(target.resolve())

    plan = [{"target": shown(target), "existed": target.exists() or target.is_symlink()} for _, target in moves]
    temporary = work / ".plan.json"
    temporary.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    temporary.replace(work / "plan.json")
    retired = work / "retired"
    retired.mkdir()
    for index, (new, target) in enumerate(moves):
        if plan[index]["existed"]:
            target.rename(retired / str(index))
        if new.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            new.rename(target)


def swap_target(site_dir: Path, repo: Path, work_root: Path) -> Path:
    """Where the new site is swapped in: site_dir, or, when site_dir is a symbolic link (a web
    server pointed at the build), the folder it leads to, so that the link is kept and what it
    serves is replaced in one rename. BuildFailed, before anything is built, for a link that
    leads nowhere, into this checkout, or to another file system (where no rename can swap it)."""
    if not site_dir.is_symlink():
        return site_dir
    shown = os.path.relpath(site_dir, repo) if inside(site_dir.parent, repo) else str(site_dir)
    target = Path(os.readlink(site_dir))
    real = site_dir.resolve()
    if not real.is_dir():
        raise BuildFailed(f"{shown}/ is a symbolic link to {target}, which is not a folder; create that folder, "
                          f"or remove the link, and build again (nothing was changed)")
    if inside(real, repo) or inside(repo, real):
        raise BuildFailed(f"{shown}/ is a symbolic link to {target}, which is in this checkout or holds it; "
                          f"point it at a folder outside the checkout (nothing was changed)")
    if real.parent.stat().st_dev != work_root.stat().st_dev:
        raise BuildFailed(f"{shown}/ is a symbolic link to {target}, on another file system than this checkout, "
                          "where the new site cannot be swapped in whole; link to a folder on the same file system, "
                          f"or copy {shown}/ there after the build (nothing was changed)")
    return real
