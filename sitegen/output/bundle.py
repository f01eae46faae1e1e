"""Stage 6, bundle: the whole site built to be opened from disk, zipped into dist/.

The bundle's pages link to `.html` files (no directory URLs, which from disk would show a file
listing), and the search files are the same plain scripts as on the hosted site (sitegen/search/),
which the browser loads with <script> elements, which work from file://. No plugin is needed, so
none is used. Nothing in the bundle requests anything from another host. At its root,
SHA256SUMS lists every other file with its SHA-256 as `sha256sum` writes it (sitegen/checksums.py),
so that anyone can check a copy: `sha256sum -c SHA256SUMS`, or `build.py verify` (sitegen/verify.py).

Beside the zip, `<zip>.input` records the fingerprint of what it was built from and the zip's
own SHA-256: `build` offers the bundle for download only when both still hold (output/offer.py),
so a bundle left in dist/ by an earlier `bundle` is never offered once the dossier has changed.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from ..checksums import SUMS_NAME, sums_text
from ..project import Project
from .mkdocs_build import build_site
from .offer import BUNDLE_NAME, bundle_path

# A fixed time for every zip entry, so the same site gives the same zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(f"{BUNDLE_NAME}/{name}", _ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def build_bundle(project: Project, pages: dict[str, str | bytes], nav: list, fingerprint: str) -> Path:
    target = bundle_path(project)
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".offline-") as work:
        offline_site = Path(work) / BUNDLE_NAME
        build_site(
            project, pages, nav, use_directory_urls=False, site_dir=offline_site, swap_docs=False, offline=True)
        partial = Path(work) / "bundle.zip"
        digests = {}
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(offline_site.rglob("*")):
                # 404.html is for a web server to send for a missing address; opened from disk no
                # address is missing, and its links (from the site's root) would lead nowhere.
                name = path.relative_to(offline_site).as_posix()
                if path.is_file() and name != "404.html":
                    data = path.read_bytes()
                    digests[name] = hashlib.sha256(data).hexdigest()
                    _add(archive, name, data)
            # Last, the list of every file above with its SHA-256, for `sha256sum -c` and `build.py verify`.
            _add(archive, SUMS_NAME, sums_text(digests).encode("utf-8"))
        stamp = Path(work) / "bundle.input"
        zip_digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        stamp.write_text(f"{fingerprint}\n{zip_digest}\n", encoding="utf-8")
        # The zip first, then its stamp: a zip without a current stamp is never offered.
        partial.replace(target)
        os.replace(stamp, target.with_name(target.name + ".input"))
    return target
