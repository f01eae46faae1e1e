"""Search index post-processing and the Arabic search rules in Python.

Material writes ``search/search_index.json`` with ``\\u`` escapes for every
non-ASCII character, which makes an Arabic index about 2.7 times its UTF-8
size; :func:`write_index_as_utf8` rewrites it as UTF-8 (run it from an
``on_post_build`` hook: Material's offline plugin runs last, at priority -100,
so its ``search_index.js`` copy is made from the UTF-8 file).

:func:`normalize_arabic`, :func:`search_forms` and :func:`search_core` are the
rules that ``overrides/assets/javascripts/lunr/min/lunr.ar.min.js`` applies in
the browser, written again in Python for documentation and tests. The rule
tables below must stay identical to the ones in that file; a browser test
compares both implementations on every word of the built index.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import tempfile
import unicodedata

# The letter folding (JS: FOLD, DROP_RE) is the dossier's one Arabic folding, in arabic.py.
from .arabic import DROP_RE, FOLD  # noqa: E402,F401  (re-exported for the tests)
from .arabic import normalize as normalize_arabic  # noqa: E402

# Attached prefixes in the order they are tried, each with the number of
# characters that must remain after stripping it (JS: PREFIXES).
PREFIXES = (
    ("\u0627\u0644", 2),  # ال
    ("\u0644\u0644", 2),  # لل
    ("\u0648", 3),        # و
    ("\u0641", 3),        # ف
    ("\u0628", 3),        # ب
    ("\u0643", 3),        # ك
    ("\u0644", 3),        # ل
)

def _is_word_char(ch: str) -> bool:
    # JS: [\p{L}\p{N}]
    return unicodedata.category(ch)[0] in "LN"


def _trim(word: str) -> str:
    """Drop punctuation from both ends of a token (JS: TRIM_RE)."""
    start, end = 0, len(word)
    while start < end and not _is_word_char(word[start]):
        start += 1
    while end > start and not _is_word_char(word[end - 1]):
        end -= 1
    return word[start:end]


def search_forms(word: str) -> list[str]:
    """All forms a word is indexed under: normalised, then one per stripped prefix.

    >>> search_forms("والأمنية")
    ['والامنيه', 'الامنيه', 'امنيه']
    """
    w = _trim(normalize_arabic(word))
    chain = [w] if w else []
    stripped = True
    while w and stripped:
        stripped = False
        for prefix, keep in PREFIXES:
            if w.startswith(prefix) and len(w) - len(prefix) >= keep:
                w = w[len(prefix):]
                chain.append(w)
                stripped = True
                break
    return chain


def search_core(word: str) -> str:
    """The form a query word is reduced to: the last of its search forms.

    >>> search_core("بالامنيه") == search_core("الأمنية") == "امنيه"
    True
    """
    chain = search_forms(word)
    return chain[-1] if chain else ""


# The key of the first document that holds a digest of all the documents (JS: STAMP):
# the prebuilt lunr index records it, and the browser compares the two instead of
# hashing every document. Material reads only the fields it knows.
STAMP = "dossier_fingerprint"


def write_index_as_utf8(site_dir: pathlib.Path) -> None:
    """Rewrite ``site_dir/search/search_index.json`` as compact UTF-8 JSON, its first
    document stamped with a digest of all of them (STAMP).

    The data are otherwise unchanged (only the encoding of the JSON text differs).
    The file is replaced atomically, so a failure leaves the original intact.
    """
    path = pathlib.Path(site_dir) / "search" / "search_index.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = data.get("docs") or []
    if docs:
        docs[0].pop(STAMP, None)
        canonical = json.dumps(docs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        docs[0][STAMP] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_text_atomically(path, text)


def write_text_atomically(path: pathlib.Path, text: str) -> None:
    """Write a UTF-8 file through a temporary file in the same folder: never half written."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
