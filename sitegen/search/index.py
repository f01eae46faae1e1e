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
from collections.abc import Iterable, Mapping
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


def _shard_keys(sizes: Mapping[str, int]) -> list[tuple[str, list[str]]]:
    """(key, terms) groups: the adaptive trie over the terms (see the module's docstring)."""
    groups: list[tuple[str, list[str]]] = []

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
            if sum(sizes[t] for t in child) > SHARD_LIMIT and any(len(t) > len(key) for t in child):
                split(key, child)
            else:
                groups.append((key, child))

    split("", sorted(sizes))
    return groups


@dataclass(frozen=True)
class Postings:
    """Which documents hold each term, as the shards write it: made in full once, then (serve)
    changed only where documents' terms changed. Never changed once made."""

    order: tuple[str, ...]  # the documents' URLs, by number
    terms: tuple[Terms, ...]  # each document's terms, by number
    lists: dict[str, tuple[list[int], list[int]]]  # term -> (HEAD numbers, BODY numbers), ascending
    entries: dict[str, str]  # term -> "head;body" as the shards write it

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
        return Postings(order, terms, lists, entries)


def _entry(held: tuple[list[int], list[int]]) -> str:
    return f"{_deltas(held[0])};{_deltas(held[1])}"


def build_search_files(documents: Iterable[SearchDocument],
                       terms: Mapping[SearchDocument, Terms] | None = None,
                       cache: BuildCache = NO_CACHE) -> dict[str, str]:
    """The search files for these documents, {path relative to the site root: text}.

    terms may give document_terms(doc) for some or all of the documents (a cache kept by the
    caller); the others are computed. The same documents give byte-identical files. cache (serve
    keeps one for its session): the postings are changed where an edit changed them rather than
    made again, and each file is kept by what it holds, so an edit costs what it touched.
    """
    docs = sorted(documents, key=lambda d: (d.order, d.url))
    order = tuple(d.url for d in docs)
    found = tuple((terms.get(doc) if terms is not None else None) or document_terms(doc) for doc in docs)
    postings = cache.evolve("search-postings", lambda previous: previous.updated(order, found) if previous
                            else Postings.made(order, found))
    entries = postings.entries
    sizes = {term: len(term.encode("utf-8")) + len(value) + 6 for term, value in entries.items()}

    files: dict[str, str] = {}
    shard_table: list[list[str]] = []
    # Pack neighbouring small groups into one file, never past half the limit (a big group alone).
    packs: list[list[tuple[str, list[str]]]] = []
    packed = 0
    for key, group in _shard_keys(sizes):
        size = sum(sizes[t] for t in group)
        if not packs or packed + size > SHARD_LIMIT // 2:
            packs.append([])
            packed = 0
        packs[-1].append((key, group))
        packed += size
    def shard(index: int, held: tuple) -> tuple[str, str]:
        data = json_in_script.dumps(dict(held))
        name = _named("shards", index, data)
        return name, _script(name, data)

    for index, pack in enumerate(packs):
        held = tuple((term, entries[term]) for _, group in pack for term in group)
        name, script = cache.get("search-shard", (index, held), lambda: shard(index, held))
        files[f"search/{name}.js"] = script
        shard_table.append([name, *(key for key, _ in pack)])

    def chunk(index: int, rows: tuple) -> tuple[str, str]:
        data = json_in_script.dumps([list(row) for row in rows])
        name = _named("docs", index, data)
        return name, _script(name, data)

    chunk_names = []
    for index, start in enumerate(range(0, len(docs), CHUNK)):
        rows = tuple((d.url, d.title, d.kind_label, d.date_iso or "", d.date_label or "", d.summary)
                     for d in docs[start:start + CHUNK])
        name, script = cache.get("search-chunk", (index, rows), lambda: chunk(index, rows))
        files[f"search/{name}.js"] = script
        chunk_names.append(name)

    named: dict[str, list[int]] = {}
    for number, doc in enumerate(docs):
        for key in dict.fromkeys(filter(None, map(name_key, doc.names))):
            named.setdefault(key, []).append(number)
    manifest = json_in_script.dumps({"version": FORMAT, "documents": len(docs), "chunk": CHUNK,
                                     "shards": shard_table, "chunks": chunk_names,
                                     "names": [[key, *numbers] for key, numbers in sorted(named.items())]})
    files["search/manifest.js"] = _script("manifest", manifest)
    return dict(sorted(files.items()))
