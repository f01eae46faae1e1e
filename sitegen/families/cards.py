"""The link-preview cards (docs/cards/): the home page's, each theme's and each article's.
What each shows is decided here; drawing them is the site stage's job (output/cards.py),
done while MkDocs builds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..arabic import format_partial_date
from ..model import Article, Theme
from ..project import SITE_NAME
from ..stages.link import LinkedDossier
from ..stages.values import load_labels, load_words, plural
from .base import Family


@dataclass(frozen=True)
class Card:
    """What a link-preview card shows (output/cards.py draws it)."""

    title: str
    kicker: str  # above the title: the theme or the kind of page
    footer: str  # below: the date, the outlet
    site_name: str


class Cards(Family):
    """The cards themselves are drawn while MkDocs builds; a page names its own in its front
    matter (the `card` filter), and overrides/main.html falls back to the home page's."""

    folder = "cards"
    reserved = ("cards",)
    HOME = "cards/home.png"  # overrides/main.html names it too

    def path(self, thing: Article | Theme) -> str:
        """The card of an article or a theme, relative to docs/."""
        return f"cards/{'articles' if isinstance(thing, Article) else 'themes'}/{thing.id}.png"


def card_set(linked: LinkedDossier, templates_dir: Path) -> dict:
    """What the card of the home page, each theme and each article shows, keyed by its path."""
    dossier = linked.dossier
    articles = load_words(templates_dir)["article"]
    words = load_labels(templates_dir)["cards"]
    themes_by_id = {t.id: t for t in dossier.themes}
    cards = Cards()
    wanted = {cards.HOME: Card(words["home_title"], words["home_subtitle"],
                                     plural(len(dossier.articles), articles), SITE_NAME)}
    for theme in dossier.themes:
        wanted[cards.path(theme)] = Card(
            theme.title, words["theme"], plural(len(linked.by_theme[theme.id]), articles), SITE_NAME)
    for article in dossier.articles:
        outlet = article.source.outlet or words["unknown_outlet"]
        wanted[cards.path(article)] = Card(
            article.title, "، ".join(themes_by_id[t].title for t in article.themes),
            f"{format_partial_date(article.date)} · {outlet}", SITE_NAME)
    return wanted
