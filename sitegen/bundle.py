"""Stage 6, bundle: the whole site built to be opened from disk, zipped into dist/.

Pages are files (no directory URLs), and the search files are the same plain scripts as on the
hosted site (sitegen/search/), generated with `.html` links: the browser loads them with
<script> elements, which work from file://. No plugin is needed, so none is used. Nothing in
the bundle requests anything from another host.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from . import pipeline, render, site
from .report import report

BUNDLE_NAME = "iraqi-security-dossier"
# A fixed time for every zip entry, so the same site gives the same zip.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def bundle_path(repo: Path) -> Path:
    return repo / "dist" / f"{BUNDLE_NAME}-offline.zip"


def build_bundle(repo: Path, pages: dict[str, str], nav: list) -> Path:
    target = bundle_path(repo)
    target.parent.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=repo / "dist", prefix=".offline-") as work:
        offline_site = Path(work) / BUNDLE_NAME
        site.build_site(
            repo, pages, nav, use_directory_urls=False, site_dir=offline_site, swap_docs=False,
            extra_config={"extra": {"offline": True}})
        partial = Path(work) / "bundle.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(offline_site.rglob("*")):
                if path.is_file():
                    info = zipfile.ZipInfo(f"{BUNDLE_NAME}/{path.relative_to(offline_site).as_posix()}", _ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, path.read_bytes())
        partial.replace(target)  # only a complete zip ever carries the final name
    return target


def main(args) -> int:
    generated, problems = pipeline.generate(include_drafts=False, offline=True)
    if problems:
        return report(problems)
    site.quiet_mkdocs_logging(getattr(args, "verbose", False))
    try:
        target = build_bundle(pipeline.REPO, generated.pages, render.navigation(generated.dossier.themes))
    except site.BuildFailed as error:
        print(f"bundle failed: {error}", file=sys.stderr)
        return 1
    size = target.stat().st_size
    print(f"wrote {target.relative_to(pipeline.REPO)} ({size / 1_000_000:.2f} MB, {size:,} bytes); "
          f"unzip it anywhere and open {BUNDLE_NAME}/index.html")
    return 0
