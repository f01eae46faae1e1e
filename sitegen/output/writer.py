"""Writing generated files under docs/: only into the generated folders, atomically per file
(but serve's rewrites of its own files, written over them: write_file).

A page path that tried to climb out (an id with `..`, say) is refused before anything is
written. Unchanged files are not rewritten when asked (their times stay, so `serve`'s dirty
builds skip them), and generated files that are no longer produced are removed.
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from ..families import GENERATED_DIRS  # noqa: F401 (the folders the page families write in)
from ..plan import Content, Parts


class BuildFailed(Exception):
    pass


def generated_page(src_uri: str) -> bool:
    """Whether a page MkDocs lists (its src_uri, under docs/) is one the generator wrote, in one of
    the generated folders, not a hand-written one."""
    return src_uri.split("/", 1)[0] in GENERATED_DIRS


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def write_pages(docs_dir: Path, pages: dict[str, Content | Path], only_changed: bool = False,
                folders: tuple[str, ...] = GENERATED_DIRS, in_place: bool = False) -> list[str]:
    """Write pages (text, bytes for images, Parts for a file too large to join, or the Path of an
    unchanged file to reuse) under docs_dir; remove generated files no longer produced (in
    folders: the generated folders this call writes). in_place: over the files already there
    where it can (write_file).
    Returns the paths written (with only_changed, those whose bytes changed).

    Only the generated folders are ever written: a page path outside them (an id that
    tried to climb out with `..`, say) is refused before anything is written.
    """
    docs_dir = Path(docs_dir)
    refuse_outside(docs_dir, pages)
    wanted = {docs_dir / path for path in pages}
    written: list[str] = []
    for folder in folders:
        for stale in sorted((docs_dir / folder).rglob("*")) if (docs_dir / folder).is_dir() else []:
            if (stale.is_file() or stale.is_symlink()) and stale not in wanted:
                stale.unlink()
    for path, content in pages.items():
        target = docs_dir / path
        if isinstance(content, Path):  # an unchanged file of the last build (a card): linked, not rewritten
            if target.exists() and os.path.samefile(target, content):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            try:
                os.link(content, temporary)
            except OSError:
                shutil.copyfile(content, temporary)
            temporary.replace(target)
            written.append(path)
            continue
        data = content if isinstance(content, (bytes, Parts)) else content.encode("utf-8")  # cards are PNG bytes
        if only_changed and target.is_file() and _holds(target, data):
            continue  # unchanged files keep their time, so `serve` does not rebuild in a loop
        write_file(target, data, in_place)
        written.append(path)
    return written


def _holds(target: Path, data: bytes | Parts) -> bool:
    """Whether the file holds exactly data (read part by part for Parts)."""
    if not isinstance(data, Parts):
        return target.read_bytes() == data
    if target.stat().st_size != sum(map(len, data)):
        return False
    with open(target, "rb") as handle:
        return all(handle.read(len(part)) == part for part in data)


def refuse_outside(docs_dir: Path, paths) -> None:
    """BuildFailed for the first path that is not inside one of the generated folders.

    A file is written by renaming a new file over it (write_file), which never follows a link
    at the file itself; so it is the folder each file goes into that must resolve inside its
    generated folder (each folder is resolved once, however many files go into it)."""
    folders: dict[Path, bool] = {}
    for path in paths:
        parts = Path(path).parts
        target = docs_dir / path
        if Path(path).is_absolute() or ".." in parts or not parts or parts[0] not in GENERATED_DIRS or len(parts) < 2:
            ok = False
        else:
            folder = target.parent
            if folder not in folders:
                folders[folder] = inside(folder, docs_dir / parts[0])
            ok = folders[folder]
        if not ok:
            raise BuildFailed(f"refusing to write the generated page {path!r}: generated pages stay inside "
                              f"docs/{{{','.join(GENERATED_DIRS)}}}/")


def write_file(target: Path, content: Content, in_place: bool = False) -> None:
    """One generated file, replaced whole (a reader never sees half of it); or, in_place, written
    over the file already there when that is a plain file of its own (_write_over)."""
    if in_place and _write_over(target, content):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    with open(temporary, "wb") as handle:
        _write(handle, content)
    temporary.replace(target)


def _write(handle, content: Content) -> None:
    if isinstance(content, Parts):
        handle.writelines(content)
    else:
        handle.write(content if isinstance(content, bytes) else content.encode("utf-8"))  # cards: PNG bytes


# POSIX's; where either is missing (Windows), every file is replaced.
_WRITE_OVER_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK if hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_NONBLOCK") else 0


def _write_over(target: Path, content: Content) -> bool:
    """Write content over target's own bytes, if target is a regular file with no other name:
    never through a symbolic link (O_NOFOLLOW), never into a FIFO (O_NONBLOCK), never into a
    card linked with the last build's (st_nlink). False, nothing written, otherwise.

    For serve, whose docs/ no reader sees (MkDocs copies each file once it is written): at 5,000
    articles an edit rewrites the 40 MB dossier.json, and a new file renamed over it allocates
    all its pages and frees the old file's (0.12 s), where writing over them reuses them (0.04 s)."""
    if not _WRITE_OVER_FLAGS:
        return False
    try:
        descriptor = os.open(target, os.O_WRONLY | _WRITE_OVER_FLAGS)
    except OSError:
        return False
    with open(descriptor, "wb") as handle:  # "wb" on a descriptor does not truncate
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
            return False
        _write(handle, content)
        handle.truncate()
    return True

