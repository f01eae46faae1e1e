"""Memoisation the stages are given, never hidden in them.

A stage that can reuse earlier work takes a cache argument and asks it for a result by a key
that names every input of that result (a file's bytes, a document's fingerprint, the templates'
digest): `cache.get("yaml", key, compute)`. `build` passes a fresh BuildCache (or none: NO_CACHE
computes everything), `serve` keeps one BuildCache for the whole session, so an edit redoes
only the work whose inputs changed. Results that were not asked for during a run are dropped
when the run ends, so the cache holds one generation of the dossier, not its history; but a
result asked for as `lasting` (a whole-dossier result only some runs need, such as the entities
named together, which only the entity pages read) is kept through the runs that do not ask for
its kind, until one does. A result made of one part per article (a data file's rows, the search
documents) is asked for with `each`: kept whole by a key naming all the parts, and made again
part by part, only the new ones, when that key changes.

What a cached result relies on: nothing changes it after it is made (stages treat what they
receive as read-only).
"""
from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


class BuildCache:
    """Results by (kind, key), kept from one run to the next while they are used."""

    def __init__(self):
        self._previous: dict[tuple[str, Hashable], object] = {}
        self._current: dict[tuple[str, Hashable], object] = {}
        self.hits: Counter = Counter()
        self.misses: Counter = Counter()
        # kind → what the last run that asked for it as lasting asked (and this run's asking so far)
        self._lasting: dict[str, dict[tuple[str, Hashable], object]] = {}
        self._lasting_now: dict[str, dict[tuple[str, Hashable], object]] = {}

    def get(self, kind: str, key: Hashable, compute: Callable[[], T], *, lasting: bool = False) -> T:
        value = self._get(kind, key, compute)
        if lasting:
            self._lasting_now.setdefault(kind, {})[(kind, key)] = value
        return value

    def _get(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        entry = (kind, key)
        if entry in self._current:
            self.hits[kind] += 1
            return self._current[entry]  # type: ignore[return-value]
        if entry in self._previous:
            self.hits[kind] += 1
            value = self._previous.pop(entry)
        else:
            self.misses[kind] += 1
            value = compute()
        self._current[entry] = value
        return value  # type: ignore[return-value]

    def count(self, kind: str, reused: bool, times: int = 1) -> None:
        """Count a result of kind kept elsewhere (the pages, by the run that made them) as this
        cache counts its own: reused, or made."""
        (self.hits if reused else self.misses)[kind] += times

    def keep_parts(self, kind: str) -> None:
        """Carry the parts of each()'s last walk of kind into this run, unused: a result made
        from the whole list was taken as it was (a data file), and the next walk needs them."""
        entry = (f"{kind}, parts", None)
        if entry not in self._current and entry in self._previous:
            self._current[entry] = self._previous.pop(entry)

    def each(self, kind: str, things, key_of: Callable, make: Callable, whole: Hashable = None) -> list:
        """make(thing) for every thing, in order, each kept by key_of(thing) (what it reads). whole
        (a key naming everything the things hold and make reads, or None): the list is kept as one
        too, so that a run in which none of them changed walks none of them; and the parts of the
        last walk are kept with it, so that the next walk makes only the parts whose key is new,
        and takes the others from them with no lookup in the cache (thousands per walk)."""
        if whole is None:
            return [self.get(kind, key_of(thing), lambda thing=thing: make(thing)) for thing in things]
        entry = (f"{kind}, parts", None)
        last = self._get(*entry, dict)  # kept alive with the list, for the next walk

        def walk() -> list:
            parts, values = {}, []
            for thing in things:
                key = key_of(thing)
                value = last[key] if key in last else self.get(kind, key, lambda thing=thing: make(thing))
                parts[key] = value
                values.append(value)
            self._current[entry] = parts
            return values
        return self.get(f"{kind}, all", whole, walk)

    def evolve(self, kind: str, update: Callable[[T | None], T]) -> T:
        """A result made from the last run's result of this kind (None when there is none): for
        a result that an edit changes only in part, made anew in part (the search postings).
        update must not change what it is given."""
        entry = (kind, None)
        previous = self._current.get(entry, self._previous.get(entry))
        self._previous.pop(entry, None)
        value = update(previous)  # type: ignore[arg-type]
        self._current[entry] = value
        return value

    def entries(self, kinds: tuple[str, ...]) -> dict[tuple[str, Hashable], object]:
        """This run's results of these kinds (a forked process hands them back, see adopt)."""
        return {entry: value for entry, value in self._current.items() if entry[0] in kinds}

    def adopt(self, entries: dict[tuple[str, Hashable], object]) -> None:
        """Take results another process computed for this run (keys name every input, as always)."""
        self._current.update(entries)

    def finish_run(self, success: bool = True) -> None:
        """End a run: what a successful run did not use is forgotten. A run that stopped half way
        (problems in the dossier) keeps everything, so that fixing them costs no more than the fix."""
        if success:
            for kind, entries in self._lasting.items():
                if kind not in self._lasting_now:  # not asked for this run: kept for a later one
                    self._current.update(entries)
            self._lasting.update(self._lasting_now)  # asked for: what this run asked replaces the last
            self._previous, self._current = self._current, {}
        else:
            for kind, entries in self._lasting_now.items():
                self._lasting.setdefault(kind, {}).update(entries)
            self._previous.update(self._current)
            self._current = {}
        self._lasting_now = {}
        self.hits.clear()
        self.misses.clear()

    def kept(self, leave_out: frozenset[str] = frozenset()) -> dict[tuple[str, Hashable], object]:
        """The results of the last finished run (to be kept for a later session), but these kinds."""
        return {entry: value for entry, value in self._previous.items() if entry[0] not in leave_out}

    def lasting_kinds(self) -> frozenset[str]:
        """The kinds a run asked for as lasting (kept through the runs that do not ask for them)."""
        return frozenset(self._lasting)

    def restore(self, entries: dict[tuple[str, Hashable], object], lasting: Iterable[str] = ()) -> None:
        """Results kept from an earlier session: used when asked for, forgotten like any other,
        but those of the lasting kinds (lasting_kinds() then), kept through the runs that do not
        ask for them as they were in that session (a new session's first build may not)."""
        self._previous.update(entries)
        for kind in lasting:
            self._lasting[kind] = {entry: value for entry, value in entries.items() if entry[0] == kind}

    def clear(self) -> None:
        self._previous, self._current, self._lasting, self._lasting_now = {}, {}, {}, {}

    def __len__(self) -> int:
        return len(self._previous) + len(self._current)


class NoCache(BuildCache):
    """Computes every time (a one-off build has nothing to reuse)."""

    def get(self, kind: str, key: Hashable, compute: Callable[[], T], *, lasting: bool = False) -> T:
        self.misses[kind] += 1
        return compute()

    def each(self, kind: str, things, key_of: Callable, make: Callable, whole: Hashable = None) -> list:
        return [self.get(kind, None, lambda thing=thing: make(thing)) for thing in things]

    def keep_parts(self, kind: str) -> None:
        pass

    def evolve(self, kind: str, update: Callable[[T | None], T]) -> T:
        self.misses[kind] += 1
        return update(None)


NO_CACHE = NoCache()


def fingerprint(*parts: str | bytes, prefix: bytes = b"") -> str:
    """A short digest of some strings or bytes, in order (prefix: framed() parts that come first)."""
    digest = hashlib.blake2b(prefix, digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def framed(*parts: str | bytes) -> bytes:
    """Parts as fingerprint() reads them: a long run of parts kept framed is digested again with
    different ends, as fingerprint(*ends, prefix=framed(*run)), and never walked again."""
    out = []
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass")
        out += (len(data).to_bytes(8, "little"), data)
    return b"".join(out)
