"""Accessibility and quality: axe-core in Chromium on every kind of page, Lighthouse on an article.

axe-core and Lighthouse come from npm (tools/node/package.json, installed by .ci/run with
`npm ci`); Lighthouse drives Debian's chromium.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from browser import chromium, find_chromium, material_mounted, served

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "tools" / "node" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
# One page of every template, the offline bundle's pages aside (the same templates).
PAGES = ["", "articles/", "articles/kadhimi-election-security-campaign/", "themes/election-security/", "timeline/",
         "entities/", "entities/mustafa-al-kadhimi/", "entities/baghdad/", "outlets/", "outlets/unknown/", "map/",
         "corrections/", "404.html", "about/", "open-data/", "contributing/",
         "articles/?theme=election-security"]  # filtered: the count, the results, the options narrowed

# axe-core loaded as a script from a server of its own: Chromium keeps the code it compiled for it
# (V8's code cache, in the HTTP cache of the test's browser context), where a script handed over by
# WebDriver was compiled again on every page (about a tenth of the CPU of the axe runs).
AXE_LOAD = """const done = arguments[arguments.length - 1];
const script = document.createElement('script');
script.src = arguments[0];
script.onload = () => done(true);
script.onerror = () => done(false);
document.head.append(script);"""
AXE_RESULTS = """const done = arguments[arguments.length - 1];
axe.run(document, arguments[0] ? {runOnly: {type: 'rule', values: arguments[0]}} : {}).then(r => done({
    passes: r.passes.map(p => p.id), violations: r.violations.map(
    v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target}))}))}));"""
# The schemes differ in colours only: the same page in the dark scheme has the same elements, but
# for the scheme named on <body> and <meta name="color-scheme"> and which of the header's two
# palette buttons is hidden (every page's DOM compared in both schemes at 390 px, 2026-12-07,
# bench/README). So on the phone the dark scheme is checked
# by the rules that read colours; every rule runs in the light scheme there and in the dark one
# on the desktop (the dark scheme's button among them).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


@pytest.fixture(scope="module")
def node_tools() -> None:
    assert AXE.is_file() and LIGHTHOUSE.is_file(), "run `npm ci --prefix tools/node` (CI does)"


@pytest.mark.parametrize("width, scheme, rules", [(390, "light", None), (390, "dark", COLOUR_RULES), (1280, "dark", None)],
                         ids=["390-light", "390-dark-colours", "1280-dark"])
def test_axe_finds_nothing_above_minor_on_any_page(node_tools, site_address, scheme, width, rules):
    """axe-core on every page template, in the light and the dark scheme, on a phone and a desktop:
    no violation above "minor" (colour contrast, names, landmarks, heading order, focus...)."""
    found, checked = [], []
    with served(AXE.parent) as tools, chromium(width=width, height=900) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        driver.set_script_timeout(60)
        for path in PAGES:
            driver.get(site_address + path)
            assert driver.execute_script("return document.body.getAttribute('data-md-color-scheme')") == \
                ("slate" if scheme == "dark" else "default"), path
            # Material makes scrollable code blocks and tables focusable once it has measured them
            # (a resize observer): axe runs when its page is mounted and two frames have been laid out.
            material_mounted(driver, 60)
            assert driver.execute_async_script(AXE_LOAD, tools + AXE.name), f"{path}: axe-core did not load"
            # Only what is asserted on comes back: the ids of the rules passed, and each violation's
            # id, impact, help and targets (the whole result, ~300 KB a page with every node
            # checked, took 15% more CPU to run and hand over).
            results = driver.execute_async_script(AXE_RESULTS, rules)
            checked.append(set(results["passes"]))
            found += [f"{path or 'home'}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                      for v in results["violations"] if v["impact"] not in ("minor", None)]
    assert not found, "\n".join(found)
    if rules:  # each page's text had its contrast measured (and met it: no violation above)
        assert all("color-contrast" in passed for passed in checked), checked
    else:
        assert sum(map(len, checked)) > 10 * len(PAGES), "axe ran too few checks"


def test_lighthouse_on_an_article(node_tools, site_address, tmp_path):
    browser, _ = find_chromium(whole_browser=True)
    report = tmp_path / "lighthouse.json"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking"
    # The Chromium Lighthouse starts and kills leaves its singleton folder in TMPDIR: a folder of its
    # own, removed after (a short path: the socket in it must fit a Unix socket's 108 bytes)
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as own:
        result = subprocess.run(
            ["node", str(LIGHTHOUSE), site_address + "articles/kadhimi-election-security-campaign/",
             # The performance score, a simulation of a slow phone, is bench/lighthouse.py's to measure
             # (3 of Lighthouse's 15 CPU s here); the layout shift it includes is audited alone.
             "--only-categories=accessibility,best-practices,seo", "--only-audits=cumulative-layout-shift",
             "--output=json",
             f"--output-path={report}", f"--chrome-flags={flags}", "--quiet", "--max-wait-for-load=60000"],
            capture_output=True, text=True, timeout=300, env=dict(os.environ, CHROME_PATH=browser, TMPDIR=own))
    assert result.returncode == 0, result.stderr[-2000:]
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    scores = {name: round(category["score"] * 100) for name, category in categories.items()}
    print("Lighthouse scores:", scores)  # the figures for the resolution note (pytest -s)
    assert scores.keys() == {"accessibility", "best-practices", "seo"}, scores
    failing = {k: v for k, v in scores.items() if v < 95}
    assert not failing, failing
    # Layout stability is behaviour, not a timing: the late font never moves the page
    # (font-display: optional).
    audits = json.loads(report.read_text(encoding="utf-8"))["audits"]
    shift = audits["cumulative-layout-shift"]["numericValue"]
    print("cumulative layout shift:", shift)
    assert shift <= 0.02, shift
