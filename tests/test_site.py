"""End to end: build the real dossier with MkDocs and check the HTML a reader gets."""
from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DOSSIER = REPO / "dossier"
ARTICLE_IDS = sorted(p.stem for p in (DOSSIER / "articles").glob("*.yml"))
THEME_IDS = [t["id"] for t in yaml.safe_load((DOSSIER / "themes.yml").read_text(encoding="utf-8"))]
ENTITIES = yaml.safe_load((DOSSIER / "entities.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def build_output(built_template) -> str:
    return (built_template / "build-output.txt").read_text(encoding="utf-8")


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.root_attrs: dict = {}
        self.links: list[tuple[str, str, dict]] = []  # (tag, url, attrs)
        self.ids: set[str] = set()
        self.body_paragraphs: list[str] = []
        self._in_body = 0
        self._current: list[str] | None = None
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root_attrs = attrs
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append((tag, attrs[name], attrs))
        if tag == "div" and "dossier-body" in (attrs.get("class") or ""):
            self._in_body = 1
        elif tag == "div" and self._in_body:
            self._in_body += 1
        if self._in_body and tag == "p":
            self._current = []
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag == "div" and self._in_body:
            self._in_body -= 1
        if tag == "p" and self._current is not None:
            self.body_paragraphs.append("".join(self._current))
            self._current = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._current is not None:
            self._current.append(data)
        if self._in_h1:
            self.h1[-1] += data


@functools.lru_cache(maxsize=None)
def parsed(path: Path) -> Page:
    """A page of the shared build (never changed), parsed once for every test that reads it: the
    link test looked up each fragment's target page, parsing it again for each link to it."""
    return Page(path)


def page(site: Path, relative: str) -> Page:
    return parsed(site / relative)


def expected_body(article_id: str) -> list[str]:
    """The prose lines, worked out here independently of the generator."""
    meta = yaml.safe_load((DOSSIER / "articles" / f"{article_id}.yml").read_text(encoding="utf-8"))
    text = (DOSSIER / "articles" / f"{article_id}.txt").read_bytes().decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    if lines[0].strip() == meta["title"].strip():
        lines = lines[1:]
    hidden = set(meta.get("hide_lines", []))
    return [line for line in lines if line.strip() not in hidden]


def all_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_build_is_clean(build_output):
    assert "WARNING" not in build_output and "Traceback" not in build_output


def test_every_page_exists(site):
    expected = ["index.html", "timeline/index.html", "entities/index.html", "map/index.html", "about/index.html",
                "contributing/index.html", "corrections/index.html"]
    expected += [f"themes/{t}/index.html" for t in THEME_IDS]
    expected += [f"articles/{a}/index.html" for a in ARTICLE_IDS]
    expected += [f"entities/{e['id']}/index.html" for e in ENTITIES]
    missing = [p for p in expected if not (site / p).is_file()]
    assert not missing
    assert len(ARTICLE_IDS) == 5 and len(THEME_IDS) == 3


def test_every_page_is_arabic_and_right_to_left(site):
    for path in all_pages(site):
        attrs = parsed(path).root_attrs
        assert attrs.get("lang") == "ar" and attrs.get("dir") == "rtl", path


def test_every_internal_link_resolves(site):
    broken = []
    for path in all_pages(site):
        for tag, url, _ in parsed(path).links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith("//") or url.startswith("mailto:"):
                continue
            base = site if parts.path.startswith("/") else path.parent  # 404.html links from the site root
            target = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(site)}: {url}")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in parsed(target).ids:
                    broken.append(f"{path.relative_to(site)}: {url} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_nothing_is_loaded_from_another_host(site):
    offending = []
    for path in all_pages(site):
        for tag, url, attrs in parsed(path).links:
            is_resource = tag in ("script", "img", "iframe", "source", "video", "audio") or (
                tag == "link" and attrs.get("rel") not in ("canonical", "alternate"))
            if is_resource and (urlsplit(url).scheme in ("http", "https") or url.startswith("//")):
                offending.append(f"{path.relative_to(site)}: <{tag}> {url}")
    for path in sorted(site.rglob("*.css")):
        for match in re.finditer(r"(?:url\(|@import\s+)[\"']?((?:https?:)?//[^\"')\s]+)", path.read_text(encoding="utf-8")):
            offending.append(f"{path.relative_to(site)}: {match.group(1)}")
    assert not offending, "\n".join(offending)
    # the shipped font is what the pages use
    css = (site / "assets/stylesheets/fonts.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\(([^)]+)\)", css):
        assert (site / "assets/stylesheets" / font).resolve().is_file()


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_article_body_is_verbatim(site, article_id):
    built = page(site, f"articles/{article_id}/index.html")
    assert built.body_paragraphs == expected_body(article_id)
    title = yaml.safe_load((DOSSIER / "articles" / f"{article_id}.yml").read_text(encoding="utf-8"))["title"]
    assert built.h1 == [title]  # the headline shows once, as the title
    assert title not in built.body_paragraphs


def test_page_furniture_is_not_prose(site):
    texts = {a: "\n".join(page(site, f"articles/{a}/index.html").body_paragraphs) for a in ARTICLE_IDS}
    assert "+ الخط -" not in texts["kadhimi-alert-after-isis-threat"]
    assert "(Getty)" not in texts["kadhimi-alert-after-isis-threat"]
    assert "telegram.me" not in texts["2010-election-results-alert"]
    assert not any(p in ("381", "المصدر") for p in page(site, "articles/kadhimi-arms-campaign-doubts/index.html").body_paragraphs)


def test_dates_show_at_their_precision_with_iraqi_month_names(site):
    day = (site / "articles/joint-plan-against-isis-remnants/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2019-05-27"' in day and "27 أيار 2019" in day
    month = (site / "articles/2010-election-results-alert/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2010-03" class="dossier-date dossier-date--month">آذار 2010</time>' in month
    year = (site / "articles/kadhimi-arms-campaign-doubts/index.html").read_text(encoding="utf-8")
    assert '<time datetime="2020" class="dossier-date dossier-date--year">2020</time>' in year
    timeline = (site / "timeline/index.html").read_text(encoding="utf-8")
    assert "7 آذار 2010" in timeline and "شباط 2022" in timeline


def test_articles_link_themes_entities_related_and_neighbours(site):
    source = (site / "articles/kadhimi-alert-after-isis-threat/index.html").read_text(encoding="utf-8")
    assert 'href="../../themes/isis-remnants/"' in source
    assert 'href="../../entities/mustafa-al-kadhimi/"' in source
    assert "يشترك في:" in source and "اختيار المحرر" in source
    assert 'rel="prev" href="../../articles/joint-plan-against-isis-remnants/"' in source
    # first mention in the body links to the entity; the text around it is untouched
    assert 'class="dossier-mention" href="../../entities/mustafa-al-kadhimi/">مصطفى الكاظمي</a>' in source


def test_entity_pages_list_articles_found_by_yaml_or_text(site):
    kadhimi = (site / "entities/mustafa-al-kadhimi/index.html").read_text(encoding="utf-8")
    for article_id in ("kadhimi-election-security-campaign", "kadhimi-alert-after-isis-threat", "kadhimi-arms-campaign-doubts"):
        assert f'href="../../articles/{article_id}/"' in kadhimi
    assert "articles/2010-election-results-alert/" not in kadhimi
    # الأعظمية is written الاعظمية in the text: found all the same
    adhamiya = (site / "entities/adhamiya/index.html").read_text(encoding="utf-8")
    assert "articles/2010-election-results-alert/" in adhamiya
    index = (site / "entities/index.html").read_text(encoding="utf-8")
    for heading in ("الأشخاص", "الأماكن", "المنظمات"):
        assert heading in index


def test_themes_and_home(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    for theme_id in THEME_IDS:
        assert f'href="themes/{theme_id}/"' in home
    assert 'href="timeline/"' in home
    theme = (site / "themes/election-security/index.html").read_text(encoding="utf-8")
    newer, older = theme.find("articles/kadhimi-election-security-campaign/"), theme.find("articles/2010-election-results-alert/")
    assert 0 < newer < older  # newest first
    assert "dossier-timeline" in theme


def test_navigation_is_short_and_headings_keep_arabic_anchors(site):
    home = parsed(site / "index.html")
    nav_article_links = [url for tag, url, attrs in home.links if "articles/" in url and "md-nav__link" in (attrs.get("class") or "")]
    assert nav_article_links == ["articles/"]  # the listing of all articles, never an article itself
    article = parsed(site / "articles/joint-plan-against-isis-remnants/index.html")
    assert "الأحداث" in article.ids and "النص" in article.ids
    assert not any(re.fullmatch(r"_\d+", i) for i in article.ids)
