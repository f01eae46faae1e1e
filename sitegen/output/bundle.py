"""Stage 6, bundle: the whole site built to be opened from disk, zipped into dist/.

The bundle's pages link to `.html` files (no directory URLs, which from disk would show a file
listing), and the search files are the same plain scripts as on the hosted site (sitegen/search/),
which the browser loads with <script> elements, which work from file://. No plugin is needed, so
none is used. Nothing in the bundle requests anything from another host.

Beside the zip, `<zip>.input` records the fingerprint of what it was built from (the dossier,
the templates, the hand-written pages, the theme overrides, mkdocs.yml and the generator's
code). `build` offers the bundle for download only when that fingerprint is the current one:
a bundle left in dist/ by an earlier `bundle` is never offered once the dossier has changed.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from ..project import Project
from ..stages.render import Download
from .mkdocs_build import build_site
from .writer import GENERATED_DIRS

BUNDLE_NAME = "iraqi-security-dossier"
# A fixed time for every zip entry, so the same site gives the same zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def bundle_path(project: Project) -> Path:
    return project.dist_dir / f"{BUNDLE_NAME}-offline.zip"


def input_fingerprint(project: Project) -> str:
    """A digest of every file the bundle is made from (generated folders and caches excluded) and of
    the published address its citations name."""
    digest = hashlib.sha256()
    digest.update(b"site_url\0" + project.site_url.encode("utf-8") + b"\0")  # its pages cite the published address
    sources = [project.dossier_dir, project.templates_dir, project.docs_dir, project.overrides_dir,
               project.root / "sitegen", project.config_file]
    for source in sources:
        paths = [source] if source.is_file() else sorted(source.rglob("*")) if source.is_dir() else []
        for path in paths:
            relative = path.relative_to(project.root).as_posix()
            parts = relative.split("/")
            if (not path.is_file() or "__pycache__" in parts or path.suffix == ".pyc"
                    or (parts[0] == "docs" and len(parts) > 1 and parts[1] in GENERATED_DIRS)):
                continue
            digest.update(relative.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def offered_bundle(project: Project) -> tuple[Download | None, str]:
    """The bundle in dist/ to offer for download, if it was built from the current input; and a
    note saying why there is none (empty when there is one)."""
    path = bundle_path(project)
    if not path.is_file():
        return None, ""
    stamp = path.with_name(path.name + ".input")
    built_from = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
    if built_from != input_fingerprint(project):
        return None, (f"note: {path.relative_to(project.root)} was built from another state of the dossier, so the "
                      "site does not offer it for download; run `python build.py bundle` to make a current one")
    data = path.read_bytes()
    return Download(path.name, len(data), data), ""


def build_bundle(project: Project, pages: dict[str, str | bytes], nav: list, fingerprint: str) -> Path:
    target = bundle_path(project)
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".offline-") as work:
        offline_site = Path(work) / BUNDLE_NAME
        build_site(
            project, pages, nav, use_directory_urls=False, site_dir=offline_site, swap_docs=False, offline=True)
        partial = Path(work) / "bundle.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(offline_site.rglob("*")):
                # 404.html is for a web server to send for a missing address; opened from disk no
                # address is missing, and its links (from the site's root) would lead nowhere.
                if path.is_file() and path.relative_to(offline_site).as_posix() != "404.html":
                    info = zipfile.ZipInfo(f"{BUNDLE_NAME}/{path.relative_to(offline_site).as_posix()}", _ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
        stamp = Path(work) / "bundle.input"
        stamp.write_text(fingerprint + "\n", encoding="utf-8")
        # The zip first, then its stamp: a zip without a current stamp is never offered.
        partial.replace(target)
        os.replace(stamp, target.with_name(target.name + ".input"))
    return target
