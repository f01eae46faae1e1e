"""The site's fonts cut down to the characters its pages show (issue 26).

docs/assets/fonts/ holds Noto Naskh Arabic as shipped (the source, committed). After MkDocs has
built a site, every character of its pages (the built HTML: text, labels, Material's strings,
the search box's words in the page's configuration) and of its own scripts, plus a fixed set
every Arabic page may need (digits of both kinds, punctuation, the joiners), is collected, and
each font file in the built site is replaced by a subset holding only those of its characters,
with every OpenType layout feature of every script kept (init/medi/fina/isol, rlig, liga, ccmp,
mark, mkmk, locl...), so that the glyphs a page shows are shaped exactly as by the full font. A new
article with a letter outside today's set brings that letter into the next build's subset.

Subsetting costs about a second a file: the subsets are kept in .build/fonts/, named by a
fingerprint of everything they are made from (the font's bytes, the characters of it the site
uses, fontTools' version and the options), so a build whose pages use the same characters
redoes none of them; the fonts as plain TrueType are kept there too, so a build whose pages bring
a new character does not rebuild the WOFF2 files' glyphs again.

The subsets come after MkDocs, when nothing else is left to do, so `build` uses both cores for
them (parallel=True) where there is enough to do: a large site's pages are read for their
characters in two halves at once, and the fonts that need a new subset are cut side by side (one
here, each other in a process of its own); the plain TrueType files are made while MkDocs builds
(`keep_plain`, started with the build), on the core the page writer leaves idle.
"""
from __future__ import annotations

import io
import os
import re
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from ..cache import fingerprint
from ..workers import Worker, WorkerFailed

FONTS_DIR = "assets/fonts"
SCRIPTS_DIR = "assets/javascripts"
KEEP_CACHED = 48  # subsets kept in .build/fonts/: those of the last few builds (site and bundle)
KEEP_PLAIN = 8  # the fonts as plain TrueType (_plain), the last few versions of each
SPLIT_AT = 500  # pages: in a smaller site, a second process to read half of them costs more than it saves

# Always in the subsets, whatever the pages hold today: what a reader may type into search in a
# Latin run, both kinds of Arabic digits and the Western ones, Arabic and Latin punctuation,
# the joiners and direction marks shaping and the templates use, and the tatweel.
ALWAYS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0x660, 0x66E)]        # ٠-٩ ٪ ٫ ٬ ٭
    + [chr(c) for c in range(0x6F0, 0x6FA)]        # ۰-۹
    + list("\u00a0\u060c\u061b\u061f\u0640\u06d4«»–—‘’“”…•·")
    + list("\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069")
)

_ENTITY = re.compile(rb"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_ASCII = bytes(range(128))


def site_characters(site: Path, parallel: bool = False) -> frozenset[str]:
    """Every character of every page of a built site and of its own scripts, entities read;
    parallel: half of the files read by a second process, in a large site."""
    files = sorted(site.rglob("*.html")) + sorted((site / SCRIPTS_DIR).glob("*.js"))
    if not parallel or len(files) < SPLIT_AT:
        return _characters_of(files)
    with Worker(_characters_of, files[1::2]) as other:
        return _characters_of(files[0::2]) | other.result()


def _characters_of(files: list[Path]) -> frozenset[str]:
    found = _Characters(ALWAYS)
    for path in files:
        data = path.read_bytes()
        # ASCII is always in (ALWAYS): only the rest is looked at, and the bytes of a character
        # beyond ASCII are never ASCII, so what remains is still UTF-8
        found.add(data.translate(None, _ASCII).decode("utf-8", errors="replace"))
        found.add("".join(unescape(entity.decode("ascii")) for entity in set(_ENTITY.findall(data))))
    return frozenset(found.known)


class _Characters:
    """The characters of many texts. Pages repeat the same few hundred characters: a regular
    expression of those not yet known finds the next new one in C, rather than a set of every
    character of every page; each time it does, the characters around it are all taken at once,
    so that it is compiled again only a few times in a whole site."""

    WINDOW = 1 << 16

    def __init__(self, known):
        self.known: set[str] = set(known)
        self._unknown = self._compile()

    def _compile(self):
        return re.compile("[^" + "".join(re.escape(c) for c in sorted(self.known)) + "]")

    def add(self, text: str) -> None:
        position = 0
        while (match := self._unknown.search(text, position)) is not None:
            position = match.start()
            self.known.update(text[position:position + self.WINDOW])
            self._unknown = self._compile()


# How the fonts are cut (fontTools.subset.Options), as the subsets' cache key names them: the
# defaults come with fontTools' version, which the key names too, so the key needs no import of
# fontTools.subset (a build whose subsets are kept never imports it).
_SETTINGS = {
    "layout_features": ["*"],   # every feature: Arabic joining forms, ligatures, marks, locl
    "layout_scripts": ["*"],
    "name_IDs": ["*"],          # the licence and names stay in the file
    "name_languages": ["*"],
    "name_legacy": True,
    "notdef_outline": True,
    "hinting": True,            # the same rendering as the shipped file
    "legacy_kern": True,
    "glyph_names": False,
    "recalc_timestamp": False,  # the same input makes the same bytes
    # fontTools' own serializer of the layout tables, not HarfBuzz's repacker that it takes when
    # uharfbuzz can be imported (the tests install it): the same site whatever else is installed
    "harfbuzz_repacker": False,
    "flavor": "woff2",
}


def _options():
    from fontTools import subset

    return subset.Options(**_SETTINGS)


def _subset(original: bytes, characters: str) -> bytes:
    """The font cut to characters and to every glyph their shaping may reach. A glyph kept only as
    a part or a form of another (the hamza below إ is the hamza above, moved) keeps its own code
    point too: FreeType's automatic hinter, which Chromium uses on Linux for an unhinted font like
    this one, sets a glyph by the script its code point belongs to, and a glyph without one is
    drawn a pixel differently."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = _options()
    unicodes = {ord(c) for c in characters}
    while True:
        font = TTFont(io.BytesIO(original), recalcTimestamp=False)
        points_of: dict[str, set[int]] = {}
        for point, name in font.getBestCmap().items():
            points_of.setdefault(name, set()).add(point)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(unicodes))
        subsetter.subset(font)  # glyphs keep their names until saved
        reached = set().union(*(points_of.get(name, set()) for name in font.getGlyphOrder()))
        if reached <= unicodes:
            break
        unicodes |= reached
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def _plain_path(original: bytes, cache_dir: Path, stem: str) -> Path:
    import fontTools

    return cache_dir / f"{stem}-plain-{fingerprint(original, fontTools.version)}.ttf"


def _plain(original: bytes, cache_dir: Path, stem: str) -> bytes:
    """The font as plain TrueType, kept in cache_dir by its bytes: rebuilding a WOFF2 file's glyphs
    is most of a subset's cost (0.3 CPU s a file), and _subset reads the font once per pass; so a
    build whose pages bring a new character rebuilds none."""
    from fontTools.ttLib import TTFont

    kept = _plain_path(original, cache_dir, stem)
    if kept.is_file():
        os.utime(kept)  # recently used: kept by _prune
        return kept.read_bytes()
    font = TTFont(io.BytesIO(original), recalcTimestamp=False)
    if font.flavor is None:
        return original
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    _write(kept, out.getvalue())
    return out.getvalue()


def _covered(original: bytes) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    try:
        return frozenset(chr(c) for c in TTFont(io.BytesIO(original), lazy=True).getBestCmap())
    except Exception as error:  # noqa: BLE001 - fontTools raises many kinds for a broken font
        raise FontProblem(f"not a font fontTools can read ({type(error).__name__}: {error})") from None


class FontProblem(Exception):
    """A file under docs/assets/fonts/ that cannot be subset."""


def keep_plain(fonts_dir: Path, cache_dir: Path) -> Worker[None] | None:
    """Make and keep the plain TrueType of each font under fonts_dir (docs/assets/fonts/) not kept
    yet, in a process of lower priority, while MkDocs builds; subset_fonts then finds them kept.
    None when all are kept. A font it cannot read is left for subset_fonts to report."""
    missing = [path for path in sorted(fonts_dir.glob("*.woff2"))
               if not _plain_path(path.read_bytes(), cache_dir, path.stem).is_file()]

    def make() -> None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for path in missing:
            try:
                _plain(path.read_bytes(), cache_dir, path.stem)
            except Exception:  # noqa: BLE001 - reported, with the file's name, by subset_fonts
                pass
    return Worker(make, nice=5) if missing else None


@dataclass(frozen=True)
class _Cut:
    """One font of the built site and the subset it needs, kept in cache_dir under its key."""
    path: Path
    original: bytes
    used: str
    kept: Path


def subset_fonts(site: Path, cache_dir: Path, characters: frozenset[str] | None = None,
                 parallel: bool = False) -> dict:
    """Replace every .woff2 under the built site's assets/fonts/ by its subset to the characters
    the site shows (or those given); parallel: on both cores where there is enough to do. Returns
    figures: files, bytes before and after, made/reused."""
    started = time.perf_counter()
    characters = site_characters(site, parallel) if characters is None else characters
    cache_dir.mkdir(parents=True, exist_ok=True)
    cuts = [_cut(path, cache_dir, characters) for path in sorted((site / FONTS_DIR).glob("*.woff2"))]
    to_make = [cut for cut in cuts if not cut.kept.is_file()]
    others = [Worker(_make, cut, cache_dir) for cut in to_make[1:]] if parallel else []
    try:
        for cut in to_make[:1] if parallel else to_make:
            _make(cut, cache_dir)
        for worker in others:
            try:
                worker.result()
            except WorkerFailed as failed:  # the child's FontProblem names the file; anything else, say what
                raise failed.error if isinstance(failed.error, FontProblem) else FontProblem(str(failed)) from None
    finally:
        for worker in others:
            worker.cancel()
    after = 0
    for cut in cuts:
        data = cut.kept.read_bytes()
        os.utime(cut.kept)  # recently used: kept by _prune
        _write(cut.path, data)  # a new file: the copy MkDocs made may share its bytes with another
        after += len(data)
    figures = {"files": len(cuts), "before": sum(len(cut.original) for cut in cuts), "after": after,
               "made": len(to_make), "reused": len(cuts) - len(to_make), "characters": len(characters)}
    _prune(cache_dir)
    figures["seconds"] = time.perf_counter() - started
    return figures


def _cut(path: Path, cache_dir: Path, characters: frozenset[str]) -> _Cut:
    import fontTools

    original = path.read_bytes()
    try:
        covered = _covered(original)
    except FontProblem as problem:
        raise FontProblem(f"{FONTS_DIR}/{path.name}: {problem}") from None
    used = "".join(sorted(characters & covered))
    key = fingerprint(original, used, fontTools.version, repr(sorted(_SETTINGS.items())))
    return _Cut(path, original, used, cache_dir / f"{path.stem}-{key}.woff2")


def _make(cut: _Cut, cache_dir: Path) -> None:
    """The subset cut needs, made and kept."""
    try:
        data = _subset(_plain(cut.original, cache_dir, cut.path.stem), cut.used)
    except Exception as error:  # noqa: BLE001 - fontTools raises many kinds for a broken font
        raise FontProblem(f"{FONTS_DIR}/{cut.path.name}: not a font fontTools can subset "
                          f"({type(error).__name__}: {error})") from None
    _write(cut.kept, data)


def _write(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _prune(cache_dir: Path) -> None:
    for pattern, keep in (("*.woff2", KEEP_CACHED), ("*-plain-*.ttf", KEEP_PLAIN)):
        kept = sorted(cache_dir.glob(pattern), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
        for stale in kept[keep:]:
            stale.unlink(missing_ok=True)
