"""An entity's page (/entities/<id>/: its articles, events, "named with", a locator map) and
the entities index (/entities/, in dictionary order by kind)."""
from __future__ import annotations

from ..arabic import dictionary_key
from ..geo import maps
from ..model import Entity
from .base import Family, Planner
from .keys import named as named_links


def kinds(labels: dict) -> tuple:
    """Each kind of entity: its id, the heading of a list of them, and what one of them is."""
    return tuple((kind, words["heading"], words["one"]) for kind, words in labels["kinds"].items())


class EntityPages(Family):
    folder = "entities"
    models = (Entity,)

    def path(self, entity: Entity) -> str:
        return f"entities/{entity.id}.md"

    def plan(self, planner: Planner) -> None:
        linked = planner.linked
        for entity in linked.dossier.entities:
            articles = linked.by_entity.get(entity.id, [])
            years = planner.archived(articles, f"entities/{entity.id}", entity.name, self.path(entity), "articles")
            planner.page(self.path(entity), "entity.md.j2",
                         lambda entity=entity, articles=articles, years=years: self.context(
                             planner, entity, articles, years))

    def context(self, planner: Planner, entity: Entity, articles: list, years: list) -> dict:
        linked, run = planner.linked, planner.run
        kind_titles = {kind: one for kind, _, one in kinds(planner.labels)}
        named = linked.named_with.get(entity.id, [])
        events = linked.events_by_entity.get(entity.id, [])
        return dict(named_with=named_links([run.entities_by_id[other] for other, _ in named],
                                           [together for _, together in named]),
                    entity=entity, kind_title=kind_titles[entity.kind], articles=planner.latest(articles, years),
                    total=len(articles), years=years, locator=maps.locator(entity),
                    events=events[:planner.settings.latest_shown],  # the newest: a page's size stays bounded
                    events_total=len(events))


class EntityIndex(Family):
    folder = "entities"
    reserved = ("index",)
    PATH = "entities/index.md"

    def plan(self, planner: Planner) -> None:
        linked = planner.linked
        entities = linked.dossier.entities
        planner.page(self.PATH, "entities.md.j2", lambda: dict(
            entities=sorted(entities, key=lambda e: (dictionary_key(e.name), e.id)), kinds=kinds(planner.labels),
            counts={e.id: len(linked.by_entity.get(e.id, ())) for e in entities}))
