"""How a value from the dossier becomes text on a page: front matter that MkDocs reads back as
written, values escaped and on one line, JSON inside a <script>, Arabic plurals by CLDR's rules,
index letters, addresses that wrap only between their parts, and Latin runs isolated from the
Arabic around them. The render stage's Jinja2 environment uses these as its filters."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import markupsafe
import yaml
from babel import Locale
from mkdocs.utils.meta import get_data

from .. import characters
from ..arabic import initial


class UnsafeFrontMatter(ValueError):
    """Front matter that MkDocs would not read back as written (it would then show it as Markdown)."""


# libyaml's emitter when PyYAML has it (its wheels do): the same text, several times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(fields: dict) -> markupsafe.Markup:
    """A page's front matter, written by a YAML emitter and checked by MkDocs' own reader.

    MkDocs and Material put these values into the HTML unescaped, so they are HTML-escaped
    first. If MkDocs cannot parse front matter it silently renders it as Markdown, where a
    title's `[x](javascript:…)` would become a link: every block is read back with MkDocs'
    parser and refused unless it gives exactly these values and nothing else.
    """
    values = {key: _INERT.sub(_inert_character, html.escape(value, quote=True)) if isinstance(value, str) else value
              for key, value in fields.items()}
    try:
        block = "---\n" + yaml.dump(values, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=1_000_000) + "---\n"
    except UnicodeEncodeError:  # a lone surrogate, which no YAML file can hold
        raise UnsafeFrontMatter(f"front matter cannot be written as UTF-8: {values!r}") from None
    body, meta = get_data(block + "\n")
    if meta != values or body.strip():
        raise UnsafeFrontMatter(f"front matter does not read back as written: {values!r}")
    return markupsafe.Markup(block)


# Characters a value could use to end a raw HTML block of the generated Markdown (a blank
# line) or that no format here may carry; check refuses them all (characters.py), and the
# renderer writes them inert whatever reaches it.
_LINE_ENDS = {"\n": "&#10;", "\r": "&#13;"}
_INERT = re.compile(f"[\\n\\r]|{characters.IN_VALUE.pattern}")


def _inert_character(match: re.Match) -> str:
    return _LINE_ENDS.get(match.group(), "\ufffd")


def inert(value) -> markupsafe.Markup:
    """Every `{{ value }}` of a template: HTML-escaped, on one line, with no forbidden character."""
    if isinstance(value, markupsafe.Markup):  # a macro's output, or a filter's that escaped already
        return value
    escaped = markupsafe.escape(value)
    return markupsafe.Markup(_INERT.sub(_inert_character, str(escaped)))


_JSON_ESCAPED = re.compile(f"[\u2028\u2029]|{characters.IN_VALUE.pattern}")


def _json_escape(match: re.Match) -> str:
    """A character as JSON's \\uXXXX escape (two, a surrogate pair, past U+FFFF)."""
    units = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}" for i in range(0, len(units), 2))


def json_script(data) -> markupsafe.Markup:
    """JSON-LD as a script element: `<`, `>` and `&` written as escapes, so no value can end the
    element, and every character no value may hold as its JSON escape (the data stays exact;
    the page carries none of them)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = _JSON_ESCAPED.sub(_json_escape, text)
    return markupsafe.Markup(f'<script type="application/ld+json">{text}</script>')


CATEGORIES = ("zero", "one", "two", "few", "many", "other")


def load_labels(templates_dir: Path) -> dict:
    """The words of templates/labels.yml: navigation, kinds, archive titles, search kinds, cards."""
    return yaml.safe_load((templates_dir / "labels.yml").read_text(encoding="utf-8"))


def load_words(templates_dir: Path) -> dict[str, dict[str, str]]:
    """The counted nouns of templates/words.yml, each with a form for every plural category."""
    words = yaml.safe_load((templates_dir / "words.yml").read_text(encoding="utf-8"))
    for noun, forms in words.items():
        missing = [c for c in CATEGORIES if c not in forms]
        if missing:
            raise ValueError(f"templates/words.yml: `{noun}` has no form for {', '.join(missing)}")
    return words


_ARABIC = Locale("ar")


def plural(n: int, forms: dict[str, str]) -> str:
    """n with its noun in the form CLDR's Arabic plural rules call for (zero, one, two, few, many, other)."""
    return forms[_ARABIC.plural_form(n)].format(n=n)


def groupby_initial(items: list, attribute: str) -> list[tuple[str, list]]:
    """Items (in dictionary order) grouped under the letter of their name, for an index's headings."""
    groups: list[tuple[str, list]] = []
    for item in items:
        letter = initial(getattr(item, attribute) or "")
        if not groups or groups[-1][0] != letter:
            groups.append((letter, []))
        groups[-1][1].append(item)
    return groups


_URL_BREAK = re.compile(r"(?<=[/?&=#])")


def url_breaks(url: str) -> markupsafe.Markup:
    """A web address that may wrap on a phone only after / ? & = # (never inside a word)."""
    return markupsafe.Markup("<wbr>").join(markupsafe.escape(part) for part in _URL_BREAK.split(url))


# Latin words (with digits, dots, hyphens, slashes inside them) and the spaces between them: one
# run, isolated as a whole so that an English name or "5 km" keeps its own order in Arabic text.
_LATIN_WORD = r"[A-Za-z0-9][A-Za-z0-9'’&@_\-]*(?:[./:][A-Za-z0-9'’&@_\-]+)*"
_LATIN_RUN = re.compile(rf"{_LATIN_WORD}(?:[ \u00a0]+{_LATIN_WORD})*")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def isolate_latin(text) -> markupsafe.Markup:
    """Text with each run of Latin words in <bdi dir="ltr">, every piece made inert as any
    value is (escaped, on one line, no forbidden character): the filter's Markup output is not
    looked at again by the environment's finalize. Markup (a macro's output) is left as it is."""
    if isinstance(text, markupsafe.Markup):
        return text
    text = str(text)
    if not _LATIN_LETTER.search(text):
        return inert(text)  # most values: Arabic only
    return markupsafe.Markup(isolate_runs(text, lambda piece: str(inert(piece))))


def isolate_runs(text: str, escape) -> str:
    """text with each run of Latin words in <bdi dir="ltr">, every piece passed through escape
    (also used for the hand-written pages' text: output/bidi.py)."""
    pieces, end = [], 0
    for run in _LATIN_RUN.finditer(text):
        if not _LATIN_LETTER.search(run.group()):
            continue  # digits alone read correctly in Arabic text
        pieces += [escape(text[end:run.start()]), '<bdi dir="ltr">' + escape(run.group()) + "</bdi>"]
        end = run.end()
    pieces.append(escape(text[end:]))
    return "".join(pieces)
