"""The named stages in order: load → validate → link → render. Each returns plain data."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import link, load, render, validate
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
    return Generated(dossier, linked, pages, {} if offline else render.card_set(linked)), []


def _bundle_download() -> render.Download | None:
    """The offline bundle made by `build.py bundle`, if there is one, to offer for download."""
    from .bundle import bundle_path

    path = bundle_path(REPO)
    if not path.is_file():
        return None
    data = path.read_bytes()
    return render.Download(path.name, len(data), data)


def regenerate(docs_dir: Path, include_drafts: bool = True) -> list[Problem]:
    """Regenerate the pages in place (for `serve`): files are rewritten only when they change."""
    generated, problems = generate(include_drafts=include_drafts)
    if generated:
        write_in_place(docs_dir, generated)
    return problems


def write_in_place(docs_dir: Path, generated: Generated) -> None:
    """Write the pages and the cards (unchanged ones reused) straight into docs_dir (for `serve`)."""
    write_pages(docs_dir, {**generated.pages, **card_pngs(generated.cards, docs_dir)}, only_changed=True)
