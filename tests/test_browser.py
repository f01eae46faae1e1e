"""The browser helpers' promises (tests/browser.py), on which every browser test relies: a test's
Chromium, lent from the worker's pool, holds nothing another test left (storage, cookies, colour
scheme, logs), its window is as `--window-size` makes it (a phone's width, narrower than any
window Chromium makes, emulated), and after the block its request log holds what the page's
workers asked for (read from Chromium's NetLog)."""
from __future__ import annotations

from browser import chromium, requested_urls, served

PAGE = """<!doctype html><title>pool</title><body><script>
document.body.dataset.before = (localStorage.getItem('seen') || 'none') + ' ' + (document.cookie || 'none');
localStorage.setItem('seen', location.search);
document.cookie = 'seen=' + location.search.slice(1);
console.error('logged by ' + location.search);
new Worker('worker.js' + location.search).onmessage = () => { document.title = 'asked'; };
</script>"""
# The worker asks for an address of its own: only the NetLog sees a worker's requests.
WORKER = "fetch('asked' + location.search); postMessage('asked');"
SHAPE = "return [innerWidth, innerHeight, outerWidth, outerHeight, matchMedia('(prefers-color-scheme: dark)').matches]"


def test_each_borrowed_browser_is_clean_and_its_request_log_complete(tmp_path):
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "worker.js").write_text(WORKER, encoding="utf-8")
    with chromium(width=390, height=844, extra_args=["--no-first-run"]) as own:  # a session of its own
        expected_shape = own.execute_script(SHAPE)
    with served(tmp_path) as base:
        for n in range(3):
            with chromium(width=390, height=844) as driver:
                assert driver.execute_script(SHAPE) == expected_shape, n
                assert not any("logged by" in line["message"] for line in driver.get_log("browser")), n
                assert requested_urls(driver) == [], n
                driver.get(f"{base}?n={n}")
                assert driver.execute_script("return document.body.dataset.before") == "none none", n
                logged = [line["message"] for line in driver.get_log("browser") if "logged by" in line["message"]]
                assert logged and all(f"?n={n}" in message for message in logged), logged
                driver.execute_script("return new Promise(r => document.title === 'asked' ? r() : "
                                      "new MutationObserver(r).observe(document.head, {subtree: true, childList: true}))")
                driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                       {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            urls = requested_urls(driver)
            assert f"{base}asked?n={n}" in urls, urls  # the worker's request, complete after the block
            assert not [u for u in urls if "?n=" in u and f"?n={n}" not in u], urls  # nothing of another test


def test_a_phone_is_as_wide_as_asked_in_an_own_and_a_borrowed_browser(tmp_path):
    """Chromium makes no window narrower than 500 px: a 390 px phone is emulated, so its pages are
    laid out 390 px wide, and a screenshot comes back to that width."""
    from browser import screenshot

    (tmp_path / "index.html").write_text("<!doctype html><meta name=viewport content='width=device-width'>"
                                         "<title>w</title>", encoding="utf-8")
    width = "return [document.documentElement.clientWidth, matchMedia('(max-width: 400px)').matches]"
    with served(tmp_path) as base:
        for extra in ([], ["--no-first-run"]):  # borrowed, then a session of its own
            with chromium(width=390, height=844, extra_args=extra) as driver:
                driver.get(base)
                assert driver.execute_script(width) == [390, True], extra
                screenshot(driver, None, tmp_path / "wide.png", width=1280)
                assert driver.execute_script(width) == [390, True], extra
        with chromium(width=1280) as driver:
            driver.get(base)
            assert driver.execute_script(width) == [1280, False]
