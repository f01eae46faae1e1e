"""Arabic text rules: forgiving matching of spelling variants, and dates in Iraqi Arabic.

The same folding serves entity matching in article texts, duplicate-name checks and
(mirrored in JavaScript) the site search, so that a reader's or a maintainer's spelling
variant never hides a match.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
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
# Made from the identity with the folds written in: looking up each of the 65,536 code points
# made this module take 20 ms to import in every command (best of five), 6 ms now.
_FOLD_TABLE = list(range(0x10000))
for _char, _folded in FOLD.items():
    if ord(_char) < 0x10000:
        _FOLD_TABLE[ord(_char)] = ord(_folded)
del _char, _folded
_KEPT_RE = re.compile(f"[^{DROP_RE.pattern[1:-1]}]+")  # runs of characters that are not dropped


def fold_letters(text: str) -> str:
    """Each character of a text folded (hamza forms, ta marbuta, alif maqsura, Latin case), one for
    one but for the rare letter whose lower case is longer (İ); marks are kept (normalize drops them).
    The one place the fold is written: every other function here folds through it."""
    return text.translate(_FOLD_TABLE).lower()


def normalize(text: str) -> str:
    """Fold hamza forms, ta marbuta, alif maqsura, diacritics, tatweel and Latin case (as
    fold_char does to each character, in one pass of the translation table)."""
    if "\u03a3" in text:  # Σ: str.lower() applies the final-sigma rule, one character at a time does not
        return "".join(fold_char(ch) for ch in text)
    return fold_letters("".join(_KEPT_RE.findall(text)))


# Words every Arabic text uses, folded: never an entity's alias, never a theme's keyword.
STOP_WORDS = frozenset(normalize(w) for w in (
    "في من إلى الى على عن مع بعد قبل التي الذي الذين هذه هذا ذلك تلك كل ما لا أو ثم حتى بين عند "
    "منذ خلال ضد دون حول وما فيها فيه لها له بها به كما اللذين أن إن كان كانت قد لم لن هو هي هم "
    "و ف ب ل ك ال يا أي أيضا إذا اذا لكن بل غير").split())


def _common_words() -> frozenset[str]:
    listed = (Path(__file__).with_name("common_words.txt")).read_text(encoding="utf-8").splitlines()
    return frozenset(normalize(line.strip()) for line in listed if line.strip() and not line.startswith("#"))


# Words too common to name anything (sitegen/common_words.txt), folded: never an entity's alias.
COMMON_WORDS = _common_words()


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


def folded_with_origin(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, for each of its characters, its offset in text (None: the same offset).

    Folding is one character for one, except marks, which fold to nothing; runs without
    marks are folded by str.translate, which is what keeps matching a large dossier fast.
    """
    folded = fold_letters(text)
    if len(folded) == len(text) and not DROP_RE.search(text):
        return folded, None
    pieces: list[str] = []
    origin: list[int] = []
    for run in _KEPT_RE.finditer(text):
        piece = fold_letters(run.group())
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
    return _words_in(text, *folded_with_origin(text))


def _words_in(text: str, folded: str, origin: list[int] | None) -> list[Word]:
    if origin is None:
        return [Word(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(folded)]
    # A word ends where the next kept character begins: what lies between are marks that
    # followed its last letter, and they belong to it.
    origin.append(len(text))
    return [Word(origin[m.start()], max(origin[m.end()], origin[m.end() - 1] + 1), m.group())
            for m in _WORD_RE.finditer(folded)]


def folded_words(text: str) -> list[str]:
    """The folded words of a text, without their offsets (cheaper than words())."""
    return _WORD_RE.findall(normalize(text))


class _Node:
    """A word of a spelling in Matcher's tree: spellings that start with the same words share them."""

    __slots__ = ("children", "by_form", "key", "order")

    def __init__(self):
        self.children: dict[str, _Node] = {}  # by the spelling's next folded word
        self.by_form: dict[str, list[_Node]] = {}  # the same children, by each form that matches them
        self.key: str | None = None  # the entity whose spelling ends here
        self.order = 0  # that spelling's place among all (the first one wins a tie)


class Matcher:
    """Finds spellings (names and aliases) in texts, forgiving Arabic variants and prefixes.

    Spellings are kept as a tree of their folded words, so that matching a text costs a few
    dictionary look-ups per word whatever the number of entities, even when thousands of names
    begin with the same word (وزارة …): a text word is compared only with the words that can
    follow the ones it continues, never with every spelling that starts alike.
    """

    def __init__(self, spellings: dict[str, list[str]]):
        self._root = _Node()
        self._firsts: dict[str, list[_Node]] = {}  # text word -> the spellings' first words it can be
        order = 0
        for key, names in spellings.items():
            for name in names:
                tokens = [w.folded for w in words(name)]
                if not tokens:
                    continue
                node = self._root
                for token in tokens:
                    child = node.children.get(token)
                    if child is None:
                        child = node.children[token] = _Node()
                        for form in sorted(name_forms(token)):
                            node.by_form.setdefault(form, []).append(child)
                    node = child
                if node.key is None:  # the same words twice: the first spelling keeps them
                    node.key, node.order = key, order
                order += 1

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, key) matches in reading order.

        The words are compared as plain strings; where they are in the text is worked out
        only for the words of a match (most words start none).
        """
        folded, origin = folded_with_origin(text)
        tokens = _WORD_RE.findall(folded)
        spans = None
        found = []
        firsts = self._firsts
        i = 0
        while i < len(tokens):
            first = firsts.get(tokens[i])
            if first is None:
                first = firsts[tokens[i]] = self._following(self._root, tokens[i])
            match = self._match_at(tokens, i, first) if first else None
            if not match:
                i += 1
                continue
            length, key = match
            if spans is None:
                spans = list(_WORD_RE.finditer(folded))
                if origin is not None:
                    origin.append(len(text))
            first_span, last_span = spans[i], spans[i + length - 1]
            if origin is None:
                found.append((first_span.start(), last_span.end(), key))
            else:  # marks after the last letter belong to the word (see _words_in)
                found.append((origin[first_span.start()],
                              max(origin[last_span.end()], origin[last_span.end() - 1] + 1), key))
            i += length
        return found

    @staticmethod
    def _following(node: _Node, word: str) -> list[_Node]:
        """The children of node that the folded text word can be: a text word is read with its
        particles and article removed (stems), a name's word only without its article (name_forms)."""
        found: dict[int, _Node] = {}
        for form in sorted(stems(word)):
            for child in node.by_form.get(form, ()):
                found.setdefault(id(child), child)
        return list(found.values())

    def _match_at(self, words: list[str], i: int, first: list[_Node]) -> tuple[int, str] | None:
        """The longest spelling that starts at folded word i, as (number of words, key)."""
        best = None  # (words, order, key)
        active, depth = first, 1
        while active:
            for node in active:
                if node.key is not None and (best is None or depth > best[0] or
                                             (depth == best[0] and node.order < best[1])):
                    best = (depth, node.order, node.key)
            if i + depth >= len(words):
                break
            following: dict[int, _Node] = {}
            for node in active:
                if node.children:
                    for child in self._following(node, words[i + depth]):
                        following.setdefault(id(child), child)
            active, depth = list(following.values()), depth + 1
        return (best[0], best[2]) if best else None


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


# What find_passage sets aside besides the folding: whitespace, and the marks folding drops.
_SQUEEZED_OUT_RE = re.compile(f"[\\s{DROP_RE.pattern[1:-1]}]+")


def squeeze(text: str) -> str:
    """text as find_passage compares it: folded, without marks and without whitespace.

    One pass of str.translate and one of a regular expression: no Python loop per character."""
    return _SQUEEZED_OUT_RE.sub("", fold_letters(text))


def find_passage(text: str, passage: str) -> tuple[int, int] | None:
    """Where passage stands in text, as (start, end) offsets in text, or None.

    The comparison forgives only what the dossier's folding forgives (hamza forms, ة/ه, ى/ي,
    diacritics, tatweel, invisible marks) and differences of whitespace: a quote copied from the
    text is found, a reworded one is not. Whether it is there is found first without working out
    where each character came from (the costly part), which only a found passage needs.
    """
    needle = squeeze(passage)
    if not needle or needle not in squeeze(text):
        return None

    def squeezed(value: str) -> tuple[str, list[int]]:
        folded, origin = folded_with_origin(value)
        if origin is None:
            origin = list(range(len(value)))
        keep = [i for i, ch in enumerate(folded) if not ch.isspace()]
        return "".join(folded[i] for i in keep), [origin[i] for i in keep]

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
