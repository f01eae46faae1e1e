"""An outlet's page (/outlets/<slug>/, the slug a digest of its folded name) and the outlets
index (/outlets/)."""
from __future__ import annotations

from ..stages.link import Outlet, outlet_slug
from .base import Family, Planner


class OutletPages(Family):
    folder = "outlets"
    models = (Outlet,)

    def path(self, outlet: Outlet) -> str:
        return self.named(outlet.slug)

    @staticmethod
    def named(slug: str) -> str:
        return f"outlets/{slug}.md"

    def of_name(self, name: str) -> str:
        """The page of the outlet a source names (a byline links to it)."""
        return self.named(outlet_slug(name))

    def plan(self, planner: Planner) -> None:
        unknown = planner.labels["archives"]["unknown_outlet"]
        for outlet in planner.linked.outlets:
            years = planner.archived(outlet.articles, f"outlets/{outlet.slug}", outlet.name or unknown,
                                     self.path(outlet), "articles")
            planner.page(self.path(outlet), "outlet.md.j2", lambda outlet=outlet, years=years: dict(
                outlet=outlet, articles=planner.latest(outlet.articles, years), total=len(outlet.articles),
                years=years))


class OutletIndex(Family):
    folder = "outlets"
    reserved = ("outlets",)
    PATH = "outlets/index.md"

    def plan(self, planner: Planner) -> None:
        outlets = planner.linked.outlets
        planner.page(self.PATH, "outlets.md.j2", lambda: dict(
            named=[o for o in outlets if o.name], unknown=next((o for o in outlets if not o.name), None),
            counts={o.slug: len(o.articles) for o in outlets}))
