"""The timeline (/timeline/): every event and every article's publication, oldest first, with
an archive by year once it is long."""
from __future__ import annotations

from .base import Family, Planner


class TimelinePages(Family):
    folder = "timeline"
    PATH = "timeline/index.md"

    def plan(self, planner: Planner) -> None:
        timeline = planner.linked.timeline
        years = planner.archived(timeline, "timeline", planner.labels["archives"]["timeline"], self.PATH, "timeline")
        planner.page(self.PATH, "timeline.md.j2", lambda: dict(timeline=[] if years else timeline, years=years))
