"""The rules of an article's events a schema cannot express: the entities an event names (its
places, actors and the entity it is attributed to) exist and are of the right kind, an event's
id does not take the name of another generated page, and the reports of one event (the same id
in several articles) have dates that can all be true.

The schema has already checked each value's form (an id is a slug, an attribution one of the
kinds) and the characters every value is checked for (checker.forbidden_characters)."""
from __future__ import annotations

from pathlib import Path

from ..model import Article, Problem, dates_agree
from .yaml_reader import rel


def check_event(checker, document, index: int, event: dict, context, ok) -> None:
    """One event's references, reported where they are written."""
    if ok("events", index, "id") and "id" in event:
        checker.reserved(document, ("events", index, "id"), event["id"], "event")
    entity_ids = context.entity_ids
    if entity_ids is None:  # entities.yml could not be read: said there, once
        return
    wanted = {"places": "a place (`kind: place`)", "actors": "a person or an organisation"}
    for field_, kind_wanted in wanted.items():
        values = event.get(field_)
        for position, value in enumerate(values if isinstance(values, list) else []):
            key_path = ("events", index, field_, position)
            if not ok(*key_path) or not isinstance(value, str):
                continue
            name = f"events[{index}].{field_}[{position}]"
            if value not in entity_ids:
                checker.problem(document, key_path, f"unknown entity `{value}` in `{name}`: expected the id of "
                                                    f"{kind_wanted} in dossier/entities.yml"
                                                    + checker.did_you_mean(value, context.suggestions("entities")))
            elif (value in context.place_ids) != (field_ == "places"):
                checker.problem(document, key_path, f"`{name}` is `{value}`, which is "
                                                    f"{'a place' if value in context.place_ids else 'not a place'}: "
                                                    f"expected {kind_wanted}"
                                                    + (f"; list it in `events[{index}].places`" if field_ == "actors"
                                                       else f"; list it in `events[{index}].actors`"))
    credited = event.get("attributed_to")
    if isinstance(credited, str) and ok("events", index, "attributed_to") and credited not in entity_ids:
        checker.problem(document, ("events", index, "attributed_to"),
                        f"unknown entity `{credited}` in `events[{index}].attributed_to`: expected the id of an entity in "
                        "dossier/entities.yml (the body or person the article credits)"
                        + checker.did_you_mean(credited, context.suggestions("entities")))


def conflicting_dates(articles: list[Article], root: Path) -> list[Problem]:
    """Reports of one event (one id in several articles) whose dates cannot both be true, each
    named in the later article (by id) with the file of the first report it contradicts."""
    first_report: dict[str, tuple[Article, int]] = {}
    problems = []
    for article in sorted(articles, key=lambda a: a.id):
        for index, event in enumerate(article.events):
            if event.id is None:
                continue
            seen = first_report.setdefault(event.id, (article, index))
            other, other_index = seen
            other_event = other.events[other_index]
            if other is article and other_index == index:
                continue
            if other is article:
                problems.append(Problem(rel(article.yml_path, root), *event.where,
                                        f"`events[{index}].id` `{event.id}` is also `events[{other_index}]`'s: one article "
                                        "reports an event once; merge the two entries or give each its own id"))
            elif not dates_agree(event.date, other_event.date):
                problems.append(Problem(rel(article.yml_path, root), *event.where,
                                        f"`events[{index}].date` {event.date} of event `{event.id}` cannot be true "
                                        f"together with {rel(other.yml_path, root)}, which dates the same event "
                                        f"{other_event.date} (`events[{other_index}].date`, line {other_event.where[0]}): "
                                        "reports of one event agree as far as each date goes; correct one date, or give "
                                        "the two events different ids"))
    return problems
