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

_PLAIN = {str: b"s", int: b"i", float: b"f", bool: b"b"}
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


def context_key(values) -> str:
    """A digest of values (a template's context): equal digests, equal pages."""
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest.update, values)
    return digest.hexdigest()


def _feed(update, value) -> None:
    kind = type(value)
    if value is None:
        update(b"n;")
    elif kind in _PLAIN:
        data = value.encode("utf-8", "surrogatepass") if kind is str else repr(value).encode()
        update(b"%s%d:" % (_PLAIN[kind], len(data)))
        update(data)
    elif kind is list or kind is tuple:
        update(b"[%d:" % len(value))
        for item in value:
            how = _BY_TYPE.get(type(item))
            if how is not None and how[0] != "fields":  # a list of articles, say: no call per item
                data = getattr(item, how[0]).encode()
                update(b"%s%d:" % (how[1], len(data)))
                update(data)
            else:
                _feed(update, item)
    elif kind is dict:
        update(b"{%d:" % len(value))
        for name, item in value.items():
            _feed(update, name)
            _feed(update, item)
    else:
        how = _BY_TYPE.get(kind) or _BY_TYPE.setdefault(kind, _how(kind))
        if how[0] == "fields":
            update(how[1])
            for name in how[2]:
                _feed(update, getattr(value, name))
        else:  # the object's own fingerprint (or key)
            data = getattr(value, how[0]).encode()
            update(b"%s%d:" % (how[1], len(data)))
            update(data)


def _how(kind: type) -> tuple:
    """("fingerprint" or "key", tag) for a model object, ("fields", tag, names) for another dataclass."""
    tag = b"o%s:" % kind.__name__.encode()
    names = tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else ()
    for attribute in ("fingerprint", "key"):
        if attribute in names or isinstance(getattr(kind, attribute, None), (str, property, functools.cached_property)):
            return attribute, tag
    if names:
        return "fields", tag, names
    raise TypeError(f"a page's context holds a {kind.__name__}, which has no fingerprint: pass plain data "
                    "or give it a fingerprint, so that the page's key names it")
