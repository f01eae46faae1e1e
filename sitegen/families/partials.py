"""Snippets the hand-written pages include (docs/index.md, docs/open-data.md), under
docs/_partials/, and the offline bundle offered for download (docs/downloads/)."""
from __future__ import annotations

from .. import fieldref
from ..checksums import sums_text
from ..project import folder_digest
from .base import Family, Planner


class HomePartial(Family):
    """The home page's latest stories, then its themes."""

    folder = "_partials"
    PATH = "_partials/home.md"
    partials = (PATH,)

    def plan(self, planner: Planner) -> None:
        linked = planner.linked
        planner.page(self.PATH, "home.md.j2", lambda: dict(
            themes=linked.dossier.themes, latest=linked.newest_first[:10],
            theme_counts={theme_id: len(articles) for theme_id, articles in linked.by_theme.items()}),
            shown_in="index.md")


class BundlePartials(Family):
    """The offline section of the home page and the open-data page's way to check a copy."""

    folder = "_partials"
    partials = ("_partials/download.md", "_partials/verify.md")

    def plan(self, planner: Planner) -> None:
        settings = planner.settings
        context = lambda: dict(bundle=settings.download, offline=settings.offline)  # noqa: E731
        planner.page("_partials/download.md", "download.md.j2", context, shown_in="index.md")
        planner.page("_partials/verify.md", "verify.md.j2", context, shown_in="open-data.md")


class FieldReference(Family):
    """The field reference of the dossier's files, from their JSON Schemas (fieldref.md.j2)."""

    folder = "_partials"
    PATH = "_partials/fields.md"
    partials = (PATH,)

    def plan(self, planner: Planner) -> None:
        schemas, templates = planner.schemas, planner.settings.templates_dir
        if schemas is None:  # rendering without the schemas (a test of the templates alone)
            return
        planner.pages.add(self.PATH, lambda: planner.cache.get(
            "fieldref", (schemas.digest, folder_digest(templates)),
            lambda: fieldref.markdown(schemas.raw, "ar", templates)))


class Downloads(Family):
    """The offline bundle beside the site, with its SHA-256 (not in the bundle itself)."""

    folder = "downloads"
    reserved = ("downloads",)

    def plan(self, planner: Planner) -> None:
        download = planner.settings.download
        if download and not planner.settings.offline:
            planner.pages.add_value(f"downloads/{download.name}", download.data)
            # Beside the zip, its SHA-256 as sha256sum writes it: `sha256sum -c NAME.sha256` checks a download.
            planner.pages.add_value(f"downloads/{download.name}.sha256",
                                    sums_text({download.name: download.sha256}))
