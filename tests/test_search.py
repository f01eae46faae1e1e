"""Search on the built site, in a real headless Chromium.

The site is built once per session with `python build.py build`. The search is the dossier's
own (sitegen/search/ makes the files, docs/assets/javascripts/search.js runs them): queries
are typed into the search box and the links of the result list are checked against a table.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re
import sys
import time
import urllib.parse

import pytest
from babel import Locale
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import chromium, failed_responses, outside_requests, requested_urls, paste_query, search_box, search_loaded, settled, waiting

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from sitegen import pipeline  # noqa: E402
from sitegen.project import Project  # noqa: E402
from sitegen import families  # noqa: E402
from sitegen import search as site_search  # noqa: E402
from sitegen.stages.values import load_labels  # noqa: E402
from sitegen.arabic import format_partial_date  # noqa: E402
from sitegen.arabic import normalize as normalize_arabic  # noqa: E402
from sitegen.search import index as search_index  # noqa: E402
from sitegen.search.index import CHUNK, SearchDocument, build_search_files, document_terms  # noqa: E402
from sitegen.search.tokens import (  # noqa: E402
    name_key, query_terms, search_core, search_forms, split, text_terms, trim)

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its browser
# is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("search")

ROOT = pathlib.Path(__file__).resolve().parents[1]

A0 = "2010-election-results-alert"          # Baghdad on alert until 2010 results
A1 = "kadhimi-election-security-campaign"   # Kadhimi's campaign to secure elections
A2 = "joint-plan-against-isis-remnants"     # joint plan against ISIS remnants
A3 = "kadhimi-alert-after-isis-threat"      # Kadhimi orders alert after ISIS threat
A4 = "kadhimi-arms-campaign-doubts"         # doubts about the arms campaign in Basra
ALL = (A0, A1, A2, A3, A4)

# (query, articles that must be found, articles that must not be found). An article is
# found when its own title, summary or text matches. Several words: the documents that
# match all of them (or, if none does, those that match some).
QUERIES = [
    # hamza forms: the texts write both الأمنية and الامنية
    ("الامنية", ALL, ()),
    ("الأمنية", ALL, ()),
    ("الأعظمية", (A0,), (A1, A2, A3, A4)),    # text: الاعظمية
    ("الانبار", (A2, A3), (A0, A1, A4)),       # text: الأنبار
    ("ابو غريب", (A2,), (A0, A1)),             # text: أبو غريب (A3, A4: أبو alone)
    # ta marbuta / ha, alef maqsura / ya
    ("الحمله", (A1, A4), (A0, A2, A3)),        # text: الحملة
    ("مستوي", (A3, A4), (A0, A1, A2)),         # text: مستوى
    # diacritics and tatweel in the query
    ("الكـاظمي", (A1, A3, A4), (A0, A2)),
    ("الْكَاظِمِي", (A1, A3, A4), (A0, A2)),
    ("قَرْداش", (A3,), (A0, A1, A2, A4)),
    ("الخفـاجي", (A2,), (A0, A1, A3, A4)),
    # punctuation: typed after the word, or stuck to it in the text
    ("الكاظمي،", (A1, A3, A4), (A0, A2)),     # text: الكاظمي، (no space)
    ("مارس", (A0,), (A1, A2, A3, A4)),         # text: (مارس)
    ("الوهم", (A4,), (A0, A1, A2, A3)),        # text: بـ”الوهم”
    ("سكاي", (A1,), (A0, A2, A3, A4)),         # text: لـ"سكاي
    # attached prefixes و ف ب ل ك ال in the query but not the text, or both
    ("والكاظمي", (A1, A3, A4), (A0, A2)),
    ("كاظمي", (A1, A3, A4), (A0, A2)),
    ("بالبصرة", (A4,), (A0, A1, A2, A3)),      # text: البصرة, بالبصرة
    ("للانتخابات", (A0, A1), (A2, A3, A4)),    # text: للانتخابات, الانتخابات
    ("وبغداد", (A0, A1, A2, A4), ()),          # text: بغداد, وبغداد
    # a word's beginning (search as you type)
    ("الكاظ", (A1, A3, A4), (A0, A2)),
    ("المشهدا", (A1,), (A0, A2, A3, A4)),
    # digits, ASCII and Arabic-Indic; Latin
    ("2018", (A1,), (A0, A2, A3, A4)),
    ("٢٠١٨", (A1,), (A0, A2, A3, A4)),
    ("Getty", (), ALL),  # only in the photo caption "(Getty)", which A3 hides (hide_lines)
    # words of one article only
    ("القيسي", (A1,), (A0, A2, A3, A4)),
    ("منظمة بدر", (A4,), (A0, A1, A2, A3)),
    ("تزوير", (A0,), (A1, A2, A3, A4)),
]

# Buckwalter transliteration, so test ids are readable ASCII.
_BUCKWALTER = dict(zip(
    "ءآأؤإئابةتثجحخدذرزسشصضطظعغـفقكلمنهوىيًٌٍَُِّْٰٱ",
    "'|>&<}AbptvjHxd*rzs$SDTZEg_fqklmnhwYyFNKaui~o`{",
))


def _test_id(query: str) -> str:
    return "".join(_BUCKWALTER.get(c, c if c.isascii() else f"U{ord(c):04X}") for c in query)


@pytest.fixture(scope="session")
def search_site(site) -> pathlib.Path:
    """The shared build's site (conftest's `site`), with its search files."""
    assert (site / "search" / "manifest.js").is_file(), f"no search manifest in {site}"
    return site


@pytest.fixture(scope="session")
def documents() -> list[SearchDocument]:
    """The searched documents, as the build made them (sorted as numbered: newest first)."""
    outcome = pipeline.generate(Project.at(ROOT))
    assert not outcome.problems
    docs = site_search.documents(outcome.generated.linked, ROOT / "docs", labels=load_labels(ROOT / "templates"),
                                 address=families.page_path)
    return sorted(docs, key=lambda d: (d.order, d.url))


@pytest.fixture(scope="module")
def browser(site_address):
    with chromium() as driver:
        yield site_address, driver


def article_id(href: str) -> str | None:
    """The article id in a result link (directory URLs or offline .html links)."""
    path = urllib.parse.urlsplit(href).path
    m = re.search(r"/articles/([^/]+?)(?:\.html|/index\.html|/)?$", path)
    return m.group(1) if m else None


# The result list as it stands: count line, each result's link, title, meta line, summary, marks.
_STATE_JS = """
const box = document.querySelector("[data-dossier-search]");
const meta = box.querySelector(".md-search-result__meta");
return {
  shown: box.getAttribute("data-shown"),
  meta: meta.textContent.trim(),
  count: meta.hasAttribute("data-count") ? Number(meta.getAttribute("data-count")) : null,
  more: !box.querySelector(".dossier-search__more").hidden,
  items: [...box.querySelectorAll(".md-search-result__list > li")].map(li => ({
    href: li.querySelector("a").href,
    title: li.querySelector("h1").textContent,
    kind: li.querySelector(".dossier-search__kind").textContent,
    date: (li.querySelector("time") || {}).textContent || null,
    datetime: li.querySelector("time") ? li.querySelector("time").getAttribute("datetime") : null,
    summary: li.querySelector(".dossier-search__summary").textContent,
    marks: [...li.querySelectorAll("mark")].map(m => m.textContent),
    title_marks: [...li.querySelectorAll("h1 mark")].map(m => m.textContent),
    summary_marks: [...li.querySelectorAll(".dossier-search__summary mark")].map(m => m.textContent),
    html: li.innerHTML,
  })),
};
"""


def wait_for_results(driver, query: str, timeout: float = 20) -> dict:
    """The state once the results of query are shown, with every result (\"more\" clicked)."""
    waiting(driver, timeout, poll=0.02).until(lambda d: d.execute_script(
        "return document.querySelector('[data-dossier-search]').getAttribute('data-shown')") == query,
        f"results for {query!r} never shown")
    state = driver.execute_script(_STATE_JS)
    while state["more"]:
        shown = len(state["items"])
        driver.execute_script("document.querySelector('.dossier-search__more').click()")
        waiting(driver, timeout).until(lambda d: len(d.execute_script(_STATE_JS)["items"]) > shown)
        state = driver.execute_script(_STATE_JS)
    assert len(state["items"]) == state["count"], state
    assert not driver.find_element(By.CSS_SELECTOR, ".dossier-search__more").is_displayed()  # all shown: no "more"
    state["articles"] = {article_id(item["href"]) for item in state["items"]} - {None}
    return state


def search(driver, url: str, query: str, timeout: float = 20) -> dict:
    """Put query into the search box of url and return the results (see wait_for_results). The
    page is loaded once for a run of queries on it: a new query replaces the last in the box.
    The box gets the whole query and one input event, as a paste gives it: typed letter by letter,
    each letter searched its prefix (shards fetched and all), which the tests of typing
    (test_typing_letter_by_letter, the keyboard's) do through real key presses."""
    if driver.current_url != url:
        driver.get(url)
    search_box(driver)
    paste_query(driver, query)
    return wait_for_results(driver, query, timeout)


def relative(href: str, base: str) -> str:
    return href[len(base):] if href.startswith(base) else href


def expected_order(documents: list[SearchDocument], query: str) -> list[str]:
    """The URLs a query must list, in order, worked out from the documents themselves: an
    entity named (or also known as) the query, then the documents matching every word (else
    some), more words matched, more words in the title or summary, then newest first."""
    terms = query_terms(query)
    rows = []
    for number, doc in enumerate(documents):
        named = any(name_key(name) == name_key(query) for name in doc.names)
        head, body = text_terms(f"{doc.title}\n{doc.summary}"), text_terms(doc.body)
        matched = in_head = 0
        for core, prefix in terms:
            hit = lambda found: any(t == core or (prefix and t.startswith(core)) for t in found)  # noqa: E731
            if hit(head):
                matched, in_head = matched + 1, in_head + 1
            elif hit(body):
                matched += 1
        if matched:
            rows.append((matched, in_head, number, doc.url, named))
    chosen = [r for r in rows if r[0] == len(terms)] or rows
    return [r[3] for r in sorted(chosen, key=lambda r: (not r[4], -r[0], -r[1], r[2]))]


# ---------------------------------------------------------------- the query table


@pytest.mark.parametrize("query,must,must_not", QUERIES, ids=[_test_id(q) for q, _, _ in QUERIES])
def test_query(browser, query, must, must_not):
    base, driver = browser
    found = search(driver, base, query)["articles"]
    assert set(must) <= found, f"{query!r}: missing {set(must) - found}; found {sorted(found)}"
    assert not set(must_not) & found, f"{query!r}: unexpected {set(must_not) & found}"


@pytest.mark.parametrize("query", ["الكاظمي", "داعش", "منظمة بدر", "ابو غريب", "الانتخابات بغداد", "في", "الك",
                                   "حملة حصر السلاح", "كلمةغيرموجودة"])
def test_results_and_their_order(browser, documents, query):
    """Every result and its place: what the documents say (ranking, all words first)."""
    base, driver = browser
    state = search(driver, base + "about/", query)
    assert [relative(item["href"], base) for item in state["items"]] == expected_order(documents, query)


def test_title_and_summary_matches_rank_above_body_matches(browser, documents):
    base, driver = browser
    state = search(driver, base, "داعش")
    by_url = {d.url: d for d in documents}
    core = search_core("داعش")
    in_head = [any(t.startswith(core) for t in text_terms(f"{by_url[relative(i['href'], base)].title}\n"
                                                          f"{by_url[relative(i['href'], base)].summary}"))
               for i in state["items"]]
    assert True in in_head and False in in_head, in_head  # the query has both kinds of result
    assert in_head == sorted(in_head, reverse=True), in_head  # and every head match comes first
    articles = [i for i, head in zip(state["items"], in_head) if head and article_id(i["href"])]
    dates = [i["datetime"] for i in articles]
    assert dates == sorted(dates, reverse=True), dates  # ties: newest first


def test_all_words_first_then_some(browser):
    """"ابو غريب": only A2 has both words; "غريب كلمةغيرموجودة": no document has both, so the
    documents with one of them are listed."""
    base, driver = browser
    assert search(driver, base, "ابو غريب")["articles"] == {A2}
    assert search(driver, base, "غريب كلمةغيرموجودة")["articles"] == {A2}
    assert search(driver, base, "كلمةغيرموجودة")["count"] == 0


def test_result_shows_title_date_and_summary(browser, documents):
    base, driver = browser
    state = search(driver, base, "القيسي")
    item = next(i for i in state["items"] if article_id(i["href"]) == A1)
    generated = pipeline.generate(Project.at(ROOT)).generated
    article = next(a for a in generated.dossier.articles if a.id == A1)
    assert item["title"] == article.title
    assert item["summary"] == article.summary and item["summary"] != item["title"]
    assert item["date"] == format_partial_date(article.date) and item["datetime"] == article.date.iso
    assert item["kind"] == "مقال"
    assert urllib.parse.urlsplit(item["href"]).path == f"/articles/{A1}/"


def test_marks_whole_original_words(browser):
    """A summary's matching words are marked as written (hamza, diacritics), whole, and
    without the punctuation around them; nothing else is marked."""
    base, driver = browser
    for query in ("الامنيه", "داعش", "الكاظ"):
        state = search(driver, base, query)
        terms = query_terms(query)
        marks = [m for item in state["items"] for m in item["marks"]]
        assert marks, query
        for item in state["items"]:
            for text, marked in ((item["title"], item["title_marks"]), (item["summary"], item["summary_marks"])):
                # the marks are the text's matching words, whole and as written, and no others
                matching = [trim(w) for w in split(text)
                            if any(f == c or (p and f.startswith(c)) for f in search_forms(w) for c, p in terms)]
                assert marked == [m for m in matching if m], (query, text, marked)
        if query == "الامنيه":
            assert "الأمنية" in marks, marks  # the text's own spelling


def test_no_search_data_before_search_opens(site_address):
    """A page view requests neither search.js nor anything under search/, and Material's bundle
    no index of its own; opening search loads search.js and the manifest only, and a query its
    shards and chunks."""
    with chromium() as driver:
        for page in ("", f"articles/{A3}/", "themes/election-security/", "entities/", "about/"):
            driver.get(site_address + page)
            settled(driver)  # what the page's scripts request once loaded has been asked for
        waiting(driver, 5).until(lambda d: d.execute_script("return document.readyState") == "complete")
        before = requested_urls(driver)
        assert any(u.endswith("assets/javascripts/dossier.js") for u in before)
        assert not [u for u in before if "search" in u.rsplit("/", 1)[-1] or "/search/" in u
                    or "search_index" in u or "workers/search" in u], before
        box = search_box(driver)  # focus
        waiting(driver, 5).until(lambda d: any(u.endswith("/search/manifest.js") for u in requested_urls(d)))
        assert [u for u in requested_urls(driver) if "search" in u[len(site_address):]] == [
            site_address + "assets/javascripts/search.js", site_address + "search/manifest.js"]
        box.send_keys("الكاظمي")
        wait_for_results(driver, "الكاظمي")
        loaded = [u for u in requested_urls(driver) if "/search/" in u]
        assert any("/search/shards/" in u for u in loaded) and any("/search/docs/" in u for u in loaded)
        assert len(loaded) == len(set(loaded))
        # a second query reuses what is loaded: here its shard is the one already loaded
        box.clear()
        box.send_keys("الامنيه")
        wait_for_results(driver, "الامنيه")
        again = [u for u in requested_urls(driver) if "/search/shards/" in u]
        assert again == [u for u in loaded if "/search/shards/" in u]
        assert failed_responses(driver) == []
        assert driver.get_log("browser") == []
    assert outside_requests(driver, [site_address]) == []


# The page's own count of search.js loads (the Resource Timing entries of this page view).
_SEARCH_JS_LOADS = """return performance.getEntriesByType('resource')
    .filter(e => e.name.split('?')[0].endsWith('/assets/javascripts/search.js')).length"""


@pytest.mark.parametrize("opener", ["focus", "/", "s", "header button", "?q="])
def test_an_article_view_loads_search_js_only_when_search_opens(site_address, opener):
    """On a phone (390 px), an article view, its deferred scripts run and a second waited, has
    loaded no search.js; each way of opening search loads it once, and search then answers,
    the first query typed while it was still coming included."""
    with chromium(width=390, height=900) as driver:
        page = site_address + f"articles/{A3}/"
        driver.get(page + (f"?q={urllib.parse.quote('الكاظمي')}" if opener == "?q=" else ""))
        waiting(driver, 5).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if opener != "?q=":
            settled(driver)  # the deferred scripts have run and what they request is asked for
            assert driver.execute_script(_SEARCH_JS_LOADS) == 0
            assert driver.execute_script("return typeof window.dossierSearch") == "undefined"
            if opener == "focus":
                search_box(driver)
            elif opener == "header button":  # shown once Material's bundle has come (after the first frame)
                button = driver.find_element(By.CSS_SELECTOR, "label.md-header__button[for='__search']")
                waiting(driver, 10).until(lambda d: button.is_displayed())
                button.click()
            else:
                ActionChains(driver).send_keys(opener).perform()
            waiting(driver, 5).until(lambda d: d.execute_script(
                "return document.getElementById('__search').checked && document.activeElement"
                " === document.querySelector('input.md-search__input')"))
            # typed at once, before search.js has necessarily arrived
            ActionChains(driver).send_keys("الكاظمي").perform()
        state = wait_for_results(driver, "الكاظمي")
        assert {A1, A3} <= state["articles"], state
        assert driver.execute_script(_SEARCH_JS_LOADS) == 1
        assert failed_responses(driver) == []
        assert driver.get_log("browser") == []


@pytest.mark.parametrize("key", ["/", "s"])
def test_keyboard_opens_and_escape_closes(browser, key):
    base, driver = browser
    driver.get(base + f"articles/{A0}/")
    toggle = "return document.getElementById('__search').checked"
    focused = "return document.activeElement === document.querySelector('input.md-search__input')"
    assert not driver.execute_script(toggle)
    ActionChains(driver).send_keys(key).perform()
    waiting(driver, 5).until(lambda d: d.execute_script(toggle) and d.execute_script(focused))
    assert driver.execute_script("return document.querySelector('input.md-search__input').value") == ""
    ActionChains(driver).send_keys("الكاظمي").perform()
    wait_for_results(driver, "الكاظمي")
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    waiting(driver, 5).until(lambda d: not d.execute_script(toggle) and not d.execute_script(focused))


def test_keyboard_opens_search_before_materials_bundle_has_come(browser):
    """Material's bundle is fetched after the first paint (overrides/main.html), and until it has
    mounted the page Material hides the search box: a reader who presses / before then gets the
    box, focused, and results (the bundle is held back here, so the key always comes first)."""
    base, driver = browser
    toggle = "return document.getElementById('__search').checked"
    focused = "return document.activeElement === document.querySelector('input.md-search__input')"
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/assets/javascripts/bundle.*"]})
    try:
        driver.get(base + f"articles/{A0}/")
        assert not driver.execute_script("return !!window.document$")  # Material has not mounted
        ActionChains(driver).send_keys("/").perform()
        waiting(driver, 5).until(lambda d: d.execute_script(toggle) and d.execute_script(focused))
        ActionChains(driver).send_keys("الكاظمي").perform()
        wait_for_results(driver, "الكاظمي")
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def test_arrow_keys_and_enter(browser):
    base, driver = browser
    state = search(driver, base, "الكاظمي")
    assert len(state["items"]) >= 3
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    selected = """return [...document.querySelectorAll('.md-search-result__list > li')]
                  .map(li => li.getAttribute('aria-selected'))"""
    box.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert driver.execute_script(selected).index("true") == 1
    assert box.get_attribute("aria-activedescendant") == "dossier-search-result-1"
    box.send_keys(Keys.ARROW_UP, Keys.ARROW_UP)  # past the first: the last
    assert driver.execute_script(selected).index("true") == len(state["items"]) - 1
    box.send_keys(Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ENTER)  # around again: the second
    waiting(driver, 10).until(lambda d: d.current_url == state["items"][1]["href"])


def test_query_in_the_url_opens_search(browser):
    base, driver = browser
    driver.get(base + f"themes/election-security/?q={urllib.parse.quote('منظمة بدر')}")
    state = wait_for_results(driver, "منظمة بدر")
    assert state["articles"] == {A4}
    assert driver.execute_script("return document.getElementById('__search').checked")
    assert driver.find_element(By.CSS_SELECTOR, "input.md-search__input").get_attribute("value") == "منظمة بدر"


def test_accessible_names(browser):
    base, driver = browser
    driver.get(base)
    attrs = driver.execute_script("""
        const box = document.querySelector('[data-dossier-search]'), input = box.querySelector('input');
        const meta = box.querySelector('.md-search-result__meta'), list = box.querySelector('ol');
        return [box.getAttribute('role'), box.getAttribute('aria-label'), input.getAttribute('role'),
                input.getAttribute('aria-controls') === list.id, list.getAttribute('role'),
                meta.getAttribute('aria-live'), document.forms.namedItem('search'),
                document.querySelectorAll('[data-md-component=search]').length];""")
    assert attrs == ["dialog", "البحث في الملف", "combobox", True, "listbox", "polite", None, 0]


# Arabic noun forms for the CLDR categories, as the template gives them (data-count-*).
COUNTS = [0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 1000]


def test_count_follows_cldr_plural_rules(browser):
    base, driver = browser
    driver.get(base)
    search_loaded(driver)  # search.js comes when search opens
    forms = driver.execute_script("""
        const meta = document.querySelector('.md-search-result__meta'), out = {};
        for (const name of meta.getAttributeNames())
          if (name.startsWith('data-count-')) out[name.slice(11)] = meta.getAttribute(name);
        return out;""")
    assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
    assert len(set(forms.values())) == 6  # six different wordings
    texts = driver.execute_script("return arguments[0].map(n => window.dossierSearch.countText(n))", COUNTS)
    plural = Locale("ar").plural_form
    for n, text in zip(COUNTS, texts):
        assert text == forms[plural(n)].replace("{n}", str(n)), (n, plural(n), text)
    assert texts[:4] == ["لا توجد نتائج", "نتيجة واحدة", "نتيجتان", "3 نتائج"]
    assert texts[5] == "11 نتيجةً" and texts[7] == "100 نتيجة"
    assert "مستندات" not in " ".join(texts)


def test_count_shown_for_a_query(browser):
    base, driver = browser
    state = search(driver, base, "الكاظمي")
    assert state["meta"] == driver.execute_script("return window.dossierSearch.countText(arguments[0])", state["count"])


def test_typing_letter_by_letter(browser):
    """Typed one key at a time, as a reader types, the results are those of the whole query
    set at once, and they are shown within a second of the last key."""
    base, driver = browser
    driver.get(base)
    box = search_box(driver)
    for letter in "الكاظمي":
        box.send_keys(letter)
    typed_at = time.monotonic()
    typed = wait_for_results(driver, "الكاظمي")
    assert time.monotonic() - typed_at < 1.0
    driver.get(base)
    search_box(driver)
    paste_query(driver, "الكاظمي")
    at_once = wait_for_results(driver, "الكاظمي")
    assert [i["href"] for i in typed["items"]] == [i["href"] for i in at_once["items"]]


def test_no_errors_on_page_loads(site_address):
    with chromium() as driver:
        pages = ["", "timeline/", "entities/", f"articles/{A1}/", "themes/isis-remnants/", "open-data/",
                 "contributing/", f"?q={urllib.parse.quote('الكاظمي')}"]
        for page in pages:
            driver.get(site_address + page)
            waiting(driver, 5).until(lambda d: d.execute_script("return document.readyState") == "complete")
        wait_for_results(driver, "الكاظمي")
        assert failed_responses(driver) == []
        assert driver.get_log("browser") == []


# ---------------------------------------------------------------- the rules, JS and Python


def test_rules():
    assert {search_core(w) for w in ("الامنية", "الأمنية", "والأمنية", "بالامنيه", "«الأمنيّة»")} == {"امنيه"}
    assert {search_core(w) for w in ("الكاظمي،", "الكـاظمي", "الْكَاظِمِي", "والكاظمي", "كاظمي")} == {"اظمي"}
    assert search_core("الكاظ") == "كاظ" and "كاظمي" in search_forms("الكاظمي")  # prefix search
    assert search_core("للانتخابات") == search_core("الانتخابات") == "انتخابات"
    assert search_core("مستوى") == "مستوي" and search_core("٢٠١٨") == "2018" and search_core("(Getty)") == "getty"
    assert normalize_arabic("إؤئآٱىةـ") == "اوياايه"
    assert split('بـ”الوهم” الكاظمي،ووفقاً (مارس) 2.5 a.b &quot;داعش&quot;') == [
        "بـ", "الوهم", "الكاظمي", "ووفقاً", "مارس", "2.5", "a", "b", "داعش"]
    assert query_terms("الكاظ في ال والكاظمي الكاظمي") == [("كاظ", True), ("في", False), ("ال", False),
                                                          ("اظمي", True)]


def test_js_and_python_rules_agree(browser, site, documents):
    """search.js and sitegen/search/tokens.py: the same words of every document's text, and
    the same forms of every word and of every term of the built index."""
    base, driver = browser
    driver.get(base)
    search_loaded(driver)  # search.js comes when search opens
    texts = [f"{d.title}\n{d.summary}\n{d.body}" for d in documents]
    js_split = driver.execute_script("return arguments[0].map(t => window.dossierSearch.rules.split(t))", texts)
    assert js_split == [split(t) for t in texts]
    words = {w for t in texts for w in split(t)}
    index_terms = set()
    for shard in (site / "search" / "shards").glob("*.js"):
        index_terms.update(re.findall(r'"([^"]+)":"[0-9a-z,]*;[0-9a-z,]*"', shard.read_text("utf-8")))
    assert len(index_terms) > 1000 and len(words) > 1000
    words |= index_terms | {  # rules that the texts may not exercise
        "الْكَاظِمِي", "الكـاظمي", "إجراءات", "آذار", "ٱلله", "مسؤول", "رئيس", "مستوى", "٢٠١٨",
        "۲۰۱۸", "کرکوک", "Getty", "(Getty)", "«بعض", "للحد", "لله", "و", "ال", "*", "x\u200fy",
        "\U0001F600ب", "وبالكاظمي", "ووفقاً", "ΟΣ", "İstanbul", "a\u00a0b", "2.٥",
    }
    words = sorted(words)
    js = driver.execute_script("return arguments[0].map(w => window.dossierSearch.rules.forms(w))", words)
    diff = [(w, j, search_forms(w)) for w, j in zip(words, js) if j != search_forms(w)]
    assert not diff, diff[:20]
    queries = ["الكاظ في", "ال", "«للانتخابات» ،بغداد", "a.b 2.5", "الـ ابو", "ووفقاً"] + words[:300]
    js = driver.execute_script("return arguments[0].map(q => window.dossierSearch.rules.queryTerms(q)"
                               ".map(t => [t.core, t.prefix]))", queries)
    assert js == [[list(t) for t in query_terms(q)] for q in queries]


# ---------------------------------------------------------------- the files


def _doc(n: int, title: str, body: str = "", summary: str = "") -> SearchDocument:
    return SearchDocument(url=f"articles/a{n}/", title=title, date_iso=f"20{n:02d}", date_label=f"{n}",
                          kind="article", kind_label="مقال", summary=summary or f"ملخص {n}", body=body, order=(-n,))


def _decode(files: dict[str, str]) -> tuple[dict, dict]:
    """The manifest and {file: shard data} of a set of search files."""
    import json

    def data(text: str):
        return json.loads(text[text.index(",") + 1:text.rindex(");")])

    manifest = data(files["search/manifest.js"])
    shards = {name: data(files[f"search/{name}.js"]) for name, *_ in manifest["shards"]}
    return manifest, shards


def test_search_files_are_deterministic_and_cacheable(documents):
    files = build_search_files(documents)
    assert files == build_search_files(list(reversed(documents)))
    terms = {doc: document_terms(doc) for doc in documents[::2]}  # a cache of some of them
    assert build_search_files(documents, terms) == files
    assert all(re.fullmatch(r"search/(manifest|(shards|docs)/[0-9]+\.[0-9a-f]{10})\.js", p) for p in files)
    manifest, _ = _decode(files)
    assert manifest["documents"] == len(documents) and len(manifest["chunks"]) == -(-len(documents) // CHUNK)


def test_shards_split_like_a_trie_and_find_every_term(monkeypatch):
    """Many documents: big first letters are split by their next letters, no shard is much
    larger than the limit, and every term is in the shard of its longest key, with its
    documents and where they have it."""
    import random

    rng = random.Random(1)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 8))) for _ in range(3000)]
    vocabulary += ["ال" + w for w in vocabulary[:1500]]  # a big "ا", as in Arabic
    docs = [_doc(n, " ".join(rng.sample(vocabulary, 3)), " ".join(rng.sample(vocabulary, 80))) for n in range(400)]
    limit = 6000
    monkeypatch.setattr(search_index, "SHARD_LIMIT", limit)
    files = build_search_files(docs)
    manifest, shards = _decode(files)
    keys = {key: name for name, *ks in manifest["shards"] for key in ks}
    assert max(len(k) for k in keys) >= 3 and min(len(k) for k in keys) == 1
    assert "ا" not in keys and any(len(k) == 3 and k.startswith("ال") for k in keys)  # "ا" split, and "ال"
    for name, data in shards.items():
        assert len(files[f"search/{name}.js"].encode()) < 1.2 * limit, name
    numbered = sorted(docs, key=lambda d: (d.order, d.url))
    expected: dict[str, tuple[set, set]] = {}
    for number, doc in enumerate(numbered):
        for term, where in document_terms(doc):
            expected.setdefault(term, (set(), set()))[0 if where == 2 else 1].add(number)

    def ids(text):
        out, n = [], -1
        for part in filter(None, text.split(",")):
            n += int(part, 36) + 1
            out.append(n)
        return out

    for term, (head, body) in expected.items():
        key = next(term[:n] for n in range(len(term), 0, -1) if term[:n] in keys)
        head_text, body_text = shards[keys[key]][term].split(";")
        assert (set(ids(head_text)), set(ids(body_text))) == (head, body), term


def test_an_index_made_again_in_part_is_the_index_made_afresh(monkeypatch):
    """Serve makes the search files again from the last run's index: after every kind of edit
    (a word added, taken away or replaced, a title, a date that reorders, a document added or
    removed) the files are byte for byte those made afresh; and most edits keep the shards'
    layout, remaking only the files they touch."""
    import random

    rng = random.Random(7)
    letters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
    vocabulary = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 7))) for _ in range(1500)]
    monkeypatch.setattr(search_index, "SHARD_LIMIT", 3000)
    docs = [_doc(n, " ".join(rng.sample(vocabulary, 2)), " ".join(rng.sample(vocabulary, 30))) for n in range(150)]
    index = search_index.SearchIndex.made(tuple(docs), None)
    known: dict = {}

    def afresh(documents: list) -> dict:  # each document's terms cut once for the whole test
        return build_search_files(documents, {d: known[d] if d in known else known.setdefault(d, document_terms(d))
                                              for d in documents})

    kept = remade = 0
    for step in range(72):
        n = rng.randrange(len(docs))
        doc, edit = docs[n], step % 6
        if edit == 0:  # words added to the summary (a new one, now and then)
            words = rng.sample(vocabulary, rng.choice((1, 1, 12)))
            words += [] if step % 4 else ["".join(rng.choice(letters) for _ in range(6))]
            docs[n] = dataclasses.replace(doc, summary=" ".join([doc.summary, *words]))
        elif edit == 1:  # words taken away
            docs[n] = dataclasses.replace(doc, body=" ".join(doc.body.split()[:-rng.choice((1, 1, 12))]))
        elif edit == 2:  # a word replaced, and the title
            docs[n] = dataclasses.replace(doc, body=doc.body.replace(doc.body.split()[0], rng.choice(vocabulary), 1),
                                          title=rng.choice(vocabulary))
        elif edit == 3 and step % 12 == 3:  # a new date: the documents' order changes
            docs[n] = dataclasses.replace(doc, order=(rng.randrange(-200, 0),))
        elif edit == 4 and step % 12 == 4:  # a document added, or one removed
            if step % 24 == 4:
                docs.append(_doc(1000 + step, rng.choice(vocabulary), " ".join(rng.sample(vocabulary, 30))))
            else:
                del docs[n]
        else:  # words in several documents
            for m in rng.sample(range(len(docs)), 3):
                docs[m] = dataclasses.replace(docs[m], body=f"{docs[m].body} {' '.join(rng.sample(vocabulary, 4))}")
        before, index = index, index.updated(tuple(docs), None)
        assert index.files() == afresh(docs), step
        if index.layout.group_at is before.layout.group_at:
            kept += 1
        else:
            remade += 1
    assert kept > 40 and remade > 5, (kept, remade)


def test_a_layout_kept_through_an_edit_is_the_layout_made_afresh(monkeypatch):
    """Layout.updated keeps the shards' layout only when the rules would make the same of the new
    sizes: thousands of random edits of terms' sizes (grown, shrunk, new terms, gone ones), each
    kept layout equal to the one made afresh, and the changes that move a boundary all seen."""
    import random

    rng = random.Random(3)
    monkeypatch.setattr(search_index, "SHARD_LIMIT", 400)
    letters = "ابتثجح"
    sizes = {"".join(rng.choice(letters) for _ in range(rng.randint(1, 5))): rng.randint(8, 60) for _ in range(400)}
    layout = search_index.Layout.made(sizes)
    kept = 0
    for _ in range(3000):
        after = dict(sizes)
        for term in rng.sample(sorted(sizes), rng.choice((1, 1, 2, 5))):
            after[term] = max(8, sizes[term] + rng.randint(-40, 40))
        if rng.random() < 0.3:
            after["".join(rng.choice(letters) for _ in range(rng.randint(1, 6)))] = rng.randint(8, 60)
        if rng.random() < 0.3:
            del after[rng.choice(sorted(after))]
        touched = {term for term in sizes.keys() | after.keys() if sizes.get(term) != after.get(term)}
        fresh = search_index.Layout.made(after)
        found = layout.updated(after, sizes, touched)
        if found is not None:
            kept += 1
            assert found[0] == fresh
            assert {i for i, (a, b) in enumerate(zip(layout.packs, fresh.packs)) if a != b} <= found[1]
        sizes, layout = after, fresh
    assert 500 < kept < 2500, kept


def test_document_terms_head_and_body():
    terms = dict(document_terms(_doc(1, "الأمنية", body="والأمنية بغداد", summary="الكاظمي")))
    assert terms["امنيه"] == terms["الامنيه"] == terms["اظمي"] == 2  # title, summary
    assert terms["بغداد"] == terms["والامنيه"] == 1  # body only


def test_hand_written_pages_are_searched(documents):
    pages = {d.url: d for d in documents if d.kind == "page"}
    assert set(pages) == {"", "about/", "contributing/", "open-data/"}
    about = pages["about/"]
    assert about.title == "عن الملف ومنهجه" and "يُحفظ نص كل مقال كما وصل" in about.body
    assert "<" not in about.body and "--8<--" not in pages[""].body and "**" not in pages[""].body
