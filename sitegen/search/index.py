"""The site search's files: a small manifest, index shards and document chunks, all plain scripts.

Nothing of the search is in a page: docs/assets/javascripts/search.js loads `search/manifest.js`
when the reader opens search, then only the shards that the query's words need, then the
document chunks of the results it shows. Every file is a script that hands its data to
`dossierSearch.loaded(name, data)` (JSONP), so that search works from file:// too, where a
browser refuses fetch().

Files (paths relative to the site root; names are ASCII and carry a digest of their content,
so a cache never mixes two builds):

- `search/manifest.js`: `{"version", "documents", "chunk", "shards": [[file, key, key…], ...],
  "chunks": [file, ...], "names": [[name key, document, document…], ...]}`. A term is in the
  shard of the longest key that begins it. "names" lists, by tokens.name_key, the documents
  that are named so (an entity's name and aliases): a query that is such a name ranks them first.
- `search/shards/<i>.<digest>.js`: `{term: "head;body", ...}` for some keys' terms. head lists
  the documents that have the term in their title or summary, body those that have it only in
  their body, as ascending document numbers, each written as its distance from the one before
  in base 36, comma-separated.
- `search/docs/<i>.<digest>.js`: `[[url, title, kind_label, date_iso, date_label, summary], ...]`
  for documents i*chunk … i*chunk+chunk-1.

Documents are numbered in their `order` (newest articles first), so "ties newest first" is
"lowest number first", and the first results of a query are mostly in the first chunks.

Shards are keyed by the first letters of their terms, like a trie: the terms are grouped by
their first letter; a group larger than SHARD_LIMIT bytes is grouped again by its next letter
(the terms that are its key exactly stay under the key itself), and so on. Small neighbouring
groups (in key order) share a file, up to SHARD_LIMIT / 2 together.
"""
from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .. import json_in_script
from ..cache import NO_CACHE, BuildCache
from .tokens import name_key, text_terms

FORMAT = 1
SHARD_LIMIT = 24_000  # bytes of a shard's entries, before compression
CHUNK = 20  # documents per chunk
HEAD, BODY = 2, 1  # where a document has a term: its title or summary, or only its body

Terms = tuple[tuple[str, int], ...]  # (term, HEAD or BODY), sorted by term


@dataclass(frozen=True)
class SearchDocument:
    """One search result: a page of the site, as the search shows and finds it."""

    url: str  # relative to the site root, as links take it: "articles/x/" (or "articles/x.html" offline)
    title: str
    date_iso: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    date_label: str | None  # the date as the page shows it, in Arabic
    kind: str  # article | theme | entity | page
    kind_label: str  # in Arabic
    summary: str
    body: str  # plain text
    order: tuple = ()  # sort key of ties: smaller first (articles: newest first)
    names: tuple[str, ...] = ()  # what it is called (an entity: its name and aliases), ranked first for that query

    def __hash__(self) -> int:
        # Worked out once: each document is a key several times per run (its terms, the cache),
        # thousands of them on every edit under serve. Not written with the document when the
        # cache is (a string's hash differs from one process to the next).
        found = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.url, self.title, self.date_iso, self.date_label, self.kind, self.kind_label,
                          self.summary, self.body, self.order, self.names))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_hash"}


def document_terms(doc: SearchDocument) -> Terms:
    """Every index term of a document, with where it is (HEAD or BODY). Depends on the
    title, summary and body only: a caller may keep it while those are unchanged."""
    head = text_terms(f"{doc.title}\n{doc.summary}")
    body = text_terms(doc.body) - head
    return tuple(sorted([(term, HEAD) for term in head] + [(term, BODY) for term in body]))


def _digits36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _deltas(ids: list[int]) -> str:
    previous, parts = -1, []
    for n in ids:
        parts.append(_digits36(n - previous - 1))
        previous = n
    return ",".join(parts)


def _script(name: str, data_json: str) -> str:
    return f'dossierSearch.loaded("{name}",{data_json});\n'


def _named(folder: str, index: int, data_json: str) -> str:
    return f"{folder}/{index}.{hashlib.sha256(data_json.encode('utf-8')).hexdigest()[:10]}"


def _shard_keys(sizes: Mapping[str, int]) -> tuple[list[tuple[str, list[str]]], dict[str, int]]:
    """(key, terms) groups: the adaptive trie over the terms (see the module's docstring); and the
    prefixes grouped again by their next letter (the root aside), with their terms' bytes."""
    groups: list[tuple[str, list[str]]] = []
    splits: dict[str, int] = {}

    def split(prefix: str, terms: list[str]) -> None:
        by_next: dict[str, list[str]] = {}
        exact: list[str] = []
        for term in terms:
            if len(term) == len(prefix):
                exact.append(term)
            else:
                by_next.setdefault(term[len(prefix)], []).append(term)
        if exact:
            groups.append((prefix, exact))
        for letter in sorted(by_next):
            child = by_next[letter]
            key = prefix + letter
            size = sum(sizes[t] for t in child)
            if size > SHARD_LIMIT and any(len(t) > len(key) for t in child):
                splits[key] = size
                split(key, child)
            else:
                groups.append((key, child))

    split("", sorted(sizes))
    return groups, splits


Group = tuple[str, tuple[str, ...]]  # a key and its terms, sorted


@dataclass(frozen=True)
class Layout:
    """Which terms each shard file holds: the trie's groups, neighbours packed into one file up to
    half the limit (a big group alone). Made in full once, then (serve) kept while an edit's
    terms fit where they were."""

    packs: tuple[tuple[Group, ...], ...]  # per file, its groups in key order
    totals: tuple[int, ...]  # per file, its entries' bytes
    group_at: dict[str, tuple[int, int]]  # a group's key → (its file, its place in the file)
    splits: dict[str, int]  # the prefixes grouped again by their next letter → their terms' bytes

    @classmethod
    def made(cls, sizes: Mapping[str, int]) -> "Layout":
        groups, splits = _shard_keys(sizes)
        packs: list[list[Group]] = []
        totals: list[int] = []
        for key, group in groups:
            size = sum(sizes[t] for t in group)
            if not packs or totals[-1] + size > SHARD_LIMIT // 2:
                packs.append([])
                totals.append(0)
            packs[-1].append((key, tuple(group)))
            totals[-1] += size
        group_at = {key: (index, place) for index, pack in enumerate(packs) for place, (key, _) in enumerate(pack)}
        return cls(tuple(map(tuple, packs)), tuple(totals), group_at, splits)

    def _group_of(self, term: str) -> str | None:
        """The key of the group term is in, or would be in (the longest key it begins with)."""
        for end in range(len(term), 0, -1):
            if term[:end] in self.group_at:
                return term[:end]
        return None

    def updated(self, sizes: Mapping[str, int], before: Mapping[str, int],
                touched: Iterable[str]) -> tuple["Layout", set[int]] | None:
        """This layout with the touched terms' sizes now in sizes (before: as they were; a term in
        only one of them is new, or gone), and the files that changed; or None when made in full
        it would differ: a term for a group not there, a group emptied, a split or a pack no
        longer what the rules make of the sizes."""
        half = SHARD_LIMIT // 2
        packs = [list(pack) for pack in self.packs]
        changed: set[int] = set()
        terms_of: dict[str, list[str] | None] = {}  # the touched groups' terms, when they changed
        deltas: dict[str, int] = {}
        for term in touched:
            key = self._group_of(term)
            if key is None or (key in self.splits and key != term):  # a group of its own
                return None
            index, place = self.group_at[key]
            changed.add(index)
            if (term in before) != (term in sizes):
                terms = terms_of.get(key)
                if terms is None:
                    terms = terms_of[key] = list(packs[index][place][1])
                if term in sizes:
                    bisect.insort(terms, term)
                else:
                    terms.remove(term)
            else:
                terms_of.setdefault(key, None)
            delta = sizes.get(term, 0) - before.get(term, 0)
            for end in range(1, len(term) + 1):
                if term[:end] in self.splits:
                    deltas[term[:end]] = deltas.get(term[:end], 0) + delta
        splits = dict(self.splits) if deltas else self.splits
        for prefix, delta in deltas.items():
            splits[prefix] += delta
            if splits[prefix] <= SHARD_LIMIT:
                return None
        for key, terms in terms_of.items():
            index, place = self.group_at[key]
            if terms is None:
                terms = packs[index][place][1]
            elif not terms:
                return None
            else:
                packs[index][place] = (key, tuple(terms))
            if (key not in self.splits and sum(sizes[t] for t in terms) > SHARD_LIMIT
                    and any(len(t) > len(key) for t in terms)):
                return None

        def size(group: Group) -> int:
            return sum(sizes[t] for t in group[1])

        totals = list(self.totals)
        for index in changed:
            totals[index] = sum(map(size, packs[index]))
        for index in changed:
            if len(packs[index]) > 1 and totals[index] > half:
                return None
            if index > 0 and totals[index - 1] + size(packs[index][0]) <= half:
                return None
            if index + 1 < len(packs) and totals[index] + size(packs[index + 1][0]) <= half:
                return None
        return Layout(tuple(map(tuple, packs)), tuple(totals), self.group_at, splits), changed


@dataclass(frozen=True)
class Postings:
    """Which documents hold each term, as the shards write it: made in full once, then (serve)
    changed only where documents' terms changed. Never changed once made."""

    order: tuple[str, ...]  # the documents' URLs, by number
    terms: tuple[Terms, ...]  # each document's terms, by number
    lists: dict[str, tuple[list[int], list[int]]]  # term -> (HEAD numbers, BODY numbers), ascending
    entries: dict[str, str]  # term -> "head;body" as the shards write it
    touched: frozenset[str] | None = None  # the terms whose entries changed from the last ones (None: made afresh)

    @classmethod
    def made(cls, order: tuple[str, ...], terms: tuple[Terms, ...]) -> "Postings":
        lists: dict[str, tuple[list[int], list[int]]] = {}
        for number, found in enumerate(terms):
            for term, where in found:
                held = lists.get(term)
                if held is None:
                    held = lists[term] = ([], [])
                held[0 if where == HEAD else 1].append(number)
        return cls(order, terms, lists, {term: _entry(held) for term, held in lists.items()})

    def updated(self, order: tuple[str, ...], terms: tuple[Terms, ...]) -> "Postings":
        """The postings of these documents, from this one's: the same documents in the same order
        redo only the terms of the documents whose terms changed; anything else starts afresh."""
        if order != self.order:
            return Postings.made(order, terms)
        lists, entries = dict(self.lists), dict(self.entries)
        touched: set[str] = set()
        for number, (before, now) in enumerate(zip(self.terms, terms)):
            if before is now or before == now:
                continue
            before_set, now_set = set(before), set(now)
            for term, where in before_set - now_set:
                held = lists[term] = tuple(list(side) for side in lists[term])  # a copy: the old stays as it was
                held[0 if where == HEAD else 1].remove(number)
                touched.add(term)
            for term, where in now_set - before_set:
                held = lists[term] = tuple(list(side) for side in lists.get(term, ([], [])))
                bisect.insort(held[0 if where == HEAD else 1], number)
                touched.add(term)
        for term in touched:
            if lists[term][0] or lists[term][1]:
                entries[term] = _entry(lists[term])
            else:
                del lists[term], entries[term]
        return Postings(order, terms, lists, entries, frozenset(touched))


def _entry(held: tuple[list[int], list[int]]) -> str:
    return f"{_deltas(held[0])};{_deltas(held[1])}"


def _size(term: str, entry: str) -> int:
    """A term's bytes in its shard: the term, its entry, and the JSON around them."""
    return len(term.encode("utf-8")) + len(entry) + 6


Made = tuple[tuple, str, str]  # what a file holds (its entries, its rows), its name and its script


def _shard(index: int, held: tuple) -> Made:
    data = json_in_script.dumps(dict(held))
    name = _named("shards", index, data)
    return held, name, _script(name, data)


def _chunk(index: int, rows: tuple) -> Made:
    data = json_in_script.dumps([list(row) for row in rows])
    name = _named("docs", index, data)
    return rows, name, _script(name, data)


def _rows(docs: tuple[SearchDocument, ...], index: int) -> tuple:
    return tuple((d.url, d.title, d.kind_label, d.date_iso or "", d.date_label or "", d.summary)
                 for d in docs[index * CHUNK:(index + 1) * CHUNK])


def _reused(before: tuple[Made, ...], index: int, holds: tuple, make: Callable[[int, tuple], Made]) -> Made:
    """The file at index as the last run made it, if it holds the same; else made."""
    if index < len(before) and before[index][0] == holds:
        return before[index]
    return make(index, holds)


@dataclass(frozen=True)
class SearchIndex:
    """The search files and what they were made of. Made in full once, then (serve keeps it from
    one run to the next) made again only where an edit changed a document: an edit that moves no
    document and fits its terms where they were costs its documents, not the dossier's."""

    listed: tuple[SearchDocument, ...]  # the documents as given
    numbers: tuple[int, ...]  # each one's number (its place in the search's order)
    docs: tuple[SearchDocument, ...]  # by number
    postings: Postings
    sizes: dict[str, int]  # each term's bytes in its shard
    layout: Layout
    shards: tuple[Made, ...]
    chunks: tuple[Made, ...]

    @classmethod
    def made(cls, listed: tuple[SearchDocument, ...], terms: Mapping[SearchDocument, Terms] | None,
             before: "SearchIndex | None" = None) -> "SearchIndex":
        ranked = sorted(range(len(listed)), key=lambda i: (listed[i].order, listed[i].url))
        numbers = [0] * len(listed)
        for number, i in enumerate(ranked):
            numbers[i] = number
        docs = tuple(listed[i] for i in ranked)
        known = dict(zip(before.docs, before.postings.terms)) if before is not None else {}
        found = tuple((terms.get(doc) if terms is not None else None) or known.get(doc) or document_terms(doc)
                      for doc in docs)
        order = tuple(d.url for d in docs)
        postings = before.postings.updated(order, found) if before is not None else Postings.made(order, found)
        sizes = {term: _size(term, entry) for term, entry in postings.entries.items()}
        layout = Layout.made(sizes)
        shards_before, chunks_before = (before.shards, before.chunks) if before is not None else ((), ())
        shards = tuple(_reused(shards_before, index, _held(pack, postings.entries), _shard)
                       for index, pack in enumerate(layout.packs))
        chunks = tuple(_reused(chunks_before, index, _rows(docs, index), _chunk)
                       for index in range(-(-len(docs) // CHUNK)))
        return cls(listed, tuple(numbers), docs, postings, sizes, layout, shards, chunks)

    def updated(self, listed: tuple[SearchDocument, ...],
                terms: Mapping[SearchDocument, Terms] | None) -> "SearchIndex":
        """The index of these documents, from this one: in part when only documents' contents changed."""
        if len(listed) != len(self.listed):
            return SearchIndex.made(listed, terms, self)
        changed: list[int] = []
        for i, (now, was) in enumerate(zip(listed, self.listed)):
            if now is not was and now != was:
                if now.url != was.url or now.order != was.order:  # the order may change: made in full
                    return SearchIndex.made(listed, terms, self)
                changed.append(i)
        if not changed:
            return self
        docs, found = list(self.docs), list(self.postings.terms)
        for i in changed:
            doc = docs[self.numbers[i]] = listed[i]
            found[self.numbers[i]] = (terms.get(doc) if terms is not None else None) or document_terms(doc)
        docs = tuple(docs)
        postings = self.postings.updated(self.postings.order, tuple(found))
        sizes = dict(self.sizes)
        for term in postings.touched:
            if term in postings.entries:
                sizes[term] = _size(term, postings.entries[term])
            else:
                del sizes[term]
        kept = self.layout.updated(sizes, self.sizes, postings.touched)
        if kept is None:  # the terms no longer fit where they were: laid out again, each file kept if the same
            return SearchIndex.made(listed, terms, self)
        layout, renewed = kept
        shards = list(self.shards)
        for index in renewed:
            shards[index] = _reused(self.shards, index, _held(layout.packs[index], postings.entries), _shard)
        chunks = list(self.chunks)
        for index in {self.numbers[i] // CHUNK for i in changed}:
            chunks[index] = _reused(self.chunks, index, _rows(docs, index), _chunk)
        return SearchIndex(tuple(listed), self.numbers, docs, postings, sizes, layout, tuple(shards), tuple(chunks))

    def files(self) -> dict[str, str]:
        """{path relative to the site root: text}"""
        files = {f"search/{name}.js": script for _, name, script in (*self.shards, *self.chunks)}
        named: dict[str, list[int]] = {}
        for number, doc in enumerate(self.docs):
            if doc.names:
                for key in dict.fromkeys(filter(None, map(name_key, doc.names))):
                    named.setdefault(key, []).append(number)
        manifest = json_in_script.dumps({
            "version": FORMAT, "documents": len(self.docs), "chunk": CHUNK,
            "shards": [[name, *(key for key, _ in pack)] for (_, name, _), pack in zip(self.shards, self.layout.packs)],
            "chunks": [name for _, name, _ in self.chunks],
            "names": [[key, *numbers] for key, numbers in sorted(named.items())]})
        files["search/manifest.js"] = _script("manifest", manifest)
        return dict(sorted(files.items()))


def _held(pack: tuple[Group, ...], entries: Mapping[str, str]) -> tuple:
    return tuple((term, entries[term]) for _, group in pack for term in group)


def build_search_files(documents: Iterable[SearchDocument],
                       terms: Mapping[SearchDocument, Terms] | None = None,
                       cache: BuildCache = NO_CACHE) -> dict[str, str]:
    """The search files for these documents, {path relative to the site root: text}.

    terms may give document_terms(doc) for some or all of the documents; the others are
    computed. The same documents give byte-identical files, whatever their order. cache (serve
    keeps one for its session): the index is made again from the last one where an edit changed
    it (SearchIndex.updated), so that an edit costs what it touched.
    """
    listed = tuple(documents)
    index = cache.evolve("search-index", lambda before: SearchIndex.made(listed, terms) if before is None
                         else before.updated(listed, terms))
    return index.files()
