"""`build.py verify PATH`: is a copy of the offline bundle exactly what was built?

The copy (the bundle's zip, or a folder it was unzipped into) is checked against the
SHA256SUMS at its root (sitegen/checksums.py): every file that changed, appeared or disappeared
is named on a line of its own. A zip is read where it lies, entry by entry, and never
extracted: nothing of it is written anywhere. Before anything is read, every entry is looked
at, and a zip whose entries could write outside the folder it is unzipped into (a `..` part, an
absolute path, a link), could fill a disk (an entry too large, or compressed too well to be
real) or is ambiguous (a name twice, an encrypted entry) is refused as a whole, with every
reason at once: such a zip is not a bundle this project made.
"""
from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .checksums import CHUNK, SUMS_NAME, digest_of, parse_sums
from .model import printable

MAX_ENTRIES = 100_000  # the bundle holds a few thousand files
MAX_ENTRY_BYTES = 256 << 20  # its largest file is a few MB
MAX_TOTAL_BYTES = 2 << 30
MAX_RATIO = 200  # deflate compresses real pages 3-30 times; a zip bomb, a thousand times
RATIO_FROM_BYTES = 1 << 20  # below this, a high ratio costs nothing to read
MAX_SUMS_BYTES = 64 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass
class Verdict:
    """What verify found: one line per difference (or per reason a zip is refused)."""

    lines: list[str] = field(default_factory=list)
    files: int = 0  # files checked against SHA256SUMS
    refused: bool = False

    @property
    def ok(self) -> bool:
        return not self.lines and not self.refused


def verify(path: Path) -> Verdict:
    if path.is_dir():
        return _verify_folder(path)
    if not path.is_file():
        return Verdict([f"{printable(path)}: no such file or folder"], refused=True)
    if not zipfile.is_zipfile(path):
        return Verdict([f"{printable(path)}: not a zip file nor a folder; give the bundle's zip or the folder it was "
                        "unzipped into"], refused=True)
    try:
        with zipfile.ZipFile(path) as archive:
            return _verify_zip(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as error:
        return Verdict([f"{printable(path)}: the zip cannot be read ({printable(error)})"], refused=True)


def _compare(expected: dict[str, str], actual: dict[str, str], verdict: Verdict) -> Verdict:
    for name in sorted(set(expected) | set(actual)):
        shown = printable(name)
        if name not in actual:
            verdict.lines.append(f"removed: {shown} (listed in {SUMS_NAME}, missing from the copy)")
        elif name not in expected:
            verdict.lines.append(f"added: {shown} (in the copy, not listed in {SUMS_NAME})")
        elif actual[name] != expected[name]:
            verdict.lines.append(f"changed: {shown} (its SHA-256 is {actual[name]}, {SUMS_NAME} says {expected[name]})")
    verdict.files = len(actual)
    return verdict


def _expected(text: bytes, verdict: Verdict) -> dict[str, str]:
    try:
        digests, bad = parse_sums(text.decode("utf-8"))
    except UnicodeDecodeError:
        verdict.lines.append(f"{SUMS_NAME}: not UTF-8 text, so not the list the bundle was built with")
        return {}
    for line in bad:
        verdict.lines.append(f"{SUMS_NAME}:{line.line}: {printable(line.text)!r} is not a line as sha256sum writes it "
                             "(64 hexadecimal digits, two spaces, a file name listed once)")
    return digests


# a zip, read where it lies ------------------------------------------------------------------

def _why_refused(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if "\\" in name or any(ord(c) < 0x20 for c in name):
        return "its name holds a backslash or a control character, which some tools read as a path of their own"
    if name.startswith("/") or _DRIVE.match(name):
        return "an absolute path: unzipped, it would be written outside the folder"
    if ".." in name.split("/"):
        return "a `..` part: unzipped, it would be written outside the folder"
    if info.create_system == 3 and kind == stat.S_IFLNK:
        return "a symbolic link: unzipped, it could point anywhere on the disk"
    if info.create_system == 3 and kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "not a file or a folder (a device or a pipe)"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.file_size > MAX_ENTRY_BYTES:
        return f"{info.file_size:,} bytes unzipped, over the {MAX_ENTRY_BYTES:,} a bundle's file may have"
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return (f"{info.file_size:,} bytes from {info.compress_size:,} compressed, more than {MAX_RATIO} times: "
                "a zip bomb, not a page")
    return None


def _refusals(archive: zipfile.ZipFile) -> list[str]:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        return [f"the zip has {len(entries):,} entries, over the {MAX_ENTRIES:,} a bundle may have"]
    lines, seen, total = [], set(), 0
    for info in entries:
        why = _why_refused(info)
        if why is None and info.filename in seen:
            why = "its name is in the zip twice, so which one a tool unzips is a matter of chance"
        if why:
            lines.append(f"refused: entry {printable(info.filename)!r}: {why}")
        seen.add(info.filename)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        lines.append(f"refused: the entries add up to {total:,} bytes unzipped, over the {MAX_TOTAL_BYTES:,} a bundle may have")
    return lines


def _root(names: list[str]) -> str | None:
    """The folder of the zip that holds SHA256SUMS: the zip's top, or its one top folder."""
    if SUMS_NAME in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and f"{next(iter(tops))}/{SUMS_NAME}" in names:
        return next(iter(tops)) + "/"
    return None


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    with archive.open(info) as entry:  # reads at most the entry's stated size (zipfile stops there)
        while chunk := entry.read(CHUNK):
            yield chunk


def _verify_zip(archive: zipfile.ZipFile) -> Verdict:
    refusals = _refusals(archive)
    if refusals:
        return Verdict(refusals + ["the zip was refused as a whole and nothing of it was read or written; "
                                   "it is not a bundle as this project builds it"], refused=True)
    files = [info for info in archive.infolist() if not info.is_dir()]
    root = _root([info.filename for info in files])
    if root is None:
        return Verdict([f"no {SUMS_NAME} at the zip's top or in its one top folder: nothing to check the copy against"],
                       refused=True)
    verdict = Verdict()
    sums = archive.getinfo(root + SUMS_NAME)
    if sums.file_size > MAX_SUMS_BYTES:
        return Verdict([f"{SUMS_NAME} is {sums.file_size:,} bytes, over the {MAX_SUMS_BYTES:,} it may have"], refused=True)
    expected = _expected(b"".join(_read(archive, sums)), verdict)
    actual = {}
    for info in files:
        name = info.filename[len(root):]  # every file is under root (see _root)
        if name == SUMS_NAME:
            continue
        try:
            actual[name] = digest_of(_read(archive, info))
        except (zipfile.BadZipFile, OSError, EOFError) as error:  # a damaged entry: a difference, named
            actual[name] = f"unreadable ({printable(error)})"
    return _compare(expected, actual, verdict)


# a folder -------------------------------------------------------------------------------------

def _verify_folder(folder: Path) -> Verdict:
    root = folder
    if not (folder / SUMS_NAME).is_file():
        inner = [child for child in folder.iterdir() if child.is_dir() and (child / SUMS_NAME).is_file()]
        if len(inner) != 1:
            return Verdict([f"{printable(folder)}: no {SUMS_NAME} in this folder (nor in one folder inside it): "
                            "nothing to check the copy against"], refused=True)
        root = inner[0]
    verdict = Verdict()
    sums = root / SUMS_NAME
    if sums.is_symlink() or sums.stat().st_size > MAX_SUMS_BYTES:
        return Verdict([f"{printable(sums)}: a link, or too large to be the list a bundle carries"], refused=True)
    expected = _expected(sums.read_bytes(), verdict)
    actual: dict[str, str] = {}
    for directory, folders, names in os.walk(root):  # links to folders are not followed
        for name in sorted(folders + names):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                verdict.lines.append(f"link: {printable(relative)} (a symbolic link; a bundle holds none)")
            elif name in names and relative != SUMS_NAME:
                if path.is_file():
                    actual[relative] = digest_of(_chunks(path))
                else:
                    verdict.lines.append(f"not a file: {printable(relative)} (a device or a pipe)")
    return _compare(expected, actual, verdict)


def _chunks(path: Path):
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
