"""The offline bundle: unzipped anywhere and opened from disk (file://), navigation and Arabic
search work and nothing is requested from any host. Chromium runs without
--allow-file-access-from-files, as a reader's browser would (fetch() fails there: the search
loads its files as <script> elements)."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By

from browser import chromium, failed_responses, requested_urls
from conftest import SITE_URL, run
from test_search import A1, QUERIES, search, wait_for_results

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its unzipped bundle and its browser
# are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("offline")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bundle_home(bundled, tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("unzipped anywhere")  # a space in the path, too
    with zipfile.ZipFile(bundled) as archive:
        archive.extractall(target)
    home = target / "iraqi-security-dossier" / "index.html"
    assert home.is_file()
    return home.as_uri()


@pytest.fixture(scope="module")
def driver():
    with chromium() as driver:
        yield driver


def test_links_are_files_and_navigation_works(bundle_home, driver):
    driver.get(bundle_home)
    assert "نسخة الملف للقراءة دون اتصال" in driver.page_source
    link = driver.find_element(By.CSS_SELECTOR, "a.dossier-theme__title")
    assert link.get_attribute("href").endswith("themes/election-security.html")
    link.click()
    assert driver.current_url.endswith("themes/election-security.html")
    driver.find_element(By.CSS_SELECTOR, "a.dossier-item__title").click()
    assert "/articles/" in driver.current_url and driver.current_url.endswith(".html")
    assert driver.find_element(By.CSS_SELECTOR, "h1").text
    entity = driver.find_element(By.CSS_SELECTOR, ".dossier-body a.dossier-mention")
    entity.click()
    assert "/entities/" in driver.current_url and driver.find_element(By.CSS_SELECTOR, "h1").text


@pytest.mark.parametrize("query,must,must_not", QUERIES)
def test_query_table_offline(bundle_home, driver, query, must, must_not):
    found = search(driver, bundle_home, query)["articles"]
    assert set(must) <= found, f"{query!r}: missing {set(must) - found}; found {sorted(found)}"
    assert not set(must_not) & found, f"{query!r}: unexpected {set(must_not) & found}"


def test_same_results_as_served(bundle_home, driver):
    """The bundle's results are the hosted site's, in the same order, with .html links."""
    from sitegen import pipeline
    from sitegen import families, search as site_search
    from sitegen.stages.values import load_labels
    from test_search import expected_order

    from sitegen.project import Project
    from sitegen.urls import OFFLINE

    generated = pipeline.generate(Project.at(REPO), offline=True).generated
    docs = sorted(site_search.documents(generated.linked, REPO / "docs", OFFLINE, labels=load_labels(REPO / "templates"),
                                        address=families.page_path), key=lambda d: (d.order, d.url))
    root = bundle_home[:-len("index.html")]
    for query in ("الكاظمي", "منظمة بدر", "داعش", "في"):
        state = search(driver, bundle_home, query)
        assert [item["href"][len(root):] for item in state["items"]] == expected_order(docs, query), query
        assert all(item["href"].endswith(".html") for item in state["items"])


def test_result_link_opens_the_page(bundle_home, driver):
    state = search(driver, bundle_home, "القيسي")
    href = next(item["href"] for item in state["items"] if A1 in item["href"])
    driver.find_element(By.CSS_SELECTOR, f"a.md-search-result__link[href$='{A1}.html']").click()
    assert driver.current_url == href and driver.find_element(By.CSS_SELECTOR, "h1").text


def test_search_opens_from_a_query_in_the_url(bundle_home, driver):
    driver.get(bundle_home.replace("index.html", f"themes/election-security.html?q={quote('القيسي')}"))
    assert A1 in wait_for_results(driver, "القيسي")["articles"]


def test_nothing_requested_from_any_host(bundle_home):
    with chromium() as reader:
        reader.get(bundle_home.replace("index.html", "about.html"))
        assert not [u for u in requested_urls(reader) if "/search/" in u]  # nothing before search opens
        assert search(reader, bundle_home, "الكاظمي")["articles"]
        reader.find_element(By.CSS_SELECTOR, "a.md-search-result__link").click()
        requested = requested_urls(reader)
        assert failed_responses(reader) == []
        assert reader.get_log("browser") == []
    assert any(u.endswith("search/manifest.js") for u in requested)
    assert any("/search/shards/" in u for u in requested) and any("/search/docs/" in u for u in requested)
    outside = [u for u in requested if not u.startswith(("file://", "data:", "blob:", "about:", "chrome://"))]
    assert outside == []


def test_map_offline(bundle_home):
    """The map opened from the bundle's files: drawn, its points link to the places' .html pages,
    and nothing is requested from any host."""
    with chromium(width=390) as reader:
        reader.get(bundle_home.rsplit("/", 1)[0] + "/map/index.html")
        links = reader.execute_script(
            "return Object.fromEntries([...document.querySelectorAll('svg.dossier-map__svg a.dossier-map__place')]"
            ".map(a => [a.dataset.entity, new URL(a.getAttribute('href'), document.baseURI).href]))")
        assert len(links) >= 7
        assert all(url.startswith("file://") and url.endswith(f"/entities/{key}.html") for key, url in links.items()), links
        target = links["basra"]
        reader.execute_script("document.querySelector('a.dossier-map__place[data-entity=\"basra\"]')"
                              ".dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}))")
        assert reader.current_url == target and target.endswith("/entities/basra.html")
        assert reader.find_element(By.CSS_SELECTOR, "svg.dossier-locator__svg")
        requested = requested_urls(reader)
    assert any(u.endswith("/map/index.html") for u in requested)
    assert [u for u in requested if not u.startswith(("file://", "data:", "blob:", "about:", "chrome://"))] == []


def test_the_bundle_holds_the_index_once(bundled):
    with zipfile.ZipFile(bundled) as archive:
        names = archive.namelist()
    search_files = [n for n in names if "/search/" in n]
    assert "iraqi-security-dossier/search/manifest.js" in search_files
    assert all(re.fullmatch(r"iraqi-security-dossier/search/(manifest|(shards|docs)/[0-9]+\.[0-9a-f]{10})\.js", n)
               for n in search_files), search_files
    assert not [n for n in names if "search_index" in n or "lunr" in n or "workers/search" in n]


def test_the_citation_names_the_published_page(bundle_home, driver):
    """The bundle is built with SITE_URL (as `bundled` runs it): a page read from disk cites its
    published address, never the file:// one it was read at."""
    page = bundle_home.replace("index.html", "articles/kadhimi-alert-after-isis-threat.html")
    driver.get(page)
    citation = driver.execute_script("return document.getElementById('dossier-citation').textContent")
    assert f"{SITE_URL}articles/kadhimi-alert-after-isis-threat/" in citation
    assert "file:" not in citation
    assert driver.execute_script("return document.querySelectorAll('[data-dossier-page]').length") == 0
    ld = json.loads(driver.execute_script("return document.querySelector('script[type=\"application/ld+json\"]').textContent"))
    assert ld["url"] == f"{SITE_URL}articles/kadhimi-alert-after-isis-threat/"


def test_without_site_url_the_citation_names_the_page_it_was_read_at(repo, tmp_path, driver):
    """Built without the site's address, the bundle's pages let the reader's browser fill in the
    address the page was read at (the only one there is)."""
    result = run(repo, "bundle", env={"SITE_URL": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(next((repo / "dist").glob("*.zip"))) as archive:
        archive.extractall(tmp_path / "out")
    page = (tmp_path / "out/iraqi-security-dossier/articles/kadhimi-alert-after-isis-threat.html").as_uri()
    driver.get(page)
    shown = driver.execute_script("return document.querySelector('[data-dossier-page]').textContent")
    assert shown == page


def test_the_bundle_stamp_names_the_published_address(repo):
    """A bundle built for another address (or none) is not the current one: its citations would be wrong."""
    from sitegen.output import offer
    from sitegen.project import Project

    assert offer.input_fingerprint(Project.at(repo, site_url=SITE_URL)) != \
        offer.input_fingerprint(Project.at(repo, site_url="https://elsewhere.example/"))
