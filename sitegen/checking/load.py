"""Stage 1, load: read the dossier's files safely, keeping where every value came from.

Nothing here judges the content; it only turns bytes into data and reports what could not
be read at all (YAML that does not parse, text that is not UTF-8, files too large, links and
special files). Only regular files inside dossier/ are ever opened: a symbolic link anywhere
in it (or dossier/ itself being one) is refused, so nothing outside the repository is read
into the site, and a FIFO or a device is never opened (reading one could hang the build).
"""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import characters
from ..cache import NO_CACHE, BuildCache
from ..model import Problem
from .yaml_reader import YamlDocument, line_col, not_utf8, parse_yaml, rel

MAX_TEXT_BYTES = 1_000_000
MAX_YAML_BYTES = 1_000_000


@dataclass
class RawArticle:
    id: str
    yml: YamlDocument | None
    txt_path: Path | None
    text: str | None = None
    sha256: str | None = None
    yml_path: Path | None = None


@dataclass
class RawDossier:
    root: Path
    themes: YamlDocument | None
    entities: YamlDocument | None
    articles: list[RawArticle]


class _Refused(Exception):
    """A path that is not read, and why."""


def _regular_file(path: Path) -> os.stat_result:
    """The file's status, if it is a regular file that is not a link; else _Refused saying what it is."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise _Refused("missing file") from None
    if stat.S_ISLNK(status.st_mode):
        raise _Refused("symbolic links are not allowed in the dossier: put the file itself here")
    if not stat.S_ISREG(status.st_mode):
        kind = "a folder" if stat.S_ISDIR(status.st_mode) else "a FIFO, socket or device"
        raise _Refused(f"not a regular file (it is {kind}); the dossier holds only plain files")
    return status


def _is_regular(path: Path) -> bool:
    try:
        _regular_file(path)
    except _Refused:
        return False
    return True


def _read(path: Path, limit: int, what: str) -> bytes:
    size = _regular_file(path).st_size
    if size > limit:
        raise _Refused(f"{what} is {size:,} bytes; the limit is {limit:,} bytes")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while we looked
        raise _Refused(f"{what} is over the limit of {limit:,} bytes")
    return data


def read_yaml(path: Path, root: Path, problems: list[Problem], cache: BuildCache = NO_CACHE) -> YamlDocument | None:
    """One YAML file, parsed again only when its bytes changed (cache)."""
    shown = rel(path, root)
    try:
        document, found = cache.get("yaml-file", _file_key(path, shown), lambda: _parsed_yaml(path, shown, cache))
    except _Refused as refused:
        problems.append(Problem(shown, 1, 1, str(refused)))
        return None
    except OSError as error:
        problems.append(Problem(shown, 1, 1, f"cannot read the file: {error.strerror or error}"))
        return None
    problems.extend(found)
    return document


def _file_key(path: Path, shown: str) -> tuple:
    """A file as it stands on disk (its status: a regular file, its size, times and inode): a
    session's cache (serve) reads and hashes again only a file that was written since. Refuses
    (_Refused) what is not a regular file, before anything is read."""
    return (shown, *_written(_regular_file(path)))


def _written(status: os.stat_result) -> tuple:
    """What changes when a file is written or replaced: its size, times and inode."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def _parsed_yaml(path: Path, shown: str, cache: BuildCache):
    raw = _read(path, MAX_YAML_BYTES, "file")
    digest = hashlib.sha256(raw).hexdigest()
    return cache.get("yaml", (shown, digest), lambda: parse_yaml(raw, path, shown, digest))


def read_text(path: Path, root: Path, problems: list[Problem], cache: BuildCache = NO_CACHE) -> tuple[str | None, str | None]:
    """The text of an article as stored (BOM removed, line ends kept), and the SHA-256 of its bytes."""
    shown = rel(path, root)
    try:
        digest, (text, problem) = cache.get("text-file", _file_key(path, shown), lambda: _decoded_text(path, shown, cache))
    except _Refused as refused:
        message = str(refused)
        if message.startswith("text is"):
            message += " (about 500,000 Arabic letters): is this really one article?"
        problems.append(Problem(shown, 1, 1, message))
        return None, None
    except OSError as error:
        problems.append(Problem(shown, 1, 1, f"cannot read the text: {error.strerror or error}"))
        return None, None
    if problem:
        problems.append(Problem(shown, *problem))
        return None, digest
    return text, digest


def _decoded_text(path: Path, shown: str, cache: BuildCache):
    raw = _read(path, MAX_TEXT_BYTES, "text")
    digest = hashlib.sha256(raw).hexdigest()
    return digest, cache.get("text", (shown, digest), lambda: decode_text(raw, path.name))


def decode_text(raw: bytes, name: str) -> tuple[str | None, tuple[int, int, str] | None]:
    """Decode an article's bytes; or say, located, why they are not an acceptable text.

    A UTF-8 BOM and CRLF line ends are accepted (the BOM is not shown; lines split on any end).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return None, (*line_col(raw, error.start), "text " + not_utf8(raw, error.start, name))
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        return None, (line, nul - text.rfind("\n", 0, nul), "text contains U+0000 NULL: it looks like a binary "
                                                             "file (a .doc or .pdf?), not plain text; save it as plain UTF-8 text")
    found = characters.IN_TEXT.search(text)
    if found:
        at = found.start()
        line = text.count("\n", 0, at) + 1
        return None, (line, at - text.rfind("\n", 0, at), f"text contains {characters.describe(found.group())}; "
                                                           "replace it with a space or a line end (a text holds only "
                                                           "printable characters, tabs and line ends)")
    if not characters.visible(text):
        return None, (1, 1, "text is empty or only invisible characters (spaces, marks, zero-width or direction "
                            "characters): an article needs its text (did the copy fail?)")
    return text, None


def _links_inside(root: Path) -> list[Path]:
    """Every symbolic link at any depth under root (folders that are links are not followed)."""
    found = []
    folders = [os.fspath(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:  # the entry knows whether it is a link: no call per file
                if entry.is_symlink():
                    found.append(Path(entry.path))
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)
    return sorted(found)


def load(root: Path, cache: BuildCache = NO_CACHE, only: Callable[[str], bool] | None = None,
         changed: frozenset[str] | None = None) -> tuple[RawDossier, list[Problem]]:
    """Read dossier/ (themes.yml, entities.yml, articles/*.yml and *.txt), in sorted order.

    only(article_id), if given, chooses the articles whose files are read; the others are listed
    unread (the pipeline reads the dossier in two halves at once, see pipeline.read_in_halves).
    changed: the absolute paths the system reported written since the cache's last run (serve),
    or None when that is not known; with it, the last run's listing is brought up to date
    (_Listing.now) rather than the folder listed again and every file's status taken."""
    problems: list[Problem] = []
    root = Path(root)
    if only is None and changed is not None:
        kept = cache.evolve("article-listing", lambda last: last and last.now(root, changed))
        if kept is not None:
            return _as_listed(root, cache, problems, kept), problems

    def refuse(path: Path, message: str) -> None:
        problems.append(Problem(rel(path, root), 1, 1, message))

    if root.is_symlink():
        refuse(root, "the dossier folder is a symbolic link: nothing outside the repository is read into the site; "
                     "put the dossier itself here")
        return RawDossier(root, None, None, []), problems
    links = _links_inside(root)
    for link in links:
        refuse(link, f"symbolic links are not allowed in the dossier: put the {'folder' if link.is_dir() else 'file'} "
                     "itself here")
    linked = set(links)

    def optional_yaml(name: str) -> YamlDocument | None:
        path = root / name
        if path in linked:
            return None
        if not path.exists():
            refuse(path, f"missing file: the dossier needs {name}")
            return None
        return read_yaml(path, root, problems, cache)

    themes = optional_yaml("themes.yml")
    entities = optional_yaml("entities.yml")

    articles_dir = root / "articles"
    # One listing's entries (os.scandir), a Path made only for a file that is read: at thousands
    # of articles a Path per file cost more than the system's calls (each edit under serve lists them all).
    stems: dict[str, dict[str, os.DirEntry]] = {}
    if articles_dir in linked:
        listing = []
    elif not articles_dir.is_dir():
        refuse(articles_dir, "not a folder: the dossier needs articles/ to be a folder of articles"
               if articles_dir.exists() else "missing folder: the dossier needs articles/")
        listing = []
    else:
        with os.scandir(os.path.join(os.fspath(root), "articles")) as entries:
            listing = sorted(entries, key=lambda entry: entry.name)  # never the file system's order
    links_found = {os.fspath(link) for link in linked}
    for entry in listing:
        name = entry.name
        if name.startswith(".") or entry.path in links_found:
            continue
        stem, dot, extension = name.rpartition(".")
        suffix = dot + extension if stem else ""
        if suffix in (".yml", ".txt"):
            stems.setdefault(stem, {})[suffix] = entry
        elif suffix.lower() in (".yml", ".yaml", ".txt"):
            wanted = ".txt" if suffix.lower() == ".txt" else ".yml"
            refuse(Path(entry.path), f"article files end in lowercase `{wanted}`: rename it to {stem}{wanted}")
    chosen = sorted(stems.items())
    if only is not None:  # the others listed unread
        read = [_read_article(article_id, _paths(files), root, cache) if only(article_id) else
                (RawArticle(article_id, None, _path(files.get(".txt")), yml_path=_path(files.get(".yml"))), ())
                for article_id, files in chosen]
        for _, found in read:
            problems.extend(found)
        return RawDossier(root, themes, entities, [raw for raw, _ in read]), problems
    stated = tuple((article_id, {suffix: entry.path for suffix, entry in files.items()},
                    (_status(files.get(".yml")), _status(files.get(".txt")))) for article_id, files in chosen)
    listing = _Listing(os.path.join(os.fspath(root), ""), os.path.join(os.path.abspath(root), ""), stated,
                       clean=not problems and themes is not None and entities is not None)
    cache.evolve("article-listing", lambda last: listing)
    return RawDossier(root, themes, entities, _read_articles(root, cache, listing, problems)), problems


def _as_listed(root: Path, cache: BuildCache, problems: list[Problem], listing: _Listing) -> RawDossier:
    """The dossier as load reads it, its articles' files as listing has them (no look at the folder)."""
    themes = read_yaml(root / "themes.yml", root, problems, cache)
    entities = read_yaml(root / "entities.yml", root, problems, cache)
    return RawDossier(root, themes, entities, _read_articles(root, cache, listing, problems))


def _read_articles(root: Path, cache: BuildCache, listing: _Listing, problems: list[Problem]) -> list[RawArticle]:
    """Each article as read, kept by its files' status, and all of them as one by every status:
    an edit of entities.yml reads no article, an edit of one article reads only its files."""
    folder = os.fspath(root / "articles")
    # The whole key as bytes (marshal): as a tuple of 10,000 statuses it was hashed and compared
    # item by item at each of the cache's lookups, 35 ms an edit at 5,000 articles.
    every_status = marshal.dumps(tuple((article_id, status) for article_id, _, status in listing.stated))
    read = cache.each("article-read", listing.stated, lambda one: (folder, one[0], one[2]),
                      lambda one: _read_article(one[0], _paths(one[1]), root, cache), (folder, every_status))
    for _, found in read:
        problems.extend(found)
    return [raw for raw, _ in read]


@dataclass(frozen=True)
class _Listing:
    """The dossier's articles as a full look found them: each one's files (their paths under
    base, by suffix) and their status; clean when the look found nothing to refuse (no link, no
    misnamed file, themes.yml and entities.yml there)."""
    base: str  # the dossier folder as load was given it, ending in a separator
    top: str  # the same, absolute: as the system's notices name the files
    stated: tuple[tuple[str, dict[str, str], tuple], ...]
    clean: bool

    def now(self, root: Path, changed: frozenset[str]) -> _Listing | None:
        """This listing with the status of each changed file taken again, or None when a full look
        is needed: the last one was not clean, or a change under the dossier is not the writing
        of a file it lists (a file added, removed or replaced by something else; a folder)."""
        if not self.clean or os.path.join(os.fspath(root), "") != self.base:
            return None
        ours = [path for path in changed if path.startswith(self.top)]
        if not ours:
            return self
        skip = len(self.base)
        where = {self.top + path[skip:]: (at, suffix) for at, (_, files, _) in enumerate(self.stated)
                 for suffix, path in files.items()}
        stated = list(self.stated)
        for path in ours:
            try:
                status = os.lstat(path)
            except OSError:
                return None
            if not stat.S_ISREG(status.st_mode):
                return None
            if path in (self.top + "themes.yml", self.top + "entities.yml"):
                continue  # read by its own status (read_yaml)
            if path not in where:
                return None
            at, suffix = where[path]
            article_id, files, (yml, txt) = stated[at]
            stated[at] = (article_id, files, (_stated(status), txt) if suffix == ".yml" else (yml, _stated(status)))
        return _Listing(self.base, self.top, tuple(stated), True)


def _status(entry: os.DirEntry | None) -> tuple | None:
    """What a read of the file depends on (its status; see _file_key), None for no such file."""
    if entry is None:
        return None
    try:
        status = entry.stat(follow_symlinks=False)
    except OSError as error:
        return (error.errno,)
    return _stated(status)


def _stated(status: os.stat_result) -> tuple:
    return (status.st_mode, *_written(status))


def _path(file: os.DirEntry | str | None) -> Path | None:
    return None if file is None else Path(file)


def _paths(files: dict[str, os.DirEntry | str]) -> dict[str, Path]:
    """An article's files by suffix (as the listing's entries or their paths) as Paths."""
    return {suffix: Path(file) for suffix, file in files.items()}


def _read_article(article_id: str, files: dict[str, Path], root: Path, cache: BuildCache
                  ) -> tuple[RawArticle, tuple[Problem, ...]]:
    """One article (its files by suffix) read, and what is wrong with its files."""
    problems: list[Problem] = []
    yml = read_yaml(files[".yml"], root, problems, cache) if ".yml" in files else None
    raw = RawArticle(article_id, yml, files.get(".txt"), yml_path=files.get(".yml"))
    if ".txt" in files:
        raw.text, raw.sha256 = read_text(files[".txt"], root, problems, cache)
    # A FIFO, a device or a folder is refused as such (in load): it is not half of an article.
    if ".yml" not in files and _is_regular(files[".txt"]):
        problems.append(Problem(rel(files[".txt"], root), 1, 1, f"text has no metadata: add articles/{article_id}.yml "
                                "beside it (`python build.py add` writes one for a new text)"))
    elif ".txt" not in files and ".yml" in files and _is_regular(files[".yml"]):
        problems.append(Problem(rel(files[".yml"], root), 1, 1, "metadata has no text: add the article's text as "
                                f"articles/{article_id}.txt beside it, or remove this file"))
    return raw, tuple(problems)
