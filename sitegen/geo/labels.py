"""Map labels: measured with the site's Arabic font, placed greedily so that none overlaps.

The SVG is scaled to fit the page's column, so a label takes the most room, relative to the
map, at the narrowest width: a phone's 390 CSS px, where the column is MIN_WIDTH px wide.
Label sizes are chosen for that width (in SVG units: a label of LABEL_SIZE units shows at
about 13.7 px there) and boxes are compared in SVG units, so a layout without overlaps at
the phone's width has none at any width (the stylesheet may only make labels smaller on
wide screens, and every label shrinks towards its point).

Widths are measured with Pillow in Noto Naskh Arabic, the font the page itself uses
(docs/assets/fonts/), on text shaped by arabic-reshaper (as the link-preview cards are), so
that the measure is the same on every machine whatever libraries Pillow was built with.
A label's box spans from 0.95 em above its baseline (hamza over alef) to 0.35 em below it
(the tails of ي and ق), plus PADDING all round.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import arabic_reshaper
from bidi.algorithm import get_display
from PIL import ImageFont

from .. import characters

FONT = Path(__file__).resolve().parent.parent.parent / "docs" / "assets" / "fonts" / "noto-naskh-arabic-400-normal.woff2"
MIN_WIDTH = 358  # CSS px: the content column of Material at a 390 px wide viewport (a test measures it)
ASCENT, DESCENT = 0.95, 0.35  # of the font size, around the baseline
PADDING = 1.5  # SVG units around every label box
GAP = 2.0  # SVG units between a point's circle and its label
_MEASURE_SIZE = 200  # measured large and scaled, so the result does not depend on hinting at small sizes
_FORBIDDEN = re.compile(f"[\\n\\r]|{characters.IN_VALUE.pattern}")  # what values.inert never writes as is
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Box") -> bool:
        return self.left < other.right and other.left < self.right and self.top < other.bottom and other.top < self.bottom

    def within(self, other: "Box") -> bool:
        return other.left <= self.left and self.right <= other.right and other.top <= self.top and self.bottom <= other.bottom


@lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), _MEASURE_SIZE, layout_engine=ImageFont.Layout.BASIC)


@lru_cache(maxsize=4096)
def text_width(text: str, size: float) -> float:
    """The advance width of text at size (SVG units), shaped, in visual order: of the text as the
    page shows it, where a character check refuses (should one reach here) is U+FFFD."""
    shown = _FORBIDDEN.sub("\ufffd", text)
    shaped = get_display(_RESHAPER.reshape(shown))
    return round(_font().getlength(shaped) * size / _MEASURE_SIZE, 2)


@dataclass(frozen=True)
class Label:
    """A label as the SVG writes it: `<text x y text-anchor>` in a right-to-left text run, where
    `start` is the right end of the text and `end` its left end."""

    text: str
    x: float
    y: float  # the baseline
    anchor: str  # start | middle | end
    size: float
    box: Box
    position: str  # left | right | above | below | … (relative to the point), or "fixed"


def label_box(text: str, x: float, y: float, anchor: str, size: float) -> Box:
    width = text_width(text, size)
    left = {"start": x - width, "end": x, "middle": x - width / 2}[anchor]
    return Box(left - PADDING, y - ASCENT * size - PADDING, left + width + PADDING, y + DESCENT * size + PADDING)


def fixed_label(text: str, x: float, y: float, size: float) -> Label:
    """A label centred on (x, y) (a country's name): placed first, never moved."""
    baseline = y + (ASCENT - DESCENT) / 2 * size
    return Label(text, x, baseline, "middle", size, label_box(text, x, baseline, "middle", size), "fixed")


# Where a label may go around its point, in order of preference: in a right-to-left script the
# eye meets the point and then the name written to its left.
POSITIONS = ("left", "right", "above", "below", "above-left", "above-right", "below-left", "below-right")


def candidate(text: str, x: float, y: float, radius: float, size: float, position: str) -> Label:
    offset = radius + GAP
    middle = y + (ASCENT - DESCENT) / 2 * size  # baseline that centres the box on the point
    diagonal = offset  # the box's corner clear of the point's square
    geometry = {
        "left": (x - offset, middle, "start"),
        "right": (x + offset, middle, "end"),
        "above": (x, y - offset - DESCENT * size, "middle"),
        "below": (x, y + offset + ASCENT * size, "middle"),
        "above-left": (x - diagonal, y - diagonal - DESCENT * size, "start"),
        "above-right": (x + diagonal, y - diagonal - DESCENT * size, "end"),
        "below-left": (x - diagonal, y + diagonal + ASCENT * size, "start"),
        "below-right": (x + diagonal, y + diagonal + ASCENT * size, "end"),
    }
    lx, ly, anchor = geometry[position]
    lx, ly = round(lx, 1), round(ly, 1)
    return Label(text, lx, ly, anchor, size, label_box(text, lx, ly, anchor, size), position)


@dataclass(frozen=True)
class Spot:
    """A point to label: its key, its position in SVG units, its label text."""

    key: str
    x: float
    y: float
    text: str


def place(spots: list[Spot], bounds: Box, size: float, radius: float, fixed: tuple[Label, ...] = ()) -> dict[str, Label | None]:
    """A label for each spot, in the spots' order (most important first): the first position
    whose box stays inside bounds and clear of every label placed, every fixed label and every
    point; None when no position fits (the point is then named by its title only)."""
    points = [Box(s.x - radius, s.y - radius, s.x + radius, s.y + radius) for s in spots]
    taken = [label.box for label in fixed]
    placed: dict[str, Label | None] = {}
    for spot in spots:
        placed[spot.key] = None
        for position in POSITIONS:
            label = candidate(spot.text, spot.x, spot.y, radius, size, position)
            if (label.box.within(bounds) and not any(label.box.overlaps(box) for box in taken)
                    and not any(label.box.overlaps(point) for point in points)):
                placed[spot.key] = label
                taken.append(label.box)
                break
    return placed
