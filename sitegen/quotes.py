"""Where an event's quote stands in the text a reader sees, decided once for `check` and the page.

A quote is found only in the lines the page shows as prose (Article.body_lines: not the title
line, not a hidden line), inside one line, starting and ending on whole words, at exactly one
place; otherwise it is refused, with the reason, so that an event `check` accepts always links
to a marked passage. The comparison forgives what find_passage forgives (folding, marks,
whitespace). The shown text is folded once per article; each quote then costs substring searches
in it (C speed), never a pass over the lines per quote.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from .arabic import DROP_RE, fold_letters, folded_with_origin, squeeze, words

# Runs of characters a squeezed text keeps (neither a mark nor whitespace), and each line end.
_SHOWN_RUN_RE = re.compile(f"[^{DROP_RE.pattern[1:-1]}\\s]+|\n")

MIN_WORDS = 3  # fewer words (one common word, a letter, a digit) cannot name one passage
MIN_LETTERS = 10

# Why a quote is refused (validate words the message; the page never sees a refused quote).
TOO_SHORT = "too short"
NOT_IN_TEXT = "not in the text"
IN_TITLE = "only in the title line"
IN_HIDDEN = "only in a hidden line"
ACROSS_LINES = "across a line break"
INSIDE_WORD = "inside a word"
AMBIGUOUS = "more than once"


@dataclass(frozen=True)
class Found:
    line: int  # index among the shown lines
    start: int  # offsets in that line
    end: int


def _wordish(ch: str) -> bool:
    """A character that belongs to a word: a letter or digit, or a mark or tatweel on one."""
    return ch.isalnum() or ch == "\u0640" or unicodedata.category(ch) == "Mn"


def too_short(quote: str) -> bool:
    found = words(quote)
    return len(found) < MIN_WORDS or sum(ch.isalpha() for w in found for ch in w.folded) < MIN_LETTERS


class ShownText:
    """The shown lines folded once: the squeezed characters of every line, lines joined by a
    line end (which no squeezed quote holds, so no match spans two lines), each character's
    offset in the joined lines kept."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.body = "\n".join(lines)
        self.line_starts = [0]
        for line in lines[:-1]:
            self.line_starts.append(self.line_starts[-1] + len(line) + 1)

    @cached_property
    def _index(self) -> tuple[str, list[int], list[int]]:
        """The squeezed text, and where it came from in body: the squeezed text's runs of kept
        characters (their starts in it, then its length) and each run's start in body (made at
        the first quote). A run is a word's characters between marks and spaces, or a line end:
        a few hundred runs an article, found by a regular expression, not a loop per character."""
        body = self.body
        runs = list(_SHOWN_RUN_RE.finditer(body))
        raw = "".join(run.group() for run in runs)
        squeezed = fold_letters(raw)
        if "\u03a3" not in raw and len(squeezed) == len(raw):  # lower() one for one: no Σ, no İ
            return squeezed, list(accumulate((run.end() - run.start() for run in runs), initial=0)), \
                [run.start() for run in runs]
        folded, origin = folded_with_origin(body)  # the rare letters: one character at a time
        keep = [i for i, ch in enumerate(folded) if ch == "\n" or not ch.isspace()]
        return ("".join(folded[i] for i in keep), list(range(len(keep) + 1)),
                keep if origin is None else [origin[i] for i in keep])

    def _origin(self, at: int) -> int:
        """The offset in body of the squeezed character at."""
        _, run_at, run_in_body = self._index
        run = bisect.bisect_right(run_at, at) - 1
        return run_in_body[run] + at - run_at[run]

    def _span(self, at: int, length: int) -> tuple[int, int]:
        """The offsets in body of the squeezed characters at..at+length (marks after the last letter included)."""
        start, end = self._origin(at), self._origin(at + length - 1) + 1
        while end < len(self.body) and self.body[end] != "\n" and DROP_RE.match(self.body[end]):
            end += 1
        return start, end

    def _whole_words(self, start: int, end: int) -> bool:
        body = self.body
        cut_before = start > 0 and _wordish(body[start - 1]) and _wordish(body[start])
        cut_after = end < len(body) and _wordish(body[end]) and _wordish(body[end - 1])
        return not cut_before and not cut_after

    def find(self, quote: str) -> Found | str:
        """Where quote stands, or why it cannot be marked (one of the reasons above, but the ones
        that need the hidden lines or the title: see locate)."""
        if too_short(quote):
            return TOO_SHORT
        needle = squeeze(quote)
        places: list[tuple[int, int]] = []
        squeezed = self._index[0]
        at = squeezed.find(needle)
        inside_word = False
        while at >= 0 and len(places) < 2:
            span = self._span(at, len(needle))
            if self._whole_words(*span):
                places.append(span)
            else:
                inside_word = True
            at = squeezed.find(needle, at + 1)
        if not places:
            return INSIDE_WORD if inside_word else NOT_IN_TEXT
        if len(places) > 1:
            return AMBIGUOUS
        start, end = places[0]
        line = bisect.bisect_right(self.line_starts, start) - 1
        offset = self.line_starts[line]
        return Found(line, start - offset, end - offset)


class ArticleQuotes:
    """An article's quotes looked up in what it shows, and a refused quote's reason found in the
    rest of its text: the title line, its hidden lines, or across a line break (each folded once)."""

    def __init__(self, text: str, shown_lines: list[str], title_line: str | None, hidden: list[str]):
        self.shown = ShownText(shown_lines)
        self._text, self._title_line, self._hidden = text, title_line, hidden
        self._squeezed: tuple[str, str, str] | None = None

    def locate(self, quote: str) -> Found | str:
        found = self.shown.find(quote)
        if found != NOT_IN_TEXT:
            return found
        if self._squeezed is None:  # only an article with a quote not shown pays for this
            self._squeezed = (squeeze(self._title_line or ""), "\x00".join(squeeze(line) for line in self._hidden),
                              squeeze(self._text))
        title, hidden, text = self._squeezed
        needle = squeeze(quote)
        if not needle or needle not in text:
            return NOT_IN_TEXT
        if needle in title:
            return IN_TITLE
        if needle in hidden:
            return IN_HIDDEN
        return ACROSS_LINES
