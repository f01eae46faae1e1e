"""The Arabic search rules: how a text is cut into words, and the forms a word is indexed under.

The browser applies the same rules (docs/assets/javascripts/search.js, "Rules"); keep the two
identical: tests/test_search.py compares them on every word of the built index.

- A text is cut at white space, hyphens, Arabic and Latin punctuation, quotation marks and
  brackets, "." unless an ASCII digit follows (a decimal point), and HTML character references
  (SEPARATOR; the separators of the former lunr.ar rules: Material's `[\\s\\-]+` plus Arabic
  punctuation). "\\s" is spelled out as JavaScript's white space, so both sides cut alike.
- A word is normalised (arabic.normalize: lower case, diacritics, tatweel and invisible marks
  dropped, hamza forms, ة/ه, ى/ي folded, Arabic-Indic digits made ASCII) and punctuation left
  at its ends is trimmed.
- Attached prefixes (ال لل و ف ب ك ل) are stripped from the front one at a time while enough
  letters remain. A word is indexed under every form of that chain (search_forms); a query
  word is reduced to the last one, its core (search_core).
- A query word of three or more letters (as typed, normalised) also matches the index terms
  that start with its core (search as you type); one or two letters are a whole word.
"""
from __future__ import annotations

import functools

import re
import unicodedata

from ..arabic import normalize

# JavaScript's \s, spelled out (Python's \s differs: it has \x1c-\x1f and \x85, not \ufeff).
WHITE_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
# Cuts between words (JS: SEPARATOR). The same text is a regular expression in both languages.
SEPARATOR_SOURCE = (
    f"[{WHITE_SPACE}\\-]+"
    f"|[{WHITE_SPACE}\\u060c\\u061b\\u061f\\u06d4"
    "\"\\u00ab\\u00bb\\u201c\\u201d\\u201e\\u201f\\u2018\\u2019\\u2039\\u203a"
    "()\\[\\]{}<>!?;:,/\\\\|\\u2026\\u2013\\u2014]+"
    "|\\.(?![0-9])"
    "|&(?:[a-zA-Z]+|#[0-9]+|#[xX][0-9a-fA-F]+);"
)
SEPARATOR = re.compile(SEPARATOR_SOURCE)

# Attached prefixes in the order they are tried, each with the number of characters that must
# remain after stripping it (JS: PREFIXES). لل (li + al) is tried before ل, so "للحد" and
# "الحد" both end at "حد".
PREFIXES = (
    ("\u0627\u0644", 2),  # ال
    ("\u0644\u0644", 2),  # لل
    ("\u0648", 3),        # و
    ("\u0641", 3),        # ف
    ("\u0628", 3),        # ب
    ("\u0643", 3),        # ك
    ("\u0644", 3),        # ل
)

# A query word's beginning of fewer letters than this is searched as a whole word (a prefix
# that short would match most of the vocabulary and say nothing).
MIN_PREFIX = 3

# A reader's query is cut to its first MAX_TERMS distinct words, and a query word longer than
# MAX_WORD characters (no word of a text, but a pasted run of symbols) is passed over, so that
# what a query costs the browser stays small whatever is typed or linked (JS: the same names).
MAX_WORD = 64
MAX_TERMS = 16


def _is_word_char(ch: str) -> bool:
    # JS: [\p{L}\p{N}]
    return unicodedata.category(ch)[0] in "LN"


def trim(word: str) -> str:
    """Drop punctuation from both ends of a token (JS: TRIM_RE)."""
    start, end = 0, len(word)
    while start < end and not _is_word_char(word[start]):
        start += 1
    while end > start and not _is_word_char(word[end - 1]):
        end -= 1
    return word[start:end]


def split(text: str) -> list[str]:
    """The raw words of a text, as written (JS: split)."""
    return [word for word in SEPARATOR.split(text) if word]


def search_forms(word: str) -> list[str]:
    """All forms a word is indexed under: normalised, then one per stripped prefix.

    >>> search_forms("والأمنية")
    ['والامنيه', 'الامنيه', 'امنيه']
    """
    return list(_search_forms(word))


@functools.lru_cache(maxsize=1 << 17)
def _search_forms(word: str) -> tuple[str, ...]:
    """search_forms, remembered: a dossier's texts use the same words again and again."""
    w = trim(normalize(word))
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
    return tuple(chain)


def search_core(word: str) -> str:
    """The form a query word is reduced to: the last of its search forms.

    >>> search_core("بالامنيه") == search_core("الأمنية") == "امنيه"
    True
    """
    chain = search_forms(word)
    return chain[-1] if chain else ""


def text_terms(text: str) -> set[str]:
    """Every index term of a text: every form of every word."""
    terms: set[str] = set()
    for word in set(split(text)):
        terms.update(_search_forms(word))
    return terms


def query_words(query: str) -> list[str]:
    """The words of a query that are searched: those of MAX_WORD characters or fewer (JS: queryWords)."""
    return [word for word in split(query) if len(word) <= MAX_WORD]


def query_terms(query: str) -> list[tuple[str, bool]]:
    """A query as (core, is_prefix) pairs, in order, without repeats, at most MAX_TERMS of them
    (JS: queryTerms).

    >>> query_terms("الكاظ في")
    [('كاظ', True), ('في', False)]
    """
    found: list[tuple[str, bool]] = []
    for word in query_words(query):
        core = search_core(word)
        if not core or len(found) >= MAX_TERMS:
            continue
        term = (core, len(trim(normalize(word))) >= MIN_PREFIX)
        if term not in found:
            found.append(term)
    return found


def name_key(text: str) -> str:
    """A name or a query as a whole: the cores of its words, space-separated (JS: nameKey).
    An entity whose name or alias has the query's key ranks first.

    >>> name_key("تنظيم داعش") == name_key("التنظيم الداعش")
    True
    """
    return " ".join(core for core in map(search_core, query_words(text)) if core)
