"""Stage 5, site: write generated pages and build the MkDocs site, atomically.

Everything is built in a temporary folder beside the repo's own; `site/` and the generated
folders in `docs/` are swapped in only when the whole build succeeded. Hand-written pages
are copied, never written.
"""
from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

GENERATED_DIRS = ("articles", "themes", "timeline", "entities", "_partials")


class BuildFailed(Exception):
    pass


def write_pages(docs_dir: Path, pages: dict[str, str], only_changed: bool = False) -> None:
    """Write pages under docs_dir; remove generated files that are no longer produced."""
    wanted = {docs_dir / path for path in pages}
    for folder in GENERATED_DIRS:
        for stale in sorted((docs_dir / folder).rglob("*.md")) if (docs_dir / folder).is_dir() else []:
            if stale not in wanted:
                stale.unlink()
    for path, text in pages.items():
        target = docs_dir / path
        data = text.encode("utf-8")
        if only_changed and target.is_file() and target.read_bytes() == data:
            continue  # unchanged files keep their time, so `serve` does not rebuild in a loop
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(data)
        temporary.replace(target)


def _hand_written(repo: Path, destination: Path) -> None:
    docs = repo / "docs"
    ignore_generated = lambda folder, names: [n for n in names if Path(folder) == docs and n in GENERATED_DIRS]
    shutil.copytree(docs, destination, ignore=ignore_generated)


def build_site(repo: Path, pages: dict[str, str], nav: list, *, use_directory_urls: bool = True,
               site_dir: Path | None = None, extra_config: dict | None = None, swap_docs: bool = True) -> Path:
    """Build into a temporary folder; on success replace site_dir (default site/) and docs' generated folders."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    site_dir = site_dir or repo / "site"
    work_root = repo / ".build"
    work_root.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="build-", dir=work_root))
    try:
        docs = work / "docs"
        _hand_written(repo, docs)
        write_pages(docs, pages)
        config = load_config(str(repo / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(work / "site"),
                             nav=nav, strict=True, use_directory_urls=use_directory_urls, **(extra_config or {}))
        config.mdx_configs["pymdownx.snippets"]["base_path"] = [str(docs / "_partials")]
        try:
            build(config)
        except (MkDocsException, OSError) as error:
            raise BuildFailed(str(error)) from None
        _swap(work / "site", site_dir, work)
        if swap_docs:
            for folder in GENERATED_DIRS:
                _swap(docs / folder, repo / "docs" / folder, work)
        return site_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _swap(new: Path, old: Path, work: Path) -> None:
    """Replace old with new by renames on one file system, so no half-written state is ever visible."""
    retired = work / f"retired-{old.name}"
    if old.exists():
        old.rename(retired)
    if new.exists():
        new.rename(old)
    shutil.rmtree(retired, ignore_errors=True)


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """Show MkDocs' warnings and errors as plain lines (no tracebacks); INFO only when verbose."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
