"""An article's body as the page shows it (part of the link stage): cut where the first mention
of each entity (a link to its page) and each event's quoted passage (marked, with an id the
event links to) begin and end. The cuts never change the text: joined back, a line is as stored."""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Article
from ..quotes import Found, ShownText


@dataclass
class Segment:
    text: str
    entity_id: str | None = None


@dataclass
class Quote:
    """A passage of the text that an event quotes, marked on the page with an id the event links to."""

    anchor: str
    segments: list[Segment]


def marked_paragraphs(article: Article, mentions: list[list[tuple[int, int, str]]]
                      ) -> tuple[list[list[Segment | Quote]], list[str | None]]:
    """The body as paragraphs of segments; the first mention of each entity becomes a link, and
    each event's quote, where a shown line holds it, becomes a marked passage with an id.

    Segments only cut the text: joined back together they are the line, unchanged. Returns the
    paragraphs and, per event, the id of its passage (None: not shown).
    """
    lines = article.body_lines
    quotes: dict[int, list[tuple[int, int, str]]] = {}  # line index -> (start, end, anchor)
    anchors: list[str | None] = []
    shown = ShownText(lines) if any(event.quote for event in article.events) else None
    for index, event in enumerate(article.events):
        anchor = None
        found = shown.find(event.quote) if shown is not None and event.quote else None
        if isinstance(found, Found):  # validate refuses every other quote, with the same ShownText
            taken = quotes.setdefault(found.line, [])
            overlapping = next((a for s, e, a in taken if s < found.end and found.start < e), None)
            anchor = overlapping or f"event-{index + 1}"
            if not overlapping:
                taken.append((found.start, found.end, anchor))
        anchors.append(anchor)
    linked_already: set[str] = set()
    paragraphs = []
    for number, line in enumerate(lines):
        links = []
        for start, end, entity_id in mentions[number]:
            if entity_id not in linked_already:
                linked_already.add(entity_id)
                links.append((start, end, entity_id))
        paragraphs.append(_pieces(line, links, sorted(quotes.get(number, []))))
    return paragraphs, anchors


def _pieces(line: str, links: list[tuple[int, int, str]], quotes: list[tuple[int, int, str]]) -> list[Segment | Quote]:
    """Cut line where entity links and quoted passages begin and end (a link across a quote's edge
    becomes two links to the same page); group the segments inside each quote."""
    cuts = sorted({0, len(line), *(p for s, e, _ in links for p in (s, e)), *(p for s, e, _ in quotes for p in (s, e))})
    pieces: list[Segment | Quote] = []
    for start, end in zip(cuts, cuts[1:]):
        entity_id = next((i for s, e, i in links if s <= start and end <= e), None)
        segment = Segment(line[start:end], entity_id)
        anchor = next((a for s, e, a in quotes if s <= start and end <= e), None)
        if anchor is None:
            pieces.append(segment)
        elif pieces and isinstance(pieces[-1], Quote) and pieces[-1].anchor == anchor:
            pieces[-1].segments.append(segment)
        else:
            pieces.append(Quote(anchor, [segment]))
    return pieces
