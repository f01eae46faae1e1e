"""The map (/map/): every located place, its count of articles, the years of its events."""
from __future__ import annotations

from ..geo import maps
from .base import Family, Planner
from .events import years_by_place


class MapPage(Family):
    folder = "map"
    reserved = ("map",)
    PATH = "map/index.md"

    def plan(self, planner: Planner) -> None:
        linked = planner.linked
        places = [e for e in linked.dossier.entities if e.kind == "place"]

        def context() -> dict:
            counts = {e.id: len(linked.by_entity.get(e.id, [])) for e in places}
            return dict(map=maps.site_map(places, counts), counts=counts, event_years=years_by_place(linked.events))

        planner.page(self.PATH, "map.md.j2", context)
