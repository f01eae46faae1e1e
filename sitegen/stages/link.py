"""Stage 3, link: everything that connects articles, entities, themes and dates.

Every relation is computed through an index (entity → articles, theme → articles), never by
comparing all pairs of articles, so the cost grows with the dossier, not with its square.
"""
from __future__ import annotations

import functools

import hashlib
import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from ..arabic import Matcher, dictionary_key, normalize
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..model import Article, Dossier, EventRecord, PartialDate
from ..quotes import Found, ShownText
from . import events as event_index

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
class Segment:
    text: str
    entity_id: str | None = None


@dataclass
class Quote:
    """A passage of the text that an event quotes, marked on the page with an id the event links to."""

    anchor: str
    segments: list[Segment]


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
        make = lambda: _paragraphs(self.article, self.mentions)  # noqa: E731
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
    # same key, the same articles, entity lists and events ("": not known, nothing kept by it).
    articles_key: str = ""

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
        if relations is None or not self.articles_key:
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
    only in an article whose text or whose entities changed (cache). What links the articles
    is kept whole by what it reads (every article, the entities' ids and spellings, the themes'
    ids): an edit of anything else, such as an entity's description, relinks nothing."""
    spellings_key = spellings_fingerprint(dossier)
    make = lambda: _linked_articles(dossier, spellings_key, cache, limits)  # noqa: E731
    articles_key = ""
    if all(article.fingerprint for article in dossier.articles):
        articles_key = fingerprint(*(article.fingerprint for article in dossier.articles), spellings_key,
                                   *(theme.id for theme in dossier.themes), repr(limits))
        articles = cache.get("linked-articles", articles_key, make)
    else:
        articles = make()
    return LinkedDossier(dossier, articles.linked, articles.by_theme, articles.by_entity, articles.timeline,
                         entities_fingerprint(dossier), names_fingerprint(dossier), articles.outlets, limits,
                         articles.events, articles.events_by_entity, articles_key)


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


def _linked_articles(dossier: Dossier, spellings_key: str, cache: BuildCache, limits: Limits) -> _LinkedArticles:
    entity_order = {e.id: i for i, e in enumerate(dossier.entities)}
    linked: dict[str, LinkedArticle] = {}
    for article, key, (mentions, found) in all_mentions(dossier, cache, spellings_key):
        entity_ids = sorted(set(article.entities) | found, key=entity_order.__getitem__)
        linked[article.id] = LinkedArticle(article, mentions, entity_ids, fingerprint(*map(str, key)))

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
                           records, event_index.by_entity(records))


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


def all_mentions(dossier: Dossier, cache: BuildCache = NO_CACHE, spellings_key: str | None = None):
    """(article, key, (mentions, found)) for each article; found again only in an article whose
    text or whose entities' spellings changed (cache): editing a description finds nothing anew.
    Kept (lasting) through the runs that relink nothing, for the next that does."""
    spellings_key = spellings_key or spellings_fingerprint(dossier)
    matcher = cache.get("matcher", spellings_key, lambda: Matcher({e.id: e.spellings for e in dossier.entities}),
                        lasting=True)
    for article in dossier.articles:
        key = (article.fingerprint or id(article), spellings_key)
        yield article, key, cache.get("mentions", key, lambda: find_mentions(article, matcher), lasting=True)


def find_mentions(article: Article, matcher: Matcher) -> tuple[list[list[tuple[int, int, str]]], set[str]]:
    """Every entity name in the article's body, per line, and the set of entities found."""
    mentions = [matcher.find(line) for line in article.body_lines]
    return mentions, {entity_id for line in mentions for _, _, entity_id in line}


def _paragraphs(article: Article, mentions: list[list[tuple[int, int, str]]]
                ) -> tuple[list[list[Segment | Quote]], list[str | None]]:
    """The body as paragraphs of segments; the first mention of each entity becomes a link, and
    each event's quote, where a shown line holds it, becomes a marked passage with an id.

    Segments only cut the text: joined back together they are the line, unchanged. Returns the
    paragraphs and, per event, the id of its passage (None: not shown).
    """
    lines = article.body_lines
    quotes: dict[int, list[tuple[int, int, str]]] = {}  # line index -> (start, end, anchor)
    anchors: list[str | None] = []
    shown = ShownText(lines) if any(event.quote for event in article.events) else None
    for index, event in enumerate(article.events):
        anchor = None
        found = shown.find(event.quote) if shown is not None and event.quote else None
        if isinstance(found, Found):  # validate refuses every other quote, with the same ShownText
            taken = quotes.setdefault(found.line, [])
            overlapping = next((a for s, e, a in taken if s < found.end and found.start < e), None)
            anchor = overlapping or f"event-{index + 1}"
            if not overlapping:
                taken.append((found.start, found.end, anchor))
        anchors.append(anchor)
    linked_already: set[str] = set()
    paragraphs = []
    for number, line in enumerate(lines):
        links = []
        for start, end, entity_id in mentions[number]:
            if entity_id not in linked_already:
                linked_already.add(entity_id)
                links.append((start, end, entity_id))
        paragraphs.append(_pieces(line, links, sorted(quotes.get(number, []))))
    return paragraphs, anchors


def _pieces(line: str, links: list[tuple[int, int, str]], quotes: list[tuple[int, int, str]]) -> list[Segment | Quote]:
    """Cut line where entity links and quoted passages begin and end (a link across a quote's edge
    becomes two links to the same page); group the segments inside each quote."""
    cuts = sorted({0, len(line), *(p for s, e, _ in links for p in (s, e)), *(p for s, e, _ in quotes for p in (s, e))})
    pieces: list[Segment | Quote] = []
    for start, end in zip(cuts, cuts[1:]):
        entity_id = next((i for s, e, i in links if s <= start and end <= e), None)
        segment = Segment(line[start:end], entity_id)
        anchor = next((a for s, e, a in quotes if s <= start and end <= e), None)
        if anchor is None:
            pieces.append(segment)
        elif pieces and isinstance(pieces[-1], Quote) and pieces[-1].anchor == anchor:
            pieces[-1].segments.append(segment)
        else:
            pieces.append(Quote(anchor, [segment]))
    return pieces


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
