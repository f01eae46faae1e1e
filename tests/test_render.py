"""Hostile text is shown as itself: never Markdown, HTML or a template."""
import dataclasses
from pathlib import Path

import markdown

from sitegen.model import Article, Dossier, Entity, Event, PartialDate, Source, Theme
from sitegen.stages import render as render_module
from sitegen.stages.link import Limits, link
from sitegen.stages.render import RenderSettings
from conftest import shown

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def render(linked, **settings):
    return render_module.render(linked, RenderSettings(TEMPLATES, **settings))

HOSTILE = "# عنوان *مائل* <script>alert(1)</script> {{ 7*7 }} {% raw %} | a | b | [رابط](http://x) &amp; `code` \\* _x_"


def hostile_dossier() -> Dossier:
    article = Article(
        id="hostile", title=HOSTILE, date=PartialDate.parse("2020-01-02"),
        source=Source(HOSTILE, None, HOSTILE), themes=["t"], summary=HOSTILE, entities=["e"],
        events=[Event(PartialDate.parse("2020-01"), HOSTILE)], text=f"{HOSTILE}\nسطر ثان {HOSTILE}\n", sha256="0" * 64)
    return Dossier([Theme("t", HOSTILE, HOSTILE)], [Entity("e", "بغداد", "place", [], HOSTILE)], [article])


def to_html(page: str) -> str:
    body = page.split("---", 2)[2]  # after the front matter
    return shown(markdown.markdown(body, extensions=["toc", "attr_list"]))


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


def test_a_warm_cache_renders_exactly_what_a_cold_one_renders():
    """serve renders through a BuildCache kept from edit to edit: after an edit, every page must be
    what a build without a cache makes, the edited one changed and the others reused."""
    from sitegen.cache import BuildCache

    cache = BuildCache()
    settings = RenderSettings(TEMPLATES)
    first = render_module.render(link(hostile_dossier(), cache), settings, cache)
    cache.finish_run()
    edited = hostile_dossier()
    edited.articles[0] = dataclasses.replace(edited.articles[0], summary="ملخص جديد", fingerprint="")
    warm = render_module.render(link(edited, cache), settings, cache)
    assert cache.hits["page"] > 0 and cache.misses["page"] > 0  # some reused, some rendered again
    assert warm == render(link(edited))
    assert warm != first and "ملخص جديد" in warm["articles/hostile.md"]


def test_long_listings_split_by_year():
    """Past the listing limit, themes, entities and the timeline become an archive by year."""
    import re

    articles = [
        Article(id=f"a{i:02d}", title=f"مقال {i}", date=PartialDate(2018 + i % 3, 1 + i % 12, 1), source=Source("منفذ"),
                themes=["t"], summary="ملخص", entities=["e"], events=[], text="نص عن بغداد\n", sha256="0" * 64)
        for i in range(12)]
    dossier = Dossier([Theme("t", "محور", "وصف")], [Entity("e", "بغداد", "place", [], "مدينة")], articles)
    pages = render(link(dossier), list_limit=4, latest_shown=3)
    for base in ("themes/t", "entities/e", "timeline"):
        year_pages = sorted(p for p in pages if re.fullmatch(rf"{base}/\d{{4}}(-\d+)?\.md", p))
        assert year_pages, base
        listed = [re.findall(r'href="(?:\.\./)*articles/(a\d\d)/"', pages[p]) for p in year_pages]
        flat = [a for page in listed for a in page if base != "timeline"] or [a for page in listed for a in page]
        assert sorted(set(flat)) == [a.id for a in articles], base  # every article in the archive
        assert all(len(set(page)) <= 4 for page in listed), base  # no page past the limit
    theme_page = pages["themes/t.md"]
    assert len(re.findall(r'class="dossier-item__title" href="\.\./\.\./articles/', theme_page)) == 3
    assert 'href="../../themes/t/2020/"' in theme_page
    assert "dossier-timeline" not in pages["timeline/index.md"] and 'href="../timeline/2018/"' in pages["timeline/index.md"]


def test_a_theme_page_splits_when_its_timeline_would_make_it_long():
    """The theme page carries the theme's timeline: its events count toward the limit too."""

    def dossier(events_each: int) -> Dossier:
        return Dossier([Theme("t", "محور", "وصف")], [Entity("e", "بغداد", "place", [], "مدينة")], [
            Article(id=f"a{i}", title=f"مقال {i}", date=PartialDate(2019 + i % 2, 3, 1), source=Source("منفذ"),
                    themes=["t"], summary="ملخص", entities=["e"],
                    events=[Event(PartialDate(2018, 1 + k, 1), f"حدث {i}-{k}") for k in range(events_each)],
                    text="نص\n", sha256="0" * 64)
            for i in range(4)])

    short = render(link(dossier(0)), list_limit=10, latest_shown=3)["themes/t.md"]  # 4 articles + 4 publications on the timeline
    assert "dossier-timeline" in short and "themes/t/2019.md" not in short
    pages = render(link(dossier(3)), list_limit=10, latest_shown=3)  # 4 articles + 16 timeline entries: past the limit
    assert "dossier-timeline" not in pages["themes/t.md"]
    assert 'href="../../themes/t/2019/"' in pages["themes/t.md"] and "themes/t/2019.md" in pages


def test_the_atom_feed_holds_the_newest_entries_only():
    import xml.etree.ElementTree as ElementTree

    from sitegen.stages import exports

    articles = [
        Article(id=f"a{i:03d}", title=f"مقال {i}", date=PartialDate(2000 + i // 12, 1 + i % 12, 1), source=Source("منفذ"),
                themes=["t"], summary="ملخص", entities=[], events=[], text="نص\n", sha256="0" * 64)
        for i in range(exports.FEED_LIMIT + 25)]
    pages = render(link(Dossier([Theme("t", "محور", "وصف")], [], articles)))
    entries = ElementTree.fromstring(pages["data/atom.xml"]).findall("{http://www.w3.org/2005/Atom}entry")
    ids = [e.find("{http://www.w3.org/2005/Atom}id").text for e in entries]
    assert len(ids) == exports.FEED_LIMIT
    newest = sorted(articles, key=lambda a: a.date, reverse=True)[:exports.FEED_LIMIT]
    assert all(any(a.id in i for i in ids) for a in newest) and not any("a000" in i for i in ids)


def test_a_common_entity_relates_articles_near_in_time():
    """Past the common-entity limit, an entity still relates an article, to those nearest in time."""
    articles = [
        Article(id=f"a{i:02d}", title=f"مقال {i}", date=PartialDate(2000 + i, 1, 1), source=Source("منفذ"),
                themes=["t"], summary="ملخص", entities=["e"], events=[], text="نص\n", sha256="0" * 64)
        for i in range(12)]
    linked = link(Dossier([Theme("t", "محور", "وصف")], [Entity("e", "بغداد", "place", [], "مدينة")], articles),
                  limits=Limits(common_entity=6, common_window=4))
    related = {a: sorted(r.article.id for r in item.related) for a, item in linked.articles.items()}
    assert related["a05"] == ["a03", "a04", "a06", "a07"]  # two before and two after
    assert related["a00"] == ["a01", "a02"] and related["a11"] == ["a09", "a10"]  # at the ends
    assert all(r.shared_entities == ["e"] for r in linked.articles["a05"].related)


def test_data_in_scripts_is_escaped_one_way_and_reads_back_exactly():
    """JSON-LD, the articles list's data and the search files: `<`, `>`, `&`, U+2028 and U+2029
    are \\uXXXX escapes in every one (no value can end a script element or a JavaScript line),
    and the JSON parses back to the value as written."""
    import json
    import re

    from sitegen import families, search
    from sitegen.stages.values import load_labels

    title = "</script><!-- عنوان & > \u2028\u2029 " + HOSTILE
    dossier = hostile_dossier()
    dossier.articles[0] = dataclasses.replace(dossier.articles[0], title=title)
    linked = link(dossier)
    pages = render(linked)
    scripts = {path: text for path, text in pages.items() if path.endswith(".js")}
    scripts.update(search.search_files(linked, None, labels=load_labels(TEMPLATES), address=families.page_path))
    assert "articles/data/index.js" in scripts and "search/manifest.js" in scripts
    ld = re.findall(r'<script type="application/ld\+json">(.*?)</script>', pages["articles/hostile.md"], re.S)
    assert ld
    found = []
    for path, data in [*((p, re.fullmatch(r'[\w.&]+\((?:"[^"]*",)?(.*)\);\n', t, re.S).group(1))
                         for p, t in scripts.items()), *(("JSON-LD", block) for block in ld)]:
        assert not set(data) & set("<>&\u2028\u2029"), path
        values = json.dumps(json.loads(data), ensure_ascii=False)
        found += [path] if json.dumps(title, ensure_ascii=False)[1:-1] in values else []
    # the title, exact, in the JSON-LD, the year's list and the search documents
    assert "JSON-LD" in found and "articles/data/2020.js" in found and any(p.startswith("search/docs/") for p in found)
