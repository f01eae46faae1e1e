#!/usr/bin/env python3
"""The site's two font files, one per weight, merged from the six of @fontsource/noto-naskh-arabic.

    python tools/fonts/merge.py      # writes docs/assets/fonts/noto-naskh-arabic-{400,700}-normal.woff2

Fontsource ships Noto Naskh Arabic 5.3.0 cut by unicode-range into an Arabic, a Latin and a
Latin Extended file per weight (tools/fonts/fontsource/, with the fonts.css that used them). A
page then fetched four fonts (Arabic and Latin, two weights) before its first paint, and the
Latin file holds the space, digits and punctuation of every Arabic line. Merged, a page fetches
two (issue 26). The three files are cut from one font: fontTools' Merger puts their glyphs,
cmaps and layout tables (every GSUB and GPOS lookup, Arabic joining, ligatures, marks, kerning)
side by side, and HarfBuzz shapes every line of the dossier the same with the merged file as
with the file the browser picked before (tests/test_fonts.py draws it: the same pixels). The
build then subsets these two files to the characters the site shows (sitegen/output/fonts.py).
Run again only when the fontsource files change; the same input makes the same bytes.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "fontsource"
TARGET = HERE.parent.parent / "docs" / "assets" / "fonts"
PARTS = ("arabic", "latin", "latin-ext")  # the first file's metrics and names are the merged font's


def merged(weight: str):
    from fontTools.merge import Merger, Options
    from fontTools.ttLib import TTFont

    files = [str(SOURCES / f"noto-naskh-arabic-{part}-{weight}-normal.woff2") for part in PARTS]
    font = Merger(Options(drop_tables=[])).merge(files)
    # the merger dates the font now: the first file's dates instead, so that the same input makes
    # the same bytes
    head = TTFont(files[0])["head"]
    font["head"].created, font["head"].modified = head.created, head.modified
    font.recalcTimestamp = False
    font.flavor = "woff2"
    return font


def main() -> int:
    for weight in ("400", "700"):
        target = TARGET / f"noto-naskh-arabic-{weight}-normal.woff2"
        merged(weight).save(target)
        print(f"{target.relative_to(HERE.parent.parent)}: {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
