"""Stage 5, site: build the MkDocs site from the generated pages, in a temporary folder, and swap
it in (output/transaction.py) only when the whole build succeeded. Hand-written pages are
copied, never written; the link-preview cards are drawn while MkDocs builds.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from .cards import Card, Drawing
from .fonts import FONTS_DIR, FontProblem, keep_plain, subset_fonts
from ..plan import PagePlan
from ..project import Project
from .stream import GeneratedFiles, GeneratedFilesPlugin
from .template_cache import TemplateCache
from .lock import locked
from .raw_html import RawHtmlPassThrough
from .transaction import commit, recover_unlocked, roll_back, swap_target
from .writer import GENERATED_DIRS, BuildFailed, inside, write_pages
from ..workers import WorkerFailed

def _hand_written(project: Project, destination: Path) -> None:
    """Copy docs/ without its generated folders; refuse links that lead out of docs/."""
    repo, docs = project.root, project.docs_dir
    for folder, subfolders, files in os.walk(docs):
        here = Path(folder)
        if here == docs:
            subfolders[:] = [d for d in subfolders if d not in GENERATED_DIRS]
        for name in subfolders + files:
            path = here / name
            if path.is_symlink() and not inside(path, docs):
                raise BuildFailed(f"{path.relative_to(repo).as_posix()} is a symbolic link to outside docs/; "
                                  "the site is built only from files inside docs/")
    ignore_generated = lambda folder, names: [n for n in names if Path(folder) == docs and n in GENERATED_DIRS]
    shutil.copytree(docs, destination, ignore=ignore_generated)


def build_site(project: Project, pages: PagePlan | dict[str, str | bytes], nav: list, *, cards: dict[str, Card] | None = None,
               use_directory_urls: bool = True, site_dir: Path | None = None, extra_config: dict | None = None,
               swap_docs: bool = True, stats: dict | None = None, site_files: dict[str, str] | None = None,
               offline: bool = False) -> Path:
    """Build into a temporary folder; on success replace site_dir (default site/) and docs' generated folders.

    The generated pages go into a folder of their own that MkDocs is told of (output/stream.py);
    a PagePlan's pages are rendered and written there while MkDocs builds, by a second process,
    a dict's before it starts. The link-preview cards are drawn while MkDocs builds, by processes of lower
    priority that take the cores it leaves idle, reusing the cards of the last build whose
    text has not changed; they are added to the site when both are done. MkDocs needs nothing from them: pages
    name their card by its path. stats, if given, receives the cards' figures. site_files are
    written at the site's root after MkDocs (robots.txt). Without the site's address (SITE_URL)
    MkDocs' sitemap.xml has no absolute <loc> and is not valid: it is left out.
    """
    work_root = project.work_dir
    work_root.mkdir(exist_ok=True)
    requested = Path(site_dir or project.site_dir)
    site_dir = swap_target(requested, project.root, work_root)  # a link's folder: the link is kept
    with locked(work_root):
        recover_unlocked(work_root)
        work = Path(tempfile.mkdtemp(prefix="build-", dir=work_root))
        plain_fonts = None
        try:
            docs, generated_dir = work / "docs", work / "generated"
            _hand_written(project, docs)
            generated = GeneratedFiles(generated_dir, pages)  # a PagePlan's pages: written while MkDocs builds
            drawing = Drawing(cards or {}, project.docs_dir, background=True)
            fonts_kept = work_root / "fonts"  # the fonts as plain TrueType and their subsets (output/fonts.py)
            plain_fonts = keep_plain(docs / FONTS_DIR, fonts_kept)  # None: all kept already
            try:
                _mkdocs(project, work, nav, generated, use_directory_urls=use_directory_urls,
                        extra_config=extra_config, offline=offline)
                late = generated.finish()
            except BaseException as error:  # noqa: BLE001 - whatever MkDocs or a theme raises, nothing is swapped
                drawing.cancel()
                generated.cancel()
                if not isinstance(error, Exception):
                    raise
                message = str(error) or type(error).__name__
                if not error.__class__.__module__.startswith("mkdocs"):
                    message = f"{type(error).__name__}: {message}"
                raise BuildFailed(message) from None
            drawn = drawing.finish()
            if not (work / "site" / "index.html").is_file():
                raise BuildFailed("MkDocs produced no index.html; nothing was replaced")
            if not project.site_url:
                for name in ("sitemap.xml", "sitemap.xml.gz"):
                    (work / "site" / name).unlink(missing_ok=True)
            if late:  # the files made last (the search index), linked into the site
                write_pages(work / "site", {path: generated_dir / path for path in late}, folders=())
            for name, text in (site_files or {}).items():
                (work / "site" / name).write_text(text, encoding="utf-8")
            try:
                if plain_fonts is not None:
                    plain_fonts.result()
            except WorkerFailed:
                pass  # subset_fonts makes what is missing, and reports a font it cannot read
            fonts = _subset_fonts(work / "site", fonts_kept)
            if cards:
                write_pages(generated_dir, drawn, folders=("cards",))
                write_pages(work / "site", {path: generated_dir / path for path in drawn}, folders=("cards",))  # linked
            if stats is not None:
                stats.update(cards=len(cards or {}), cards_drawn=len(drawing.missing), cards_cpu=drawing.cpu,
                             cards_waited=drawing.waited, page_waits=generated.waits,
                             page_waited=generated.waited, fonts=fonts)
            moves = [(work / "site", site_dir)]
            if swap_docs:
                moves += [(generated_dir / folder, project.docs_dir / folder) for folder in GENERATED_DIRS]
            commit(work, moves)
            finished = work.with_name("done-" + work.name[len("build-"):])
            work.rename(finished)  # the commit point: from here on, nothing is rolled back
            work = finished
            return requested
        except OSError as error:
            raise BuildFailed(f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")) from None
        finally:
            if plain_fonts is not None:
                plain_fonts.cancel()  # no process outlives the build, however it ended
            _clean_up(work)


def _mkdocs(project: Project, work: Path, nav: list, generated: GeneratedFiles, *, use_directory_urls: bool,
            extra_config: dict | None, offline: bool) -> None:
    """MkDocs' own build of work/docs and the generated pages into work/site."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(project.config_file), docs_dir=str(work / "docs"), site_dir=str(work / "site"),
                         nav=nav, strict=True, use_directory_urls=use_directory_urls,
                         site_url=project.site_url, **(extra_config or {}))
    config.mdx_configs["pymdownx.snippets"]["base_path"] = [str(work / "generated" / "_partials")]
    config.extra["offline"] = offline  # the templates leave out what a page opened from disk cannot use
    config.plugins["dossier-generated-files"] = GeneratedFilesPlugin(generated)
    add_rendering_plugins(config, project)
    build(config)


def add_rendering_plugins(config, project: Project) -> None:
    """The plugins of every MkDocs build of the dossier, build, bundle and serve alike: the theme's
    templates compiled once (template_cache.py), the generated pages' HTML handed around Markdown
    (raw_html.py)."""
    config.plugins["dossier-template-cache"] = TemplateCache(project.compiled_templates_dir, project.root)
    config.plugins["dossier-raw-html"] = RawHtmlPassThrough()


def _clean_up(work: Path) -> None:
    """A build's folder removed, once done or failed; one that failed mid-swap rolled back first."""
    keep = False
    if work.name.startswith("build-") and (work / "plan.json").is_file():  # failed mid-swap
        try:
            roll_back(work, json.loads((work / "plan.json").read_text(encoding="utf-8")))
        except OSError:
            keep = True  # the old folders are still in it: the next build's recovery finishes the job
    if not keep:
        shutil.rmtree(work, ignore_errors=True)


def _subset_fonts(site: Path, cache_dir: Path) -> dict:
    """The site's fonts cut to the characters its pages show (output/fonts.py); a font fontTools
    cannot read fails the build like any other problem, with nothing swapped."""
    try:
        return subset_fonts(site, cache_dir, parallel=True)
    except FontProblem as problem:
        raise BuildFailed(f"docs/{problem}; the site's fonts are subset from the files there") from None


def quiet_mkdocs_logging(verbose: bool = False) -> None:
    """Show MkDocs' warnings and errors as plain lines (no tracebacks); INFO only when verbose."""
    logger = logging.getLogger("mkdocs")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
