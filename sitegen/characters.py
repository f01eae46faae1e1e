"""Characters that never belong in the dossier's values, found and named.

A contributor's pull request is reviewed by eye, and these characters are invisible or
break the formats a value passes through (YAML front matter, Markdown, HTML, the Atom
feed's XML): control characters, line and paragraph separators, noncharacters, lone
surrogates and, outside the article texts, the bidirectional controls that can make a
title read differently from what it is. `check` refuses each one, naming its code point.
"""
from __future__ import annotations

import re
import unicodedata

# Unicode's Bidi_Control characters: ALM, LRM, RLM, the embeddings and overrides, the isolates.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
_OTHERS = f"\x7f-\x9f\u2028\u2029\ud800-\udfff{_NONCHARACTERS}"

# In a YAML value a newline is allowed (multi-line texts); a tab or carriage return is not.
IN_VALUE = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHERS}{BIDI_CONTROLS}]")
# In an article's text: tabs and line ends (LF, or CR LF) are the text's own; bidi controls may be too.
IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]|\r(?!\n)")

_C0_NAMES = ("NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY",
             "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION",
             "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN", "DATA LINK ESCAPE", "DEVICE CONTROL ONE",
             "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE",
             "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
             "FILE SEPARATOR", "GROUP SEPARATOR", "RECORD SEPARATOR", "UNIT SEPARATOR")


def describe(char: str) -> str:
    """"U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control": the code point, its name and its kind."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DELETE"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "a control character"
    elif char in "\u2028\u2029":
        kind = "a line or paragraph separator, which some formats read as a line end and others do not"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate, which is not a character at all"
    elif 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
        kind = "a noncharacter"
    else:
        kind = "an invisible bidirectional control (it can make text display in a misleading order)"
    return f"U+{code:04X}{' ' + name if name else ''}, {kind}"


_VISIBLE = re.compile(r"[^\W_]|[^\w\s]")  # a letter or digit, or punctuation or a symbol
# Characters Unicode calls letters or symbols that show nothing, or nothing of a word: the Hangul
# fillers, the blank Braille pattern, and tatweel (ـ, which only stretches the letters around it).
BLANK = "\u0640\u115f\u1160\u2800\u3164\uffa0"


def visible(text: str) -> bool:
    """True when text shows something: not only spaces, marks, zero-width and format characters,
    tatweel or blank letters."""
    return any(_VISIBLE.match(ch) and unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK for ch in text)


SHOWS_NOTHING = ("shows nothing: it is empty or only invisible characters (spaces, marks, zero-width or direction "
                 "characters)")


def shows_nothing(value: str) -> str | None:
    """The one rule for every value a reader sees (titles, names, summaries, notes...): why it
    shows nothing (fillers, blank Braille, marks or tatweel alone, zero-width characters), or None."""
    return None if visible(value) else SHOWS_NOTHING


def presentation_form(ch: str) -> bool:
    """An Arabic presentation form (U+FB50–U+FDFF, U+FE70–U+FEFF): a glyph for display, which a
    text never uses for its words (the matcher and the search see other code points)."""
    return "\ufb50" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufeff"


def letters(text: str) -> bool:
    """True when text has a letter that is not a presentation form, tatweel or a blank letter."""
    return any(unicodedata.category(ch)[0] == "L" and not presentation_form(ch) and ch not in BLANK for ch in text)
