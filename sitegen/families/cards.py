"""The link-preview cards (docs/cards/): the home page's, each theme's and each article's.
What each shows is decided here; drawing them is the site stage's job (output/cards.py),
done while MkDocs builds."""
from __future__ import annotations

from pathlib import Path

from ..arabic import format_partial_date
from ..project import SITE_NAME
from ..stages.link import LinkedDossier
from ..stages.values import load_labels, load_words, plural
from .base import Family


class Cards(Family):
    folder = "cards"
    reserved = ("cards",)


def card_set(linked: LinkedDossier, templates_dir: Path) -> dict:
    """What the card of the home page, each theme and each article shows, keyed by its path."""
    from ..output.cards import Card

    dossier = linked.dossier
    articles = load_words(templates_dir)["article"]
    words = load_labels(templates_dir)["cards"]
    themes_by_id = {t.id: t for t in dossier.themes}
    wanted = {"cards/home.png": Card(words["home_title"], words["home_subtitle"],
                                     plural(len(dossier.articles), articles), SITE_NAME)}
    for theme in dossier.themes:
        wanted[f"cards/themes/{theme.id}.png"] = Card(
            theme.title, words["theme"], plural(len(linked.by_theme[theme.id]), articles), SITE_NAME)
    for article in dossier.articles:
        outlet = article.source.outlet or words["unknown_outlet"]
        wanted[f"cards/articles/{article.id}.png"] = Card(
            article.title, "، ".join(themes_by_id[t].title for t in article.themes),
            f"{format_partial_date(article.date)} · {outlet}", SITE_NAME)
    return wanted
