"""Link-preview cards: a 1200×630 PNG per page, with the Arabic title laid out right to left.

Pillow's BASIC layout engine draws glyphs in the order given and does not shape, so the text
is shaped by arabic-reshaper and put in visual order by python-bidi first. The result is the
same on every machine, whatever libraries (raqm, fribidi) it has. Never hand reshaped text
to a layout engine that shapes by itself: it would be reversed twice.
"""
from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import time
from pathlib import Path

import arabic_reshaper
from bidi.algorithm import get_display
from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from ..families.cards import Card
from ..workers import Worker, WorkerFailed
from .writer import BuildFailed

FONTS = Path(__file__).resolve().parent.parent / "fonts"
BOLD = FONTS / "Amiri-Bold.ttf"
REGULAR = FONTS / "Amiri-Regular.ttf"
WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BACKGROUND = (38, 50, 56)  # Material's blue grey 800
ACCENT = (255, 112, 67)  # deep orange 400
TEXT = (255, 255, 255)
MUTED = (207, 216, 220)
TITLE_SIZES = (64, 56, 48)  # the largest size at which the title fits
MAX_TITLE_LINES = 4
CARD_VERSION = "3"  # bump when the drawing changes, so cached cards are redrawn
_KEY_CHUNK = "dossier-card-key"
_ELLIPSIS = "…"


def card_key(card: Card) -> str:
    """What a card's PNG depends on (what it shows, the drawing's version and fonts): an
    unchanged key means the existing PNG is reused."""
    text = "\x1f".join((CARD_VERSION, card.title, card.kicker, card.footer, card.site_name))
    return hashlib.sha256(text.encode("utf-8") + _fonts_digest()).hexdigest()


@functools.lru_cache(maxsize=None)
def _fonts_digest() -> bytes:
    return b"".join(hashlib.sha256(f.read_bytes()).digest() for f in (BOLD, REGULAR))


# Keep diacritics (the reshaper drops them by default): the card shows the title as written.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


def visual(text: str) -> str:
    """Shaped Arabic in display order, for a layout engine that does neither."""
    return get_display(_RESHAPER.reshape(text))


@functools.lru_cache(maxsize=None)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Logical-order lines that fit width; the last one ends with an ellipsis if text remains.

    Lines are measured after shaping, since joined Arabic letters are narrower than isolated ones.
    """
    words = text.split()
    lines: list[str] = []
    current: list[str] = []
    for index, word in enumerate(words):
        candidate = " ".join(current + [word])
        if current and font.getlength(visual(candidate)) > width:
            lines.append(" ".join(current))
            current = [word]
            if len(lines) == max_lines:
                return _ellipsize(lines, words[index:], font, width)
        else:
            current.append(word)
    if current:
        lines.append(" ".join(current))
    if len(lines) > max_lines:
        return _ellipsize(lines[:max_lines], [], font, width)
    # a single word wider than the card is cut too
    return [line if font.getlength(visual(line)) <= width else _cut(line, font, width) for line in lines]


def _ellipsize(lines: list[str], rest: list[str], font, width: int) -> list[str]:
    last = lines[-1]
    while last and font.getlength(visual(last + " " + _ELLIPSIS)) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    return lines[:-1] + [f"{last} {_ELLIPSIS}".strip()]


def _cut(line: str, font, width: int) -> str:
    while line and font.getlength(visual(line + _ELLIPSIS)) > width:
        line = line[:-1]
    return line + _ELLIPSIS


def _draw_right(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> None:
    shown = visual(text)
    draw.text((WIDTH - MARGIN - font.getlength(shown), y), shown, font=font, fill=fill)


def render_card(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((WIDTH - 16, 0, WIDTH, HEIGHT), fill=ACCENT)  # a bar on the reading side
    text_width = WIDTH - 2 * MARGIN

    name_font = _font(BOLD, 34)
    _draw_right(draw, 48, card.site_name, name_font, ACCENT)
    kicker_font = _font(REGULAR, 32)
    if card.kicker:
        _draw_right(draw, 106, card.kicker, kicker_font, MUTED)

    for size in TITLE_SIZES:
        title_font = _font(BOLD, size)
        lines = wrap(card.title, title_font, text_width, MAX_TITLE_LINES)
        line_height = int(size * 1.55)
        if len(lines) * line_height <= 330 or size == TITLE_SIZES[-1]:
            break
    y = 170
    for line in lines:
        _draw_right(draw, y, line, title_font, TEXT)
        y += line_height

    footer_font = _font(REGULAR, 34)
    draw.line((MARGIN, HEIGHT - 110, WIDTH - MARGIN, HEIGHT - 110), fill=(84, 110, 122), width=2)
    _draw_right(draw, HEIGHT - 92, card.footer, footer_font, MUTED)

    metadata = PngImagePlugin.PngInfo()
    metadata.add_text(_KEY_CHUNK, card_key(card))
    metadata.add_itxt("Title", card.title)  # lets a test check the card against its page
    out = io.BytesIO()
    # A card has four colours and their anti-aliased edges: 64 palette colours look the same
    # as full RGB, make a file a third the size (for readers on slow networks) and halve
    # the encoding time. optimize=True or level 9 cost 4-10x the time for a few percent.
    palette = image.quantize(64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette.save(out, format="PNG", pnginfo=metadata, compress_level=6)
    return out.getvalue()


MANIFEST = "cards/keys.json"


def _drawn(cards: list[Card]) -> list[tuple[bytes, float]]:
    """Each card's PNG and the processor time it took (run in a worker process)."""
    drawn = []
    for card in cards:
        started = time.process_time()
        png = render_card(card)
        drawn.append((png, time.process_time() - started))
    return drawn


class Drawing:
    """Many cards being drawn, plus the manifest of their keys (MANIFEST).

    A card whose key is in the last build's manifest is reused as the file it is (a Path,
    linked rather than copied). The others are drawn by worker processes, one per core, from
    the moment the Drawing is made, so that the caller can do something else meanwhile (the
    site stage runs the single-threaded MkDocs build; background=True lowers the workers'
    priority below it, so that MkDocs keeps its core and they take what is left); finish()
    waits. A few cards are drawn in finish() itself, where a process is not worth starting.
    """

    def __init__(self, wanted: dict[str, Card], previous_dir: Path | None, background: bool = False):
        previous: dict[str, str] = {}
        if previous_dir is not None and (previous_dir / MANIFEST).is_file():
            try:
                previous = json.loads((previous_dir / MANIFEST).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = {}
        self.wanted = wanted
        self.keys = {path: card_key(card) for path, card in wanted.items()}
        self.done: dict[str, bytes | Path | str] = {
            path: previous_dir / path for path, key in self.keys.items()
            if previous.get(path) == key and (previous_dir / path).is_file()}
        self.missing = [path for path in wanted if path not in self.done]
        self.cpu = 0.0  # processor seconds spent drawing, in whichever process drew
        self.waited = 0.0  # seconds finish() waited for the drawing
        self._workers: list[Worker] = []
        if len(self.missing) > 16:
            # Worker i draws every count-th card from the i-th, so that each gets as many long titles.
            count = min(os.cpu_count() or 1, len(self.missing))
            self._workers = [Worker(_drawn, [wanted[p] for p in self.missing[i::count]], nice=10 if background else 0)
                             for i in range(count)]

    def cancel(self) -> None:
        """Stop drawing (the build failed)."""
        for worker in self._workers:
            worker.cancel()
        self._workers, self.missing = [], []

    def finish(self) -> dict[str, bytes | Path | str]:
        started = time.perf_counter()
        try:
            if self._workers:
                parts = [worker.result() for worker in self._workers]
                drawn = [parts[i % len(parts)][i // len(parts)] for i in range(len(self.missing))]
            else:
                drawn = _drawn([self.wanted[p] for p in self.missing])
        except WorkerFailed as failed:
            raise BuildFailed(f"drawing the link-preview cards: {failed}") from None
        finally:
            for worker in self._workers:  # gone already, unless one failed and the others still draw
                worker.cancel()
            self._workers = []
        for path, (png, cpu) in zip(self.missing, drawn):
            self.done[path] = png
            self.cpu += cpu
        self.waited = time.perf_counter() - started
        self.done[MANIFEST] = json.dumps(dict(sorted(self.keys.items())), indent=0) + "\n"
        return dict(sorted(self.done.items()))


def card_pngs(wanted: dict[str, Card], previous_dir: Path | None) -> dict[str, bytes | Path | str]:
    """Draw (or reuse) the cards now, on every core when there are many."""
    return Drawing(wanted, previous_dir).finish()
