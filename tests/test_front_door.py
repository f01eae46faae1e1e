"""The front door (issue 25): every part of the dossier one tap from the menu, stories first on
the home page, bylines that lead to their outlet, Latin text isolated on every reader page, and
the screenshots a person looks at (home, an article, /articles/ filtered, the open menu; 390 and
1280 px; light and dark), saved under $SCREENSHOTS or a temporary folder."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from selenium.webdriver.common.by import By

from browser import chromium, screenshot, settled

# One worker runs the module with test_reading (pytest.ini: --dist loadgroup): both read the one
# tour of every page (the site_tour fixture), made once.
pytestmark = pytest.mark.xdist_group("reading")

SITE_NAME = "ملف الأمن العراقي"
# What the menu must offer, besides the home page and each theme.
LISTINGS = ["articles/", "timeline/", "entities/", "outlets/", "map/", "corrections/", "open-data/", "about/",
            "contributing/"]


class Links(HTMLParser):
    """A page's links: those of the menu (the primary navigation) and those of its content."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.menu: list[str] = []
        self.content: list[str] = []
        self.title = ""
        self._stack: list[tuple[str, str]] = []  # the open elements and roles: "menu", "content" or ""
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        role = "menu" if "md-nav--primary" in classes else "content" if "md-content" in classes else ""
        if tag not in ("br", "img", "input", "link", "meta", "wbr", "hr", "source", "path"):
            self._stack.append((tag, role))
        self._in_title = tag == "title"
        if tag == "a" and attrs.get("href"):
            where = next((r for _, r in reversed(self._stack) if r), "")
            if where:
                getattr(self, where).append(attrs["href"])

    def handle_endtag(self, tag):
        if any(name == tag for name, _ in self._stack):  # elements left open end with their parent
            while self._stack.pop()[0] != tag:
                pass
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _page_file(site: Path, url: str) -> Path | None:
    path = urlsplit(url).path
    file = site / path.lstrip("/")
    file = file / "index.html" if path.endswith("/") or path == "" else file
    return file if file.suffix == ".html" and file.is_file() else None


def _reader_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_every_page_is_reached_from_the_menu(site):
    """The menu offers every listing; following only the content links of the pages it offers
    (and of the pages they lead to) reaches every page of the site."""
    home = Links((site / "index.html").read_text(encoding="utf-8"))
    menu = {urljoin("/", href) for href in home.menu}
    assert {"/" + listing for listing in LISTINGS} <= menu, sorted(menu)
    assert {"/themes/election-security/", "/themes/isis-remnants/", "/themes/weapons-campaigns/"} <= menu
    seen, queue = set(), [_page_file(site, url) for url in sorted(menu)]
    while queue:
        file = queue.pop()
        if file is None or file in seen:
            continue
        seen.add(file)
        base = "/" + file.relative_to(site).as_posix()
        queue += [_page_file(site, urljoin(base, href)) for href in Links(file.read_text(encoding="utf-8")).content
                  if not urlsplit(href).scheme]
    missing = [p.relative_to(site).as_posix() for p in _reader_pages(site) if p not in seen]
    assert not missing, missing


def test_the_home_page_title_names_the_site_once(site):
    assert Links((site / "index.html").read_text(encoding="utf-8")).title.strip() == SITE_NAME
    assert Links((site / "about/index.html").read_text(encoding="utf-8")).title.strip() == f"عن الملف ومنهجه - {SITE_NAME}"


def test_home_leads_with_the_latest_stories_on_a_phone(site_address):
    """On a 390x844 phone the first story is on the first screen; the themes and what the dossier
    is come after the stories; a site without a bundle has no offline section at all."""
    with chromium(width=390, height=844) as driver:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        driver.get(site_address)
        first = driver.find_element(By.CSS_SELECTOR, "article .dossier-item__title").rect
        assert first["y"] + first["height"] <= 844, first
        headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "article h2")]
        assert headings == ["أحدث المقالات", "المحاور", "عن هذا الملف"], headings
        assert "القراءة دون اتصال" not in driver.page_source
        assert "dossier-download" not in driver.page_source


def test_home_offers_the_bundle_under_its_heading_when_there_is_one(published):
    home = (published / "site/index.html").read_text(encoding="utf-8")
    home = home[home.index("<article"):]  # the content, not the menu
    heading = home.index("القراءة دون اتصال")
    assert home.index("أحدث المقالات") < home.index("المحاور") < heading < home.index('class="dossier-download"')
    assert 'href="downloads/iraqi-security-dossier-offline.zip"' in home


def test_a_byline_leads_to_its_outlets_page(site_address, site):
    """Each article's byline names its outlet as a link to the outlet's page (whose heading is that
    name); an article whose source names no outlet says so in plain text, linking nowhere."""
    articles = sorted(p.parent.name for p in (site / "articles").glob("*/index.html") if p.parent.name != "years")
    linked = unknown = 0
    with chromium(width=390, height=844) as driver:
        for article in articles:
            driver.get(f"{site_address}articles/{article}/")
            byline = driver.find_element(By.CSS_SELECTOR, ".dossier-byline")
            outlets = byline.find_elements(By.CSS_SELECTOR, "a.dossier-outlet")
            if not outlets:
                assert byline.find_element(By.CSS_SELECTOR, ".dossier-outlet--unknown").text == "الناشر غير مذكور"
                assert byline.find_element(By.CSS_SELECTOR, ".dossier-outlet--unknown").tag_name == "span"
                unknown += 1
                continue
            name = outlets[0].text
            outlets[0].click()
            assert "/outlets/o-" in driver.current_url
            assert driver.find_element(By.CSS_SELECTOR, "h1").text == name
            assert f"articles/{article}/" in driver.page_source
            linked += 1
    assert linked >= 4 and unknown >= 1, (linked, unknown)


def test_no_latin_run_outside_a_left_to_right_element_on_any_reader_page(site_tour):
    """Every page a reader can open (the 404 page, hand-written, generated): each Latin letter is
    inside an element marked dir="ltr" or a <bdi>, so the Arabic around it keeps its order.
    Read on the phone tour of every page (tests/tours.py says why one width serves both)."""
    assert "404.html" in site_tour.pages and "about/index.html" in site_tour.pages and len(site_tour.pages) > 50
    found = {page: latin[:5] for page, latin in site_tour.latin.items() if latin}
    assert not found, found


# --------------------------------------------------------------------------------- screenshots

SHOTS_OF = {
    "home": "",
    "article": "articles/kadhimi-alert-after-isis-threat/",
    "articles-filtered": "articles/?theme=election-security",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_right_to_left(site_address, width, scheme, shots):
    """The pages to look at, and the menu open: laid out right to left in the shipped Arabic font,
    nothing wider than the screen, the open menu on the right."""
    with chromium(width=width, height=844) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        for name, path in SHOTS_OF.items():
            shot = screenshot(driver, site_address + path, shots / f"front-{name}-{width}-{scheme}.png",
                              width=width, height=844, full_page=False)
            assert shot.stat().st_size > 10_000
            state = driver.execute_script("""return {
                dir: document.documentElement.dir, scheme: document.body.getAttribute('data-md-color-scheme'),
                font: getComputedStyle(document.querySelector('article h1')).fontFamily,
                wide: document.documentElement.scrollWidth > window.innerWidth}""")
            assert state["dir"] == "rtl" and "Noto Naskh Arabic" in state["font"] and not state["wide"], (name, state)
            assert state["scheme"] == ("slate" if scheme == "dark" else "default"), state
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 844, "deviceScaleFactor": 1, "mobile": width < 600})
        driver.get(site_address)
        if width < 1220:  # a phone opens the menu from the header's button
            driver.find_element(By.CSS_SELECTOR, "label.md-header__button[for='__drawer']").click()
            settled(driver)  # the drawer's slide has ended
        menu = driver.find_element(By.CSS_SELECTOR, ".md-nav--primary")
        assert menu.is_displayed()
        links = [a.text for a in menu.find_elements(By.CSS_SELECTOR, "a.md-nav__link") if a.is_displayed()]
        assert {"كل المقالات", "الناشرون", "التصحيحات"} <= set(links), links
        box = menu.rect
        assert box["x"] + box["width"] >= width * 0.75, box  # the menu is on the right
        screenshot(driver, None, shots / f"front-menu-{width}-{scheme}.png", width=width, height=844, full_page=False)
