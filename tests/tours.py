"""One visit of every page of the shared site, recorded for every test that checks every page.

A page load costs Chromium about 0.3 CPU s, whatever the page, and two tests toured the ~86
pages of the shared build each: test_reading (no console error, no failed request, nothing
asked of another host) on a 390 px phone, test_front_door (no Latin run outside a
left-to-right element) at 1280 px. The Latin check reads the DOM's text and the `dir` of its
ancestors, which no script of the site (the dossier's or Material's) changes with the width:
every Latin text node of every page, isolated or not, was the same at 390 and 1280 px (and on a
page laid out at 390 then widened to 1280), so both read one visit on the phone. test_reading's
type sizes on the reader pages are measured on the same phone (390x844, mobile), so in the same
visit. Each test asserts on the record, with its own message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from browser import chromium, failed_responses, outside_requests

# The pages a reader reads (the contributors' guide aside), as addresses under the site's.
READER_PAGES = ["", "articles/", "articles/kadhimi-election-security-campaign/", "articles/joint-plan-against-isis-remnants/",
                "themes/isis-remnants/", "timeline/", "entities/", "entities/mustafa-al-kadhimi/", "entities/baghdad/",
                "outlets/", "outlets/unknown/", "map/", "corrections/", "404.html", "about/", "open-data/"]
# Text under 15px inside arguments[0], skipping what is inside arguments[1] and what is not shown;
# SVG text measured on screen, after the SVG's scaling.
SMALL_TEXT = """
    const found = [];
    const walker = document.createTreeWalker(document.querySelector(arguments[0]), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const element = node.parentElement;
        if (!text || !element || element.closest(arguments[1])) continue;
        if (element.closest('svg') && !element.closest('text')) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
        const size = element.closest('svg text')
            ? element.closest('svg text').getBoundingClientRect().height / 1.2
            : parseFloat(getComputedStyle(element).fontSize);
        if (size < 14.95) found.push(`${size.toFixed(1)}px "${text.slice(0, 30)}" <${element.tagName.toLowerCase()} class="${element.className}">`);
    }
    return found.slice(0, 5);"""

# Every text node of the page holding a Latin letter outside an element marked left to right.
LATIN_OUTSIDE_LTR = r"""
const found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (!parent || parent.closest('script, style, noscript, template, svg, [dir=ltr], bdi')) continue;
  const latin = node.data.match(/[A-Za-z][^\u0600-\u06FF<]*/g);
  if (latin) found.push(parent.tagName.toLowerCase() + ': ' + latin.join(' | ').trim());
}
return found;
"""


@dataclass
class Tour:
    """What a reader's browser met on each page (site-relative paths, as the files are named)."""
    pages: list[str]
    console: dict[str, list[str]] = field(default_factory=dict)  # SEVERE messages of each page
    latin: dict[str, list[str]] = field(default_factory=dict)  # Latin runs outside dir="ltr"
    small_text: dict[str, list[str]] = field(default_factory=dict)  # text under 15 px, of READER_PAGES
    failed: list[tuple[str, int]] = field(default_factory=list)  # responses of status 400 or more
    outside: list[str] = field(default_factory=list)  # addresses asked of any other host


def tour(site: Path, address: str) -> Tour:
    """Every HTML page of site, served at address, opened once on a 390x844 phone."""
    record = Tour(sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")))
    reader = {path + "index.html" if path.endswith("/") or not path else path: path for path in READER_PAGES}
    with chromium(width=390, height=844) as driver:
        for page in record.pages:
            driver.get(address + page)
            record.console[page] = [line["message"] for line in driver.get_log("browser") if line["level"] == "SEVERE"]
            record.latin[page] = driver.execute_script(LATIN_OUTSIDE_LTR)
            if page in reader:
                record.small_text[reader[page]] = driver.execute_script(
                    SMALL_TEXT, "body", "script, style, .md-sidebar, .md-search, [hidden], .dossier-sr-only")
        record.failed = failed_responses(driver)
    record.outside = outside_requests(driver, [address])  # complete once the browser is given back
    return record
