"""Stage 3, link: everything that connects articles, entities, themes and dates.

Every relation is computed through an index (entity → articles, theme → articles), never by
comparing all pairs of articles, so the cost grows with the dossier, not with its square.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from ..arabic import Matcher, dictionary_key, normalize
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..model import Article, Dossier, EventRecord, PartialDate, Report, shape_of
from . import events as event_index
from .paragraphs import Quote, Segment, marked_paragraphs

RELATED_LIMIT = 5
# An entity named in more articles than COMMON_ENTITY_LIMIT (Baghdad, say, in a large
# dossier) relates an article only to the COMMON_ENTITY_WINDOW articles nearest to it in time
# among them, half before and half after, with a weight that still says how common it is.
# This keeps relating linear in N, and a common name still counts between articles of a time.
COMMON_ENTITY_LIMIT = 200
COMMON_ENTITY_WINDOW = 20
# "Named with": the entities most often named in the same articles as an entity. Counting pairs
# costs the square of an article's entities, so only an article's first PAIRS_ENTITY_LIMIT
# entities (in dossier order) are paired: the count stays linear in the number of articles.
NAMED_WITH_LIMIT = 8
PAIRS_ENTITY_LIMIT = 60


@dataclass
class Related:
    article: Article
    shared_entities: list[str]  # entity ids
    shared_themes: list[str]  # theme ids
    explicit: bool


@dataclass
class Neighbours:
    theme_id: str
    previous: Article | None
    next: Article | None


@dataclass
class Outlet:
    """The articles of one outlet (names that differ only by Arabic spelling variants are one outlet);
    the articles whose outlet the source does not name are an outlet of their own, with no name."""

    slug: str  # its page is outlets/<slug>.md; "unknown" for the unnamed
    name: str | None
    articles: list[Article]  # newest first

    @property
    def shows(self) -> list[Article]:
        return self.articles

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.slug, self.name or "", *(a.fingerprint for a in self.articles))


@dataclass
class TimelineEntry:
    date: PartialDate
    title: str
    article: Article
    is_publication: bool  # the article's own date rather than an event it reports
    event: EventRecord | None = None  # the event (each once, however many articles report it)


@dataclass
class LinkedArticle:
    article: Article
    mentions: list[list[tuple[int, int, str]]]  # per body line: (start, end, entity id) of each name found
    entity_ids: list[str]  # from the YAML and found in the text, in dossier order
    fingerprint: str  # of the article and the entities its text was matched against
    neighbours: list[Neighbours] = field(default_factory=list)
    relations: "Relations | None" = field(default=None, repr=False, compare=False)

    @cached_property
    def entity_set(self) -> frozenset[str]:
        return frozenset(self.entity_ids)

    @cached_property
    def _marked(self) -> tuple[list[list[Segment | Quote]], list[str | None]]:
        # Kept by the article and the names it was matched against (its fingerprint): an event page
        # asks for the quotes' anchors of every article that reports it, on every edit under serve.
        make = lambda: marked_paragraphs(self.article, self.mentions)  # noqa: E731
        return self.relations.cache.get("paragraphs", self.fingerprint, make) if self.relations else make()

    @property
    def paragraphs(self) -> list[list[Segment | Quote]]:
        """The body cut where entity links and quoted passages begin and end (made when first asked for)."""
        return self._marked[0]

    @property
    def event_anchors(self) -> list[str | None]:
        """Per event: the id of its quoted passage on the page (None: not shown)."""
        return self._marked[1]

    @cached_property
    def related(self) -> list[Related]:
        """Worked out when first asked for: only the article's page shows them, and pages are
        rendered while MkDocs builds (output/stream.py), so this costs the build no time of its own."""
        return self.relations.related(self) if self.relations else []


@dataclass
class LinkedDossier:
    dossier: Dossier
    articles: dict[str, LinkedArticle]  # by id, in id order
    by_theme: dict[str, list[Article]]  # newest first
    by_entity: dict[str, list[Article]]  # newest first
    timeline: list[TimelineEntry]  # oldest first
    entities_key: str = ""  # fingerprint of every entity, in order
    # What a page that only names or links entities reads of them (id, name, kind, location):
    # an entity's description or aliases changing leaves the other pages as they were.
    names_key: str = ""
    outlets: list[Outlet] = field(default_factory=list)  # named ones in dictionary order, then the unknown
    limits: "Limits" = field(default_factory=lambda: Limits())
    events: list[EventRecord] = field(default_factory=list)  # every event once, oldest first
    events_by_entity: dict[str, list[EventRecord]] = field(default_factory=dict)  # place or actor → events, newest first
    # What linking read (every article, the entities' ids and spellings, the themes' ids): the
    # same key, the same articles, entity lists and events.
    articles_key: str = ""
    # What orders and groups the articles (their shapes, model.shape_of, and what else link reads):
    # the same key, every listing in the same order, each date at the same place.
    shape_key: str = ""

    @cached_property
    def events_by_id(self) -> dict[str, EventRecord]:
        return {record.id: record for record in self.events if record.id}

    @cached_property
    def named_with(self) -> dict[str, list[tuple[str, int]]]:
        """entity → (other entity, articles naming both), most first; worked out when first asked
        for (entity pages, rendered while MkDocs builds)."""
        entity_order = {e.id: i for i, e in enumerate(self.dossier.entities)}
        count = lambda: _named_with(self.articles.values(), entity_order, self.limits.named_with,
                                    self.limits.pairs_per_article)
        relations = next(iter(self.articles.values())).relations if self.articles else None
        if relations is None:
            return count()
        # It reads each article's entities and the entities' order only (relations.key names them).
        return relations.cache.get("named-with", (relations.key, tuple(entity_order)), count, lasting=True)

    def theme_timeline(self, theme_id: str) -> list[TimelineEntry]:
        entries = lambda: [e for e in self.timeline if theme_id in e.article.themes  # noqa: E731
                           or (e.event and any(theme_id in r.article.themes for r in e.event.reports))]
        relations = next(iter(self.articles.values())).relations if self.articles else None
        if relations is None:
            return entries()
        return relations.cache.get("theme-timeline", (self.articles_key, theme_id), entries)

    @cached_property  # worked out by link (a listing, the filters' data, the outlets): once
    def newest_first(self) -> list[Article]:
        return sorted(self.dossier.articles, key=newest_key)


def newest_key(article: Article):
    return (-article.date.year, -article.date.month, -article.date.day, article.id)


@dataclass(frozen=True)
class Limits:
    related: int = RELATED_LIMIT
    common_entity: int = COMMON_ENTITY_LIMIT
    common_window: int = COMMON_ENTITY_WINDOW
    named_with: int = NAMED_WITH_LIMIT
    pairs_per_article: int = PAIRS_ENTITY_LIMIT


def link(dossier: Dossier, cache: BuildCache = NO_CACHE, limits: Limits = Limits()) -> LinkedDossier:
    """Relations between articles, entities, themes and dates; entity mentions are found again
    only in an article whose text or whose entities changed (cache). What links the articles is
    kept from the last run (cache.evolve): taken as it is when nothing it reads changed (every
    article, the entities' ids and spellings, the themes' ids), so that an edit of an entity's
    description relinks nothing; put together again in the same orders and groups when only
    titles and summaries changed (_relinked); linked afresh otherwise."""
    spellings_key = spellings_fingerprint(dossier)
    read_besides = (spellings_key, *(theme.id for theme in dossier.themes), repr(limits))  # besides the articles
    # Every article has a fingerprint (model: one from its values when none was given).
    articles_key = fingerprint(*(article.fingerprint for article in dossier.articles), *read_besides)
    entity_order = {e.id: i for i, e in enumerate(dossier.entities)}
    matcher = lambda: cache.get("matcher", spellings_key, lambda: _matcher(dossier), lasting=True)  # noqa: E731
    # Each article's names, entities and fingerprint, kept by the article and the entities' spellings
    # (an edit of one article finds names in it alone, and looks up no other in the cache).
    found_in = cache.each("article-links", dossier.articles, lambda article: (article.fingerprint, spellings_key),
                          lambda article: _names_found(article, spellings_key, matcher, entity_order, cache),
                          articles_key)
    # What orders and groups the articles: their shapes (model.shape_of: all but their titles and
    # summaries), each kept by its article, the list by articles_key.
    shapes = cache.each("shape", dossier.articles, lambda article: article.fingerprint, shape_of,
                        ("articles", articles_key))
    shape_key = fingerprint(*shapes, *read_besides)

    def relink(before: _LinkedArticles | None) -> _LinkedArticles:
        if before is not None and before.key == articles_key:
            return before
        if before is not None and before.shape_key == shape_key:  # only titles and summaries changed
            return _relinked(before, dossier, found_in, cache, limits, articles_key)
        return _linked_articles(dossier, found_in, cache, limits, (articles_key, shape_key))
    articles = cache.evolve("linked-articles", relink)
    return LinkedDossier(dossier, articles.linked, articles.by_theme, articles.by_entity, articles.timeline,
                         entities_fingerprint(dossier), names_fingerprint(dossier), articles.outlets, limits,
                         articles.events, articles.events_by_entity, articles_key, articles.shape_key)


@dataclass(frozen=True)
class _LinkedArticles:
    """What link makes of the articles (LinkedDossier's fields of the same names)."""

    linked: dict[str, LinkedArticle]
    by_theme: dict[str, list[Article]]
    by_entity: dict[str, list[Article]]
    timeline: list[TimelineEntry]
    outlets: list[Outlet]
    events: list[EventRecord]
    events_by_entity: dict[str, list[EventRecord]]
    key: str  # LinkedDossier.articles_key
    shape_key: str  # of the articles' shapes (model.shape_of) and what else link reads


def _linked_articles(dossier: Dossier, found_in: list[tuple], cache: BuildCache, limits: Limits,
                     keys: tuple[str, str]) -> _LinkedArticles:
    linked: dict[str, LinkedArticle] = {}
    for article, (mentions, entity_ids, key) in zip(dossier.articles, found_in):
        linked[article.id] = LinkedArticle(article, mentions, entity_ids, key)

    newest_first = sorted(dossier.articles, key=newest_key)
    by_entity: dict[str, list[Article]] = defaultdict(list)
    by_theme: dict[str, list[Article]] = {t.id: [] for t in dossier.themes}
    for article in newest_first:  # so each list is made newest first, with no sort of its own
        item = linked[article.id]
        for entity_id in item.entity_ids:
            by_entity[entity_id].append(article)
        for theme_id in article.themes:
            by_theme[theme_id].append(article)

    relations = Relations(linked, by_entity, len(dossier.articles), limits, cache)
    for item in linked.values():
        item.relations = relations
    for theme_id, articles in by_theme.items():
        in_order = articles[::-1]  # oldest first
        for index, article in enumerate(in_order):
            linked[article.id].neighbours.append(Neighbours(
                theme_id,
                in_order[index - 1] if index > 0 else None,
                in_order[index + 1] if index + 1 < len(in_order) else None))

    records = event_index.event_records(dossier.articles)
    timeline = [TimelineEntry(article.date, article.title, article, True) for article in dossier.articles]
    timeline.extend(TimelineEntry(r.date, r.title, r.first.article, False, r) for r in records)
    # (year, month, day) orders as the dates do, without a comparison method call per pair
    timeline.sort(key=lambda e: ((e.date.year, e.date.month, e.date.day), e.is_publication, e.article.id, e.title))
    return _LinkedArticles(linked, by_theme, dict(sorted(by_entity.items())), timeline, outlets(newest_first),
                           records, event_index.by_entity(records), *keys)


def _relinked(before: _LinkedArticles, dossier: Dossier, found_in: list[tuple], cache: BuildCache, limits: Limits,
              key: str) -> _LinkedArticles:
    """before with this run's articles in place of their earlier versions, for an edit that left
    every article's shape as it was (a title or a summary): the orders and groups are the same, so
    nothing is sorted or counted again. Every object that holds an edited article is new (a list,
    a record, a timeline entry), the others are taken as they are (made again, they would hold
    the very same objects: at 5,000 articles the entities' lists hold over 100,000 places, and
    there are 11,000 events); every LinkedArticle is new, so that nothing worked out from another
    article's earlier version (its related articles) is kept."""
    fresh = {article.id: article for article in dossier.articles}
    now = lambda article: fresh[article.id] if article is not None else None  # noqa: E731
    edited = [before.linked[article.id] for article in dossier.articles
              if before.linked[article.id].article is not article]
    edited_ids = {item.article.id for item in edited}
    next_to_edited = edited_ids | {other.id for item in edited for n in item.neighbours
                                   for other in (n.previous, n.next) if other is not None}
    linked: dict[str, LinkedArticle] = {}
    for article, (mentions, entity_ids, fingerprint_) in zip(dossier.articles, found_in):
        item = linked[article.id] = LinkedArticle(article, mentions, entity_ids, fingerprint_)
        neighbours = before.linked[article.id].neighbours
        item.neighbours = [Neighbours(n.theme_id, now(n.previous), now(n.next)) for n in neighbours] \
            if article.id in next_to_edited else neighbours
    by_entity, by_theme = dict(before.by_entity), dict(before.by_theme)
    for item in edited:
        for groups, ids in ((by_entity, item.entity_ids), (by_theme, item.article.themes)):
            for group_id in ids:
                groups[group_id] = _in_place_of(groups[group_id], item.article, fresh[item.article.id])
    relations = Relations(linked, by_entity, len(dossier.articles), limits, cache)
    for item in linked.values():
        item.relations = relations

    records: dict[int, EventRecord] = {}  # the earlier record's id() → this run's
    for record in before.events:
        records[id(record)] = record if all(r.article.id not in edited_ids for r in record.reports) else EventRecord(
            record.id, [Report(fresh[r.article.id], fresh[r.article.id].events[r.index], r.index)
                        for r in record.reports])
    timeline = []
    for entry in before.timeline:
        if entry.event is not None:
            record = records[id(entry.event)]
            timeline.append(entry if record is entry.event else
                            TimelineEntry(record.date, record.title, record.first.article, False, record))
        else:
            article = fresh[entry.article.id]
            timeline.append(entry if article is entry.article else
                            TimelineEntry(article.date, article.title, article, True))
    renewed = {id(record) for record in before.events if records[id(record)] is not record}
    return _LinkedArticles(
        linked, by_theme, by_entity, timeline,
        [Outlet(o.slug, o.name, list(map(now, o.articles))) if any(a.id in edited_ids for a in o.articles) else o
         for o in before.outlets],
        [records[id(record)] for record in before.events],
        {entity_id: [records[id(r)] for r in found] if any(id(r) in renewed for r in found) else found
         for entity_id, found in before.events_by_entity.items()} if renewed else before.events_by_entity,
        key, before.shape_key)


def _in_place_of(articles: list[Article], old: Article, new: Article) -> list[Article]:
    """A copy of a newest-first list of articles with new in old's place (both have the same date
    and id, so old is found by bisection)."""
    at = bisect.bisect_left(articles, newest_key(old), key=newest_key)
    if at == len(articles) or articles[at] is not old:  # not there as expected: every article looked at
        return [new if article is old else article for article in articles]
    copied = list(articles)
    copied[at] = new
    return copied


@functools.lru_cache(maxsize=4096)  # asked for every article on every build: few names, many articles
def outlet_slug(name: str) -> str:
    """The slug of a named outlet's page: the same for every spelling variant of its name, so a
    byline can link to the page from the name alone."""
    key = " ".join(normalize(name).split())
    return "o-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def outlets(articles: list[Article]) -> list[Outlet]:
    named: dict[str, list[Article]] = defaultdict(list)
    unknown = []
    for article in sorted(articles, key=newest_key):
        if article.source.outlet:
            named[outlet_slug(article.source.outlet)].append(article)
        else:
            unknown.append(article)
    found = []
    for slug, group in named.items():
        spelled = Counter(a.source.outlet for a in group)
        name = min(spelled, key=lambda s: (-spelled[s], s))  # the most usual spelling
        found.append(Outlet(slug, name, group))
    found.sort(key=lambda o: (dictionary_key(o.name), o.slug))
    return found + ([Outlet("unknown", None, unknown)] if unknown else [])


def entities_fingerprint(dossier: Dossier) -> str:
    return fingerprint(*(e.fingerprint or e.id for e in dossier.entities))


def names_fingerprint(dossier: Dossier) -> str:
    """What pages other than an entity's own read of the entities: ids, names, kinds, locations."""
    return fingerprint(*(f"{e.id}\0{e.name}\0{e.kind}\0{e.location!r}" for e in dossier.entities))


def spellings_fingerprint(dossier: Dossier) -> str:
    """What finding names in a text depends on: each entity's id and spellings, in order."""
    return fingerprint(*("\0".join((e.id, *e.spellings)) for e in dossier.entities))


def all_mentions(dossier: Dossier, cache: BuildCache = NO_CACHE):
    """(article, key, (mentions, found)) for each article; found again only in an article whose
    text or whose entities' spellings changed (cache): editing a description finds nothing anew."""
    spellings_key = spellings_fingerprint(dossier)
    matcher = cache.get("matcher", spellings_key, lambda: _matcher(dossier))
    for article in dossier.articles:
        key = (article.fingerprint, spellings_key)
        yield article, key, _mentions(article, key, lambda: matcher, cache)


def _matcher(dossier: Dossier) -> Matcher:
    return Matcher({e.id: e.spellings for e in dossier.entities})


def _names_found(article: Article, spellings_key: str, matcher, entity_order: dict[str, int], cache: BuildCache
                 ) -> tuple[list[list[tuple[int, int, str]]], list[str], str]:
    """The names in article's text (as all_mentions finds them, matcher() made only if needed), its
    entities (in the YAML or found, in dossier order) and its LinkedArticle fingerprint."""
    key = (article.fingerprint, spellings_key)
    mentions, found = _mentions(article, key, matcher, cache)
    return mentions, sorted(set(article.entities) | found, key=entity_order.__getitem__), fingerprint(*map(str, key))


def _mentions(article: Article, key: tuple[str, str], matcher, cache: BuildCache
              ) -> tuple[list[list[tuple[int, int, str]]], set[str]]:
    """find_mentions, kept by the article and the entities' spellings (key), matcher() made only if needed."""
    return cache.get("mentions", key, lambda: find_mentions(article, matcher()))


def find_mentions(article: Article, matcher: Matcher) -> tuple[list[list[tuple[int, int, str]]], set[str]]:
    """Every entity name in the article's body, per line, and the set of entities found."""
    mentions = [matcher.find(line) for line in article.body_lines]
    return mentions, {entity_id for line in mentions for _, _, entity_id in line}


def _named_with(articles, entity_order: dict[str, int], limit: int, per_article: int = PAIRS_ENTITY_LIMIT
                ) -> dict[str, list[tuple[str, int]]]:
    together: dict[str, Counter] = defaultdict(Counter)
    for item in articles:
        ids = item.entity_ids[:per_article]
        for first in ids:
            counts = together[first]
            for second in ids:
                if second != first:
                    counts[second] += 1
    return {entity_id: sorted(counts.items(), key=lambda pair: (-pair[1], entity_order[pair[0]]))[:limit]
            for entity_id, counts in sorted(together.items())}


class Relations:
    """Each article's related articles: explicit ones first, then the best candidates sharing
    entities, weighted by rarity. Worked out per article when first asked for."""

    def __init__(self, linked: dict[str, LinkedArticle], by_entity: dict[str, list[Article]], total: int,
                 limits: Limits, cache: BuildCache = NO_CACHE):
        self.linked, self.by_entity, self.total, self.limits = linked, by_entity, total, limits
        self.cache = cache

    @cached_property
    def key(self) -> str:
        """Everything relating reads: each article's id, date, themes, chosen related and entities
        (not its title or summary, so that editing those relates nothing anew)."""
        return fingerprint(repr(self.limits), *(
            f"{i}|{item.article.date!r}|{item.article.themes}|{item.article.related}|{item.entity_ids}"
            for i, item in self.linked.items()))

    def related(self, item: LinkedArticle) -> list[Related]:
        """The related articles (the choice cached by what it reads; the articles are today's)."""
        chosen = self.cache.get("related", (self.key, item.article.id), lambda: [
            (r.article.id, r.shared_entities, r.shared_themes, r.explicit) for r in self._related(item)])
        return [Related(self.linked[other_id].article, entities, themes, explicit)
                for other_id, entities, themes, explicit in chosen]

    @cached_property
    def _position(self) -> dict[str, dict[str, int]]:
        """Where each article stands among a common entity's articles (newest first)."""
        return {entity_id: {a.id: i for i, a in enumerate(articles)}
                for entity_id, articles in self.by_entity.items() if len(articles) > self.limits.common_entity}

    @cached_property
    def _theme_sets(self) -> dict[str, frozenset[str]]:
        return {article_id: frozenset(item.article.themes) for article_id, item in self.linked.items()}

    def _related(self, item: LinkedArticle) -> list[Related]:
        linked, limits, position, theme_sets = self.linked, self.limits, self._position, self._theme_sets
        half = limits.common_window // 2
        article = item.article
        scores: dict[str, float] = defaultdict(float)
        for entity_id in item.entity_ids:
            others = self.by_entity[entity_id]
            weight = math.log(1 + self.total / len(others))
            if entity_id in position:  # a common entity: the articles nearest in time only
                at = position[entity_id][article.id]
                others = others[max(0, at - half):at + half + 1]
            for other in others:
                if other.id != article.id:
                    scores[other.id] += weight
        mine = theme_sets[article.id]
        for other_id in scores:
            scores[other_id] += 0.5 * len(mine & theme_sets[other_id])
        chosen = [i for i in article.related if i in linked]
        ranked = heapq.nsmallest(max(0, limits.related - len(chosen)), (i for i in scores if i not in chosen),
                                 key=lambda i: (-scores[i], i))  # the best few, as sorted() would list them
        related = []
        for other_id in chosen + ranked:
            other = linked[other_id]
            related.append(Related(
                other.article,
                [e for e in item.entity_ids if e in other.entity_set],
                [t for t in article.themes if t in other.article.themes],
                other_id in article.related))
        return related
