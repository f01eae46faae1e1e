"""A page's cache key, worked out from the values its template receives.

A key kept by hand must list everything a template reads, and the input it forgets shows a
stale page under serve. Here the key is a digest of the context itself: model objects stand
for themselves by their `fingerprint` (or `key`), other dataclasses by their fields, lists,
tuples and dicts by their items, and plain values as they are. A value of any other kind (a
function, say) is refused, so that nothing a page shows can be left out of its key.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib

_PLAIN = {int: "i", float: "f", bool: "b"}
# How a value of each type stands in a key, worked out once per type (serve works out the keys
# of every page on every edit: thousands of pages, a million values).
_BY_TYPE: dict[type, tuple] = {}


class Derived(list):
    """A list worked out from something with a fingerprint (an article's marked-up paragraphs
    from the linked article): it stands in a key by that fingerprint, not item by item."""

    fingerprint = ""

    def __init__(self, items, fingerprint: str):
        super().__init__(items)
        self.fingerprint = fingerprint


def named(entities: list, counts: list[int] | None = None) -> Derived:
    """Entities a page shows as links (their ids, names and kinds; with counts, each beside its
    count as (entity, count) pairs), standing in the page's key by exactly that: an edit of an
    entity's description re-renders its own page, not every page that links to it."""
    shown = "\x1f".join(f"{e.id}\x1e{e.name}\x1e{e.kind}" for e in entities)
    if counts is None:
        return Derived(entities, shown)
    return Derived(list(zip(entities, counts)), shown + "\x1d" + ",".join(map(str, counts)))


def context_key(values) -> str:
    """A digest of values (a template's context): equal digests, equal pages."""
    parts: list[str] = []
    _feed(parts.append, values)
    # Every part says what it is and, for text, how long: no two contexts join to the same text.
    return hashlib.blake2b("".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _feed(add, value) -> None:
    kind = type(value)
    if kind is list or kind is tuple:
        add(f"[{len(value)}:")
        for item in value:  # the usual items without a call each: thousands of pages, a million values
            item_kind = type(item)
            if item_kind is str:
                add(f"s{len(item)}:{item}")
                continue
            how = _BY_TYPE.get(item_kind)
            if how is not None and how[0] != "fields":
                data = getattr(item, how[0])
                add(f"{how[1]}{len(data)}:{data}")
            else:
                _feed(add, item)
    elif kind is str:
        add(f"s{len(value)}:{value}")
    elif value is None:
        add("n;")
    elif kind is dict:
        add(f"{{{len(value)}:")
        for name, item in value.items():
            _feed(add, name)
            _feed(add, item)
    elif kind in _PLAIN:
        add(f"{_PLAIN[kind]}{value!r};")
    else:
        how = _BY_TYPE.get(kind) or _BY_TYPE.setdefault(kind, _how(kind))
        if how[0] == "fields":
            add(how[1])
            for name in how[2]:
                _feed(add, getattr(value, name))
        else:  # the object's own fingerprint (or key)
            data = getattr(value, how[0])
            add(f"{how[1]}{len(data)}:{data}")


def _how(kind: type) -> tuple:
    """("fingerprint" or "key", tag) for a model object, ("fields", tag, names) for another dataclass."""
    tag = f"o{kind.__name__}:"
    names = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()
    for attribute in ("fingerprint", "key"):
        if attribute in names or isinstance(getattr(kind, attribute, None), (str, property, functools.cached_property)):
            return attribute, tag
    if names:
        return "fields", tag, names
    raise TypeError(f"a page's context holds a {kind.__name__}, which has no fingerprint: pass plain data "
                    "or give it a fingerprint, so that the page's key names it")
