"""The offline bundle in dist/ that `build` offers for download on the home page, or why none is.

Beside the zip, `<zip>.input` records the fingerprint of what it was built from (the dossier,
the templates, the hand-written pages, the theme overrides, mkdocs.yml and the generator's
code), and the zip's own SHA-256. `build` offers the bundle only when that fingerprint is the
current one, and only a regular file (read without following a link) whose digest is the stamp's,
a zip that holds the bundle, its stamp a regular UTF-8 file: anything else is left out with a
one-line note saying why, and the build goes on. The digest stands for zipfile's testzip (every
entry decompressed: 1.7 to 4.1 s for a 14 MB zip, the digest 0.14 to 0.25 s; bench/bundle_check.py).
Apart from output/bundle.py, which makes the bundle, so that `build` asks without importing
MkDocs' side: a build that `check` refuses never imports it.
"""
from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from pathlib import Path

from ..model import Download
from ..project import Project

BUNDLE_NAME = "iraqi-security-dossier"

def bundle_path(project: Project) -> Path:
    return project.dist_dir / f"{BUNDLE_NAME}-offline.zip"


def input_fingerprint(project: Project) -> str:
    """A digest of every file the bundle is made from (generated folders and caches excluded) and of
    the published address its citations name."""
    from .writer import generated_page  # here: a build that check refuses never imports the families

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
                    or (parts[0] == "docs" and generated_page("/".join(parts[1:])))):
                continue
            digest.update(relative.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


STAMP_LIMIT = 1024  # a stamp is a digest and a newline
ZIP_LIMIT = 1 << 30  # far above any bundle: a larger file in dist/ is not one


class _NotOffered(Exception):
    """Why the file in dist/ is not offered for download (one line)."""


def _read_regular(path: Path, limit: int, what: str) -> bytes:
    """path's bytes if it is a regular file (read without following a link), else _NotOffered."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _NotOffered(f"{what} is missing") from None
    except OSError:  # a link (O_NOFOLLOW), or not readable
        kind = "a symbolic link" if path.is_symlink() else "not readable"
        raise _NotOffered(f"{what} is {kind}; only a regular file that `bundle` wrote is offered") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):  # a folder, FIFO or device: never read
        os.close(descriptor)
        raise _NotOffered(f"{what} is not a regular file; only a regular file that `bundle` wrote is offered")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _NotOffered(f"{what} is over {limit:,} bytes, more than `bundle` writes")
    return data


def check_zip(data: bytes, digest: str) -> None:
    """_NotOffered unless data is the zip `bundle` wrote (the stamp's digest) and holds the bundle."""
    if hashlib.sha256(data).hexdigest() != digest:
        raise _NotOffered("it is not the zip its stamp was written for (its SHA-256 differs): changed or damaged")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise _NotOffered(f"it is not a valid zip ({type(error).__name__})") from None
    if f"{BUNDLE_NAME}/index.html" not in names:
        raise _NotOffered(f"it is not the offline bundle (no {BUNDLE_NAME}/index.html in it)")


def offered_bundle(project: Project) -> tuple[Download | None, str]:
    """The bundle in dist/ to offer for download, if it is a regular, valid zip built from the
    current input; and a note saying why there is none (empty when there is one, or no file)."""
    path = bundle_path(project)
    if not (path.exists() or path.is_symlink()):
        return None, ""
    shown = path.relative_to(project.root).as_posix()
    stamp = path.with_name(path.name + ".input")
    try:
        try:
            lines = _read_regular(stamp, STAMP_LIMIT, f"its stamp {stamp.name}").decode("utf-8").split()
        except UnicodeDecodeError:
            raise _NotOffered(f"its stamp {stamp.name} is not UTF-8 text, so not one `bundle` wrote") from None
        if len(lines) != 2:
            raise _NotOffered(f"its stamp {stamp.name} is not one this version of `bundle` writes "
                              "(the input's fingerprint and the zip's SHA-256, a line each)")
        if lines[0] != input_fingerprint(project):
            return None, (f"note: {shown} was built from another state of the dossier, so the "
                          "site does not offer it for download; run `python build.py bundle` to make a current one")
        data = _read_regular(path, ZIP_LIMIT, "it")
        check_zip(data, lines[1])
    except _NotOffered as why:
        return None, (f"note: {shown} is not offered for download: {why}; "
                      "run `python build.py bundle` to make a current one")
    return Download(path.name, len(data), data), ""
