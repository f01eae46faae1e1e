"""The generated pages' HTML handed around MkDocs' Markdown, as Markdown would hand it back.

A generated page is raw HTML between a few Markdown headings (which make the table of contents).
Python-Markdown finds each raw block with Python's html.parser and puts it back unchanged, and
MkDocs runs html.parser over the whole page once more to learn its ids: most of the time
Markdown takes over such a page, spent finding what the generator wrote whole.

So `on_page_markdown` takes out of a generated page the blocks a scan (`_scan`) is sure Markdown
would keep whole: elements that begin a line with a block-level tag and close every tag they
open, between blank lines. Each becomes a placeholder paragraph, and `on_page_content` puts the
block back where Markdown would have, and its ids among the page's. From the first thing the
scan is not sure of (a comment, stray text or tag, a tag over two lines, a tab, an entity without
its ";", a code fence, a snippet) the rest of the page is left to Markdown, as before. Every
generated page of a build is compared both ways in tests/test_raw_html.py, and pages made of
awkward pieces a thousand ways.
"""
from __future__ import annotations

import html as entities
import re

from markdown.util import BLOCK_LEVEL_ELEMENTS
from mkdocs.plugins import BasePlugin

from .writer import generated_page

_BLOCK = frozenset(BLOCK_LEVEL_ELEMENTS) - {"hr"}  # Markdown keeps <hr> apart, as an empty block
# A tag as html.parser reads one: its name, then attributes whose quoted values may hold ">".
_TAG = re.compile(r"""<(/?)([a-zA-Z][^\t\n\r\f />\x00]*)(?:[\s/]*(?:(?<=['"\s/])[^\s/>][^\s/=>]*)(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*))?)*\s*(/?)>""")
# What Markdown changes in a block before it looks for HTML (tabs, lines of spaces) or adds to it
# (snippets), and entities html.parser would write back with their ";": a block with any is left.
_UNSURE = re.compile(r"\t|\n[ ]+\n|--8<--|&(?!#?[a-zA-Z0-9]+;)")
_UNSURE_PAGE = re.compile(r"[\r\x02\x03]|```|~~~")  # line ends Markdown changes, its own marks, code fences
_RAW_TEXT = frozenset({"script", "style"})  # html.parser reads their content as text, to the end tag
_ATTRIBUTE = re.compile(r"""[\s/]+([^\s/>=][^\s/=>]*)(?:\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?""")


def _scan(piece: str, open_elements: list[str], breaks: list[int]) -> list[str] | None:
    """The elements still open at the end of piece, given those open at its start, as html.parser
    and Markdown count them; None where the scan is not sure it counts as they do. Between
    elements only a block-level start tag beginning a line may come (where Markdown begins a raw
    block), and an element must end at a line's end or where the next begins: no comment,
    declaration, stray text or tag. breaks receives where an element ends and the next begins on
    the same line: Markdown writes them on two lines."""
    stack = list(open_elements)
    position, end = 0, len(piece)
    while position < end:
        if not stack:
            if position and piece[position - 1] != "\n" and (not breaks or breaks[-1] != position):
                return None
            first = _TAG.match(piece, position)
            if not first or first.group(1) or first.group(3) or first.group(2).lower() not in _BLOCK:
                return None
        position = piece.find("<", position)
        if position < 0:
            return stack  # text inside the open element, to the piece's end
        tag = _TAG.match(piece, position)
        if not tag or "\n" in tag.group():
            return None  # "<" that is not a tag (a comment, a declaration, a stray sign), or a tag over lines
        name = tag.group(2).lower()
        position = tag.end()
        if tag.group(1):  # an end tag closes the innermost element of its name and those inside it
            if name in stack:
                while stack.pop() != name:
                    pass
                if not stack:
                    if position < end and piece[position] != "\n":
                        if piece[position] != "<":
                            return None  # text on the line after the element
                        breaks.append(position)  # Markdown puts the next block on a line of its own
                    else:
                        position += 1
        elif not tag.group(3):  # not self-closing
            stack.append(name)
            if name in _RAW_TEXT:
                position = piece.lower().find(f"</{name}", position)
                if position < 0:
                    return None
    return stack


def split(markdown: str) -> tuple[str, str, list[str]]:
    """markdown with each block of whole elements between blank lines (see _scan) replaced by a
    placeholder paragraph; the placeholders' stem (found nowhere in the page) and the blocks, in
    order. The scan follows the page from its start, through the elements Markdown keeps for
    itself, and stops taking blocks at the first thing it is not sure of."""
    stem = "dossierrawhtml"
    while stem in markdown:
        stem += "x"
    blocks: list[str] = []
    if _UNSURE_PAGE.search(markdown):
        return markdown, stem, blocks
    out: list[str] = []  # the page's pieces as Markdown is given them
    run: list[str] = []  # the pieces of the elements open, each with its line breaks added
    open_elements: list[str] = []
    pieces = markdown.split("\n\n")
    for index, piece in enumerate(pieces):
        if not open_elements and not piece.startswith("<"):
            if "<" in piece:  # Markdown's own text with HTML in it: the rest is left to Markdown
                out.extend(pieces[index:])
                break
            out.append(piece)
            continue
        breaks: list[int] = []
        open_elements = _scan(piece.rstrip("\n"), open_elements, breaks)
        if open_elements is None:  # not sure: the rest is left to Markdown
            out.extend(pieces[index:])
            break
        out.append(piece)
        for position in reversed(breaks):
            piece = piece[:position] + "\n" + piece[position:]
        run.append(piece)
        if not open_elements:  # the run's elements all closed at the end of this piece
            block = "\n\n".join(run).rstrip("\n")
            if not _UNSURE.search(block):
                del out[len(out) - len(run):]
                out.append(f"{stem}{len(blocks)}" + piece[len(piece.rstrip("\n")):])
                blocks.append(block + "\n")  # as Markdown stores a block a blank line follows
            run = []
    return "\n\n".join(out), stem, blocks


def restore(content: str, stem: str, blocks: list[str]) -> str:
    """The HTML Markdown made of split's markdown (content), each placeholder paragraph its block again."""
    if not blocks:
        return content
    # Markdown strips what it returns after putting its blocks back, and the last may end the page
    return re.sub(f"<p>{stem}([0-9]+)</p>", lambda m: blocks[int(m.group(1))], content).strip()


def anchor_ids(blocks: list[str]) -> set[str]:
    """The ids MkDocs would have found in the blocks (any element's id, an <a>'s name)."""
    found = set()
    for block in blocks:
        for tag in _TAG.finditer(block):
            if tag.group(1):
                continue
            name = tag.group(2).lower()
            for attribute in _ATTRIBUTE.finditer(tag.group(), tag.start(2) - tag.start() + len(name)):
                key, value = attribute.group(1).lower(), attribute.group(2) or ""
                if key == "id" or (key == "name" and name == "a"):
                    if value[:1] in "'\"" and value[:1] and value[-1:] == value[:1]:
                        value = value[1:-1]
                    found.add(entities.unescape(value))  # as html.parser reads a value
    return found


class RawHtmlPassThrough(BasePlugin):
    """MkDocs' side: the generated pages' sure blocks taken out before Markdown, put back after."""

    def __init__(self):
        super().__init__()
        self._taken: dict[str, tuple[str, list[str]]] = {}

    def on_page_markdown(self, markdown, page, config, files):
        if not generated_page(page.file.src_uri):
            return markdown
        reduced, stem, blocks = split(markdown)
        self._taken[page.file.src_uri] = (stem, blocks)
        return reduced

    def on_page_content(self, content, page, config, files):
        taken = self._taken.pop(page.file.src_uri, None)
        if taken is None:
            return content
        stem, blocks = taken
        if page.present_anchor_ids is not None:
            page.present_anchor_ids |= anchor_ids(blocks)
        return restore(content, stem, blocks)
