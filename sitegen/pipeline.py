"""The named stages in order: load → validate → link → render (with the search files). Each returns plain data."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import link, load, render, search, validate
from .cards import Card, card_pngs
from .model import Dossier, Problem
from .site import write_pages

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Generated:
    dossier: Dossier
    linked: link.LinkedDossier
    pages: dict[str, str]
    cards: dict[str, Card]  # link-preview cards to draw (none for the offline bundle)


def generate(dossier_dir: Path = REPO / "dossier", include_drafts: bool = False,
             offline: bool = False) -> tuple[Generated | None, list[Problem]]:
    """Run the stages; offline pages are for the bundle opened from disk."""
    raw, problems = load.load(dossier_dir)
    dossier, more = validate.validate(raw, include_drafts=include_drafts)
    problems = sorted(set(problems + more), key=lambda p: (p.path, p.line, p.column, p.message))
    if problems or dossier is None:
        return None, problems
    linked = link.link(dossier)
    pages = render.render(linked, None if offline else _bundle_download(), offline)
    pages.update(search.search_files(linked, REPO / "docs", offline))  # docs/search/
    return Generated(dossier, linked, pages, {} if offline else render.card_set(linked)), []


_last_download: tuple[tuple, render.Download] | None = None


def _bundle_download() -> render.Download | None:
    """The offline bundle made by `build.py bundle`, if there is one, to offer for download.

    Read again only when the file changed (`serve` regenerates many times in one process)."""
    global _last_download
    from .bundle import bundle_path

    path = bundle_path(REPO)
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    signature = (str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if _last_download is not None and _last_download[0] == signature:
        return _last_download[1]
    data = path.read_bytes()
    download = render.Download(path.name, len(data), data)
    _last_download = (signature, download)
    return download


def write_in_place(docs_dir: Path, generated: Generated) -> None:
    """Write the pages and the cards (unchanged ones reused) straight into docs_dir (for `serve`'s
    first run; sitegen/serve.py writes only what changed after that)."""
    write_pages(docs_dir, {**generated.pages, **card_pngs(generated.cards, docs_dir)}, only_changed=True)
