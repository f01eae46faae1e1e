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

import atexit
import base64
import contextlib
import functools
import http.server
import itertools
import json
import os
import pathlib
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request
from collections.abc import Iterable, Iterator

import websocket  # websocket-client, selenium's own dependency
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

# URL schemes that never leave the machine. chrome: is the browser's own
# start-up tab (web pages cannot load it). chrome-error: is deliberately not
# here: it is what a failed navigation turns into.
LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome:")


# The browser the tests drive: Chromium's headless shell, the same engine as the browser (Blink, V8,
# Skia, the same fonts) without the browser around it. A page load costs it a third of the browser's
# CPU, and starting it a quarter (bench/README.md); test_screenshots checks that it draws the pages
# as the browser does, pixel for pixel. Debian's /usr/bin/chromium-headless-shell is a sh script that
# runs it without exec (a signal would stop the script, not the browser): the binary is taken itself.
HEADLESS_SHELL = ("/usr/lib/chromium/chromium-headless-shell", "chromium-headless-shell")
BROWSER = ("chromium", "chromium-browser", "google-chrome")


def find_chromium(whole_browser: bool = False) -> tuple[str, str]:
    """Return (chromium, chromedriver) paths: the headless shell, or with whole_browser the browser
    a reader runs (Lighthouse measures it); $CHROMIUM / $CHROMEDRIVER win."""
    names = BROWSER if whole_browser else HEADLESS_SHELL
    browser = os.environ.get("CHROMIUM") or next(
        filter(None, (shutil.which(name) for name in names)), None
    )
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    package = "chromium" if whole_browser else "chromium-headless-shell"
    missing = [name for name, path in ((package, browser), ("chromedriver", driver)) if not path]
    if missing:
        raise RuntimeError(
            f"{' and '.join(missing)} not found on PATH. Browser tests need them: "
            "on Debian run `apt-get install chromium chromium-headless-shell chromium-driver`, or set "
            "$CHROMIUM and $CHROMEDRIVER to their paths."
        )
    return browser, driver


class _NetLog:
    """Reader for Chromium's NetLog (--log-net-log), which, unlike the DevTools
    performance log, also sees requests made by workers (Material's search
    worker imports its scripts itself). Chromium writes one event per line
    and flushes in batches, so the last few events may lag until it exits."""

    def __init__(self, path: str, after: _NetLog | None = None, ignore: str | None = None):
        """after: start where that reader of the same file is (its events not this reader's);
        ignore: addresses under this prefix are not the test's (the pool's own, see _Pooled)."""
        self.path, self.offset, self.start_job, self.urls, self.ignore = path, 0, None, [], ignore
        if after is not None:
            after.passed(b"")
            self.offset, self.start_job = after.offset, after.start_job

    def passed(self, mark: bytes) -> bool:
        """Move past the complete lines written since the last read, parsing only the constants
        (the events are another reader's): whether mark is among them."""
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return False
        complete = data.rfind(b"\n") + 1
        if self.start_job is None and data.startswith(b'{"constants"'):
            line = data[:data.index(b"\n")].decode("utf-8").strip().rstrip(",")
            self.start_job = json.loads(line + "}")["constants"]["logEventTypes"].get("URL_REQUEST_START_JOB")
        self.offset += complete
        return mark in data[:complete]

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
                    and params.get("initiator", "not an origin") != "not an origin" \
                    and not (self.ignore and params["url"].startswith(self.ignore)):
                self.urls.append(params["url"])
        return self.urls


# The whole browser's smallest window is 500 px wide: started with --window-size=390,... it would lay
# its pages out 500 px wide. A narrower width is emulated (_as_asked), as a phone has it (a mobile
# layout viewport), in the headless shell too, whose windows can be narrower.
SMALLEST_WINDOW = 500


def _as_asked(driver: webdriver.Chrome, width: int, height: int) -> webdriver.Chrome:
    """A window narrower than Chromium's smallest is emulated as a phone of that width (the
    layout viewport, mobile), kept for screenshot() to come back to."""
    driver._metrics = None
    if width < SMALLEST_WINDOW:
        driver._metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", driver._metrics)
    return driver


@contextlib.contextmanager
def chromium(width: int = 1280, height: int = 900, extra_args: Iterable[str] = (),
             page_load: str = "normal", whole_browser: bool = False) -> Iterator[webdriver.Chrome]:
    """A headless Chromium WebDriver with a throwaway profile and request logging. page_load
    "eager": driver.get returns once the document is parsed, not when everything it started
    loading has arrived (for a test that holds a request back).

    requested_urls() works inside the block; called after the block it is
    complete (everything the pages and their workers asked for is in the NetLog).

    Starting Chromium costs 1.5-3 CPU s, so a test gets one of its worker's running Chromiums
    (_POOL), in a browser context of its own: its own cookies, storage, cache and permissions, in a
    new window (no emulation or page left by another test), its logs read from the borrowing on.
    Flags of its own, another page-load strategy or the whole browser (not the headless shell,
    find_chromium) start a Chromium for the test alone.
    """
    extra_args = tuple(extra_args)
    if extra_args or page_load != "normal" or whole_browser:
        with tempfile.TemporaryDirectory(prefix="chromium-") as tmp:
            driver = _start(tmp, width, height, extra_args, page_load, whole_browser=whole_browser)
            try:
                yield _as_asked(driver, width, height)
            finally:
                _stop(driver)
        return
    with _POOL.borrow(width, height) as driver:
        yield _as_asked(driver, width, height)


class _Detached:
    """A process started away from this one: its starter (sh) exits at once, so it is no child of
    the test worker, whose tests check that the pipeline leaves no child process behind. Its
    end is awaited through a pidfd (Linux), as Popen's for a child. The part of Popen that
    selenium's Service uses."""

    stdin = stdout = stderr = None

    def __init__(self, argv: list[str], env: dict | None) -> None:
        started = subprocess.run(["sh", "-c", '"$@" </dev/null >/dev/null 2>&1 & echo $!', "sh", *argv], env=env,
                                 capture_output=True, text=True, check=True)
        self.pid = int(started.stdout)
        self.pidfd = os.pidfd_open(self.pid)
        self.returncode = None

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.pidfd], [], [], 0)[0]:
            self.returncode = 0  # ended (its status goes to the process that adopted it)
            os.close(self.pidfd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not select.select([self.pidfd], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(f"process {self.pid}", timeout)
        return self.poll()

    def terminate(self) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self.pidfd, signal.SIGTERM)

    def kill(self) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)


class _DetachedService(Service):
    """chromedriver for a pooled Chromium, started as _Detached: a pooled Chromium outlives the
    test that started it, and must not be taken for a process the pipeline left behind."""

    def _start_process(self, path: str) -> None:
        self.process = _Detached([path, *self.command_line_args()], self.env)


def _start(tmp: str, width: int, height: int, extra_args: Iterable[str], page_load: str,
           service: type[Service] = Service, whole_browser: bool = False) -> webdriver.Chrome:
    browser, driver_path = find_chromium(whole_browser)
    netlog = os.path.join(tmp, "netlog.json")
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
        # No --user-data-dir: the profile is chromedriver's own, a folder in TMPDIR it removes at quit
        # (given a profile, the headless shell opens no first page for chromedriver to find).
        f"--window-size={width},{height}",
        f"--log-net-log={netlog}",
        "--net-log-capture-mode=Default",
        *extra_args,
    ):
        options.add_argument(arg)
    if not whole_browser:
        # The browser hints glyphs as fontconfig says (slight, on Debian); the shell hints them fully
        # unless told, which changes their widths and so where lines break. Told, it draws the pages
        # pixel for pixel as the browser does (test_screenshots).
        options.add_argument("--font-render-hinting=slight")
    # Performance log = DevTools Network events of the page, read by requested_urls().
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=service(executable_path=driver_path), options=options)
    driver._netlog = _NetLog(netlog)
    driver._page_urls = []
    driver._requests = {}
    driver._quit = False
    try:
        driver.get_log("performance")  # drop the start-up tab's chrome:// requests
        driver.set_page_load_timeout(60)
    except BaseException:
        driver.quit()
        raise
    return driver


def _stop(driver: webdriver.Chrome) -> None:
    """Quit, keeping the page's log (it cannot be read after quit); the NetLog is complete once
    Chromium has exited."""
    try:
        requested_urls(driver)
    finally:
        driver.quit()
        driver._quit = True
        driver._netlog.read()


class _Pooled:
    """One running Chromium lent to one test at a time, each in a browser context of its own.

    Browser contexts are made through Chromium's browser-wide DevTools connection (chromedriver
    sends CDP commands to the page only, where `Target.createBrowserContext` is not allowed).
    Its home window stays open, on a page of a small server of its own: the flush (see flush())."""

    def __init__(self) -> None:
        self.stack = contextlib.ExitStack()
        try:
            tmp = self.stack.enter_context(tempfile.TemporaryDirectory(prefix="chromium-"))
            home = pathlib.Path(tmp, "home")
            home.mkdir()
            (home / "index.html").write_text("<!doctype html><title>home</title>", encoding="utf-8")
            self.home_url = self.stack.enter_context(served(home))
            self.driver = _start(tmp, 1280, 900, (), "normal", _DetachedService)
            self.stack.callback(_stop, self.driver)
            self.driver.get(self.home_url)
            self.home = self.driver.current_window_handle
            self.netlog = self.driver._netlog
            address = self.driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
            with urllib.request.urlopen(f"http://{address}/json/version") as answer:
                url = json.load(answer)["webSocketDebuggerUrl"]
            self.devtools = websocket.create_connection(url, suppress_origin=True, timeout=60)
            self.stack.callback(self.devtools.close)
            self.calls = itertools.count(1)
            self.flushes = itertools.count(1)
        except BaseException:
            self.stack.close()
            raise

    def cdp(self, method: str, **params) -> dict:
        """A command to the browser (not a page) over DevTools, and its result."""
        call = next(self.calls)
        self.devtools.send(json.dumps({"id": call, "method": method, "params": params}))
        while True:
            message = json.loads(self.devtools.recv())
            if message.get("id") == call:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def open(self, width: int, height: int) -> str:
        """A new browser context with one window of width x height as `--window-size` makes it,
        the driver switched to it and its logs emptied: the context's id."""
        driver = self.driver
        context = self.cdp("Target.createBrowserContext")["browserContextId"]
        target = self.cdp("Target.createTarget", url="about:blank", browserContextId=context, newWindow=True,
                          width=max(width, SMALLEST_WINDOW), height=height)["targetId"]
        driver.switch_to.window(target)
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(30)  # WebDriver's defaults, which a test may have changed
        driver.implicitly_wait(0)
        driver.get_log("performance")
        driver.get_log("browser")
        driver._netlog = _NetLog(self.netlog.path, after=self.netlog, ignore=self.home_url)
        driver._page_urls, driver._requests, driver._quit = [], {}, False
        return context

    def close(self, context: str) -> None:
        """The test's context closed, its logs kept and complete: its page log read, and the NetLog
        flushed past everything its pages and workers asked for."""
        driver = self.driver
        try:
            requested_urls(driver)
        finally:
            self.cdp("Target.disposeBrowserContext", browserContextId=context)
            driver.switch_to.window(self.home)
            driver._quit = True  # the page log is kept; the NetLog is read on
            self.flush()
            driver._netlog.read()

    def flush(self) -> None:
        """Chromium writes its NetLog in batches, so the last requests may not be in the file yet
        (a Chromium that quits writes them all). The home page asks its server for one address
        after another until one is in the file: everything asked for before it is then written
        (Chromium writes its events in order)."""
        for _ in range(500):
            mark = f"flush-{next(self.flushes)}-"
            self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "fetch(arguments[0]).then(r => r.text()).then(done, done);", self.home_url + mark)
            if self.netlog.passed(mark.encode()):
                return
        raise RuntimeError("Chromium never wrote its NetLog")

    def stop(self) -> None:
        self.stack.close()


class _Pool:
    """This worker's running Chromiums: a test borrows an idle one or starts another, and gives it
    back at the end (a second one runs while a module's shared browser is lent out)."""

    def __init__(self) -> None:
        self.idle: list[_Pooled] = []
        atexit.register(self.stop)

    @contextlib.contextmanager
    def borrow(self, width: int, height: int) -> Iterator[webdriver.Chrome]:
        browser = self.idle.pop() if self.idle else _Pooled()
        try:
            context = browser.open(width, height)
        except BaseException:
            browser.stop()
            raise
        try:
            yield browser.driver
        finally:
            try:
                browser.close(context)
            except BaseException:
                browser.stop()  # a Chromium in an unknown state is not lent again
                raise
            self.idle.append(browser)

    def stop(self) -> None:
        while self.idle:
            self.idle.pop().stop()


_POOL = _Pool()


def stop_pool() -> None:
    """Quit the idle pooled Chromiums (at the end of the run; they start again if asked for)."""
    _POOL.stop()


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


# WebDriverWait looks again every 0.5 s by default: a condition that came true just after its first
# look cost the test half a second of nothing (13 s a run, measured 2026-12-07). A look is one
# command to the page, a few milliseconds.
POLL = 0.05


def waiting(driver: webdriver.Chrome, seconds: float, poll: float = POLL, **options) -> WebDriverWait:
    """WebDriverWait(driver, seconds, **options), looking every `poll` seconds."""
    return WebDriverWait(driver, seconds, poll_frequency=poll, **options)


def search_box(driver: webdriver.Chrome):
    """The search box on the page loaded, opened (narrow screens hide it behind a header
    button) and focused, ready for send_keys."""
    from selenium.common.exceptions import ElementClickInterceptedException
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    button = driver.find_element(By.CSS_SELECTOR, "label[for='__search']")
    # Material shows the box (wide screens) or the header's button once its bundle, which comes
    # after the page's first frame (overrides/main.html), has taken the page's "no-js" class away.
    waiting(driver, 10).until(lambda d: box.is_displayed() or button.is_displayed())
    if not box.is_displayed():
        button.click()
    # On a phone the box slides in over the header: the click lands once nothing covers it.
    waiting(driver, 5, ignored_exceptions=(ElementClickInterceptedException,)).until(
        lambda d: box.click() is None)
    return box


def paste_query(driver: webdriver.Chrome, query: str) -> None:
    """query put into the search box whole, with one input event, as a paste gives it (typed key
    by key, each prefix is searched in turn)."""
    driver.execute_script("const box = document.querySelector('input.md-search__input'); box.value = arguments[0];"
                          "box.dispatchEvent(new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'}));",
                          query)


def search_loaded(driver: webdriver.Chrome) -> None:
    """Open search on the page loaded and wait until search.js, which dossier.js loads only
    then, has run (its rules are then window.dossierSearch.rules)."""
    search_box(driver)
    waiting(driver, 10).until(lambda d: d.execute_script(
        "return !!(window.dossierSearch && window.dossierSearch.rules)"), "search.js never ran")


def material_mounted(driver: webdriver.Chrome, seconds: float = 10) -> None:
    """Wait until Material's bundle, which a page fetches once its first contentful paint is on
    the screen (overrides/main.html), has mounted the page, and two frames have been laid out
    since (Material measures some elements once mounted). A page that is not Material's has
    nothing to wait for."""
    driver.set_script_timeout(seconds)
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (!document.querySelector('[data-md-component]')) return done();"
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
    finally:  # back to the window's own size, or the phone the session emulates
        if getattr(driver, "_metrics", None):
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", driver._metrics)
        else:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    out = pathlib.Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(data))
    return out


def pixels(path: os.PathLike | str) -> tuple[bytes, tuple[int, int]]:
    """A screenshot's pixels (RGB) and size: two pictures drawn the same compare equal."""
    from PIL import Image

    with Image.open(path) as image:
        return image.convert("RGB").tobytes(), image.size
