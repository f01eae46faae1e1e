"""A schema's `$ref`s to its own parts, followed by jsonschema's own `referencing` library (the
one its validators use), for the three readers that need the schema a `$ref` stands for: the
validator's copy with references written out in place (schema.py), the description of a field
in a message (schema_messages.py) and the field reference (fieldref.py)."""
from __future__ import annotations

from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

__all__ = ["LocalRefs", "Unresolvable"]

# The address a schema is registered under: its local references ("#/$defs/id") resolve
# against it, and a reference to any other document finds nothing (check reads one file).
_URI = "urn:sitegen:schema"


def is_local(ref) -> bool:
    """True for a reference into the same document ("#" or a JSON pointer "#/…")."""
    return isinstance(ref, str) and (ref == "#" or ref.startswith("#/"))


class LocalRefs:
    """The references of one schema document, each looked up once."""

    def __init__(self, document):
        self.document = document
        resource = DRAFT202012.create_resource(document)
        self._resolver = Registry().with_resource(_URI, resource).resolver(_URI)
        self._targets: dict[str, object] = {}

    def target(self, ref: str):
        """What a local reference points to; Unresolvable when it points to nothing."""
        if ref not in self._targets:
            try:
                self._targets[ref] = self._resolver.lookup(ref).contents
            except (TypeError, ValueError) as error:  # a pointer through a number, or "#/items/x" into a list
                raise Unresolvable(ref) from error
        return self._targets[ref]

    def resolved(self, node) -> dict:
        """The keywords that describe a value at node: those of the schema its local `$ref` points
        to, with node's own beside the reference taking precedence (a description, an example)."""
        if not isinstance(node, dict):  # `true` or `false` as a schema: nothing to describe
            return {}
        ref = node.get("$ref")
        if not is_local(ref):
            return node
        try:
            target = self.target(ref)
        except Unresolvable:
            return node
        merged = dict(target) if isinstance(target, dict) else {}
        merged.update({key: value for key, value in node.items() if key != "$ref"})
        return merged
