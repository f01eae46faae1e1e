"""Latin runs in hand-written pages isolated from the Arabic around them, as the generator
isolates them in the pages it writes (stages/values.isolate_latin): a file name, "SHA-256" or a
command in an Arabic sentence keeps its own order only inside a left-to-right element.

MkDocs hands each page's HTML to `on_page_content` (registered by sitegen/mkdocs_hooks.py);
the hand-written pages (docs/*.md, and the snippets they include) get each Latin run of their
text in <bdi dir="ltr">, each `<code>` and `<pre>` dir="ltr" (a command is left-to-right as a
whole, its "--" included), and their table of contents the same. Generated pages are left as
they are: the generator has already done it, and scanning them again would cost every build.
"""
from __future__ import annotations

import html
import re

from ..stages.values import isolate_runs
from .writer import generated_page

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_DIR_LTR = re.compile(r"""\sdir\s*=\s*["']?ltr\b""", re.I)
_HAS_DIR = re.compile(r"\sdir\s*=", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_UNTOUCHED = {"script", "style", "textarea", "svg", "math", "template"}  # text that is not prose
_LEFT_TO_RIGHT = {"code", "pre", "kbd", "samp"}  # made dir="ltr" as a whole


def isolate_text(text: str) -> str:
    """HTML text (entities allowed) with each run of Latin words in <bdi dir="ltr">."""
    plain = html.unescape(text)
    if not _LATIN_LETTER.search(plain):
        return text
    return isolate_runs(plain, lambda piece: html.escape(piece, quote=False))


def isolate_html(fragment: str) -> str:
    """fragment with its Latin text isolated (see the module's docstring); text already inside an
    element marked dir="ltr" or a <bdi> is left as it is."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, whether its text is left as it is)
    position = 0
    for token in _TOKEN.finditer(fragment):
        text = fragment[position:token.start()]
        out.append(text if stack and stack[-1][1] else isolate_text(text))
        position = token.end()
        tag = token.group()
        match = _TAG.match(tag)
        if not match:  # a comment or a declaration
            out.append(tag)
            continue
        closing, name = match.group(1), match.group(2).lower()
        if closing:
            while stack:
                if stack.pop()[0] == name:
                    break
            out.append(tag)
            continue
        inside_ltr = bool(stack and stack[-1][1])
        if name in _LEFT_TO_RIGHT and not inside_ltr and not _HAS_DIR.search(tag):
            tag = tag[:match.end()] + ' dir="ltr"' + tag[match.end():]
        out.append(tag)
        if name in _VOID or tag.endswith("/>"):
            continue
        kept = inside_ltr or name in _UNTOUCHED or name in _LEFT_TO_RIGHT or name == "bdi" or bool(_DIR_LTR.search(tag))
        stack.append((name, kept))
    tail = fragment[position:]
    out.append(tail if stack and stack[-1][1] else isolate_text(tail))
    return "".join(out)


def on_page_content(html_text: str, page, config, files) -> str:
    """MkDocs' event: a hand-written page's content and its table of contents, Latin isolated."""
    if generated_page(page.file.src_uri):
        return html_text
    _isolate_toc(page.toc)
    return isolate_html(html_text)


def _isolate_toc(items) -> None:
    for item in items:
        item.title = isolate_html(item.title)
        _isolate_toc(item.children)
