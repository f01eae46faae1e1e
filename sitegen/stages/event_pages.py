"""What an event's page (/events/<id>/, templates/event.md.j2) and the map's year filter show,
worked out from the linked dossier (the render stage plans the pages)."""
from __future__ import annotations

from ..geo import maps
from ..model import EventRecord


def years_by_place(records: list[EventRecord]) -> dict[str, tuple[int, ...]]:
    """place id → the years in which events happened there (for /map/?year=), oldest first."""
    found: dict[str, set[int]] = {}
    for record in records:
        for place_id in record.places:
            found.setdefault(place_id, set()).add(record.date.year)
    return {place_id: tuple(sorted(years)) for place_id, years in sorted(found.items())}


def event_page(linked, run, record: EventRecord) -> tuple[tuple, dict]:
    """The key and the values of an event's page: every report of it, with the passage each
    quotes marked on its article's page (the anchor links to it)."""
    reports = [(report, linked.articles[report.article.id].event_anchors[report.index]) for report in record.reports]
    places = [run.entities_by_id[p] for p in record.places]
    located = [p for p in places if p.location]
    return (record.key,), dict(
        event=record, reports=reports, places=places, actors=[run.entities_by_id[a] for a in record.actors],
        map=maps.site_map(located, {}) if located else None,
        page_url=run.page_url(f"events/{record.id}.md"))
