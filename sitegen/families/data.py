"""The open-data downloads and the Atom feed (docs/data/): one pass over the dossier makes them all."""
from __future__ import annotations

from ..cache import NO_CACHE, BuildCache
from ..plan import Content
from ..project import SITE_DESCRIPTION, SITE_NAME
from ..stages import exports
from ..stages.link import LinkedDossier
from .articles import ArticlePages
from .base import Family, Planner

DATA_FILES = ("data/dossier.json", "data/dossier.csv", "data/datapackage.json", "data/citations.json",
              "data/citations.bib", "data/atom.xml", "data/events.csv", "data/events.json")


class DataFiles(Family):
    folder = "data"
    reserved = ("data",)

    def plan(self, planner: Planner) -> None:
        planner.pages.add_group(list(DATA_FILES), lambda: data_files(
            planner.linked, planner.env, planner.settings.site_url, planner.labels["exports"], planner.cache))


def data_files(linked: LinkedDossier, env, site_url: str, words: dict,
               cache: BuildCache = NO_CACHE) -> dict[str, Content]:
    """The open-data downloads and the Atom feed, under docs/data/ (words: labels.yml's `exports`)."""
    address = ArticlePages().address
    articles = exports.feed_entries(linked)
    atom = env.get_template("atom.xml.j2").render(
        feed_id=exports.FEED_ID, site_name=SITE_NAME, site_description=SITE_DESCRIPTION, articles=articles,
        updated=exports.atom_timestamp(max(map(exports.updated, articles))) if articles else "2000-01-01T00:00:00Z",
        themes_by_id={t.id: t for t in linked.dossier.themes}, base=site_url, address=address)
    return {
        "data/dossier.json": exports.dossier_json(linked, cache, address=address),
        "data/dossier.csv": exports.dossier_csv(linked, cache),
        "data/datapackage.json": exports.datapackage(linked, SITE_NAME, site_url, cache),
        "data/citations.json": exports.citations_json(linked, site_url, cache, address=address),
        "data/citations.bib": exports.citations_bibtex(linked, site_url, words["archived_copy"], cache,
                                                       address=address),
        "data/atom.xml": atom,
        "data/events.csv": exports.events_csv(linked, cache),
        "data/events.json": exports.events_json(linked, cache),
    }
