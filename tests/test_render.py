"""Hostile text is shown as itself: never Markdown, HTML or a template."""
from pathlib import Path

import markdown

from sitegen.link import link
from sitegen.model import Article, Dossier, Entity, Event, PartialDate, Source, Theme
from sitegen.render import render

HOSTILE = "# عنوان *مائل* <script>alert(1)</script> {{ 7*7 }} {% raw %} | a | b | [رابط](http://x) &amp; `code` \\* _x_"


def hostile_dossier() -> Dossier:
    article = Article(
        id="hostile", title=HOSTILE, date=PartialDate.parse("2020-01-02"),
        source=Source(HOSTILE, None, HOSTILE), themes=["t"], summary=HOSTILE, entities=["e"],
        events=[Event(PartialDate.parse("2020-01"), HOSTILE)], text=f"{HOSTILE}\nسطر ثان {HOSTILE}\n", sha256="0" * 64)
    return Dossier([Theme("t", HOSTILE, HOSTILE)], [Entity("e", "بغداد", "place", [], HOSTILE)], [article])


def to_html(page: str) -> str:
    body = page.split("---", 2)[2]  # after the front matter
    return markdown.markdown(body, extensions=["toc", "attr_list"])


def test_hostile_text_reaches_the_page_escaped():
    pages = render(link(hostile_dossier()))
    for path in ("articles/hostile.md", "themes/t.md", "timeline/index.md", "entities/e.md"):
        html = to_html(pages[path])
        assert "<script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert "{{ 7*7 }}" in html and "{% raw %}" in html and "49" not in html, path
        assert "<em>" not in html and "<h1>عنوان" not in html and "<table" not in html, path
        assert '<a href="http://x">' not in html, path
    body = to_html(pages["articles/hostile.md"])
    # the text's own line shows in full, character for character
    assert "سطر ثان # عنوان *مائل* &lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} {% raw %} | a | b | [رابط](http://x) &amp;amp; `code` \\* _x_" in body


def test_front_matter_is_escaped_for_materials_unescaped_title():
    pages = render(link(hostile_dossier()))
    front = pages["articles/hostile.md"].split("---", 2)[1]
    assert "<script>" not in front and "&lt;script&gt;" in front


def test_same_input_gives_identical_pages():
    assert render(link(hostile_dossier())) == render(link(hostile_dossier()))
