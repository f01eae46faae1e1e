"""An event's page (/events/<id>/: date, places on a map, actors, every report with its
attribution), for each event with an id, and the years of events by place (the map's filter)."""
from __future__ import annotations

from ..geo import maps
from ..model import Event, EventRecord
from .base import Family, Planner
from .keys import named


def years_by_place(records: list[EventRecord]) -> dict[str, tuple[int, ...]]:
    """place id → the years in which events happened there (for /map/?year=), oldest first."""
    found: dict[str, set[int]] = {}
    for record in records:
        for place_id in record.places:
            found.setdefault(place_id, set()).add(record.date.year)
    return {place_id: tuple(sorted(years)) for place_id, years in sorted(found.items())}


class EventPages(Family):
    folder = "events"
    reserved = ("events",)
    models = (EventRecord, Event)  # an event as the dossier knows it, or as one article reports it

    def path(self, event: EventRecord | Event) -> str:
        if not event.id:
            raise TypeError(event)  # an event without an id has no page
        return f"events/{event.id}.md"

    def plan(self, planner: Planner) -> None:
        planner.each_page(planner.linked.events_by_id, self.path, "event.md.j2",
                          lambda record: self.context(planner, record))

    def context(self, planner: Planner, record: EventRecord) -> dict:
        """Every report of the event, with the passage each quotes marked on its article's page
        (the anchor links to it)."""
        linked, run = planner.linked, planner.run
        reports = [(report, linked.articles[report.article.id].event_anchors[report.index])
                   for report in record.reports]
        places = [run.entities_by_id[p] for p in record.places]
        located = [p for p in places if p.location]
        return dict(event=record, reports=reports, places=named(places),
                    actors=named([run.entities_by_id[a] for a in record.actors]),
                    map=self.locator_map(planner, located), page_url=run.page_url(self.path(record)))

    @staticmethod
    def locator_map(planner: Planner, located: list) -> maps.SiteMap | None:
        """The map of an event's located places, kept by what it draws (many events share places;
        serve works out every event's context on every edit)."""
        if not located:
            return None
        return planner.cache.get("event-map", tuple(p.fingerprint for p in located),
                                 lambda: maps.site_map(located, {}))
