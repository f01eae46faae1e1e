"""Search on the built site, in a real headless Chromium.

The site is built once per session with `python build.py build`; queries are
typed into Material's search box and the article links in the results are
checked against a table. The Arabic rules under test live in
overrides/assets/javascripts/lunr/min/lunr.ar.min.js (and, for reference, in
sitegen/search_index.py).
"""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import chromium, outside_requests, requested_urls, search_box, served

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from sitegen.search_index import STAMP, normalize_arabic, search_core, search_forms, write_index_as_utf8  # noqa: E402
from sitegen.search_prebuild import SCRIPT_FILE, TEXT_FILE  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE = ROOT / "site"

A0 = "2010-election-results-alert"          # Baghdad on alert until 2010 results
A1 = "kadhimi-election-security-campaign"   # Kadhimi's campaign to secure elections
A2 = "joint-plan-against-isis-remnants"     # joint plan against ISIS remnants
A3 = "kadhimi-alert-after-isis-threat"      # Kadhimi orders alert after ISIS threat
A4 = "kadhimi-arms-campaign-doubts"         # doubts about the arms campaign in Basra
ALL = (A0, A1, A2, A3, A4)

# (query, articles that must be found, articles that must not be found).
# An article is "found" when its own content matches: its page or one of its
# sections, except the sections that list other articles (see below). Several
# words in one query are OR-ed by Material.
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
    # digits, ASCII and Arabic-Indic; Latin (lower-casing and "(" are checked in test_lunr_hooks)
    ("2018", (A1,), (A0, A2, A3, A4)),
    ("٢٠١٨", (A1,), (A0, A2, A3, A4)),
    ("Getty", (), ALL),  # only in the photo caption "(Getty)", which A3 hides (hide_lines)
    # words of one article only
    ("القيسي", (A1,), (A0, A2, A3, A4)),
    ("منظمة بدر", (A4,), (A0, A1, A2, A3)),
    ("تزوير", (A0,), (A1, A2, A3, A4)),
]

# Section anchors of an article page that list OTHER articles (titles, outlets):
# a hit there says nothing about the article itself.
OTHER_ARTICLE_SECTIONS = {"مقالات-ذات-صلة", "في-المحور-نفسه"}


# Buckwalter transliteration, so test ids are readable ASCII.
_BUCKWALTER = dict(zip(
    "ءآأؤإئابةتثجحخدذرزسشصضطظعغـفقكلمنهوىيًٌٍَُِّْٰٱ",
    "'|>&<}AbptvjHxd*rzs$SDTZEg_fqklmnhwYyFNKaui~o`{",
))


def _test_id(query: str) -> str:
    return "".join(_BUCKWALTER.get(c, c if c.isascii() else f"U{ord(c):04X}") for c in query)


@pytest.fixture(scope="session")
def site() -> pathlib.Path:
    """The real site, built once for the session."""
    subprocess.run([sys.executable, "build.py", "build"], cwd=ROOT, check=True, timeout=600)
    assert (SITE / "search" / "search_index.json").is_file(), f"no search index in {SITE}"
    return SITE


@pytest.fixture(scope="module")
def browser(site):
    with served(site) as base, chromium() as driver:
        yield base, driver


def article_id(href: str) -> str | None:
    """The article id in a result link (directory URLs or offline .html links)."""
    path = urllib.parse.urlsplit(href).path
    m = re.search(r"/articles/([^/]+?)(?:\.html|/index\.html|/)?$", path)
    return m.group(1) if m else None


def matched_articles(links: list) -> set[str]:
    """Articles whose own content matched, from [href, score] result links.

    Material adds a page's entry with score 0 when only a section matched.
    """
    found = set()
    for href, score in links:
        section = urllib.parse.unquote(urllib.parse.urlsplit(href).fragment)
        if article_id(href) and score > 0 and section not in OTHER_ARTICLE_SECTIONS:
            found.add(article_id(href))
    return found


# Reads Material's result list: meta text, result links, "missing term" notes.
_STATE_JS = """
const meta = document.querySelector(".md-search-result__meta");
const links = [...document.querySelectorAll(".md-search-result__list a.md-search-result__link")];
return {
  meta: meta ? meta.textContent.trim() : "",
  items: document.querySelectorAll(".md-search-result__list > li.md-search-result__item").length,
  hrefs: links.map(a => a.href),
  links: links.map(a => [a.href, parseFloat(a.querySelector("[data-md-score]").dataset.mdScore)]),
  missing: document.querySelectorAll(".md-search-result__terms").length,
};
"""


def search(driver, base: str, query: str, timeout: float = 20, letters: bool = False) -> dict:
    """Type query into Material's search box (with letters, one keystroke at a time);
    return the settled result state."""
    driver.get(base)
    config = json.loads(driver.find_element(By.ID, "__config").get_attribute("textContent"))
    tr = config["translations"]
    box = search_box(driver)
    for keys in (query if letters else [query]):
        box.send_keys(keys)

    # Results are pushed once per keystroke: wait until they stop changing.
    idle = {tr["search.result.placeholder"], tr.get("search.result.initializer", ""), ""}
    deadline, last, stable = time.monotonic() + timeout, None, 0
    while stable < 5:
        assert time.monotonic() < deadline, f"results for {query!r} never settled: {last}"
        time.sleep(0.1)
        state = driver.execute_script(_STATE_JS)
        settled = state["meta"] not in idle and box.get_attribute("value") == query
        stable = stable + 1 if settled and state == last else 0
        last = state

    meta = last["meta"]
    if meta == tr["search.result.none"]:
        total = 0
    elif meta == tr["search.result.one"]:
        total = 1
    else:  # "search.result.other" has "#" where the count goes
        pattern = re.escape(tr["search.result.other"]).replace("\\#", "#").replace("#", r"(\d+)")
        total = int(re.fullmatch(pattern, meta).group(1))

    # Material renders 10 results, then 4 more each time the list's "scrolled to
    # the bottom" state changes. Keep the list short enough to scroll and flip
    # it between top and bottom until every result is there.
    WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: d.execute_script("""
        const wrap = document.querySelector(".md-search__scrollwrap");
        wrap.style.maxHeight = "120px";
        wrap.scrollTop = wrap.scrollTop > 0 ? 0 : wrap.scrollHeight;
        return document.querySelectorAll(".md-search-result__list > li.md-search-result__item").length;
    """) >= total, f"{query!r}: fewer than {total} results rendered")
    state = driver.execute_script(_STATE_JS)
    state["total"] = total
    state["articles"] = matched_articles(state["links"])
    return state


@pytest.mark.parametrize("query,must,must_not", QUERIES, ids=[_test_id(q) for q, _, _ in QUERIES])
def test_query(browser, query, must, must_not):
    base, driver = browser
    state = search(driver, base, query)
    found = state["articles"]
    assert set(must) <= found, f"{query!r}: missing {set(must) - found}; found {sorted(found)}"
    assert not set(must_not) & found, f"{query!r}: unexpected {set(must_not) & found}"
    if " " not in query.strip():
        # One word: every result matched it, so Material must not mark it
        # missing (it compares the query term with the matched index terms).
        assert state["missing"] == 0, f"{query!r}: results say the term is missing"


def test_results_mark_whole_original_words(browser):
    """Result snippets keep the original text and mark whole words: the index
    text is HTML, so "&quot;داعش&quot;" must not become a mark that cuts the
    character reference in two (a stray ";" on screen)."""
    base, driver = browser
    search(driver, base, "داعش")
    marks, html = driver.execute_script("""
        const results = [...document.querySelectorAll(".md-search-result__article")];
        return [[...document.querySelectorAll(".md-search-result mark")].map(m => m.textContent),
                results.map(a => a.innerHTML).join("")];
    """)
    assert marks and set(marks) == {"داعش"}, set(marks)
    assert "</mark>;" not in html


def test_page_highlight_marks_original_words(browser):
    """A result link's "?h=" makes Material mark the matched words on the page:
    they must be the page's own spellings, not the normalised query term."""
    base, driver = browser
    state = search(driver, base, "الامنيه")
    href = next(h for h, score in state["links"] if article_id(h) == A0 and score > 0)
    driver.get(href)
    marks = WebDriverWait(driver, 20).until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('mark[data-md-highlight]')].map(m => m.textContent)"))
    assert {search_core(m) for m in marks} == {"امنيه"}, marks
    assert "الأمنية" in marks or "الامنية" in marks, marks


def test_no_outside_requests(site):
    """Pages, fonts, search worker, lunr scripts and index all come from the local server."""
    with served(site) as base:
        with chromium() as driver:
            assert search(driver, base, "الكاظمي")["articles"], "search found nothing"
            driver.get(urllib.parse.urljoin(base, f"articles/{A3}/"))
        # The browser has quit: its request log is now complete.
        urls = requested_urls(driver)
        assert any(u.endswith("/lunr/min/lunr.ar.min.js") for u in urls), "worker requests not logged"
        assert outside_requests(driver, [base]) == []


def test_rules(tmp_path):
    """The rules in Python, on the cases the JS must handle (see test_js_and_python_rules_agree)."""
    assert {search_core(w) for w in ("الامنية", "الأمنية", "والأمنية", "بالامنيه", "«الأمنيّة»")} == {"امنيه"}
    assert {search_core(w) for w in ("الكاظمي،", "الكـاظمي", "الْكَاظِمِي", "والكاظمي", "كاظمي")} == {"اظمي"}
    assert search_core("الكاظ") == "كاظ" and "كاظمي" in search_forms("الكاظمي")  # prefix search
    assert search_core("للانتخابات") == search_core("الانتخابات") == "انتخابات"
    assert search_core("مستوى") == "مستوي" and search_core("٢٠١٨") == "2018" and search_core("(Getty)") == "getty"
    assert normalize_arabic("إؤئآٱىةـ") == "اوياايه"


def test_write_index_as_utf8(tmp_path):
    data = {"config": {"lang": ["ar"]}, "docs": [{"location": "a/", "title": "الأمنية \"x\"", "text": "<p>ق</p>"}]}
    path = tmp_path / "search" / "search_index.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="ascii")  # as Material writes it
    write_index_as_utf8(tmp_path)
    text = path.read_bytes().decode("utf-8")
    written = json.loads(text)
    stamp = written["docs"][0].pop(STAMP)  # the digest of the documents, for the prebuilt index
    assert written == data and "الأمنية" in text and "\\u" not in text
    assert re.fullmatch(r"[0-9a-f]{64}", stamp)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left
    data["docs"][0]["text"] += " "
    path.write_text(json.dumps(data), encoding="utf-8")
    write_index_as_utf8(tmp_path)
    assert json.loads(path.read_text("utf-8"))["docs"][0][STAMP] != stamp  # other documents, another stamp


def test_search_index_is_utf8(site):
    raw = (site / "search" / "search_index.json").read_bytes()
    text = raw.decode("utf-8")  # strict: raises if not UTF-8
    assert "الكاظمي" in text
    assert "\\u06" not in text
    assert json.loads(text)["docs"]


def in_search_worker(driver, base: str, site: pathlib.Path, body: str, data=None):
    """Run JS `body` (sees `lunr` and `data`, returns a JSON value) in a worker
    that loads Material's search worker bundle and lunr language files the way
    Material does, from the served site."""
    worker = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))[0]
    scripts = [urllib.parse.urljoin(base, path) for path in (
        worker.relative_to(site).as_posix(),
        "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
        "assets/javascripts/lunr/min/lunr.ar.min.js",
    )]
    code = (f"importScripts(...{json.dumps(scripts)}); const data = {json.dumps(data)};"
            f"postMessage((() => {{ {body} }})());")
    driver.get(base)
    result = driver.execute_async_script("""
        const done = arguments[1];
        const worker = new Worker(URL.createObjectURL(new Blob([arguments[0]])));
        worker.onmessage = e => done({ok: e.data});
        worker.onerror = e => done({error: String(e.message)});
    """, code)
    assert "ok" in result, result
    return result["ok"]


def test_js_and_python_rules_agree(site, browser):
    """lunr.ar.forms (JS) == search_forms (Python) on every word of the index."""
    base, driver = browser
    docs = json.loads((site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    words = set()
    for doc in docs:
        words.update(re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}").split())
    assert len(words) > 500
    words.update([  # rules that the articles may not exercise
        "الْكَاظِمِي", "الكـاظمي", "إجراءات", "آذار", "ٱلله", "مسؤول", "رئيس", "مستوى", "٢٠١٨",
        "۲۰۱۸", "کرکوک", "Getty", "(Getty)", "«بعض", "للحد", "لله", "و", "ال", "*", "x\u200fy",
        "\U0001F600ب", "وبالكاظمي", "ووفقاً",
    ])
    words = sorted(words)
    js = in_search_worker(driver, base, site, "return data.map(w => lunr.ar.forms(w));", words)
    diff = [(w, j, search_forms(w)) for w, j in zip(words, js) if j != search_forms(w)]
    assert not diff, diff[:20]


def test_lunr_hooks(site, browser):
    """The wrappers in lunr.ar.min.js, checked on a small lunr index."""
    base, driver = browser
    result = in_search_worker(driver, base, site, """
        // Material sets the separator after this.use(lunr.ar): it must keep Arabic punctuation.
        lunr.tokenizer.separator = new RegExp("[\\s\\-]+");
        const idx = lunr(function () {
            this.use(lunr.ar);
            this.metadataWhitelist = ["position"];
            this.ref("id");
            this.field("text");
            this.add({id: "a", text: "الأمن الالكتروني،ووفقاً «للانتخابات» الآلات"});
            this.add({id: "b", text: "في البصرة"});
            this.add({id: "c", text: "صورة (Getty)"});
        });
        const refs = q => idx.search(q).map(r => r.ref);
        const positions = q => idx.search(q).flatMap(r => Object.values(r.matchData.metadata)
            .flatMap(field => (field.text ? field.text.position : []).map(String)));
        const terms = q => { const query = new lunr.Query(["text"]); new lunr.QueryParser(q, query).parse();
                             return query.clauses.map(c => c.term); };
        return {
            terms: terms("والأمنية* الكـاظ*"),
            short: terms("ا* ال* في* الك* (في* الـ* *ال 2*"),
            basra: refs("بالبصرة*"), latin: refs("GETTY*"), elections: refs("الانتخابات*"), word: refs("ووفقا"),
            al: positions("الا*"), one: positions("ال*"),
        };
    """)
    assert result["terms"] == ["امنيه*", "كاظ*"]  # wildcard terms reduced like the index
    # a word's beginning of one or two letters is searched as a whole word (no expansion
    # over the vocabulary); from three letters on, as a prefix
    assert result["short"] == ["ا", "ال", "في", "الك*", "في", "ال", "*ال", "2"]
    assert result["basra"] == ["b"]
    assert result["latin"] == ["c"]  # "(" split off, Latin lower-cased
    assert result["elections"] == ["a"]  # «للانتخابات» split off and prefix-stripped
    assert result["word"] == ["a"]  # "،" split "الالكتروني،ووفقاً"
    # "الآلات" is indexed as الالات, الات and ات; the first two match "الا*" (as do
    # الامن and الالكتروني): each position must be reported once, or Material nests <mark> tags.
    assert len(result["al"]) == 3 and len(set(result["al"])) == 3, result["al"]
    assert result["one"] == []  # "ال" alone is not in the text


def test_queries_leave_the_index_unchanged(site, browser):
    """Dropping a word's duplicate positions (several of its forms match) must not take
    them out of the index: the next query would lose them (and its highlights)."""
    base, driver = browser
    result = in_search_worker(driver, base, site, """
        const idx = lunr(function () {
            this.use(lunr.ar);
            this.metadataWhitelist = ["position"];
            this.ref("id");
            this.field("text");
            this.add({id: "a", text: "الآلات والآلات الالات"});
        });
        const before = JSON.stringify(idx.invertedIndex);
        const first = idx.search("الا*");
        return {same: JSON.stringify(idx.invertedIndex) === before,
                again: JSON.stringify(idx.search("الا*")) === JSON.stringify(first),
                found: first.map(r => Object.values(r.matchData.metadata).map(m => m.text.position.length)),
                kept: idx.search("الالات").map(r => Object.values(r.matchData.metadata).map(m => m.text.position.length))};
    """)
    # "الا*" matches الالات and الات, forms of all three words: each word once (duplicates dropped)
    assert result["same"] and result["again"] and result["kept"] == [[3]], result
    assert sum(sum(n) for n in result["found"]) == 3, result

# ---------------------------------------------------------------- the prebuilt index
#
# `python build.py build` writes search/lunr_index.txt, the lunr index built at build time
# by Material's own worker code (sitegen/search_prebuild.py); the worker reads it instead of
# building the index, if it was made from the same documents (lunr.ar.min.js, "Prebuilt
# index"). Its result messages say which it did, as `prebuilt.status`.

# Records what the search worker posts to the page: from a Worker (hosted site), or through
# window messages (iframe-worker in the offline bundle).
SEARCH_MESSAGES_PROBE = """
window.__searchMessages = [];
const record = data => {
  if (data && typeof data === "object" && typeof data.type === "number")
    window.__searchMessages.push({type: data.type, prebuilt: data.prebuilt || null,
                                  query: data.query === undefined ? null : data.query});
};
window.__searchWorkers = [];
const NativeWorker = window.Worker;
if (NativeWorker) {
  window.Worker = function (...args) {
    const worker = new NativeWorker(...args);
    window.__searchWorkers.push(worker);
    worker.addEventListener("message", event => record(event.data));
    return worker;
  };
  window.Worker.prototype = NativeWorker.prototype;
}
window.addEventListener("message", event => record(event.data));
"""


def prebuilt_status(driver) -> dict | None:
    """How the worker made its index, from its first result message (None: no result yet)."""
    results = [m for m in driver.execute_script("return window.__searchMessages || []") if m["type"] == 3]
    return results[0]["prebuilt"] if results else None


def full_state(driver, base: str, query: str) -> dict:
    """search()'s state plus every rendered result (title, snippet, marks)."""
    state = search(driver, base, query)
    state["html"] = driver.execute_script(
        "return [...document.querySelectorAll('.md-search-result__list > li')].map(li => li.innerHTML)")
    state["articles"] = sorted(state["articles"])
    state["prebuilt"] = prebuilt_status(driver)
    return state


def test_prebuilt_index_is_written(site):
    text = (site / "search" / TEXT_FILE).read_text(encoding="utf-8")
    header = json.loads(text.split("\n", 1)[0])
    docs = json.loads((site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    assert header["documents"] == len(docs) and header["fingerprint"] == f"stamp:{len(docs)}:{docs[0][STAMP]}"
    assert not (site / "search" / SCRIPT_FILE).exists()  # the script form is for the offline bundle


def test_prebuilt_index_is_used(site):
    """The worker reads search/lunr_index.txt and does not build the index."""
    with served(site) as base:
        with chromium() as driver:
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
            assert A1 in search(driver, base, "القيسي")["articles"]
            status = prebuilt_status(driver)
            assert status and status["status"] == "used", status
        urls = requested_urls(driver)
    assert any(u.endswith("/search/" + TEXT_FILE) for u in urls), "the prebuilt index was not requested"


@pytest.fixture(scope="module")
def site_without_prebuilt(site, tmp_path_factory) -> pathlib.Path:
    """A copy of the built site without the prebuilt index: the worker builds the index."""
    copy = tmp_path_factory.mktemp("no-prebuilt") / "site"
    shutil.copytree(site, copy)
    (copy / "search" / TEXT_FILE).unlink()
    return copy


def test_results_identical_without_prebuilt_index(site, site_without_prebuilt):
    """Every query of the table: the same results, scores, order, snippets and marks,
    whether the worker loaded the prebuilt index or built the index itself."""
    with served(site) as with_base, served(site_without_prebuilt) as without_base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        for query, _, _ in QUERIES + [("داعش", (), ()), ("ال", (), ())]:
            loaded = full_state(driver, with_base, query)
            built = full_state(driver, without_base, query)
            assert loaded.pop("prebuilt")["status"] == "used", query
            assert built.pop("prebuilt")["status"] == "absent", query
            for state in (loaded, built):  # the two servers' addresses differ
                state["hrefs"] = [h.replace(with_base, "/").replace(without_base, "/") for h in state["hrefs"]]
                state["links"] = [[h.replace(with_base, "/").replace(without_base, "/"), s] for h, s in state["links"]]
                state["html"] = [h.replace(with_base, "/").replace(without_base, "/") for h in state["html"]]
            assert loaded == built, query


def test_stale_prebuilt_index_is_not_used(site, tmp_path):
    """A prebuilt index made from other documents (the search index of a newer build beside
    an old lunr_index.txt, as a cache could serve them) is refused, and the index is built;
    so is one whose documents carry no stamp (they are then hashed in the browser)."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    index = copy / "search" / "search_index.json"
    data = json.loads(index.read_text("utf-8"))
    doc = next(d for d in data["docs"] if d["location"] == f"articles/{A0}/")
    doc["text"] += " <p>كلمةمضافة</p>"
    index.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_index_as_utf8(copy)  # stamped, as the newer build would have stamped it
    with served(copy) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        assert search(driver, base, "كلمةمضافة")["articles"] == {A0}
        assert prebuilt_status(driver)["status"] == "mismatch: documents"
    data["docs"][0].pop(STAMP)
    doc["text"] = doc["text"].replace(" <p>كلمةمضافة</p>", "")  # the documents the file was made from
    index.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with served(copy) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        assert search(driver, base, "الكاظمي")["articles"]
        assert prebuilt_status(driver)["status"] == "mismatch: documents"


# ---------------------------------------------------------------- typing
#
# Material sends the worker a query at every keystroke and appends "*" to every term.
# lunr.ar.min.js searches one or two letters as a whole word (a prefix that short would
# expand over most of the vocabulary: seconds at N = 2,000), and answers the newest of the
# queries waiting when the worker gets to them, dropping the older ones.


def test_one_or_two_letters_are_a_whole_word(browser):
    """"في" finds the word في and marks only it (not فيها, فيما); "فيه" is a prefix again."""
    base, driver = browser
    marks = "return [...document.querySelectorAll('.md-search-result mark')].map(m => m.textContent)"
    assert search(driver, base, "في")["total"] > 0
    short = {normalize_arabic(m) for m in driver.execute_script(marks)}
    assert short == {"في"}, short
    assert search(driver, base, "فيه")["total"] > 0
    longer = {normalize_arabic(m) for m in driver.execute_script(marks)}
    assert {"فيه", "فيها"} <= longer, longer


def test_typing_letter_by_letter(site):
    """Typed one keystroke at a time, the query ends with the same results as typed at once,
    and the worker's answers follow the typing: never an older query after a newer one."""
    with served(site) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        at_once = search(driver, base, "الكاظمي")
        typed = search(driver, base, "الكاظمي", letters=True)
        answered = [m["query"] for m in driver.execute_script("return window.__searchMessages") if m["type"] == 3]
    assert typed == at_once
    assert answered and answered[-1] == "الكاظمي", answered
    typed_queries = [q for q in answered if q]  # "" when the box gets the focus
    assert typed_queries == sorted(typed_queries, key=len) and all("الكاظمي".startswith(q) for q in typed_queries)


def test_latest_query_is_answered_first(site):
    """Queries that wait while the worker is busy: only the newest is answered."""
    slow = " ".join(f"*{c}*" for c in "ابتجحدرسعفقكلمنهوي")  # every term expands over the vocabulary
    queries = ["الامنيه", "الانبار", "بغداد", "الكاظمي"]
    with served(site) as base, chromium() as driver:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        search(driver, base, "داعش")  # the worker has its index
        driver.set_script_timeout(60)
        answered, ms = driver.execute_async_script("""
            const [slow, queries, done] = arguments;
            const worker = window.__searchWorkers[0], before = window.__searchMessages.length;
            const started = performance.now();
            worker.postMessage({type: 2, data: slow});
            // while the worker searches the slow query, the reader types on
            setTimeout(() => {
              for (const query of queries) worker.postMessage({type: 2, data: query});
              const wait = () => {
                const got = window.__searchMessages.slice(before).filter(m => m.type === 3);
                if (got.length && got[got.length - 1].query === queries[queries.length - 1])
                  done([got.map(m => m.query), performance.now() - started]);
                else setTimeout(wait, 10);
              };
              wait();
            }, 30);
        """, slow, queries)
    assert answered == [slow, queries[-1]], (answered, ms)
