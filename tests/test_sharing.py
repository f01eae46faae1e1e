"""Sharing and research: link-preview cards, citations, the Atom feed, data downloads, print."""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import feedparser
import yaml
from PIL import Image

from browser import chromium, waiting
from conftest import SITE_URL

REPO = Path(__file__).resolve().parent.parent
DOSSIER = REPO / "dossier"
ARTICLES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DOSSIER / "articles").glob("*.yml"))}
THEMES = yaml.safe_load((DOSSIER / "themes.yml").read_text(encoding="utf-8"))


def meta(page: Path, prop: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)"', page.read_text(encoding="utf-8"))
    assert match, f"{page}: no {prop}"
    return unescape(match.group(1))


def pages_with_cards(site: Path):
    yield site / "index.html", "cards/home.png"
    for theme in THEMES:
        yield site / f"themes/{theme['id']}/index.html", f"cards/themes/{theme['id']}.png"
    for article_id in ARTICLES:
        yield site / f"articles/{article_id}/index.html", f"cards/articles/{article_id}.png"


def test_every_card_exists_and_matches_its_page(site):
    for page, card in pages_with_cards(site):
        image_url = meta(page, "og:image")
        assert meta(page, "twitter:image") == image_url and meta(page, "twitter:card") == "summary_large_image"
        assert image_url.startswith("https://dossier.example/"), image_url
        png = (site / image_url.removeprefix("https://dossier.example/")).resolve()
        assert png == (site / card).resolve() and png.is_file(), image_url
        with Image.open(png) as image:
            assert image.size == (1200, 630) and image.format == "PNG"
            title = image.text["Title"]
        if card.startswith("cards/articles/"):
            assert title == ARTICLES[png.stem]["title"] == meta(page, "og:title")
        elif card.startswith("cards/themes/"):
            assert title == meta(page, "og:title") == next(t["title"] for t in THEMES if t["id"] == png.stem)


def test_cards_are_redrawn_only_when_their_text_changes(repo):
    """A card whose text is unchanged is the same file after a rebuild (hard-linked, not drawn
    again: the same inode); a card whose text changed is drawn anew."""
    import os

    from conftest import run
    from sitegen.output import cards

    path = "cards/articles/joint-plan-against-isis-remnants.png"
    card = repo / "docs" / path
    first, inode = card.read_bytes(), card.stat().st_ino
    (repo / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.yml").write_text(
        (repo / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.yml").read_text(encoding="utf-8").replace(
            "title: أوساط الكاظمي", "title: عنوان معدّل أوساط الكاظمي", 1), encoding="utf-8")
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert card.stat().st_ino == inode and card.read_bytes() == first  # reused, not redrawn
    changed_card = repo / "docs" / "cards/articles/kadhimi-arms-campaign-doubts.png"
    with Image.open(changed_card) as image:
        assert image.text["Title"].startswith("عنوان معدّل")  # redrawn with the new title
    assert os.path.samefile(repo / "site" / path, card)  # linked into site/, not copied
    manifest = json.loads((repo / "docs" / cards.MANIFEST).read_text(encoding="utf-8"))
    same = cards.Card(ARTICLES["joint-plan-against-isis-remnants"]["title"], "بقايا داعش", "27 أيار 2019 · العربي الجديد",
                      "ملف الأمن العراقي")
    assert manifest[path] == cards.card_key(same)
    reused = cards.card_pngs({path: same}, repo / "docs")
    assert reused[path] == repo / "docs" / path  # the file itself, not drawn again
    changed = cards.Card("عنوان آخر", "بقايا داعش", "27 أيار 2019", "ملف الأمن العراقي")
    drawn = cards.card_pngs({path: changed}, repo / "docs")[path]
    assert isinstance(drawn, bytes) and drawn != first


def test_citation_on_article_pages(site):
    page = (site / "articles/joint-plan-against-isis-remnants/index.html").read_text(encoding="utf-8")
    citation = re.search(r'<p id="dossier-citation"[^>]*>(.*?)</p>', page, re.S).group(1)
    text = unescape(re.sub(r"<[^>]+>", "", citation))
    assert text.startswith("العربي الجديد، «خطة امنية مشتركة")
    assert "27 أيار 2019" in text and "ملف الأمن العراقي" in text and "تاريخ الاطلاع" in text
    assert 'data-dossier-copy="dossier-citation"' in page
    assert 'href="../../data/citations.json"' in page and 'href="../../data/citations.bib"' in page


def test_citation_copy_button_and_consulted_date_in_browser(site_address):
    with chromium() as driver:
        driver.get(site_address + "articles/kadhimi-alert-after-isis-threat/")
        state = driver.execute_script("""
            const page = document.querySelector('#dossier-citation bdi:last-of-type').textContent;
            const consulted = document.querySelector('[data-dossier-consulted]').textContent;
            document.querySelector('[data-dossier-copy]').click();
            return {page, consulted, filled: document.querySelectorAll('[data-dossier-page]').length};
        """)
        # built with SITE_URL: the citation names the published page, wherever it is read
        assert state["page"] == SITE_URL + "articles/kadhimi-alert-after-isis-threat/" and state["filled"] == 0
        assert re.fullmatch(r"\d{1,2} [^\d]+ \d{4}", state["consulted"]), state["consulted"]
        status = waiting(driver, 10).until(  # written once the copy is done
            lambda d: d.execute_script("return document.querySelector('.dossier-copy__done').textContent"))
        assert status == "نُسخ الاستشهاد"


def test_atom_feed_is_valid_and_newest_first(site):
    raw = (site / "data/atom.xml").read_bytes()
    root = ET.fromstring(raw)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, ns) is not None, required
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
    for entry in root.findall("a:entry", ns):
        for required in ("a:id", "a:title", "a:updated", "a:link[@rel='alternate']"):
            assert entry.find(required, ns) is not None, required
        assert stamp.match(entry.find("a:updated", ns).text)
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    ids = [e.link.rstrip("/").rsplit("/", 1)[-1] for e in feed.entries]
    assert sorted(ids) == sorted(ARTICLES)
    dates = [ARTICLES[i]["date"] for i in ids]
    assert dates == sorted(dates, reverse=True)
    for page in site.rglob("*.html"):  # every page links the feed
        assert 'type="application/atom+xml"' in page.read_text(encoding="utf-8"), page


def test_data_downloads_agree_with_the_dossier(site):
    data = json.loads((site / "data/dossier.json").read_text(encoding="utf-8"))
    assert [a["id"] for a in data["articles"]] == sorted(ARTICLES)
    for record in data["articles"]:
        source = ARTICLES[record["id"]]
        for field in ("title", "themes", "entities", "sha256"):
            assert record[field] == source[field]
        assert record["date"] == str(source["date"])
        assert record["events"] == [{"date": str(e["date"]), "title": e["title"], "quote": e.get("quote"),
                                     "date_note": e.get("date_note"), "id": e.get("id"), "places": e.get("places", []),
                                     "actors": e.get("actors", []), "attribution": e["attribution"],
                                     "attributed_to": e.get("attributed_to")} for e in source["events"]]
        text = (DOSSIER / "articles" / f"{record['id']}.txt").read_bytes().decode("utf-8-sig")
        assert record["text"] == text
    rows = list(csv.DictReader(io.StringIO((site / "data/dossier.csv").read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == sorted(ARTICLES)
    assert {r["id"]: r["date"] for r in rows} == {i: str(a["date"]) for i, a in ARTICLES.items()}
    package = json.loads((site / "data/datapackage.json").read_text(encoding="utf-8"))
    table = next(r for r in package["resources"] if r["path"] == "dossier.csv")
    assert [f["name"] for f in table["schema"]["fields"]] == list(rows[0].keys())
    assert all((site / "data" / r["path"]).is_file() for r in package["resources"])
    csl = json.loads((site / "data/citations.json").read_text(encoding="utf-8"))
    by_id = {c["id"]: c for c in csl}
    assert by_id["joint-plan-against-isis-remnants"]["issued"] == {"date-parts": [[2019, 5, 27]]}
    assert by_id["2010-election-results-alert"]["issued"] == {"date-parts": [[2010, 3]]}
    assert "container-title" not in by_id["kadhimi-alert-after-isis-threat"]  # outlet unknown: not invented
    bib = (site / "data/citations.bib").read_text(encoding="utf-8")
    assert sorted(re.findall(r"@online\{([^,]+),", bib)) == sorted(ARTICLES)
    open_data = (site / "open-data/index.html").read_text(encoding="utf-8")
    for name in ("dossier.json", "dossier.csv", "datapackage.json", "citations.json", "citations.bib", "atom.xml"):
        assert f'href="../data/{name}"' in open_data


def test_article_prints_right_to_left_with_citation_and_no_navigation(site_address, tmp_path):
    with chromium() as driver:
        driver.get(site_address + "articles/kadhimi-arms-campaign-doubts/")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        state = driver.execute_script("""
            const shown = s => { const e = document.querySelector(s); return !!e && getComputedStyle(e).display !== 'none'; };
            return {header: shown('.md-header'), nav: shown('.md-sidebar--primary'), footer: shown('.md-footer'),
                    citation: shown('.dossier-citation'), body: shown('.dossier-body'),
                    direction: getComputedStyle(document.querySelector('.dossier-body')).direction};
        """)
        assert state == {"header": False, "nav": False, "footer": False, "citation": True, "body": True, "direction": "rtl"}
        import base64

        pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
        (tmp_path / "article.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF")


def test_cards_drawn_during_the_mkdocs_build_all_reach_the_site(repo):
    """Past 16 new cards worker processes draw them while MkDocs builds; every one ends up in site/."""
    from conftest import TEXT, add_article, run

    for index in range(24):
        add_article(repo, f"card-{index:02d}", text=TEXT + f"سطر رقم {index}\n", title=f"عنوان البطاقة رقم {index}")
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((repo / "docs" / "cards" / "keys.json").read_text(encoding="utf-8"))
    assert len(manifest) == 1 + len(THEMES) + len(ARTICLES) + 24
    for path in manifest:
        built = repo / "site" / path
        assert built.read_bytes() == (repo / "docs" / path).read_bytes(), path
        with Image.open(built) as image:
            assert image.size == (1200, 630)
            if "/card-" in path:
                assert image.text["Title"] == f"عنوان البطاقة رقم {int(path[-6:-4])}"
    page = repo / "site" / "articles" / "card-07" / "index.html"
    assert meta(page, "og:image") == "https://dossier.example/cards/articles/card-07.png"


def test_the_offline_bundle_has_no_cards_and_no_link_previews(bundled):
    import zipfile

    with zipfile.ZipFile(bundled) as bundle:
        names = bundle.namelist()
        assert not [n for n in names if "/cards/" in n]
        home = bundle.read(next(n for n in names if n.endswith("/index.html") and n.count("/") == 1)).decode()
        article = bundle.read(next(n for n in names if n.endswith("articles/joint-plan-against-isis-remnants.html"))).decode()
    for page in (home, article):
        assert "og:image" not in page and "twitter:card" not in page
        assert 'type="application/atom+xml"' in page  # the rest of the head is there
