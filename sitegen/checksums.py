"""SHA256SUMS: the list of a bundle's files and their SHA-256, exactly as `sha256sum` writes it,
so that `sha256sum -c SHA256SUMS` checks an unzipped copy on any Linux or macOS machine with no
tool of ours, and `build.py verify` reads the same file.

The format (GNU coreutils, text mode): one line per file, `<64 lowercase hex>  <name>` (two
spaces). A name holding a backslash, a line feed or a carriage return is written with `\\`,
`\\n`, `\\r` and the line starts with a backslash; sha256sum reads it back the same way.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SUMS_NAME = "SHA256SUMS"
CHUNK = 1 << 20  # bytes hashed at a time: a file is never held whole in memory
_LINE = re.compile(r"^(\\?)([0-9a-fA-F]{64}) [ *](.+)$")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {"\\": "\\", "n": "\n", "r": "\r"}


def digest_of(chunks) -> str:
    """The SHA-256 of a stream of byte chunks, in hexadecimal."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def sums_text(digests: dict[str, str]) -> str:
    """SHA256SUMS for {name: sha256}, names sorted as bytes (the same files give the same text)."""
    lines = []
    for name in sorted(digests, key=lambda n: n.encode("utf-8")):
        escaped = "".join(_ESCAPES.get(c, c) for c in name)
        prefix = "\\" if escaped != name else ""
        lines.append(f"{prefix}{digests[name]}  {escaped}\n")
    return "".join(lines)


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str


def parse_sums(text: str) -> tuple[dict[str, str], list[BadLine]]:
    """{name: sha256} from a SHA256SUMS text, and the lines that are not in its format."""
    digests: dict[str, str] = {}
    bad: list[BadLine] = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        match = _LINE.match(line)
        name = match and (_unescape(match.group(3)) if match.group(1) else match.group(3))
        if not name or name in digests:
            bad.append(BadLine(number, line[:120]))
            continue
        digests[name] = match.group(2).lower()
    return digests, bad


def _unescape(name: str) -> str | None:
    out, chars = [], iter(name)
    for char in chars:
        if char == "\\":
            char = _UNESCAPES.get(next(chars, ""))
            if char is None:
                return None
        out.append(char)
    return "".join(out)
