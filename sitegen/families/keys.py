"""A page's cache key, worked out from the values its template receives.

A key kept by hand must list everything a template reads, and the input it forgets shows a
stale page under serve. Here the key is a digest of the context itself: model objects stand
for themselves by their `fingerprint` (or `key`), other dataclasses by their fields, lists,
tuples and dicts by their items, and plain values as they are. A value of any other kind (a
function, say) is refused, so that nothing a page shows can be left out of its key.

The same walk says which of the dossier's articles, entities and themes a page shows (`shown`):
serve makes again, after an edit that leaves the dossier's shape as it was, only the pages
showing an object that changed (families/reuse.py). An object standing for others (an archive
page, an outlet, an event record, a map) names them in `shows`; one that does not is taken to
show anything (UNKNOWN), and its page is always made again.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib

from ..model import Article, Entity, Theme

_PLAIN = {int: "i", float: "f", bool: "b"}
# How a value of each type stands in a key, worked out once per type (serve works out the keys
# of every page on every edit: thousands of pages, a million values).
_BY_TYPE: dict[type, tuple] = {}
# The dossier's own objects, each with the fingerprint of what its files say of it.
DOSSIER_OBJECTS = (Article, Entity, Theme)
UNKNOWN = "?"  # shown by a page holding an object with a fingerprint that does not name what it shows


def _ignore(_fingerprint: str) -> None:
    pass


class Derived(list):
    """A list worked out from something with a fingerprint (an article's marked-up paragraphs
    from the linked article): it stands in a key by that fingerprint, not item by item."""

    fingerprint = ""

    def __init__(self, items, fingerprint: str, shows: list | tuple | None = None):
        super().__init__(items)
        self.fingerprint = fingerprint
        self.shows = shows  # the dossier's objects it was worked out from; None: not said (families/reuse.py)


class Found(frozenset):
    """Fingerprints a walk already found (what a Derived shows, when worked out with its digest)."""


def named(entities: list, counts: list[int] | None = None) -> Derived:
    """Entities a page shows as links (their ids, names and kinds; with counts, each beside its
    count as (entity, count) pairs), standing in the page's key by exactly that: an edit of an
    entity's description re-renders its own page, not every page that links to it."""
    # What it shows is the dossier's shape (ids, names, kinds): it shows no object's own content.
    shown = "\x1f".join(f"{e.id}\x1e{e.name}\x1e{e.kind}" for e in entities)
    if counts is None:
        return Derived(entities, shown, shows=())
    return Derived(list(zip(entities, counts)), shown + "\x1d" + ",".join(map(str, counts)), shows=())


def context_key(values, shown: set[str] | None = None) -> str:
    """A digest of values (a template's context): equal digests, equal pages. shown, if given,
    receives the fingerprints of the articles, entities and themes the values show."""
    parts: list[str] = []
    _feed(parts.append, _ignore if shown is None else shown.add, values)
    # Every part says what it is and, for text, how long: no two contexts join to the same text.
    return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _feed(add, note, value) -> None:
    kind = type(value)
    if kind is list or kind is tuple:
        add(f"[{len(value)}:")
        # a million values over thousands of pages: a string with no call, an object with one (not _feed's dispatch)
        for item in value:
            item_kind = type(item)
            if item_kind is str:
                add(f"s{len(item)}:{item}")
                continue
            how = _BY_TYPE.get(item_kind)
            if how is not None and how[0] != "fields":
                _stand_in(add, note, item, how)
            else:
                _feed(add, note, item)
    elif kind is str:
        add(f"s{len(value)}:{value}")
    elif value is None:
        add("n;")
    elif kind is dict:
        add(f"{{{len(value)}:")
        for name, item in value.items():
            _feed(add, note, name)
            _feed(add, note, item)
    elif kind in _PLAIN:
        add(f"{_PLAIN[kind]}{value!r};")
    else:
        how = _BY_TYPE.get(kind) or _BY_TYPE.setdefault(kind, _how(kind))
        if how[0] == "fields":
            add(how[1])
            for name in how[2]:
                _feed(add, note, getattr(value, name))
        else:
            _stand_in(add, note, value, how)


def _stand_in(add, note, value, how: tuple) -> None:
    """A model object by its own fingerprint (or key), and what it shows noted."""
    data = getattr(value, how[0])
    add(f"{how[1]}{len(data)}:{data}")
    if how[2] is None:
        note(data)
    else:
        _note_shown(note, value, how[2])


def _note_shown(note, value, shows: str) -> None:
    """Note what value shows: the objects its `shows` names (those that stand for others, through
    theirs), or UNKNOWN when it names none."""
    items = getattr(value, shows) if shows else None
    if items is None:
        note(UNKNOWN)
    elif type(items) is Found:
        for found in items:
            note(found)
    else:
        _feed(_ignore, note, list(items))


def _how(kind: type) -> tuple:
    """("fingerprint" or "key", tag, shows) for a model object, ("fields", tag, names) for another
    dataclass. shows: None for an object of the dossier (its fingerprint a field, read from its
    files), else the name of the attribute naming the objects it shows ("" when it has none)."""
    tag = f"o{kind.__name__}:"
    names = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()
    for attribute in ("fingerprint", "key"):
        if attribute in names and kind in DOSSIER_OBJECTS:
            return attribute, tag, None
        if attribute in names or isinstance(getattr(kind, attribute, None), (str, property, functools.cached_property)):
            return attribute, tag, "shows" if hasattr(kind, "shows") or kind is Derived else ""
    if names:
        return "fields", tag, names
    raise TypeError(f"a page's context holds a {kind.__name__}, which has no fingerprint: pass plain data "
                    "or give it a fingerprint, so that the page's key names it")
