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


def test_long_listings_split_by_year(monkeypatch):
    """Past LIST_LIMIT entries, themes, entities and the timeline become an archive by year."""
    import re

    from sitegen import render as render_module

    monkeypatch.setattr(render_module, "LIST_LIMIT", 4)
    monkeypatch.setattr(render_module, "LATEST_SHOWN", 3)
    articles = [
        Article(id=f"a{i:02d}", title=f"مقال {i}", date=PartialDate(2018 + i % 3, 1 + i % 12, 1), source=Source("منفذ"),
                themes=["t"], summary="ملخص", entities=["e"], events=[], text="نص عن بغداد\n", sha256="0" * 64)
        for i in range(12)]
    dossier = Dossier([Theme("t", "محور", "وصف")], [Entity("e", "بغداد", "place", [], "مدينة")], articles)
    pages = render(link(dossier))
    for base in ("themes/t", "entities/e", "timeline"):
        year_pages = sorted(p for p in pages if re.fullmatch(rf"{base}/\d{{4}}(-\d+)?\.md", p))
        assert year_pages, base
        listed = [re.findall(r'href="@/articles/(a\d\d)\.md"', pages[p]) for p in year_pages]
        flat = [a for page in listed for a in page if base != "timeline"] or [a for page in listed for a in page]
        assert sorted(set(flat)) == [a.id for a in articles], base  # every article in the archive
        assert all(len(set(page)) <= 4 for page in listed), base  # no page past the limit
    theme_page = pages["themes/t.md"]
    assert len(re.findall(r'class="dossier-item__title" href="@/articles/', theme_page)) == 3
    assert 'href="@/themes/t/2020.md"' in theme_page
    assert "dossier-timeline" not in pages["timeline/index.md"] and 'href="@/timeline/2018.md"' in pages["timeline/index.md"]
