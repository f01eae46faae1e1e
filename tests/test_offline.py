"""The offline bundle: unzipped anywhere and opened from disk (file://), navigation and Arabic
search work and nothing is requested from any host. Chromium runs without
--allow-file-access-from-files, as a reader's browser would."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from browser import chromium, requested_urls
from test_search import QUERIES, SEARCH_MESSAGES_PROBE, prebuilt_status, search

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


def test_nothing_requested_from_any_host(bundle_home):
    with chromium() as reader:
        assert search(reader, bundle_home, "الكاظمي")["articles"]
        reader.find_element(By.CSS_SELECTOR, "a.md-search-result__link").click()
        requested = requested_urls(reader)
    assert any(u.endswith("search/search_index.js") for u in requested)
    assert any(u.endswith("search/lunr_index.js") for u in requested)  # the prebuilt index
    assert any("iframe-worker/shim.js" in u for u in requested)
    outside = [u for u in requested if not u.startswith(("file://", "data:", "blob:", "about:", "chrome://"))]
    assert outside == []


def test_prebuilt_index_is_used_offline(bundle_home, bundled):
    """The bundle ships the prebuilt index as a script (search/lunr_index.js): from
    file://, iframe-worker's worker loads it and does not build the index."""
    with zipfile.ZipFile(bundled) as archive:
        names = archive.namelist()
    assert "iraqi-security-dossier/search/lunr_index.js" in names
    assert "iraqi-security-dossier/search/lunr_index.txt" not in names
    with chromium() as reader:
        reader.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": SEARCH_MESSAGES_PROBE})
        assert "kadhimi-election-security-campaign" in search(reader, bundle_home, "القيسي")["articles"]
        status = prebuilt_status(reader)
    assert status and status["status"] == "used", status


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
