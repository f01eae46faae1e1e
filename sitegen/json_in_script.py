"""Data written as JSON inside a page's `<script>` or a script file, in one way for every such
place (the pages' JSON-LD, the articles list's data scripts, the search index's files).

The JSON is exact and no value can end the script element or break the script around it: `<`,
`>` and `&` are written as their \\uXXXX escapes (no `</script>` or `<!--` can appear), so are
U+2028 and U+2029 (line ends to JavaScript engines before ES2019 and to some editors) and every
character no dossier value may hold (characters.IN_VALUE), which a reader of the file would not
see. A JSON parser reads back the same data."""
from __future__ import annotations

import json
import re

from . import characters

_ESCAPED = re.compile(f"[<>&\u2028\u2029]|{characters.IN_VALUE.pattern}")


def _escape(match: re.Match) -> str:
    """A character as JSON's \\uXXXX escape (two, a surrogate pair, past U+FFFF)."""
    units = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def dumps(value) -> str:
    """value as compact JSON, safe inside a script (see the module's docstring)."""
    return _ESCAPED.sub(_escape, json.dumps(value, ensure_ascii=False, separators=(",", ":")))
