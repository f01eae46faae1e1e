"""The raw-HTML pass-through (sitegen/output/raw_html.py): the generated pages' HTML goes around
Markdown, and every page is what Markdown alone makes of it, byte for byte."""
from __future__ import annotations

import random

import markdown
import pytest

from conftest import REPO
from markdown_both_ways import compare, mkdocs_config

from sitegen.output import raw_html


def test_every_generated_page_is_what_mkdocs_makes_of_it_alone(built_template):
    """The shared build's pages: the same HTML, anchor ids and table of contents both ways, and
    most of each page's Markdown handed around Markdown (else the pass-through saves nothing)."""
    comparison = compare(built_template)
    assert comparison.pages > 50
    assert comparison.differing == []
    assert comparison.left < comparison.characters / 10, (comparison.left, comparison.characters)


# Pieces of pages, each a case the scan must either take whole or leave to Markdown: elements on
# one line or several, two on a line, text or a tag after an element, elements spanning blank
# lines, comments, declarations, void and self-closing tags, script and style, attributes holding
# ">", entities with and without ";", tabs, lines of spaces, indented code, code fences, inline
# elements at a line's start, stray and missing end tags, upper case, Markdown of every kind, and
# the placeholder's own name in the text.
PIECES = [
    '<p class="a">نص</p>', '<h1 class="t">عنوان</h1>\n<p>فقرة</p>', '<p>a</p><h2 id="x">b</h2>',
    '<p>a</p> tail', '<p>a</p><span>x</span>', '<div class="d">\n<p>x</p>\n\n<p>y</p>\n</div>', '<div>', '</div>',
    '<!-- comment -->', '<p>a<!-- c --></p>', '<hr>', '<p>a<br>b</p>', '<img src="x.png" alt="">', '<br>',
    '<span>inline</span> at the start', '## عنوان { #anchor }', '## heading', 'text *em* & more `code`',
    '<p>a &amp b</p>', '<p>a &amp; b &#34;q&#34; &#x22;</p>', '<p>tab\there</p>', '<p>x</p>\n   \n<p>y</p>',
    '<script type="application/ld+json">{"a":"<b>"}</script>', '<script>if (a<b && c>d) {}</script>',
    '<style>p > a { color: red }</style>', '<svg viewBox="0 0 1 1"><circle r="1"/><title>t</title></svg>',
    '<p title="a>b">x</p>', "<p title='a>b'>x</p>", '<details>\n<summary>s</summary>\n<p>x</p>\n</details>',
    '```\n<p>code</p>\n```', '~~~\n<p>code</p>\n~~~', '<p>unclosed', '<P>UPPER</P>', '    <p>indented</p>',
    '<p>x</p>\n', '<ul>\n<li>a</li>\n<li>b <a href="../x/">c</a></li>\n</ul>', '<p>dossierrawhtml0</p>',
    'dossierrawhtml0', '- item\n- item', '> quote', '1. one', '<p>stray </b> tag</p>',
    '<table><tr><td>1</td></tr></table>', '<p>&#34;</p>\n<p>تصحيح</p>', '<textarea><p></textarea>',
    '<title><b>x</b></title>', '<p data-x="1" hidden>x</p>', '<p\nclass="split">x</p>', '<p>a</p>\n\n',
    '<a name="n" href="#n">anchor</a>', '<p id="i1">x</p><p id="i2">y</p>', '<?php x ?>', '<!DOCTYPE html>',
    '<![CDATA[x]]>', '<p>a\n\nb</p>', '*', '</p>', '<p>a</p>\n<!-- c -->', '<form hidden><input name="q"></form>',
    '[link](../x.md) and <b>bold</b>', '<p>\u00a0</p>', '<p>a</p>\n    <p>b</p>', '<div><div>\n</div></div>',
]


@pytest.fixture(scope="module")
def converter():
    config = mkdocs_config(REPO)
    return lambda text: markdown.Markdown(extensions=config["markdown_extensions"],
                                          extension_configs=config["mdx_configs"]).convert(text)


def test_pages_made_of_awkward_pieces_are_what_markdown_makes_of_them(converter):
    """A thousand pages of the pieces above in every order, joined by blank lines or line ends:
    Markdown's HTML of each, and the pass-through's, are the same."""
    shuffled = random.Random(23)
    taken = differing = 0
    for _ in range(1000):
        page = ""
        for piece in shuffled.choices(PIECES, k=shuffled.randint(1, 8)):
            page += shuffled.choice(["\n\n", "\n", "\n\n\n", ""]) + piece if page else piece
        reduced, stem, blocks = raw_html.split(page)
        taken += len(blocks)
        if raw_html.restore(converter(reduced), stem, blocks) != converter(page):
            differing += 1
            assert differing < 5, repr(page)
    assert differing == 0
    assert taken > 200  # the pieces it is sure of were taken out, not all left to Markdown


def test_what_the_scan_is_not_sure_of_is_left_to_markdown():
    for page in ('<p>a</p> tail', '<!-- c -->\n<p>x</p>', '<p>unclosed', '<span>x</span>', '<p>a &amp b</p>',
                 '<p>tab\there</p>', '```\n<p>x</p>\n```'):
        assert raw_html.split(page)[2] == [], page
    reduced, stem, blocks = raw_html.split('<p>dossierrawhtml0</p>\n\n<p>b</p><h2 id="x">c</h2>')
    assert stem not in '<p>dossierrawhtml0</p>' and blocks == ['<p>dossierrawhtml0</p>\n', '<p>b</p>\n<h2 id="x">c</h2>\n']
    assert raw_html.anchor_ids(blocks) == {"x"}
