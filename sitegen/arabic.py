"""Arabic text rules: forgiving matching of spelling variants, and dates in Iraqi Arabic.

The same folding serves entity matching in article texts, duplicate-name checks and
(mirrored in JavaScript) the site search, so that a reader's or a maintainer's spelling
variant never hides a match.
"""
from __future__ import annotations

import functools
import re
from typing import NamedTuple

from babel.dates import format_date

from .model import PartialDate

# Character folding, shared with the site search (sitegen/search/tokens.py, and the same
# tables in docs/assets/javascripts/search.js).
FOLD = {
    "\u0622": "\u0627",  # آ alef with madda      → ا
    "\u0623": "\u0627",  # أ alef with hamza above → ا
    "\u0625": "\u0627",  # إ alef with hamza below → ا
    "\u0671": "\u0627",  # ٱ alef wasla           → ا
    "\u0624": "\u0648",  # ؤ waw with hamza       → و
    "\u0626": "\u064A",  # ئ ya with hamza        → ي
    "\u0649": "\u064A",  # ى alef maqsura         → ي
    "\u0629": "\u0647",  # ة ta marbuta           → ه
    "\u06A9": "\u0643",  # ک keheh                → ك
    "\u06CC": "\u064A",  # ی Farsi yeh            → ي
    "\u06BE": "\u0647",  # ھ heh doachashmee      → ه
}
# Arabic-Indic and extended (Persian) digits become ASCII digits.
FOLD.update({chr(0x0660 + d): str(d) for d in range(10)})
FOLD.update({chr(0x06F0 + d): str(d) for d in range(10)})
# Removed: harakat and other marks, dagger alef, tatweel, zero-width and bidi marks.
# Bare hamza ء is kept.
DROP_RE = re.compile("[\u064B-\u065F\u0670\u0640\u200B-\u200F\u061C\u2066-\u2069\uFEFF]")

# Attached one-letter particles, and the article; combinations are tried longest first.
_PROCLITICS = ("ولل", "فلل", "وبال", "فبال", "وكال", "وال", "فال", "بال", "كال", "لل", "ول", "فل", "وب", "فب", "وك", "فك", "و", "ف", "ب", "ل", "ك")
_ARTICLE = "ال"
_MIN_STEM = 2

_WORD_RE = re.compile(r"[0-9A-Za-z\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF]+")


def fold_char(ch: str) -> str:
    """One character folded: '' for marks that do not count, a base letter otherwise."""
    if DROP_RE.match(ch):
        return ""
    return FOLD.get(ch, ch).lower()


# Every fold is one character for one. A list indexed by code point is the fastest table
# str.translate takes (a dict costs a look-up per character); code points past it are kept.
_FOLD_TABLE = [ord(FOLD.get(chr(code), chr(code))) for code in range(0x10000)]
_KEPT_RE = re.compile(f"[^{DROP_RE.pattern[1:-1]}]+")  # runs of characters that are not dropped


def normalize(text: str) -> str:
    """Fold hamza forms, ta marbuta, alif maqsura, diacritics, tatweel and Latin case."""
    return "".join(fold_char(ch) for ch in text)


# Words every Arabic text uses, folded: never an entity's alias, never a theme's keyword.
STOP_WORDS = frozenset(normalize(w) for w in (
    "في من إلى الى على عن مع بعد قبل التي الذي الذين هذه هذا ذلك تلك كل ما لا أو ثم حتى بين عند "
    "منذ خلال ضد دون حول وما فيها فيه لها له بها به كما اللذين أن إن كان كانت قد لم لن هو هي هم "
    "و ف ب ل ك ال يا أي أيضا إذا اذا لكن بل غير").split())


@functools.lru_cache(maxsize=1 << 16)
def stems(word: str) -> frozenset[str]:
    """Every reading of a folded word with its attached particles and article removed.

    Cached: a dossier repeats the same few thousand words, and entity matching asks for
    the stems of every word of every article.
    """
    found = {word}
    for proclitic in _PROCLITICS:
        if word.startswith(proclitic) and len(word) - len(proclitic) >= _MIN_STEM:
            rest = word[len(proclitic):]
            found.add(rest)
            if proclitic.endswith("لل"):  # لل + X is ل + الX
                found.add(_ARTICLE + rest)
    for form in list(found):
        if form.startswith(_ARTICLE) and len(form) - 2 >= _MIN_STEM:
            found.add(form[2:])
    return frozenset(found)


def core(word: str) -> str:
    """The shortest stem: what two spellings of one word have in common."""
    return min(stems(normalize(word)), key=lambda s: (len(s), s))


class Word(NamedTuple):
    start: int  # offsets in the original text
    end: int
    folded: str


def _folded_with_origin(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, its offset in text (None: the same offset).

    Folding is one character for one, except marks, which fold to nothing; runs without
    marks are folded by str.translate, which is what keeps matching a large dossier fast.
    """
    folded = text.translate(_FOLD_TABLE).lower()
    if len(folded) == len(text) and not DROP_RE.search(text):
        return folded, None
    pieces: list[str] = []
    origin: list[int] = []
    for run in _KEPT_RE.finditer(text):
        piece = run.group().translate(_FOLD_TABLE).lower()
        if len(piece) == run.end() - run.start():
            pieces.append(piece)
            origin.extend(range(run.start(), run.end()))
        else:  # a rare letter whose lower case is longer (İ): one character at a time
            for index in range(run.start(), run.end()):
                for c in fold_char(text[index]):
                    pieces.append(c)
                    origin.append(index)
    return "".join(pieces), origin


def words(text: str) -> list[Word]:
    """Words of a text with their original offsets, folded for comparison.

    Folding happens before splitting so that a diacritic or tatweel inside a word
    does not split it, and offsets still point into the unchanged original.
    """
    return _words_in(text, *_folded_with_origin(text))


def _words_in(text: str, folded: str, origin: list[int] | None) -> list[Word]:
    if origin is None:
        return [Word(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(folded)]
    # A word ends where the next kept character begins: what lies between are marks that
    # followed its last letter, and they belong to it.
    origin.append(len(text))
    return [Word(origin[m.start()], max(origin[m.end()], origin[m.end() - 1] + 1), m.group())
            for m in _WORD_RE.finditer(folded)]


class Matcher:
    """Finds spellings (names and aliases) in texts, forgiving Arabic variants and prefixes.

    Spellings are indexed by the core of their first word so that matching a text costs
    one dictionary look-up per word, whatever the number of entities.
    """

    def __init__(self, spellings: dict[str, list[str]]):
        self._by_first: dict[str, list[tuple[list[str], str]]] = {}
        self._candidates_of: dict[str, list[tuple[list[str], str]]] = {}
        for key, names in spellings.items():
            for name in names:
                tokens = [w.folded for w in words(name)]
                if not tokens:
                    continue
                for first in name_forms(tokens[0]):
                    self._by_first.setdefault(first, []).append((tokens, key))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, key) matches in reading order.

        The words are compared as plain strings; where they are in the text is worked out
        only for the words of a match (most words start none).
        """
        folded, origin = _folded_with_origin(text)
        tokens = _WORD_RE.findall(folded)
        spans = None
        found = []
        candidates_of = self._candidates_of
        i = 0
        while i < len(tokens):
            candidates = candidates_of.get(tokens[i])
            if candidates is None:
                candidates = self._candidates(tokens[i])
            match = self._match_at(tokens, i, candidates) if candidates else None
            if not match:
                i += 1
                continue
            length, key = match
            if spans is None:
                spans = list(_WORD_RE.finditer(folded))
                if origin is not None:
                    origin.append(len(text))
            first, last = spans[i], spans[i + length - 1]
            if origin is None:
                found.append((first.start(), last.end(), key))
            else:  # marks after the last letter belong to the word (see _words_in)
                found.append((origin[first.start()], max(origin[last.end()], origin[last.end() - 1] + 1), key))
            i += length
        return found

    def _candidates(self, word: str) -> list[tuple[list[str], str]]:
        """The spellings whose first word can be this folded word (most words have none)."""
        found = self._candidates_of.get(word)
        if found is None:
            found = [c for first in sorted(stems(word)) for c in self._by_first.get(first, ())]
            self._candidates_of[word] = found
        return found

    def _match_at(self, words: list[str], i: int, candidates) -> tuple[int, str] | None:
        """The longest of the candidate spellings that starts at folded word i, as (number of words, key)."""
        best = None
        for tokens, key in candidates:
            if best and len(tokens) <= best[0]:
                continue
            if i + len(tokens) <= len(words) and all(
                    _same_word(w, t) for w, t in zip(words[i + 1:i + len(tokens)], tokens[1:])):
                best = (len(tokens), key)
        return best


def _same_word(text_word: str, name_word: str) -> bool:
    return text_word == name_word or bool(stems(text_word) & name_forms(name_word))


@functools.lru_cache(maxsize=1 << 14)
def name_forms(word: str) -> frozenset[str]:
    """The forms a folded word of a name is matched by: itself, and without the article ال.

    Unlike a text's words, a name's first letters are never taken for attached particles:
    برهم is a name, not ب + رهم, and بدر is not ب + در (a text's وبرهم or لبدر still match,
    since the text's word is read with its particles removed)."""
    if word.startswith(_ARTICLE) and len(word) - 2 >= _MIN_STEM:
        return frozenset((word, word[2:]))
    return frozenset((word,))


_PATTERNS = {"day": "d MMMM y", "month": "MMMM y", "year": "y"}


@functools.lru_cache(maxsize=1 << 14)  # dates repeat on every listing an article is in
def format_partial_date(date: PartialDate) -> str:
    """A date in Arabic with Iraqi month names (CLDR ar_IQ), at the precision it is known."""
    import datetime

    real = datetime.date(date.year, date.month or 1, date.day or 1)
    return format_date(real, _PATTERNS[date.precision], locale="ar_IQ")


_SPACE_RE = re.compile(r"\s+")


def find_passage(text: str, passage: str) -> tuple[int, int] | None:
    """Where passage stands in text, as (start, end) offsets in text, or None.

    The comparison forgives only what the dossier's folding forgives (hamza forms, ة/ه, ى/ي,
    diacritics, tatweel, invisible marks) and differences of whitespace: a quote copied from the
    text is found, a reworded one is not.
    """
    def squeezed(value: str) -> tuple[str, list[int]]:
        folded, origin = _folded_with_origin(value)
        if origin is None:
            origin = list(range(len(value)))
        keep = [i for i, ch in enumerate(folded) if not ch.isspace()]
        return "".join(folded[i] for i in keep), [origin[i] for i in keep]

    needle, _ = squeezed(passage)
    if not needle:
        return None
    haystack, origin = squeezed(text)
    at = haystack.find(needle)
    if at < 0:
        return None
    end = origin[at + len(needle) - 1] + 1
    while end < len(text) and DROP_RE.match(text[end]):  # marks after the last letter belong to it
        end += 1
    return origin[at], end


def dictionary_key(name: str) -> str:
    """How an Arabic index sorts a name: diacritics and tatweel ignored, hamza forms of alef with
    alef (the dossier's folding), and the definite article ال of the first word set aside."""
    folded = " ".join(normalize(name).split())
    if folded.startswith(_ARTICLE) and len(folded.split(" ", 1)[0]) > len(_ARTICLE) + 1:
        folded = folded[len(_ARTICLE):]
    return folded


def initial(name: str) -> str:
    """The letter a name is listed under in an index (its dictionary key's first letter)."""
    key = dictionary_key(name)
    return key[:1].upper() if key else "#"
