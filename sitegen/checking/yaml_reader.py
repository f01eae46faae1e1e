"""Reading the dossier's YAML safely, keeping where every value came from.

Nothing in a file is ever executed: YAML is read with a safe loader, and tags that would
build objects, aliases (the "billion laughs" bomb) and absurd nesting are refused before any
value is constructed. Dates stay the strings the maintainer wrote. Parsing is a function of
a file's bytes, so the load stage can reuse it while the bytes stay the same.
"""
from __future__ import annotations

import os

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..model import Problem

MAX_YAML_DEPTH = 20  # the dossier's files nest three or four levels deep
MAX_PROBLEMS_PER_FILE = 20

Location = tuple[int, int]  # 1-based line and column
KeyPath = tuple  # keys and list indexes from the document root

# The only tags a maintainer may write explicitly (`!!str 2019`); anything else, and above all
# `!!python/...`, is refused without being constructed.
_PLAIN_TAGS = {None, "!", *(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map"))}
_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_LETTER = re.compile(r"[^\W\d_]")

@dataclass
class YamlDocument:
    path: Path
    data: object
    locations: dict[KeyPath, Location] = field(default_factory=dict)
    # Scalars written without quotes, with their text as written (dates must be quoted: YAML 1.1
    # reads 0x7E5, 0o3745, 03745, 33:41 and 2_021 as numbers, and keeps 2021-05-03 only by luck).
    plain: dict[KeyPath, str] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of the file's bytes

    def where(self, key_path: KeyPath) -> Location:
        """The location of a value, or of its nearest located parent."""
        key_path = tuple(key_path)
        while key_path not in self.locations and key_path:
            key_path = key_path[:-1]
        return self.locations.get(key_path, (1, 1))


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings the maintainer wrote."""


# Dates stay strings so that the validator sees exactly what was typed ("2019-02-30" included).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """The same, parsed by libyaml."""

    _FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML without libyaml
    _FastLoader = None


def rel(path: Path, root: Path) -> str:
    """A path as shown in messages: relative to the repository (the dossier folder's parent)."""
    text, parent = os.fspath(path), os.path.dirname(os.fspath(root).rstrip(os.sep)) + os.sep
    if text.startswith(parent) and ".." not in text:  # the usual case, without pathlib's cost (serve: every file, every edit)
        return text[len(parent):].replace(os.sep, "/")
    path = Path(path)
    try:
        return path.relative_to(Path(root).parent).as_posix()
    except ValueError:
        pass
    try:
        return path.relative_to(Path(root).resolve().parent).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(Path(root).resolve().parent).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def line_col(raw: bytes, offset: int) -> Location:
    """1-based line and character column of a byte offset, counting only the valid UTF-8 before it."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace"))
    if before.startswith(b"\xef\xbb\xbf") and line_start == 0:
        column -= 1  # the BOM is not a character of the line
    return before.count(b"\n") + 1, column + 1


def not_utf8(raw: bytes, offset: int, name: str) -> str:
    """Why bytes are not UTF-8, and how to convert them.

    A file that is UTF-8 up to a stray byte is said to be that: invalid UTF-8 at its offset.
    Only a file that has no UTF-8 at all and reads as Arabic in Windows-1256 is diagnosed
    as Windows-1256 (UTF-8 Arabic misread as Windows-1256 also looks Arabic, so that alone
    says nothing).
    """
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            return (f"file is {encoding} (as Windows Notepad saves \"Unicode\"), not UTF-8; convert it with "
                    f"`iconv -f {encoding} -t UTF-8 {name} > converted.txt` or save it as \"UTF-8\"")
    detail = f"byte 0x{raw[offset]:02x} at offset {offset:,} is not valid UTF-8"
    if not _has_utf8_sequences(raw):
        try:
            decoded = raw.decode("cp1256")
        except UnicodeDecodeError:
            decoded = ""
        letters = _LETTER.findall(decoded)
        if letters and len(_ARABIC_LETTER.findall(decoded)) >= len(letters) / 2:
            return (f"file is not UTF-8 ({detail}); it looks like Arabic in Windows-1256, common for files from "
                    f"Windows: convert it with `iconv -f WINDOWS-1256 -t UTF-8 {name} > converted.txt` "
                    "(or reopen it in an editor as Windows-1256 and save it as UTF-8)")
        return (f"file is not UTF-8 ({detail}); save it as UTF-8 "
                f"(for example `iconv -f LATIN1 -t UTF-8 {name} > converted.txt`)")
    return (f"file is invalid UTF-8: {detail} (the rest of the file is UTF-8: a stray or cut character, "
            "perhaps from a copy or a bad conversion); delete or retype the character there")


def _has_utf8_sequences(raw: bytes) -> bool:
    """True when the bytes are mostly UTF-8: their non-ASCII characters decode, but for a few stray bytes."""
    decoded = raw.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    good = sum(1 for ch in decoded if ord(ch) > 127) - bad
    return good > 0 and bad <= max(3, good // 20)


def parse_yaml(raw: bytes, path: Path, shown: str, digest: str = "") -> tuple[YamlDocument | None, tuple[Problem, ...]]:
    """Parse one YAML file's bytes; refuse aliases, object tags and deep nesting without executing
    anything. shown is the path as messages name it; digest, the bytes' SHA-256, is kept with the document."""
    problems: list[Problem] = []
    document = _parse(raw, path, shown, problems)
    if document is not None:
        document.digest = digest
    return document, tuple(problems)


def _parse(raw: bytes, path: Path, shown: str, problems: list[Problem]) -> YamlDocument | None:
    def refuse(line: int, column: int, message: str) -> None:
        problems.append(Problem(shown, line, column, message))

    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        refuse(*line_col(raw, error.start), not_utf8(raw, error.start, path.name))
        return None

    try:
        node = None
        reported = len(problems)
        if _FastLoader is not None:
            try:  # libyaml, when PyYAML has it: twenty times faster; on any error, the pure-Python
                # parser below reads the file again, so that messages are the same everywhere
                outcome = _screen(source, _FastLoader, refuse)
                if outcome is False:
                    return None
                node = yaml.compose(source, Loader=_FastLoader)
                parsed = True
            except yaml.YAMLError:
                del problems[reported:]
                parsed = False
        else:
            parsed = False
        if not parsed:
            if _screen(source, _Loader, refuse) is False:
                return None
            node = yaml.compose(source, Loader=_Loader)
        if node is None:
            return YamlDocument(path, None)
        data = _Loader("").construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or "could not be parsed"
        if error.context and error.problem:
            what = f"{error.problem} ({error.context})"
        hint = "; check the quotes, brackets and indentation here and on the line before"
        unclosed = _unclosed(source, line)
        if unclosed:
            what_kind = "quote" if unclosed[2] in "\"'" else "bracket"
            hint = (f" at line {line}, column {column}, because the {what_kind} opened here is not closed on its line, "
                    f"so what follows was read as part of the value; close the {what_kind}")
            line, column = unclosed[:2]
        elif _misindented(source, line):
            line, column, hint = _misindented(source, line)
        elif "mapping values are not allowed" in what:
            hint = "; a value containing `: ` must be put in quotes"
        elif "found character '\\t'" in what:
            hint = "; indent with spaces, not tabs"
        refuse(line, column, f"YAML does not parse: {what}{hint}")
        return None
    except yaml.YAMLError as error:  # a character YAML does not allow, mostly
        position = getattr(error, "position", None)
        line, column = (source.count("\n", 0, position) + 1, position - source.rfind("\n", 0, position)) \
            if isinstance(position, int) else (1, 1)
        character = getattr(error, "character", None)
        if isinstance(character, str) and len(character) == 1:
            character = ord(character)
        if isinstance(character, int):
            reason = (f"the character U+{character:04X} is not allowed in YAML (an invisible control "
                      "character, probably pasted by accident); delete it")
        else:
            reason = getattr(error, "reason", None) or str(error).splitlines()[0]
        refuse(line, column, f"YAML does not parse: {reason}")
        return None
    except ValueError as error:  # int("1" * 5000): Python refuses absurdly long numbers
        refuse(1, 1, f"YAML could not be read: a value cannot be read as a number ({str(error).split(';')[0]}); "
               "put it in quotes if it is text")
        return None
    except (OverflowError, RecursionError, TypeError) as error:
        refuse(1, 1, f"YAML could not be read: {type(error).__name__}: {error}")
        return None
    document = YamlDocument(path, data)
    _record_locations(node, (), document, shown, problems)
    return document


_OPENED_VALUE = re.compile(r"""^(\s*(?:-\s+)?(?:[^\s#"'\[{][^#"']*?:\s+)?)(["'\[{])(.*)$""")


def _unclosed(source: str, error_line: int) -> tuple[int, int, str] | None:
    """The first value before error_line whose opening quote or bracket is not closed on its own line."""
    for number, text in enumerate(source.splitlines()[:error_line - 1], 1):
        match = _OPENED_VALUE.match(text)
        if not match or text.lstrip().startswith("#"):
            continue
        opener, rest = match.group(2), match.group(3)
        if opener == '"':
            closed = re.search(r'(?<!\\)"', rest)
        elif opener == "'":
            closed = re.search(r"'(?!')", rest.replace("''", ""))
        else:
            unquoted = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", rest)
            closer = "]" if opener == "[" else "}"
            closed = unquoted.count(closer) > unquoted.count(opener)
        if not closed:
            return number, len(match.group(1)) + 1, opener
    return None


_KEY_LINE = re.compile(r"""^( *)((?:- +)*)([^\s#'"\-\[{][^:#]*?):(?:\s+(.*))?$""")


def _misindented(source: str, error_line: int) -> tuple[int, int, str] | None:
    """When the key on error_line is indented unlike its neighbours (one space off, say), which
    YAML reports as "mapping values are not allowed" or "expected <block end>": (line, column,
    a hint saying so), naming the neighbour it should line up with; else None."""
    lines = source.splitlines()
    if not 0 < error_line <= len(lines):
        return None
    here = _KEY_LINE.match(lines[error_line - 1])
    if not here:
        return None
    column = len(here.group(1)) + len(here.group(2))
    open_levels = []  # (column, line number, key) of the keys that enclose or precede it, nearest first
    for number in range(error_line - 1, 0, -1):
        match = _KEY_LINE.match(lines[number - 1])
        if not match:
            continue
        level = len(match.group(1)) + len(match.group(2))
        if not open_levels or level < open_levels[-1][0]:
            open_levels.append((level, number, match.group(3), bool(match.group(4))))
        if level == 0:
            break
    if not open_levels or any(level == column for level, *_ in open_levels):
        return None
    previous = open_levels[0]
    if column > previous[0] and not previous[3]:
        return None  # deeper under a key with no value on its line: a nested mapping begins
    deeper = [entry for entry in open_levels if entry[0] > column]
    level, number, key, _ = deeper[-1] if deeper else previous
    def spaces(n: int) -> str:
        return f"{n} space" if n == 1 else f"{n} spaces"

    return (error_line, column + 1,
            f"; the key `{here.group(3)}` is indented by {spaces(column)} and its neighbour `{key}` on line {number} "
            f"by {spaces(level)}: keys of one mapping line up (two spaces for each level); indent `{here.group(3)}` like "
            f"`{key}`")


def _screen(source: str, loader, refuse) -> bool:
    """First pass, events only, nothing constructed: refuse aliases, object tags and deep nesting.

    False when something was refused (and reported through refuse)."""
    found = 0
    depth = 0
    for event in yaml.parse(source, Loader=loader):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            refuse(mark.line + 1, mark.column + 1, f"YAML alias `*{event.anchor}` is not allowed in the dossier: "
                   "write the value out in full (aliases can make a small file expand without limit)")
            return False  # an alias bomb is refused at its first alias, before anything grows
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if event.tag not in _PLAIN_TAGS:
                refuse(mark.line + 1, mark.column + 1, f"YAML tag `{_short_tag(event.tag)}` is not allowed: "
                       "the dossier holds only plain text, numbers, true/false, lists and mappings "
                       "(nothing in it is ever run)")
                found += 1
                if found >= MAX_PROBLEMS_PER_FILE:
                    return False
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    refuse(mark.line + 1, mark.column + 1, f"lists and mappings are nested more than "
                           f"{MAX_YAML_DEPTH} levels deep; the dossier's files need four at most")
                    return False
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return not found


_KEYS = _Loader("")


def _key(node: yaml.Node):
    """A mapping key as the data will hold it (`1:` is the number 1, not the text "1")."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return _KEYS.construct_object(node)
        except Exception:  # noqa: BLE001 - a key we cannot read is located by its text
            return node.value
    return None


def _record_locations(node: yaml.Node, key_path: KeyPath, document: YamlDocument, shown: str,
                      problems: list[Problem]) -> None:
    out = document.locations
    out[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        first_seen: dict = {}
        for key_node, value_node in node.value:
            key = _key(key_node)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            try:
                if key in first_seen:
                    if len(problems) < MAX_PROBLEMS_PER_FILE:  # a screenful, however many there are
                        problems.append(Problem(shown, *where, f"field `{key}` is written twice (first on line "
                                                               f"{first_seen[key][0]}); keep one: YAML would silently "
                                                               "use the last"))
                    continue
                first_seen[key] = where
            except TypeError:
                continue
            out[key_path + (key, "<key>")] = where
            _record_locations(value_node, key_path + (key,), document, shown, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_locations(item, key_path + (index,), document, shown, problems)
    elif isinstance(node, yaml.ScalarNode) and not node.style:  # plain: None from PyYAML, "" from libyaml
        document.plain[key_path] = node.value
