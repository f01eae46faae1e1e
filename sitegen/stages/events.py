"""Events as records (part of the link stage): the reports of one event (the same `id` in
several articles) grouped into one EventRecord; an event without an id is a record of its own,
with one report. Each place and actor is indexed to its events, so that entity pages list them
without a pass over the dossier."""
from __future__ import annotations

from collections import defaultdict

from ..model import Article, EventRecord, Report


def _report_order(report: Report):
    article = report.article
    return (article.date.year, article.date.month, article.date.day, article.id, report.index)


def event_records(articles: list[Article]) -> list[EventRecord]:
    """Every event once, oldest first (by its date, then title, then first report)."""
    by_id: dict[str, list[Report]] = defaultdict(list)
    records = []
    for article in articles:
        for index, event in enumerate(article.events):
            report = Report(article, event, index)
            if event.id is None:
                records.append(EventRecord(None, [report]))
            else:
                by_id[event.id].append(report)
    records.extend(EventRecord(event_id, sorted(reports, key=_report_order)) for event_id, reports in by_id.items())
    records.sort(key=lambda r: ((r.date.year, r.date.month, r.date.day), r.title, _report_order(r.first)))
    return records


def by_entity(records: list[EventRecord]) -> dict[str, list[EventRecord]]:
    """entity id → the events that happened at that place or in which it acted, newest first."""
    found: dict[str, list[EventRecord]] = defaultdict(list)
    for record in reversed(records):
        for entity_id in dict.fromkeys([*record.places, *record.actors]):
            found[entity_id].append(record)
    return dict(sorted(found.items()))
