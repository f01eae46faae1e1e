"""Stage 1, load: read the dossier's files safely, keeping where every value came from.

Nothing here judges the content; it only turns bytes into data and reports what could not
be read at all (YAML that does not parse, text that is not UTF-8, files too large).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import Problem

MAX_TEXT_BYTES = 1_000_000
MAX_YAML_BYTES = 1_000_000

Location = tuple[int, int]  # 1-based line and column
KeyPath = tuple  # keys and list indexes from the document root


@dataclass
class YamlDocument:
    path: Path
    data: object
    locations: dict[KeyPath, Location] = field(default_factory=dict)

    def where(self, key_path: KeyPath) -> Location:
        """The location of a value, or of its nearest located parent."""
        key_path = tuple(key_path)
        while key_path not in self.locations and key_path:
            key_path = key_path[:-1]
        return self.locations.get(key_path, (1, 1))


@dataclass
class RawArticle:
    id: str
    yml: YamlDocument | None
    txt_path: Path | None
    text: str | None = None
    sha256: str | None = None


@dataclass
class RawDossier:
    root: Path
    themes: YamlDocument | None
    entities: YamlDocument | None
    articles: list[RawArticle]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings the maintainer wrote."""


# Dates stay strings so that the validator sees exactly what was typed ("2019-02-30" included).
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve().parent).as_posix()
    except ValueError:
        return path.as_posix()


def read_yaml(path: Path, root: Path, problems: list[Problem]) -> YamlDocument | None:
    """Parse one YAML file; refuse aliases (alias bombs) and Python tags without executing anything."""
    shown = rel(path, root)
    size = path.stat().st_size
    if size > MAX_YAML_BYTES:
        problems.append(Problem(shown, 1, 1, f"file is {size:,} bytes; the limit for YAML files is {MAX_YAML_BYTES:,} bytes"))
        return None
    raw = path.read_bytes()
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(shown, *_line_col(raw, error.start), "file is not UTF-8; save it as UTF-8"))
        return None
    try:
        for event in yaml.parse(source, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                problems.append(Problem(shown, mark.line + 1, mark.column + 1,
                                        "YAML aliases (*name) are not allowed in the dossier; write the value out"))
                return None
        node = yaml.compose(source, Loader=_Loader)
        if node is None:
            return YamlDocument(path, None)
        loader = _Loader("")
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or "could not be parsed"
        if "could not determine a constructor" in str(error):
            what = f"YAML tag {error.problem.split('tag ')[-1] if error.problem else ''} is not allowed: only plain values, lists and mappings"
        problems.append(Problem(shown, line, column, f"YAML does not parse: {what}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(shown, 1, 1, f"YAML does not parse: {error}"))
        return None
    document = YamlDocument(path, data)
    _record_locations(node, (), document.locations)
    return document


def _record_locations(node: yaml.Node, key_path: KeyPath, out: dict) -> None:
    out[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[key_path + (key, "<key>")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _record_locations(value_node, key_path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_locations(item, key_path + (index,), out)


def _line_col(raw: bytes, offset: int) -> Location:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    return line, offset - (before.rfind(b"\n") + 1) + 1


def read_text(path: Path, root: Path, problems: list[Problem]) -> tuple[str | None, str | None]:
    """The text of an article as stored, and the SHA-256 of its bytes."""
    shown = rel(path, root)
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        problems.append(Problem(shown, 1, 1, f"text is {size:,} bytes; the limit is {MAX_TEXT_BYTES:,} bytes"))
        return None, None
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")  # a BOM is accepted and not shown
    except UnicodeDecodeError as error:
        line, column = _line_col(raw, error.start)
        hint = ""
        try:
            raw.decode("cp1256")
            hint = (" It looks like Windows-1256 (Arabic Windows); convert it with "
                    f"`iconv -f WINDOWS-1256 -t UTF-8 {path.name} > fixed.txt`.")
        except UnicodeDecodeError:
            pass
        problems.append(Problem(shown, line, column, f"text is not UTF-8 (byte 0x{raw[error.start]:02x}).{hint}"))
        return None, digest
    if not text.strip():
        problems.append(Problem(shown, 1, 1, "text is empty: an article needs its text"))
        return None, digest
    return text, digest


def load(root: Path) -> tuple[RawDossier, list[Problem]]:
    """Read dossier/ (themes.yml, entities.yml, articles/*.yml and *.txt), in sorted order."""
    problems: list[Problem] = []
    root = Path(root)

    def optional_yaml(name: str) -> YamlDocument | None:
        path = root / name
        if not path.is_file():
            problems.append(Problem(rel(path, root), 1, 1, f"missing file: the dossier needs {name}"))
            return None
        return read_yaml(path, root, problems)

    themes = optional_yaml("themes.yml")
    entities = optional_yaml("entities.yml")

    articles_dir = root / "articles"
    stems: dict[str, dict[str, Path]] = {}
    for path in sorted(articles_dir.iterdir()) if articles_dir.is_dir() else []:
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.is_symlink():  # nothing outside the repo is read into the site
            problems.append(Problem(rel(path, root), 1, 1, "symbolic links are not allowed in the dossier"))
            continue
        if path.suffix in (".yml", ".txt"):
            stems.setdefault(path.stem, {})[path.suffix] = path
        elif path.suffix == ".yaml":
            problems.append(Problem(rel(path, root), 1, 1, "article metadata files end in .yml, not .yaml"))
    articles = []
    for article_id, files in sorted(stems.items()):
        yml = read_yaml(files[".yml"], root, problems) if ".yml" in files else None
        raw = RawArticle(article_id, yml, files.get(".txt"))
        if ".txt" in files:
            raw.text, raw.sha256 = read_text(files[".txt"], root, problems)
        if ".yml" not in files:
            problems.append(Problem(rel(files[".txt"], root), 1, 1,
                                    f"text has no metadata: add articles/{article_id}.yml (or run `python build.py add`)"))
        elif ".txt" not in files:
            problems.append(Problem(rel(files[".yml"], root), 1, 1,
                                    f"metadata has no text: add articles/{article_id}.txt beside it"))
        articles.append(raw)
    return RawDossier(root, themes, entities, articles), problems
