"""The site's scripts against what a reader types or a link carries, in a real headless Chromium.

One extra article, holding words that name properties of JavaScript's Object.prototype, is added
to a copy of the repository, which is built once with `python build.py build`. On that site:
search finds those words (issue 22), a 16,000-symbol query is answered (issue 22), an entity
named as the query ranks first (issue 25), /articles/'s count and options follow its filters,
hosted and from file://, a slow year never appends stale rows and a missing one says so
(issues 23, 25), and the 404 page's "search" is a button that opens search (issue 25).
"""
from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import pytest
from babel import Locale
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import chromium, failed_responses, paste_query, requested_urls, search_loaded, served, waiting
from conftest import TEXT, add_article, run
from sitegen.search.tokens import name_key, query_terms
from test_search import search, wait_for_results

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build with prototype words and its browser
# are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("page_scripts")

# Words that name properties of Object.prototype (or of a function), as a reader may type them.
PROTOTYPE_WORDS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "prototype",
                   "isPrototypeOf", "__defineGetter__"]
ODD_ID = "prototype-words"
ODD_TEXT = TEXT + " ".join(PROTOTYPE_WORDS) + "\n"


@pytest.fixture(scope="module")
def odd_site(built_copy, tmp_path_factory) -> Path:
    """The shared build and one article whose text holds PROTOTYPE_WORDS, built again."""
    repo = built_copy(tmp_path_factory.mktemp("prototype-words"))
    add_article(repo, ODD_ID, ODD_TEXT)
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return repo / "site"


@pytest.fixture(scope="module")
def browser(odd_site):
    with served(odd_site) as base, chromium() as driver:
        yield base, driver


def _state(driver) -> dict:
    return driver.execute_script("""
        const meta = document.querySelector('.md-search-result__meta');
        return {meta: meta.textContent.trim(), failed: meta.getAttribute('data-failed'),
                idle: meta.getAttribute('data-idle')};""")


# ---------------------------------------------------------------- issue 22: prototype words


@pytest.mark.parametrize("word", PROTOTYPE_WORDS)
def test_prototype_words_are_found(browser, word):
    base, driver = browser
    state = search(driver, base, word)
    assert ODD_ID in state["articles"], (word, state["articles"])
    assert _state(driver)["meta"] != _state(driver)["failed"]
    assert not [u for u in requested_urls(driver) if "function" in u or "native" in u]


@pytest.mark.parametrize("word", ["constructor", "__proto__"])
def test_prototype_words_in_a_link(browser, word):
    base, driver = browser
    driver.get(base + "about/?q=" + urllib.parse.quote(word))
    state = wait_for_results(driver, word)
    assert state["articles"] == {ODD_ID}
    assert failed_responses(driver) == [] and driver.get_log("browser") == []


def test_prototype_words_as_filters_find_nothing_and_break_nothing(browser):
    """/articles/?theme=constructor&year=__proto__…: no such option, so the full list stays."""
    base, driver = browser
    driver.get(base + "articles/?theme=constructor&year=__proto__&outlet=toString&entity=hasOwnProperty#constructor")
    waiting(driver, 5).until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert driver.execute_script("return [...document.querySelectorAll('[data-dossier-filter] select')]"
                                 ".map(s => s.value)") == ["", "", "", ""]
    assert driver.find_element(By.CSS_SELECTOR, "[data-dossier-all]").is_displayed()
    assert driver.get_log("browser") == []


# ---------------------------------------------------------------- issue 22: long queries


@pytest.mark.parametrize("size", [16_000, 64_000])
def test_a_long_run_of_symbols_is_answered(browser, size):
    """A pasted run of symbols (one "word" the trimming used to backtrack on) is passed over:
    the words beside it are searched as if it were not there."""
    base, driver = browser
    expected = search(driver, base, "داعش")
    symbols = ("@#$%^*_+=~" * (size // 10 + 1))[:size]
    for query in (symbols + " داعش", "داعش " + symbols, symbols[:size // 2] + "داعش" + symbols[size // 2:] + " داعش"):
        paste_query(driver, query)
        state = wait_for_results(driver, query, timeout=60)
        assert [i["href"] for i in state["items"]] == [i["href"] for i in expected["items"]]
    paste_query(driver, symbols)  # nothing but symbols: nothing to search
    waiting(driver, 60).until(lambda d: _state(d)["meta"] == _state(d)["idle"])


def test_long_queries_are_cut_alike_in_js_and_python(browser):
    base, driver = browser
    driver.get(base)
    search_loaded(driver)  # search.js comes when search opens
    many = " ".join(f"كلمة{i}" for i in range(40))
    queries = ["@#$%" * 4000, "داعش " + "ب" * 65, "داعش " + "ب" * 64, many, many + " " + many,
               "و" * 200, "\U0001D400" * 64 + " داعش", "\U0001D400" * 65 + " داعش", " ".join(PROTOTYPE_WORDS)]
    js = driver.execute_script("return arguments[0].map(q => window.dossierSearch.rules.queryTerms(q)"
                               ".map(t => [t.core, t.prefix]))", queries)
    assert js == [[list(t) for t in query_terms(q)] for q in queries]
    assert len(js[3]) == 16 and js[4] == js[3]  # at most 16 words, the first ones
    assert js[1] == [["داعش", True]] and len(js[2]) == 2  # a word of 65 letters is passed over, of 64 kept
    names = queries + ["تنظيم داعش", "التنظيم  «داعش»", "الكاظمي", "أبو حمزة القرشي"]
    js_keys = driver.execute_script("return arguments[0].map(q => window.dossierSearch.rules.nameKey(q))", names)
    assert js_keys == [name_key(q) for q in names]


# ---------------------------------------------------------------- issue 25: ranking


@pytest.mark.parametrize("query,first", [("داعش", "entities/isis/"), ("تنظيم داعش", "entities/isis/"),
                                         ("قرداش", "entities/abdullah-qardash/"),
                                         ("الكاظمي", "entities/mustafa-al-kadhimi/")])
def test_an_entity_named_as_the_query_comes_first(browser, query, first):
    base, driver = browser
    state = search(driver, base, query)
    assert state["items"][0]["href"] == base + first, [i["href"] for i in state["items"][:3]]
    assert len(state["items"]) > 1  # others are still found, after it


# ---------------------------------------------------------------- /articles/ filters


def _index(site: Path) -> dict:
    text = (site / "articles" / "data" / "index.js").read_text("utf-8")
    return json.loads(text[text.index("(", text.index(".index")) + 1:text.rindex(")")])


def _filters(driver) -> dict:
    return driver.execute_script("""
        const form = document.querySelector('[data-dossier-filter]');
        const offered = name => [...form.elements[name].options].filter(o => !o.disabled && !o.hidden && o.value)
                                                                 .map(o => o.value);
        return {count: form.querySelector('.dossier-filter__count').textContent,
                lead: document.querySelector('[data-dossier-lead]').checkVisibility(),
                all: document.querySelector('[data-dossier-all]').checkVisibility(),
                results: [...form.querySelectorAll('.dossier-filter__results > li a.dossier-item__title')]
                         .map(a => a.getAttribute('href')),
                forms: Object.fromEntries(form.getAttributeNames().filter(n => n.startsWith('data-count-'))
                                          .map(n => [n.slice(11), form.getAttribute(n)])),
                theme: offered('theme'), year: offered('year'), outlet: offered('outlet'), entity: offered('entity')};""")


def _expected(index: dict, **chosen) -> dict:
    """The articles the filters choose, and the options that still lead somewhere."""
    def values(row):
        return {"theme": [index["themes"][t][0] for t in row[2]], "year": [str(row[1])],
                "outlet": [index["outlets"][row[3]][0]], "entity": [index["entities"][e][0] for e in row[4]]}

    def fits(row, except_=None):
        own = values(row)
        return all(name == except_ or value in own[name] for name, value in chosen.items())

    out = {"ids": [row[0] for row in index["articles"] if fits(row)]}
    for name in ("theme", "year", "outlet", "entity"):
        out[name] = {v for row in index["articles"] if fits(row, name) for v in values(row)[name]}
    return out


def _check_filtered(driver, index: dict, **chosen) -> None:
    expected = _expected(index, **chosen)
    waiting(driver, 10).until(lambda d: len(_filters(d)["results"]) == len(expected["ids"])
                              and _filters(d)["count"])
    state = _filters(driver)
    n = len(expected["ids"])
    assert state["count"] == state["forms"][Locale("ar").plural_form(n)].replace("{n}", str(n))
    assert not state["lead"] and not state["all"]  # no count of every article above the results
    assert [h.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") for h in state["results"]] == expected["ids"]
    for name in ("theme", "year", "outlet", "entity"):
        assert set(state[name]) == expected[name], (name, state[name], expected[name])


def test_count_and_options_follow_the_filter(browser, odd_site):
    base, driver = browser
    index = _index(odd_site)
    driver.get(base + "articles/?theme=election-security")
    _check_filtered(driver, index, theme="election-security")
    expected = _expected(index, theme="election-security")
    assert 0 < len(expected["ids"]) < len(index["articles"]) and len(expected["year"]) < len({r[1] for r in index["articles"]})
    # a year still offered, then back to every year
    year = sorted(expected["year"])[0]
    driver.execute_script("const s = document.querySelector('select[name=year]'); s.value = arguments[0];"
                          "s.dispatchEvent(new Event('change', {bubbles: true}));", year)
    _check_filtered(driver, index, theme="election-security", year=year)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).query) == {
        "theme": ["election-security"], "year": [year]}
    driver.find_element(By.CSS_SELECTOR, "[data-dossier-filter] button[type=reset]").click()
    waiting(driver, 5).until(lambda d: _filters(d)["all"] and _filters(d)["lead"])
    assert len(_filters(driver)["year"]) == len({r[1] for r in index["articles"]})
    assert driver.get_log("browser") == []


def test_filters_from_file(odd_site):
    index = _index(odd_site)
    with chromium() as driver:
        driver.get((odd_site / "articles" / "index.html").as_uri() + "?theme=election-security")
        _check_filtered(driver, index, theme="election-security")


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site, but holds one file back until released, and answers 404 for another."""

    held: str = ""
    missing: str = ""
    release: threading.Event

    def do_GET(self):  # noqa: N802 - the name http.server calls
        path = urllib.parse.urlsplit(self.path).path
        if path == self.missing:
            self.send_error(404)
            return
        if path == self.held:
            self.release.wait(30)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def slow_server(odd_site):
    release = threading.Event()
    handler = type("Handler", (_SlowHandler,), {"release": release, "held": "", "missing": ""})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(odd_site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", handler, release
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_slow_year_never_appends_to_a_later_filter(slow_server, odd_site):
    base, handler, release = slow_server
    index = _index(odd_site)
    old = min(r[1] for r in index["articles"])
    newer = max(r[1] for r in index["articles"])
    assert old != newer
    handler.held = f"/articles/data/{old}.js"
    with chromium(page_load="eager") as driver:  # "normal" would wait for the held year itself
        driver.get(base + f"articles/?year={old}")
        waiting(driver, 10).until(lambda d: any(u.endswith(handler.held) for u in requested_urls(d)))
        driver.execute_script("const s = document.querySelector('select[name=year]'); s.value = arguments[0];"
                              "s.dispatchEvent(new Event('change', {bubbles: true}));", str(newer))
        _check_filtered(driver, index, year=str(newer))
        release.set()  # the old year arrives now, after the reader moved on
        waiting(driver, 10).until(lambda d: d.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith(arguments[0]) && e.responseEnd > 0)",
            handler.held))
        driver.execute_script("return new Promise(r => setTimeout(r, 0))")  # its script has run
        _check_filtered(driver, index, year=str(newer))


def test_a_missing_year_says_so(slow_server, odd_site):
    base, handler, _ = slow_server
    index = _index(odd_site)
    year = max(r[1] for r in index["articles"])
    handler.missing = f"/articles/data/{year}.js"
    with chromium() as driver:
        driver.get(base + f"articles/?year={year}")
        failed = driver.find_element(By.CSS_SELECTOR, "[data-dossier-filter]").get_attribute("data-failed")
        assert failed
        waiting(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".dossier-filter__count").text
                                        == failed)
        assert not driver.find_element(By.CSS_SELECTOR, ".dossier-filter__more").is_displayed()


# ---------------------------------------------------------------- the 404 page


def test_the_404_search_is_a_button_that_opens_search(browser):
    base, driver = browser
    driver.get(base + "404.html")
    button = driver.find_element(By.CSS_SELECTOR, "[data-dossier-search-open]")
    assert button.tag_name == "button" and button.text == "ابحث في الملف"
    toggle = "return document.getElementById('__search').checked"
    assert not driver.execute_script(toggle)
    # from the keyboard: Tab until the button has the focus, then Enter
    for _ in range(80):
        if driver.switch_to.active_element == button:
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element == button
    button.send_keys(Keys.ENTER)
    waiting(driver, 5).until(lambda d: d.execute_script(toggle) and d.switch_to.active_element
                                   == d.find_element(By.CSS_SELECTOR, "input.md-search__input"))
    driver.switch_to.active_element.send_keys("داعش")
    state = wait_for_results(driver, "داعش")
    assert state["items"][0]["href"] == base + "entities/isis/"
    assert driver.get_log("browser") == []
