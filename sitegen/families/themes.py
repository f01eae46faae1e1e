"""A theme's page (/themes/<id>/): its articles, its timeline while short, its archive by year."""
from __future__ import annotations

from ..model import Theme
from .base import Family, Planner


class ThemePages(Family):
    folder = "themes"
    models = (Theme,)

    def path(self, theme: Theme) -> str:
        return f"themes/{theme.id}.md"

    def plan(self, planner: Planner) -> None:
        linked = planner.linked
        for theme in linked.dossier.themes:
            articles = linked.by_theme[theme.id]
            timeline = linked.theme_timeline(theme.id)  # shown on the theme's page too, while it is short
            years = planner.archived(articles, f"themes/{theme.id}", theme.title, self.path(theme), "articles",
                                     len(articles) + len(timeline))
            planner.page(self.path(theme), "theme.md.j2", lambda theme=theme, articles=articles, timeline=timeline,
                         years=years: dict(theme=theme, articles=planner.latest(articles, years), total=len(articles),
                                           years=years, timeline=[] if years else timeline))
