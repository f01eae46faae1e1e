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

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


def _json(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    # Valid in JSON, and in scripts since ES2019, but escaped for older readers and editors.
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


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


def build_search_files(documents: Iterable[SearchDocument],
                       terms: Mapping[SearchDocument, Terms] | None = None) -> dict[str, str]:
    """The search files for these documents, {path relative to the site root: text}.

    terms may give document_terms(doc) for some or all of the documents (a cache kept by the
    caller); the others are computed. The same documents give byte-identical files.
    """
    docs = sorted(documents, key=lambda d: (d.order, d.url))
    postings: dict[str, tuple[list[int], list[int]]] = {}
    for number, doc in enumerate(docs):
        found = terms.get(doc) if terms is not None else None
        for term, where in (found if found is not None else document_terms(doc)):
            lists = postings.get(term)
            if lists is None:
                lists = postings[term] = ([], [])
            lists[0 if where == HEAD else 1].append(number)

    entries = {term: f"{_deltas(head)};{_deltas(body)}" for term, (head, body) in postings.items()}
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
    for index, pack in enumerate(packs):
        data = _json({term: entries[term] for _, group in pack for term in group})
        name = _named("shards", index, data)
        files[f"search/{name}.js"] = _script(name, data)
        shard_table.append([name, *(key for key, _ in pack)])

    chunk_names = []
    for index, start in enumerate(range(0, len(docs), CHUNK)):
        data = _json([[d.url, d.title, d.kind_label, d.date_iso or "", d.date_label or "", d.summary]
                      for d in docs[start:start + CHUNK]])
        name = _named("docs", index, data)
        files[f"search/{name}.js"] = _script(name, data)
        chunk_names.append(name)

    named: dict[str, list[int]] = {}
    for number, doc in enumerate(docs):
        for key in dict.fromkeys(filter(None, map(name_key, doc.names))):
            named.setdefault(key, []).append(number)
    manifest = _json({"version": FORMAT, "documents": len(docs), "chunk": CHUNK,
                      "shards": shard_table, "chunks": chunk_names,
                      "names": [[key, *numbers] for key, numbers in sorted(named.items())]})
    files["search/manifest.js"] = _script("manifest", manifest)
    return dict(sorted(files.items()))
