"""Shared helpers for tests that drive a real headless Chromium.

Nothing here skips: a missing browser is an error, because CI installs one and
a skipped browser test would hide a broken site.

    with served(site_dir) as base:
        with chromium() as driver:
            driver.get(base)
        # after the block the request log is complete
        assert outside_requests(driver, [base]) == []
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import json
import os
import pathlib
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

# URL schemes that never leave the machine. chrome: is the browser's own
# start-up tab (web pages cannot load it). chrome-error: is deliberately not
# here: it is what a failed navigation turns into.
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:")


def find_chromium() -> tuple[str, str]:
    """Return (chromium, chromedriver) paths; $CHROMIUM / $CHROMEDRIVER win."""
    browser = os.environ.get("CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None
    )
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    missing = [name for name, path in (("chromium", browser), ("chromedriver", driver)) if not path]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not found on PATH. Browser tests need them: "
            "on Debian run `apt-get install chromium chromium-driver`, or set "
            "$CHROMIUM and $CHROMEDRIVER to their paths."
        )
    return browser, driver


class _NetLog:
    """Reader for Chromium's NetLog (--log-net-log), which, unlike the DevTools
    performance log, also sees requests made by workers (Material's search
    worker imports its scripts itself). Chromium writes one event per line
    and flushes in batches, so the last few events may lag until it exits."""

    def __init__(self, path: str):
        self.path, self.offset, self.start_job, self.urls = path, 0, None, []

    def read(self) -> list[str]:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return self.urls
        complete = data.rfind(b"\n") + 1  # a partly written line waits for the next read
        self.offset += complete
        for line in data[:complete].decode("utf-8", "replace").splitlines():
            line = line.strip().rstrip(",")
            if line.startswith('{"constants"'):
                types = json.loads(line + "}")["constants"]["logEventTypes"]
                self.start_job = types.get("URL_REQUEST_START_JOB")  # None: nothing is read
                continue
            if not line.startswith("{") or self.start_job is None:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            params = event.get("params") or {}
            # Chromium's own traffic (updates, accounts, autofill) has no
            # initiating origin; everything a page or its workers asked for has
            # one ("null" for file:// pages).
            if event.get("type") == self.start_job and "url" in params \
                    and params.get("initiator", "not an origin") != "not an origin":
                self.urls.append(params["url"])
        return self.urls


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900, extra_args: Iterable[str] = (),
             page_load: str = "normal") -> Iterator[webdriver.Chrome]:
    """A headless Chromium WebDriver with a throwaway profile and request logging. page_load
    "eager": driver.get returns once the document is parsed, not when everything it started
    loading has arrived (for a test that holds a request back).

    requested_urls() works inside the block; called after the block it is
    complete, because Chromium has then flushed its network log.
    """
    browser, driver_path = find_chromium()
    with tempfile.TemporaryDirectory(prefix="chromium-") as tmp:
        profile, netlog = os.path.join(tmp, "profile"), os.path.join(tmp, "netlog.json")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        options.page_load_strategy = page_load
        for arg in (
            "--headless=new",
            "--no-sandbox",  # CI runs as root, where the sandbox cannot start
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-dev-shm-usage",  # small /dev/shm in containers crashes tabs
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--log-net-log={netlog}",
            "--net-log-capture-mode=Default",
            *extra_args,
        ):
            options.add_argument(arg)
        # Performance log = DevTools Network events of the page, read by requested_urls().
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        driver._netlog = _NetLog(netlog)
        driver._page_urls = []
        driver._requests = {}
        try:
            driver.get_log("performance")  # drop the start-up tab's chrome:// requests
            driver.set_page_load_timeout(60)
            yield driver
        finally:
            try:
                requested_urls(driver)  # keep the page's log: it cannot be read after quit
            finally:
                driver.quit()
                driver._quit = True
                driver._netlog.read()


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """Every URL the page and its workers asked for since the driver started.

    Combines the DevTools performance log (documents, subresources, data: and
    blob: URLs) with the NetLog (also worker requests). Chromedriver hands out
    each performance entry once, so entries are kept on the driver object.
    """
    _read_performance_log(driver)
    return list(dict.fromkeys(driver._page_urls + driver._netlog.read()))


def _read_performance_log(driver: webdriver.Chrome) -> None:
    """Move the new DevTools Network events into the driver's own lists (each entry is handed out once)."""
    if getattr(driver, "_quit", False):
        return
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        method, params = message.get("method"), message.get("params") or {}
        if method == "Network.requestWillBeSent":
            driver._page_urls.append(params["request"]["url"])
            driver._requests[params["requestId"]] = {"url": params["request"]["url"], "status": None, "bytes": 0,
                                                     "finished": False}
        elif method == "Network.responseReceived" and params.get("requestId") in driver._requests:
            driver._requests[params["requestId"]]["status"] = params["response"]["status"]
        elif method == "Network.loadingFinished" and params.get("requestId") in driver._requests:
            request = driver._requests[params["requestId"]]
            request["bytes"], request["finished"] = params.get("encodedDataLength", 0), True


def network_log(driver: webdriver.Chrome) -> list[dict]:
    """The page's requests since the driver started, in order: {url, status, bytes (as transferred:
    Network.loadingFinished's encodedDataLength, headers included), finished}."""
    _read_performance_log(driver)
    return [dict(r) for r in driver._requests.values()]


def failed_responses(driver: webdriver.Chrome) -> list[tuple[str, int]]:
    """Responses with a status of 400 or more."""
    return [(r["url"], r["status"]) for r in network_log(driver) if r["status"] and r["status"] >= 400]


def outside_requests(driver: webdriver.Chrome, allowed_prefixes: Iterable[str]) -> list[str]:
    """Requested URLs that start with none of allowed_prefixes (local schemes are fine)."""
    allowed = tuple(allowed_prefixes) + LOCAL_SCHEMES
    return [url for url in requested_urls(driver) if not url.startswith(allowed)]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature is inherited
        pass


@contextlib.contextmanager
def served(directory: os.PathLike | str) -> Iterator[str]:
    """Serve directory on 127.0.0.1 (free port, background thread); yield base URL."""
    handler = functools.partial(_QuietHandler, directory=os.fspath(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def settled(driver: webdriver.Chrome, seconds: float = 20) -> None:
    """Wait until the page loaded has done what loading starts: its finite animations and
    transitions ended (Web Animations' `finished`) and the browser idle (`requestIdleCallback`,
    after the scripts that loading queued have run, and the requests they make are sent). Events,
    not a timer: it returns as soon as they have happened."""
    driver.set_script_timeout(seconds)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const loaded = document.readyState === 'complete' ? Promise.resolve()
            : new Promise(r => addEventListener('load', r, {once: true}));
        loaded.then(() => Promise.all(document.getAnimations()
                .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
                .map(a => a.finished.catch(() => null))))
            .then(() => new Promise(r => requestIdleCallback(r, {timeout: 5000})))
            .then(() => done());""")


def search_box(driver: webdriver.Chrome):
    """The search box on the page loaded, opened (narrow screens hide it behind a header
    button) and focused, ready for send_keys."""
    from selenium.common.exceptions import ElementClickInterceptedException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    button = driver.find_element(By.CSS_SELECTOR, "label[for='__search']")
    # Material shows the box (wide screens) or the header's button once its bundle, which comes
    # after the page's first frame (overrides/main.html), has taken the page's "no-js" class away.
    WebDriverWait(driver, 10).until(lambda d: box.is_displayed() or button.is_displayed())
    if not box.is_displayed():
        button.click()
    # On a phone the box slides in over the header: the click lands once nothing covers it.
    WebDriverWait(driver, 5, ignored_exceptions=(ElementClickInterceptedException,)).until(
        lambda d: box.click() is None)
    return box


def search_loaded(driver: webdriver.Chrome) -> None:
    """Open search on the page loaded and wait until search.js, which dossier.js loads only
    then, has run (its rules are then window.dossierSearch.rules)."""
    from selenium.webdriver.support.ui import WebDriverWait

    search_box(driver)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "return !!(window.dossierSearch && window.dossierSearch.rules)"), "search.js never ran")


def material_mounted(driver: webdriver.Chrome, seconds: float = 10) -> None:
    """Wait until Material's bundle, which a page fetches once its first contentful paint is on
    the screen (overrides/main.html), has mounted the page, and two frames have been laid out
    since (Material measures some elements once mounted)."""
    driver.set_script_timeout(seconds)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "(function mounted() { if (!window.document$) return setTimeout(mounted, 20);"
        " document$.subscribe(() => requestAnimationFrame(() => requestAnimationFrame(() => done()))); })();")


def screenshot(
    driver: webdriver.Chrome,
    url: str | None,
    path: os.PathLike | str,
    width: int = 1280,
    height: int = 900,
    full_page: bool = True,
) -> pathlib.Path:
    """Save a PNG of url (or of the current page if url is None) at width px.

    The viewport is emulated through DevTools, so narrow phone widths (390 px)
    are exact even where the window cannot be made that small. With full_page
    the whole document height is captured, not just the first screen.
    """
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
    })
    try:
        if url is not None:
            driver.get(url)
        material_mounted(driver)
        driver.execute_script("return document.fonts ? document.fonts.ready.then(() => true) : true")
        params: dict = {"format": "png"}
        if full_page:
            full = driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)"
            )
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": width, "height": max(height, int(full)), "scale": 1,
            })
        data = driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(data))
    return out
