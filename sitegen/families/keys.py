"""A page's cache key, worked out from the values its template receives.

A key kept by hand must list everything a template reads, and the input it forgets shows a
stale page under serve. Here the key is a digest of the context itself: model objects stand
for themselves by their `fingerprint` (or `key`), other dataclasses by their fields, lists,
tuples and dicts by their items, and plain values as they are. A value of any other kind (a
function, say) is refused, so that nothing a page shows can be left out of its key.
"""
from __future__ import annotations

import dataclasses
import hashlib

_PLAIN = {str: b"s", int: b"i", float: b"f", bool: b"b"}


class Derived(list):
    """A list worked out from something with a fingerprint (an article's marked-up paragraphs
    from the linked article): it stands in a key by that fingerprint, not item by item."""

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
            _feed(update, item)
    elif kind is dict:
        update(b"{%d:" % len(value))
        for name, item in value.items():
            _feed(update, name)
            _feed(update, item)
    elif isinstance(getattr(value, "fingerprint", None), str):
        _tagged(update, kind, value.fingerprint)
    elif isinstance(getattr(value, "key", None), str):
        _tagged(update, kind, value.key)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        update(b"d%s:" % kind.__name__.encode())
        for field in dataclasses.fields(value):
            _feed(update, getattr(value, field.name))
    else:
        raise TypeError(f"a page's context holds a {kind.__name__}, which has no fingerprint: pass plain data "
                        "or give it a fingerprint, so that the page's key names it")


def _tagged(update, kind: type, fingerprint: str) -> None:
    data = fingerprint.encode()
    update(b"o%s:%d:" % (kind.__name__.encode(), len(data)))
    update(data)
