"""Writing generated files under docs/: only into the generated folders, atomically per file.

A page path that tried to climb out (an id with `..`, say) is refused before anything is
written. Unchanged files are not rewritten when asked (their times stay, so `serve`'s dirty
builds skip them), and generated files that are no longer produced are removed.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

GENERATED_DIRS = ("articles", "themes", "timeline", "entities", "map", "_partials", "data", "cards", "downloads", "corrections", "outlets", "search")


class BuildFailed(Exception):
    pass


def inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def write_pages(docs_dir: Path, pages: dict[str, str | bytes | Path], only_changed: bool = False,
                folders: tuple[str, ...] = GENERATED_DIRS) -> None:
    """Write pages (text, bytes for images, or the Path of an unchanged file to reuse) under docs_dir;
    remove generated files no longer produced (in folders: the generated folders this call writes).

    Only the generated folders are ever written: a page path outside them (an id that
    tried to climb out with `..`, say) is refused before anything is written.
    """
    docs_dir = Path(docs_dir)
    for path in pages:
        target = docs_dir / path
        parts = Path(path).parts
        if (Path(path).is_absolute() or ".." in parts or not parts or parts[0] not in GENERATED_DIRS
                or not inside(target, docs_dir / parts[0])):
            raise BuildFailed(f"refusing to write the generated page {path!r}: generated pages stay inside "
                              f"docs/{{{','.join(GENERATED_DIRS)}}}/")
    wanted = {docs_dir / path for path in pages}
    for folder in folders:
        for stale in sorted((docs_dir / folder).rglob("*")) if (docs_dir / folder).is_dir() else []:
            if (stale.is_file() or stale.is_symlink()) and stale not in wanted:
                stale.unlink()
    for path, content in pages.items():
        target = docs_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        if isinstance(content, Path):  # an unchanged file of the last build (a card): linked, not rewritten
            if target.exists() and os.path.samefile(target, content):
                continue
            try:
                os.link(content, temporary)
            except OSError:
                shutil.copyfile(content, temporary)
            temporary.replace(target)
            continue
        data = content if isinstance(content, bytes) else content.encode("utf-8")  # cards are PNG bytes
        if only_changed and target.is_file() and target.read_bytes() == data:
            continue  # unchanged files keep their time, so `serve` does not rebuild in a loop
        temporary.write_bytes(data)
        temporary.replace(target)

