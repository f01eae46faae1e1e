"""The checker validate uses: problems located in their document, the rules every value and
id follows (no invisible characters, the id pattern, the generator's own page names), and
"did you mean" suggestions for unknown ids at a cost that does not grow with the dossier."""
from __future__ import annotations

import difflib
from pathlib import Path

from .. import characters
from ..model import PartialDate, Problem
from .schema import MAX_MESSAGES_PER_FILE, Schemas, ecma_pattern
from .schema_messages import date_hint, describe, field_name, max_items, unquoted_date
from .yaml_reader import YamlDocument, rel

ID_MAX = 100
# Names the generator uses for pages of its own, in the folders ids name pages in: an id equal
# to one would make one page silently overwrite another. The page families declare them
# (sitegen/families/: reserved_ids()); validation runs before them and does not import them, so
# tests/test_families.py checks that this set is theirs.
RESERVED_IDS = frozenset({"index", "search", "assets", "tags", "404", "sitemap", "robots", "feed", "data",
                          "cards", "downloads", "map", "outlets", "corrections", "years", "page",
                          "events"})
DID_YOU_MEAN_LIMIT = 20  # suggestions per file
_SCAN_ALL_LIMIT = 200  # up to this many known ids, a suggestion compares with each; past it, with near ones only
_NEAR_LIMIT = 200  # the near ids compared at most, per suggestion


def _sorted(problems) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.message))


def _bad_prefixes(bad_paths) -> frozenset:
    """Every key path the schema complained about, and every path above one: a value is bad when
    it or a value inside it is (a set, so that asking costs the same whatever their number)."""
    return frozenset(tuple(path)[:depth] for path in bad_paths for depth in range(len(path) + 1))


def is_bad(bad_prefixes: frozenset, key_path) -> bool:
    """True when the schema already complained about this value or one inside it."""
    return tuple(key_path) in bad_prefixes


def capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_MESSAGES_PER_FILE problems per file, the first ones by position, then a line
    saying how many more: a file of thousands of broken values gives a screenful, not thousands."""
    by_path: dict[str, list[Problem]] = {}
    for problem in _sorted(problems):
        by_path.setdefault(problem.path, []).append(problem)
    kept = []
    for path, found in by_path.items():
        kept.extend(found[:MAX_MESSAGES_PER_FILE])
        if len(found) > MAX_MESSAGES_PER_FILE:
            kept.append(Problem(path, 1, 1, f"… and {len(found) - MAX_MESSAGES_PER_FILE:,} more problems in this "
                                            "file; fix the ones above first"))
    return _sorted(kept)


class Suggestions:
    """"Did you mean" for an unknown id, at a cost that does not grow with the number of known ids.

    A few known ids are all compared with (difflib's ratio); many are first narrowed down to those
    one edit away from the value after at most one deletion on each side (an index of their
    one-deletion forms, built once), so that a dossier of thousands of entities does not make every
    unknown id cost thousands of comparisons.
    """

    def __init__(self, known):
        self.known = sorted(k for k in known if isinstance(k, str) and valid_id(k))
        self._index: dict[str, list[str]] | None = None

    @staticmethod
    def _forms(word: str) -> set[str]:
        return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}

    def _near(self, value: str) -> list[str]:
        if self._index is None:
            self._index = {}
            for known in self.known:
                for form in self._forms(known):
                    self._index.setdefault(form, []).append(known)
        near: dict[str, None] = {}
        for form in sorted(self._forms(value)):
            for known in self._index.get(form, ()):
                near[known] = None
                if len(near) >= _NEAR_LIMIT:
                    return list(near)
        return list(near)

    def __call__(self, value) -> str:
        value = str(value)[:ID_MAX]
        candidates = self.known if len(self.known) <= _SCAN_ALL_LIMIT else self._near(value)
        close = difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
        return f"; did you mean `{close[0]}`?" if close else ""


# Values no reader sees as written: a hidden line is copied from the text, page furniture
# such as a row of tatweel included.
_NOT_SHOWN = frozenset({"hide_lines"})


def forbidden_characters(document: YamlDocument, root: Path) -> list[Problem]:
    """Every value holding a character no value may hold, named by its code point, and every
    value a reader sees that shows nothing (characters.shows_nothing: one rule for them all)."""
    problems: list[Problem] = []
    shown = rel(document.path, root)

    def walk(value, key_path) -> None:
        if isinstance(value, str):
            found = characters.IN_VALUE.search(value)
            if found:
                problems.append(Problem(shown, *document.where(key_path),
                                        f"`{field_name(key_path)}` contains {characters.describe(found.group())}; "
                                        "delete it (it is invisible in review and is never part of a dossier value)"))
            # Blank or spaces only is the schema's to say; this is the rest that shows nothing.
            blank = value.strip() and not _NOT_SHOWN.intersection(key_path) and characters.shows_nothing(value)
            if blank:
                written = repr(value) if len(value) <= 200 else repr(value[:200]) + "…"
                problems.append(Problem(shown, *document.where(key_path), f"`{field_name(key_path)}` {written} {blank}"))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, key_path + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, key_path + (index,))

    walk(document.data, ())
    return problems


class Checker:
    """Collects problems about one document at a time, located in it."""

    def __init__(self, root: Path, schemas: Schemas):
        self.root = root
        self.schemas = schemas
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # reported, never blocking
        self._suggestions = 0

    def problem(self, document: YamlDocument, key_path, message: str) -> None:
        line, column = document.where(key_path)
        self.problems.append(Problem(rel(document.path, self.root), line, column, message))

    def warning(self, document: YamlDocument, key_path, message: str) -> None:
        line, column = document.where(key_path)
        self.warnings.append(Problem(rel(document.path, self.root), line, column, message))

    def schema(self, document: YamlDocument, name: str) -> frozenset:
        """The schema's problems with document (all of them: validate caps them per file), and the
        key paths it found bad with every path above them (see is_bad)."""
        bad, problems = self.schemas.check(document, name, self.root, limit=None)
        self.problems.extend(problems)
        self.problems.extend(forbidden_characters(document, self.root))
        return _bad_prefixes(bad)

    def items(self, name: str, value, key_path=()) -> list:
        """The items of a list value that are checked one by one: past the schema's maxItems the
        schema has already said there are too many, and the rest are not looked at."""
        if not isinstance(value, list):
            return []
        limit = max_items(self.schemas.refs(name), key_path)
        return value if limit is None else value[:limit]

    def did_you_mean(self, value, suggestions: "Suggestions") -> str:
        self._suggestions += 1
        return suggestions(value) if self._suggestions <= DID_YOU_MEAN_LIMIT else ""

    def quoted_date(self, document: YamlDocument, key_path) -> bool:
        """Dates are written in quotes: unquoted, YAML 1.1 reads 0x7E5, 0o3745, 33:41 or 2_021 as numbers."""
        written = document.plain.get(tuple(key_path))
        if written is not None:
            value = document.data
            for key in key_path:
                value = value[key]
            hint = date_hint(key_path)
            self.problem(document, key_path, unquoted_date(field_name(key_path), written, value, hint))
            return False
        return True

    def date(self, document, key_path, value) -> PartialDate | None:
        if not self.quoted_date(document, key_path):
            return None
        try:
            return PartialDate.parse(str(value))
        except ValueError as error:
            hint = date_hint(key_path)
            self.problem(document, key_path, f"`{field_name(key_path)}` is {describe(value)}, which is not a real date: "
                                             f"{error}; {hint}")
            return None

    def reserved(self, document, key_path, value: str, what: str) -> None:
        if value in RESERVED_IDS:
            self.problem(document, key_path, f"{what} id `{value}` is reserved: the site has a page of that name of "
                                             f"its own, which one of the two would overwrite; choose another id "
                                             f"(reserved: {', '.join(sorted(RESERVED_IDS))})")


_ID = ecma_pattern("^[a-z0-9]+(-[a-z0-9]+)*$")


def valid_id(value: str) -> bool:
    return len(value) <= ID_MAX and bool(_ID.search(value))
