"""The site's fonts are cut to what its pages show (issue 26), and draw it exactly as before.

A copy of the repository gets an article holding letters no shipped article uses (ڤ گ ی, the
Eastern Arabic-Indic digits ۱۲۳ and the ligature ﷲ) and is built and bundled with the real
commands. Then, with fontTools and HarfBuzz on the built fonts and headless Chromium on the
built pages:
- every character any page shows is in the cmap of the subset face the browser picks for it
  (by the weight, and the unicode-range if any, of assets/stylesheets/fonts.css), in both weights;
- HarfBuzz shapes the article's text into the same glyphs (same outlines), at the same
  advances and offsets, with the subset as with the shipped font;
- the article at 390 px, served (light) and opened from the offline bundle (dark), is the
  same picture, pixel for pixel, with the subset fonts as with the shipped ones, and as with
  fontsource's six files the two shipped ones were merged from (tools/fonts/merge.py), with
  their fonts.css (and another picture with no web font at all: the comparison can fail);
- a second build reuses the subsets it made (same files in .build/fonts/) and writes the same bytes,
  and a build where uharfbuzz cannot be imported writes the same bytes too;
- the two shipped files are what tools/fonts/merge.py makes of the six, byte for byte.
Screenshots go to $SCREENSHOTS (or a temporary folder) to be looked at.
"""
from __future__ import annotations

import functools
import hashlib
import io
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser import chromium, pixels, screenshot, served
from conftest import REPO, TEXT, add_article, copy_built, run

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build and bundle with rare letters
# are made once, not once per worker.
pytestmark = pytest.mark.xdist_group("fonts")

ORIGINALS = REPO / "docs" / "assets" / "fonts"
FONTSOURCE = REPO / "tools" / "fonts" / "fontsource"  # the six files (and fonts.css) merged into the two
NEW_LETTERS = "ڤ گ ی ۱۲۳ ﷲ"
ARTICLE = "rare-letters"
ARTICLE_TEXT = TEXT + "وصل ڤيكتور إلى گرميان یوم ۱۲۳ وقال: الحمد ﷲ.\n"


class _Shown(HTMLParser):
    """The text a reader sees on a page: text outside <script>, <style> and <template>, and the
    placeholders of inputs."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        for name, value in attrs:
            if name == "placeholder" and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def shown_text(html: str) -> list[str]:
    parser = _Shown()
    parser.feed(html)
    return parser.parts


@pytest.fixture(scope="module")
def built(built_copy, tmp_path_factory) -> Path:
    """A copy of the shared build with the article of rare letters, built and bundled."""
    repo = built_copy(tmp_path_factory.mktemp("fonts"))
    add_article(repo, ARTICLE, ARTICLE_TEXT)
    for command in ("build", "bundle"):
        result = run(repo, command)
        assert result.returncode == 0, result.stdout + result.stderr
    return repo


def faces(site: Path) -> list[tuple[str, str, list[range]]]:
    """(file, weight, ranges of its unicode-range, or one of every code point) of every @font-face of
    fonts.css: ranges, not sets, as a face without unicode-range covers 1.1 million code points."""
    css = (site / "assets/stylesheets/fonts.css").read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"@font-face\s*{([^}]*)}", css):
        weight = re.search(r"font-weight:\s*(\d+)", block).group(1)
        file = re.search(r"url\(\.\./fonts/([^)]+)\)", block).group(1)
        ranges = re.search(r"unicode-range:\s*([^;]+);", block)
        points = []
        for part in (ranges.group(1) if ranges else "U+0-10FFFF").split(","):
            start, _, end = part.strip()[2:].partition("-")
            points.append(range(int(start, 16), int(end or start, 16) + 1))
        found.append((file, weight, points))
    return found


def cmap(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(path).getBestCmap())


def test_every_character_shown_is_in_the_subset_font(built):
    site = built / "site"
    pages = sorted(site.rglob("*.html"))
    shown: dict[str, str] = {}  # character -> a page that shows it
    for path in pages:
        for part in shown_text(path.read_text(encoding="utf-8")):
            for character in part:
                if character not in "\n\r\t" and character not in shown:
                    shown[character] = path.relative_to(site).as_posix()
    article = "".join(shown_text((site / "articles" / ARTICLE / "index.html").read_text(encoding="utf-8")))
    assert all(letter in article for letter in NEW_LETTERS.split())
    declared = faces(site)  # read once: every character is looked up in the same faces
    tables = {file: cmap(site / "assets/fonts" / file) for file, _, _ in declared}
    shipped = {file: cmap(ORIGINALS / file) for file in tables}
    missing = []
    for weight in ("400", "700"):
        for character, page in sorted(shown.items()):
            point = ord(character)
            candidates = [file for file, w, ranges in declared if w == weight and any(point in r for r in ranges)]
            # a letter, mark, digit, punctuation or space must be drawn by the site's font; a symbol
            # the shipped font never had (the arrows ← →) is drawn by the reader's, as it always was
            needed = unicodedata.category(character)[0] in "LMNPZ" or any(point in shipped[f] for f in candidates)
            if needed and not any(point in tables[file] for file in candidates):
                missing.append(f"U+{point:04X} {character!r} (weight {weight}, shown on {page})")
    assert not missing, "\n".join(missing)
    # and the subsets are subsets: every built font file is smaller than the one it was cut from
    for file in tables:
        assert (site / "assets/fonts" / file).stat().st_size < (ORIGINALS / file).stat().st_size, file
    assert len(tables) == 2  # one file per weight
    assert (ORIGINALS / "noto-naskh-arabic-400-normal.woff2").stat().st_size > 3 * (
        site / "assets/fonts/noto-naskh-arabic-400-normal.woff2").stat().st_size


def _outline(font, glyph_id: int) -> str:
    """A digest of a glyph's drawing (points, contours, flags, advance), whatever its id."""
    name = font.getGlyphName(glyph_id)
    glyf = font["glyf"]
    coordinates, ends, flags = glyf[name].getCoordinates(glyf)
    return hashlib.sha256(repr((list(coordinates), list(ends), bytes(flags), font["hmtx"][name])).encode()).hexdigest()


@functools.lru_cache(maxsize=None)
def _font(data: bytes):
    """A font file's bytes read once (decompressing a WOFF2 is most of what shaping a line costs):
    fontTools' font, and HarfBuzz's of the plain font."""
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    font.flavor = None  # HarfBuzz reads the plain font: the WOFF2 decompressed
    plain = io.BytesIO()
    font.save(plain)
    return font, hb.Font(hb.Face(plain.getvalue()))


def _shaped(path: Path, text: str) -> list[tuple]:
    """HarfBuzz's glyphs for text in a font: (drawing, cluster, advances, offsets) of each."""
    import uharfbuzz as hb

    font, hb_font = _font(path.read_bytes())
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb_font, buffer)
    return [(_outline(font, info.codepoint), info.cluster, pos.x_advance, pos.y_advance, pos.x_offset, pos.y_offset)
            for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions)]


@pytest.mark.parametrize("weight", ["400", "700"])
def test_harfbuzz_shapes_the_article_the_same(built, weight):
    site = built / "site"
    file = f"noto-naskh-arabic-{weight}-normal.woff2"
    html = (site / "articles" / ARTICLE / "index.html").read_text(encoding="utf-8")
    lines = [part.strip() for part in shown_text(html) if re.search("[\u0600-\u06ff\ufdf2]", part)]
    assert any("ﷲ" in line for line in lines) and any("ڤ" in line for line in lines)
    for line in lines:
        before, after = _shaped(ORIGINALS / file, line), _shaped(site / "assets/fonts" / file, line)
        assert after == before, line


def _with_fonts(site: Path, destination: Path, fonts: Path | None) -> Path:
    """A copy of a built site with the fonts it was built with (fonts None), the shipped files
    (fonts ORIGINALS), fontsource's six files with their own fonts.css (fonts FONTSOURCE: the
    site's fonts before they were merged) or none at all (fonts a folder without them), whose
    faces block the first paint until they are loaded: font-display: optional may paint with the
    reader's own font on a busy machine or from disk, and the pictures must be drawn with the
    font they compare."""
    shutil.copytree(site, destination)
    css = destination / "assets/stylesheets/fonts.css"
    if fonts == FONTSOURCE:
        shutil.copy(FONTSOURCE / "fonts.css", css)
    text = css.read_text(encoding="utf-8")
    assert text.count("font-display: optional;") == text.count("@font-face") == (6 if fonts == FONTSOURCE else 2)
    css.write_text(text.replace("font-display: optional;", "font-display: block;"), encoding="utf-8")
    if fonts is not None:
        for file in ORIGINALS.glob("*.woff2"):
            (destination / "assets/fonts" / file.name).unlink()
        for file in fonts.glob("*.woff2"):
            shutil.copy(file, destination / "assets/fonts" / file.name)
    return destination


def _shoot(driver, url: str, path: Path, scheme: str) -> tuple[Path, list[str]]:
    """A 390 px screenshot of url in the colour scheme, and the web fonts the page drew with."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    shot = screenshot(driver, url, path, width=390, height=900)
    used = driver.execute_script(
        "return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight)")
    assert scheme != "dark" or driver.execute_script("return document.body.dataset.mdColorScheme") == "slate"
    return shot, used


@pytest.fixture(scope="module")
def variants(built, tmp_path_factory) -> dict[str, Path]:
    """The served site and the unzipped offline bundle, each with the subset fonts, the shipped
    fonts, fontsource's six files, and no web font."""
    work = tmp_path_factory.mktemp("variants")
    bundle = work / "bundle"
    with zipfile.ZipFile(next((built / "dist").glob("*.zip"))) as archive:
        archive.extractall(bundle)
    offline = bundle / "iraqi-security-dossier"
    out = {}
    for name, root in (("served", built / "site"), ("offline", offline)):
        out[f"{name}-subset"] = _with_fonts(root, work / f"{name}-subset", None)
        out[f"{name}-shipped"] = _with_fonts(root, work / f"{name}-shipped", ORIGINALS)
        out[f"{name}-fontsource"] = _with_fonts(root, work / f"{name}-fontsource", FONTSOURCE)
        out[f"{name}-none"] = _with_fonts(root, work / f"{name}-none", work)
    return out


# Each site (its own subset: the bundle's pages show other characters) in one scheme, each scheme
# once: the scheme changes the colours the glyphs are drawn in, not which glyphs the fonts hold.
@pytest.mark.parametrize("where, scheme", [("served", "light"), ("offline", "dark")])
def test_the_article_looks_the_same_with_the_subset(variants, where, scheme, shots):
    shots = shots / "fonts"
    pictures, fonts_used = {}, {}
    with chromium(width=390, height=900) as driver:
        for fonts in ("shipped", "subset", "fontsource", "none"):
            root = variants[f"{where}-{fonts}"]
            if where == "served":
                with served(root) as base:
                    shot, used = _shoot(driver, base + f"articles/{ARTICLE}/", shots / f"{where}-{scheme}-{fonts}.png", scheme)
            else:
                shot, used = _shoot(driver, (root / "articles" / f"{ARTICLE}.html").as_uri(),
                                    shots / f"{where}-{scheme}-{fonts}.png", scheme)
            pictures[fonts], fonts_used[fonts] = pixels(shot), used
    assert any("Noto Naskh Arabic" in face for face in fonts_used["subset"]), fonts_used
    assert fonts_used["subset"] == fonts_used["shipped"]
    assert pictures["subset"] == pictures["shipped"], f"the subset draws the article differently: see {shots}"
    # one file per weight draws it as fontsource's Arabic, Latin and Latin Extended files did
    assert any("Noto Naskh Arabic" in face for face in fonts_used["fontsource"]), fonts_used
    assert pictures["fontsource"] == pictures["shipped"], f"the merged fonts draw the article differently: see {shots}"
    assert pictures["none"] != pictures["shipped"]  # the pictures do show the font


def test_a_second_build_reuses_the_subsets_and_writes_the_same_bytes(built):
    cache = built / ".build" / "fonts"
    before = {p.name: p.stat().st_ino for p in cache.glob("*.woff2")}
    fonts_before = {p.name: p.read_bytes() for p in (built / "site/assets/fonts").glob("*.woff2")}
    assert len(fonts_before) == 2 and len(before) >= 2
    result = run(built, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    # the same files (a subset made again would be a new file: it is written beside and renamed)
    assert {p.name: p.stat().st_ino for p in cache.glob("*.woff2")} == before
    assert {p.name: p.read_bytes() for p in (built / "site/assets/fonts").glob("*.woff2")} == fonts_before


def test_the_subsets_do_not_depend_on_whether_uharfbuzz_is_installed(built, tmp_path):
    """The tests install uharfbuzz, and fontTools would serialize the layout tables with its
    repacker when it can import it: a site built without it (requirements.txt alone, as a reader
    of the README builds it) had other font bytes. Built again with uharfbuzz not importable and
    no subset kept: the same fonts, byte for byte."""
    repo = tmp_path / "repo"
    copy_built(built, repo)
    shutil.rmtree(repo / ".build" / "fonts")
    blocked = ("import runpy, sys; sys.modules['uharfbuzz'] = None; sys.argv = ['build.py', 'build']; "
               "runpy.run_path('build.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", blocked], cwd=repo, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    fonts = lambda root: {p.name: p.read_bytes() for p in (root / "site/assets/fonts").glob("*.woff2")}  # noqa: E731
    assert len(fonts(repo)) == 2 and fonts(repo) == fonts(built)


def test_a_new_character_is_subset_from_the_plain_fonts_kept(built, tmp_path):
    """A build whose pages bring a character no kept subset holds makes new subsets from the plain
    TrueType fonts an earlier build kept (rebuilding a WOFF2 file's glyphs is most of a subset's
    cost), and the character is in them."""
    from fontTools.ttLib import TTFont

    repo = tmp_path / "repo"
    copy_built(built, repo)
    cache = repo / ".build" / "fonts"
    plain = {p.name: p.stat().st_ino for p in cache.glob("*-plain-*.ttf")}
    assert len(plain) == 2, sorted(p.name for p in cache.iterdir())
    subsets = {p.name for p in cache.glob("*.woff2")}
    add_article(repo, "new-letter", TEXT + "زار ڨالمة.\n")  # ڨ (U+06A8): no page shows it yet
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert len({p.name for p in cache.glob("*.woff2")} - subsets) == 2  # made anew, one per weight
    assert {p.name: p.stat().st_ino for p in cache.glob("*-plain-*.ttf")} == plain  # from the kept fonts
    for font in (repo / "site/assets/fonts").glob("*.woff2"):
        assert 0x06A8 in TTFont(font).getBestCmap(), font.name


def test_a_broken_font_fails_the_build_by_its_name_and_changes_nothing(built, tmp_path):
    from conftest import snapshot

    repo = tmp_path / "repo"
    copy_built(built, repo)
    (repo / "docs/assets/fonts/noto-naskh-arabic-700-normal.woff2").write_bytes(b"wOF2 not a font")
    before = snapshot(repo)
    result = run(repo, "build")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in output, output
    assert "docs/assets/fonts/noto-naskh-arabic-700-normal.woff2: not a font fontTools can" in output, output
    assert snapshot(repo) == before


@pytest.mark.parametrize("weight", ["400", "700"])
def test_the_shipped_fonts_are_fontsources_merged(weight):
    """docs/assets/fonts/ holds what tools/fonts/merge.py makes of the six files, byte for byte."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("merge", REPO / "tools" / "fonts" / "merge.py")
    merge = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(merge)
    made = io.BytesIO()
    merge.merged(weight).save(made)
    assert made.getvalue() == (ORIGINALS / f"noto-naskh-arabic-{weight}-normal.woff2").read_bytes()
