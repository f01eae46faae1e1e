"""What a reader sees, in a real headless Chromium, on a phone and on a desktop.

Screenshots are saved under $SCREENSHOTS (or a temporary folder) to be looked at; the
assertions check what can be measured: right-to-left layout with the navigation on the
right, the shipped Arabic font in use, nothing wider than a phone, nothing overlapping
the title, and no request to another host.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, find_chromium, outside_requests, pixels, screenshot

REPO = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "",
    "theme": "themes/isis-remnants/",
    "article": "articles/kadhimi-alert-after-isis-threat/",
    "timeline": "timeline/",
}


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_as_a_reader_sees_it(site_address, name, width, shots):
    with chromium(width=width, height=900) as driver:
        path = screenshot(driver, site_address + PAGES[name], shots / f"{name}-{width}.png", width=width, height=900)
        assert path.stat().st_size > 10_000
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        state = driver.execute_script("""
            const h1 = document.querySelector('article h1').getBoundingClientRect();
            const header = document.querySelector('.md-header').getBoundingClientRect();
            const content = document.querySelector('.md-content').getBoundingClientRect();
            const nav = document.querySelector('.md-sidebar--primary').getBoundingClientRect();
            return {
              htmlDir: document.documentElement.dir,
              bodyDirection: getComputedStyle(document.body).direction,
              textAlign: getComputedStyle(document.querySelector('article p')).textAlign,
              font: getComputedStyle(document.querySelector('article p')).fontFamily,
              fontLoaded: [...document.fonts].some(f => f.family.includes('Noto Naskh Arabic') && f.status === 'loaded'),
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth: window.innerWidth,
              h1Top: h1.top + window.scrollY, headerBottom: header.bottom,
              h1Right: h1.right, contentRight: content.right,
              navLeft: nav.left, navWidth: nav.width, contentLeft: content.left,
            };
        """)
        assert state["htmlDir"] == "rtl" and state["bodyDirection"] == "rtl"
        assert state["textAlign"] in ("start", "right")
        assert state["font"].startswith('"Noto Naskh Arabic"') and state["fontLoaded"]
        assert state["scrollWidth"] <= state["innerWidth"], "the page is wider than the screen"
        assert state["h1Top"] >= state["headerBottom"], "the title is under the header"
        if width >= 1220:  # Material shows the navigation sidebar from 76.25em
            assert state["navLeft"] >= state["contentLeft"] + 100, "the navigation is not on the right"
        assert outside_requests(driver, [site_address]) == []


# What the tests see is what a reader's browser shows: the tests drive Chromium's headless shell
# (browser.find_chromium), and it draws the pages as the whole browser does, pixel for pixel, on a
# phone and on a desktop: an article (text, Arabic and Latin, numbers) and the map (SVG). One scheme:
# the scheme changes the colours things are drawn in, not where. (Checked once by hand: ten kinds of
# page at both widths in both schemes, 40 pictures, all the same.)
SAME_IN_BOTH = ("articles/kadhimi-election-security-campaign/", "map/")


def _drawn(driver, site_address: str, folder: Path) -> dict:
    pictures = {}
    for width in (390, 1280):
        for page in SAME_IN_BOTH:
            name = f"{page.strip('/').replace('/', '-')}-{width}.png"
            pictures[name] = pixels(screenshot(driver, site_address + page, folder / name, width=width, height=900))
    return pictures


def test_the_headless_shell_draws_the_pages_as_the_browser_does(site_address, shots):
    assert find_chromium()[0] != find_chromium(whole_browser=True)[0]
    with chromium(width=1280, height=900) as driver:
        shell = _drawn(driver, site_address, shots / "shell")
    with chromium(width=1280, height=900, whole_browser=True) as driver:
        browser = _drawn(driver, site_address, shots / "browser")
    assert len(shell) == 4 and shell.keys() == browser.keys()
    different = [name for name in shell if shell[name] != browser[name]]
    assert different == [], f"the headless shell draws {different} differently: see {shots}/shell and /browser"
