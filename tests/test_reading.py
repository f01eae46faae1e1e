"""An Arabic news site, read on a phone (issue 14), and ways to explore it (issue 15), checked in a
real headless Chromium on the shared build: the story first, every word Arabic and grammatical,
type no smaller than 15 px, headings in order, indexes in dictionary order, and /articles/'s
filters served and from file://. (Latin runs isolated: test_front_door, on every page.)"""
from __future__ import annotations

import re
import urllib.parse
import zipfile
from html.parser import HTMLParser

import pytest
from babel import Locale

from browser import chromium, outside_requests, search_box, waiting
from tours import READER_PAGES, SMALL_TEXT

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its phone browser
# is made once, not once per worker; test_front_door is in the group too, as both read the one
# tour of every page (the site_tour fixture).
pytestmark = pytest.mark.xdist_group("reading")

ARTICLE = "articles/kadhimi-election-security-campaign/"


@pytest.fixture(scope="module")
def phone():
    with chromium(width=390, height=844) as driver:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
        yield driver


# ---------------------------------------------------------------------------------------------
# the story first

def test_the_article_page_puts_the_story_first_on_a_phone(site_address, phone):
    phone.get(site_address + ARTICLE)
    state = phone.execute_script("""
        const top = s => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top + scrollY : null; };
        const details = document.querySelector('.dossier-details');
        const visibleEntityLinks = [...document.querySelectorAll('a.dossier-entity-link')]
            .filter(a => a.checkVisibility()).length;
        return {title: top('h1'), byline: top('.dossier-byline'), lead: top('.dossier-lead'),
                body: top('.dossier-body p'), events: top('.dossier-events'), details: top('.dossier-details'),
                detailsOpen: details.open, visibleEntityLinks,
                byline_text: document.querySelector('.dossier-byline').textContent};""")
    assert state["title"] < state["byline"] < state["lead"] < state["body"], state
    assert state["body"] < 844, f"the text starts {state['body']} px down, below the first screen"
    assert state["body"] < state["events"] < state["details"], state  # notes and tools after the text
    assert state["detailsOpen"] is False and state["visibleEntityLinks"] == 0  # collapsed until asked for
    assert "·" in state["byline_text"] and "أمن الانتخابات" in state["byline_text"]  # date · outlet · themes


def test_events_are_a_dated_timeline_oldest_first(site_address, phone):
    phone.get(site_address + "articles/joint-plan-against-isis-remnants/")
    events = phone.execute_script("""
        return [...document.querySelectorAll('li.dossier-event')].map(li => {
            const time = li.querySelector('time');
            return {date: time.getAttribute('datetime'), shown: time.getBoundingClientRect().height > 0,
                    label: time.textContent, marker: getComputedStyle(li).listStyleType};});""")
    assert len(events) == 4
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
    assert all(e["shown"] and re.search(r"\d{4}", e["label"]) and e["marker"] == "none" for e in events), events


# ---------------------------------------------------------------------------------------------
# type, headings, direction

def test_nothing_a_reader_reads_is_smaller_than_15px_on_a_phone(site_address, site_tour, phone):
    # each reader page as the phone tour of every page found it (tests/tours.py)
    small = [f"{path or 'home'}: {s}" for path in READER_PAGES for s in site_tour.small_text[path]]
    # and the search results, with a query's results open
    phone.get(site_address)
    search_box(phone).send_keys("الكاظمي")
    phone.execute_script("""return new Promise(r => { const t = setInterval(() => {
        if (document.querySelector('.md-search-result__item')) { clearInterval(t); r(); } }, 50); });""")
    small += [f"search: {s}" for s in phone.execute_script(SMALL_TEXT, ".md-search-result", "script, style")]
    assert not small, "\n".join(small)


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.levels: list[int] = []
        self.in_content = 0

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_content += 1
        if self.in_content and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_content -= 1


def test_headings_are_in_order_on_every_page(site):
    for page in sorted(site.rglob("*.html")):
        parser = _Headings()
        parser.feed(page.read_text(encoding="utf-8"))
        levels = parser.levels
        assert levels[:1] == [1] and levels.count(1) == 1, (page, levels)
        jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        assert not jumps, f"{page.relative_to(site)}: heading levels {levels}"


def test_long_addresses_wrap_between_their_parts_never_inside_a_word(site_address, phone):
    phone.get(site_address + "articles/2010-election-results-alert/")
    state = phone.execute_script("""
        document.querySelector('.dossier-details').open = true;
        return {overflow: document.documentElement.scrollWidth - innerWidth,
                breaks: [...document.querySelectorAll('.dossier-citation bdi[dir="ltr"] wbr')].length,
                wordBreak: [...document.querySelectorAll('.md-content *')].some(e => getComputedStyle(e).wordBreak === 'break-all')};""")
    assert state["overflow"] <= 0 and state["breaks"] > 0 and not state["wordBreak"], state


# ---------------------------------------------------------------------------------------------
# Arabic, and grammatical

def test_no_english_and_no_commands_on_reader_pages(site):
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8")
        assert "Made with" not in html and "Material for MkDocs" not in html, relative
        assert "404 - Not found" not in html, relative
        if not relative.startswith("contributing/"):
            assert "build.py" not in html and "pip install" not in html, relative
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert "الصفحة غير موجودة" in not_found and 'data-dossier-search-open' in not_found and 'href="https://dossier.example/"' in not_found


ARABIC = Locale("ar")
EXPECTED = {"zero": "لا مقالات", "one": "مقال واحد", "two": "مقالان", "few": "{n} مقالات", "many": "{n} مقالًا",
            "other": "{n} مقال"}


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 11, 18, 99, 100, 101, 102, 103, 111, 1000])
def test_counts_follow_the_cldr_plural_rules_of_arabic(n):
    from conftest import REPO
    from sitegen.stages.values import load_words, plural

    shown = plural(n, load_words(REPO / "templates")["article"])
    assert shown == EXPECTED[ARABIC.plural_form(n)].format(n=n)
    if n == 18:
        assert shown == "18 مقالًا"  # not "18 مقالات"


def test_counts_on_the_pages_agree_with_the_articles_they_count(site):
    theme = (site / "themes/isis-remnants/index.html").read_text(encoding="utf-8")
    assert "مقالان في هذا المحور" in theme
    person = (site / "entities/mustafa-al-kadhimi/index.html").read_text(encoding="utf-8")
    assert '<p class="dossier-kind">شخص</p>' in person  # one person, not "الأشخاص"
    assert "المقالات التي تذكر مصطفى الكاظمي" in person and "3 مقالات" in person


def test_filter_counts_in_the_browser_agree_with_babel(site_address, phone):
    phone.get(site_address + "articles/")
    for n in (0, 1, 2, 3, 11, 100, 101):
        shown = phone.execute_script("""
            const form = document.querySelector('[data-dossier-filter]');
            const category = new Intl.PluralRules('ar').select(arguments[0]);
            return form.getAttribute('data-count-' + category).replace('{n}', arguments[0]);""", n)
        assert shown == EXPECTED[ARABIC.plural_form(n)].format(n=n)


def _dictionary_key(name: str) -> str:
    """Written here independently of the generator: hamza forms of alef as alef, no diacritics, no ال."""
    folded = re.sub("[\u064b-\u065f\u0670\u0640]", "", name)
    folded = re.sub("[\u0622\u0623\u0625\u0671]", "\u0627", folded).replace("\u0629", "\u0647").replace("\u0649", "\u064a")
    return folded[2:] if folded.startswith("ال") and len(folded.split()[0]) > 3 else folded


def test_indexes_are_in_arabic_dictionary_order_under_letter_headings(site):
    html = (site / "entities/index.html").read_text(encoding="utf-8")
    for kind in ("person", "place", "organization"):
        section = html[html.index(f'id="{kind}-'):]
        section = section.split("<h2", 1)[0]  # up to the next kind
        names = [re.sub(r"<[^>]+>", "", n) for n in re.findall(r'<li><a href="(?!#)[^"]+">(.+?)</a>', section)]
        assert names == sorted(names, key=_dictionary_key), (kind, names)
        letters = re.findall(rf'<h3 class="dossier-letter" id="{kind}-([^"]+)"', section)
        assert letters and letters == sorted(set(letters)), letters
    assert html.index(">الأنبار<") < html.index(">بغداد<")  # ال set aside: أنبار comes before بغداد


# ---------------------------------------------------------------------------------------------
# explore: /articles/ and its filters

def _filtered(driver, url: str) -> dict:
    driver.get(url)
    return driver.execute_script("""
        return new Promise(resolve => {
          const done = () => {
            const results = document.querySelector('.dossier-filter__results');
            if (results.hidden || !results.children.length) return false;
            resolve({count: document.querySelector('.dossier-filter__count').textContent,
                     ids: [...results.querySelectorAll('a.dossier-item__title')].map(a => a.href),
                     listHidden: document.querySelector('[data-dossier-all]').hidden,
                     values: Object.fromEntries(['theme', 'year', 'outlet', 'entity'].map(n =>
                         [n, document.querySelector('[name=' + n + ']').value]))});
            return true;
          };
          if (!done()) { const timer = setInterval(() => done() && clearInterval(timer), 50); }
        });""")


def _article_ids(hrefs: list[str]) -> list[str]:
    return [re.search(r"articles/([^/]+?)(?:/|\.html)$", urllib.parse.urlsplit(h).path).group(1) for h in hrefs]


def test_filters_are_read_from_the_address_and_combine(site_address, phone):
    state = _filtered(phone, site_address + "articles/?theme=isis-remnants&year=2022")
    assert state["values"]["theme"] == "isis-remnants" and state["values"]["year"] == "2022"
    assert _article_ids(state["ids"]) == ["kadhimi-alert-after-isis-threat"] and state["count"] == "مقال واحد"
    assert state["listHidden"] is True
    state = _filtered(phone, site_address + "articles/?entity=mustafa-al-kadhimi")
    assert sorted(_article_ids(state["ids"])) == sorted(["kadhimi-election-security-campaign", "kadhimi-alert-after-isis-threat",
                                                         "kadhimi-arms-campaign-doubts"]) and state["count"] == "3 مقالات"
    state = _filtered(phone, site_address + "articles/?outlet=unknown")
    assert _article_ids(state["ids"]) == ["kadhimi-alert-after-isis-threat"]


def test_choosing_a_filter_writes_it_into_the_address(site_address, phone):
    phone.get(site_address + "articles/")
    phone.execute_script("""
        const select = document.querySelector('[name=theme]');
        select.value = 'election-security';
        select.dispatchEvent(new Event('change', {bubbles: true}));""")
    url = waiting(phone, 10).until(lambda d: "?" in d.current_url and d.current_url)  # written when applied
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query) == {"theme": ["election-security"]}


def test_without_javascript_the_full_list_shows(site_address, site):
    with chromium(width=390, height=844) as driver:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        driver.get(site_address + "articles/")
        html = driver.page_source
    listed = set(re.findall(r'class="dossier-item__title" href="[^"]*articles/([^/"]+)/"', html))
    assert listed == {p.parent.name for p in (site / "articles").glob("*/index.html") if p.parent.name not in ("data",)} - {"years"}
    form = re.search(r"<form[^>]*data-dossier-filter[^>]*>", html).group(0)
    assert " hidden" in form  # the filters need JavaScript: without it they do not show


def test_filters_work_from_file_in_the_offline_bundle(bundled, tmp_path):
    with zipfile.ZipFile(bundled) as archive:
        archive.extractall(tmp_path)
    page = tmp_path / "iraqi-security-dossier" / "articles" / "index.html"
    with chromium(width=390, height=844) as driver:
        state = _filtered(driver, page.as_uri() + "?theme=weapons-campaigns")
        logs = driver.get_log("browser")
    assert sorted(_article_ids(state["ids"])) == ["kadhimi-arms-campaign-doubts", "kadhimi-election-security-campaign"]
    assert state["count"] == "مقالان"
    assert state["ids"][0].startswith("file://") and state["ids"][0].endswith(".html")
    assert [line for line in logs if line["level"] == "SEVERE"] == []
    assert [u for u in outside_requests(driver, ["file://"])] == []


def test_outlets_list_their_articles_and_the_unknown_outlet_honestly(site):
    index = (site / "outlets/index.html").read_text(encoding="utf-8")
    for outlet in ("العربي الجديد", "الحرة", "وكالة أنباء براثا"):
        assert outlet in index
    assert "ناشر غير معروف" in index and re.search(r'href="[./]*(outlets/)?unknown/"', index)
    unknown = (site / "outlets/unknown/index.html").read_text(encoding="utf-8")
    assert "kadhimi-alert-after-isis-threat" in unknown and "ناشر غير معروف" in unknown


def test_the_timeline_jumps_to_each_year(site):
    html = (site / "timeline/index.html").read_text(encoding="utf-8")
    years = re.findall(r'<a href="#year-(\d{4})">', html)
    assert years and years == sorted(set(years))
    for year in years:
        assert f'<h2 id="year-{year}"' in html


def test_entities_list_who_appears_with_whom(site):
    html = (site / "entities/mustafa-al-kadhimi/index.html").read_text(encoding="utf-8")
    section = html[html.index("يُذكر كثيرًا مع"):]
    assert 'href="../../entities/baghdad/"' in section and re.search(r"في (\d+ مقالات|مقالان|مقال واحد)", section)


# ---------------------------------------------------------------------------------------------
# every page loads cleanly

def test_every_page_loads_with_no_error_served(site_tour):
    assert len(site_tour.pages) > 50
    errors = [f"{page}: {message[:160]}" for page in site_tour.pages for message in site_tour.console[page]
              if not (page == "404.html" and "404" in message and "404.html" in message)]
    # The 404 page is served as a 404 only by a host that knows it; here it is a page like any other.
    assert site_tour.failed == [] and errors == [], (site_tour.failed, errors)
    assert site_tour.outside == []


def test_every_page_of_the_offline_bundle_opens_from_disk_with_no_error(bundled, tmp_path):
    with zipfile.ZipFile(bundled) as archive:
        archive.extractall(tmp_path)
    root = tmp_path / "iraqi-security-dossier"
    pages = sorted(root.rglob("*.html"))
    assert len(pages) > 50
    with chromium(width=390, height=844) as driver:
        errors = []
        for page in pages:
            driver.get(page.as_uri())
            errors += [f"{page.relative_to(root)}: {line['message'][:160]}" for line in driver.get_log("browser")
                       if line["level"] == "SEVERE"]
    assert errors == [], errors
    assert outside_requests(driver, ["file://"]) == []
