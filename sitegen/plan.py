"""The generated files of a build, by path under docs/, each made when it is first asked for.

The render stage names every page and file it will make (their paths are known as soon as the
dossier is linked) with the function that makes it. The site stage can then have them made
and written in the order MkDocs reads them, by a second process while MkDocs builds
(output/stream.py), or take them all at once as a plain mapping (materialize()). Files whose paths are known
only once they are made (the search index's shards) come from functions run last, together.
"""
from __future__ import annotations

from collections.abc import Callable


class Parts(tuple):
    """A file's content as parts of UTF-8 bytes, written one after another: a file of tens of
    megabytes (dossier.json at thousands of articles, on every edit under serve) is never
    joined in memory, which cost more than writing it."""

    def __bytes__(self) -> bytes:
        return b"".join(self)


Content = str | bytes | Parts


class PagePlan:
    """path → content, made on first use and kept (except through take()). Not a mapping:
    how many files, or which, is known only once the late ones are made (materialize())."""

    def __init__(self):
        self._makers: dict[str, Callable[[], Content]] = {}
        self._made: dict[str, Content] = {}
        self._later: list[Callable[[], dict[str, Content]]] = []
        self._later_made: dict[str, Content] | None = None

    # -- planning ---------------------------------------------------------------------------------

    def add(self, path: str, make: Callable[[], Content]) -> None:
        """A file at a known path, made by make() (a later add for the same path replaces it)."""
        self._makers[path] = make
        self._made.pop(path, None)

    def add_value(self, path: str, content: Content) -> None:
        """A file whose content is known already."""
        self._makers.pop(path, None)
        self._made[path] = content

    def add_values(self, contents: dict[str, Content]) -> None:
        """Files whose contents are known already, at paths not planned yet."""
        self._made.update(contents)

    def add_group(self, paths: list[str], make_all: Callable[[], dict[str, Content]]) -> None:
        """Files at known paths that one call makes together (data files cut from one pass)."""
        made: list[dict[str, Content]] = []

        def one(path: str) -> Content:
            if not made:
                made.append(make_all())
            return made[0][path]

        for path in paths:
            self.add(path, lambda path=path: one(path))

    def add_later(self, make_all: Callable[[], dict[str, Content]]) -> None:
        """Files whose paths are known only once made; they are made after every planned file."""
        self._later.append(make_all)
        self._later_made = None

    # -- making -----------------------------------------------------------------------------------

    def planned(self) -> list[str]:
        """The paths known before anything is made, sorted."""
        return sorted(self._makers.keys() | self._made.keys())

    def make(self, path: str) -> Content:
        made = self._made.get(path)
        if made is None:
            made = self._made[path] = self._makers[path]()
        return made

    def take(self, path: str) -> Content:
        """Make path's content without keeping it (the writer process writes it and moves on)."""
        return self._made[path] if path in self._made else self._makers[path]()

    def later(self) -> dict[str, Content]:
        """The files whose paths were not known beforehand (made once)."""
        if self._later_made is None:
            made: dict[str, Content] = {}
            for make_all in self._later:
                made.update(make_all())
            self._later_made = made
        return self._later_made

    def materialize(self) -> dict[str, Content]:
        """Every file, the late ones too, made now, in path order."""
        for path in self._makers:
            self.make(path)
        made = {**self.later(), **self._made}  # a planned file wins over a late one
        return dict(sorted(made.items()))
