"""Stage 5, site: write generated pages and build the MkDocs site, atomically.

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
target is put back from `retired/` as it was before. `done-*` folders are deleted. A lock
(`.build/lock`) keeps two builds from swapping at once and from "recovering" each other.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .cards import Card, Drawing

GENERATED_DIRS = ("articles", "themes", "timeline", "entities", "_partials", "data", "cards", "downloads", "search")
WORK_DIR = ".build"


class BuildFailed(Exception):
    pass


def _inside(path: Path, folder: Path) -> bool:
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
                or not _inside(target, docs_dir / parts[0])):
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


def _hand_written(repo: Path, destination: Path) -> None:
    """Copy docs/ without its generated folders; refuse links that lead out of docs/."""
    docs = repo / "docs"
    for folder, subfolders, files in os.walk(docs):
        here = Path(folder)
        if here == docs:
            subfolders[:] = [d for d in subfolders if d not in GENERATED_DIRS]
        for name in subfolders + files:
            path = here / name
            if path.is_symlink() and not _inside(path, docs):
                raise BuildFailed(f"{path.relative_to(repo).as_posix()} is a symbolic link to outside docs/; "
                                  "the site is built only from files inside docs/")
    ignore_generated = lambda folder, names: [n for n in names if Path(folder) == docs and n in GENERATED_DIRS]
    shutil.copytree(docs, destination, ignore=ignore_generated)


@contextlib.contextmanager
def _locked(work_root: Path):
    """Hold .build/lock for the whole build; another build waits (a killed one releases it)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, recovery still works for one build at a time
        yield
        return
    with open(work_root / "lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("waiting for another build to finish…", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover(repo: Path) -> list[str]:
    """Clean up after builds that were killed: roll back a half-done swap, delete temporary folders.

    Returns what was done, one line each (for tests and for the curious).
    """
    work_root = Path(repo) / WORK_DIR
    if not work_root.is_dir():
        return []
    with _locked(work_root):
        return _recover_unlocked(work_root)


def _recover_unlocked(work_root: Path) -> list[str]:
    done = []
    for work in sorted(work_root.iterdir()):
        if not work.is_dir() or work.is_symlink():
            continue
        if work.name.startswith("build-"):
            plan_file = work / "plan.json"
            if plan_file.is_file():
                _roll_back(work, json.loads(plan_file.read_text(encoding="utf-8")))
                done.append(f"rolled back the interrupted swap of {work.name}")
            else:
                done.append(f"removed the unfinished build {work.name}")
        elif work.name.startswith("done-"):
            done.append(f"removed the finished build {work.name}")
        else:
            continue
        shutil.rmtree(work, ignore_errors=True)
    return done


def _roll_back(work: Path, plan: list[dict]) -> None:
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


def _commit(work: Path, moves: list[tuple[Path, Path]]) -> None:
    """Swap every (new, target) pair in, as one transaction (see the module's docstring)."""
    repo = work.parent.parent

    def shown(target: Path) -> str:
        return os.path.relpath(target, repo) if _inside(target, repo) else str(target.resolve())

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


def build_site(repo: Path, pages: dict[str, str | bytes], nav: list, *, cards: dict[str, Card] | None = None,
               use_directory_urls: bool = True, site_dir: Path | None = None, extra_config: dict | None = None,
               swap_docs: bool = True, stats: dict | None = None) -> Path:
    """Build into a temporary folder; on success replace site_dir (default site/) and docs' generated folders.

    The link-preview cards are drawn while MkDocs builds (on one core), by processes of lower
    priority that take the cores it leaves idle, reusing the cards of the last build whose
    text has not changed; they are added to the site when both are done. MkDocs needs nothing from them: pages
    name their card by its path. stats, if given, receives the cards' figures.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    repo = Path(repo)
    site_dir = Path(site_dir or repo / "site")
    work_root = repo / WORK_DIR
    work_root.mkdir(exist_ok=True)
    with _locked(work_root):
        _recover_unlocked(work_root)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=work_root))
        try:
            docs = work / "docs"
            _hand_written(repo, docs)
            write_pages(docs, pages)
            drawing = Drawing(cards or {}, repo / "docs", background=True)
            try:
                config = load_config(str(repo / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(work / "site"),
                                     nav=nav, strict=True, use_directory_urls=use_directory_urls, **(extra_config or {}))
                config.mdx_configs["pymdownx.snippets"]["base_path"] = [str(docs / "_partials")]
                build(config)
            except BaseException as error:  # noqa: BLE001 - whatever MkDocs or a theme raises, nothing is swapped
                drawing.cancel()
                if not isinstance(error, Exception):
                    raise
                message = str(error) or type(error).__name__
                if not error.__class__.__module__.startswith("mkdocs"):
                    message = f"{type(error).__name__}: {message}"
                raise BuildFailed(message) from None
            drawn = drawing.finish()
            if not (work / "site" / "index.html").is_file():
                raise BuildFailed("MkDocs produced no index.html; nothing was replaced")
            if cards:
                write_pages(docs, drawn, folders=("cards",))
                write_pages(work / "site", {path: docs / path for path in drawn}, folders=("cards",))  # linked
            if stats is not None:
                stats.update(cards=len(cards or {}), cards_drawn=len(drawing.missing), cards_cpu=drawing.cpu,
                             cards_waited=drawing.waited)
            moves = [(work / "site", site_dir)]
            if swap_docs:
                moves += [(docs / folder, repo / "docs" / folder) for folder in GENERATED_DIRS]
            _commit(work, moves)
            finished = work.with_name("done-" + work.name[len("build-"):])
            work.rename(finished)  # the commit point: from here on, nothing is rolled back
            work = finished
            return site_dir
        except OSError as error:
            raise BuildFailed(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")) from None
        finally:
            keep = False
            if work.name.startswith("build-") and (work / "plan.json").is_file():  # failed mid-swap
                try:
                    _roll_back(work, json.loads((work / "plan.json").read_text(encoding="utf-8")))
                except OSError:
                    keep = True  # the old folders are still in it: the next build's recovery finishes the job
            if not keep:
                shutil.rmtree(work, ignore_errors=True)


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """Show MkDocs' warnings and errors as plain lines (no tracebacks); INFO only when verbose."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
