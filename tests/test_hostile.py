"""Hostile YAML, round 2: no value can become markup, whatever characters it holds.

A contributor with write access to a pull request controls every YAML value. Characters
that survive HTML escaping but break MkDocs' front-matter parsing (controls, separators,
noncharacters) used to make MkDocs drop the front matter silently and render it as
Markdown, turning a title's `[x](javascript:…)` into a live link. These tests inject each
class of character into every string field: `check` must refuse it, naming the code point,
and the renderer must keep it inert even if it got past `check`.
"""
from __future__ import annotations

import copy
import functools
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SITE_URL, run
from markdown_both_ways import compare

from sitegen import pipeline
from sitegen.cache import BuildCache
from sitegen.project import Project, folder_digest
from sitegen.stages.values import UnsafeFrontMatter, front_matter

# One representative of each class that check refuses in a YAML value.
FORBIDDEN = {
    "nul": "\x00", "c0-escape": "\x1b", "tab": "\t", "carriage-return": "\r", "delete": "\x7f",
    "c1-nel": "\x85", "c1-csi": "\x9b", "line-separator": "\u2028", "paragraph-separator": "\u2029",
    "noncharacter-fffe": "\ufffe", "noncharacter-fdd0": "\ufdd0", "noncharacter-plane-1": "\U0001ffff",
    "lone-surrogate": "\ud800", "rlo": "\u202e", "rli": "\u2067", "rlm": "\u200f", "alm": "\u061c",
}
ARTICLE = "2010-election-results-alert"
# Every string field of every kind of YAML file: (file, key path).
FIELDS = [
    (f"articles/{ARTICLE}.yml", ("title",)), (f"articles/{ARTICLE}.yml", ("date",)),
    (f"articles/{ARTICLE}.yml", ("date_note",)), (f"articles/{ARTICLE}.yml", ("source", "outlet")),
    (f"articles/{ARTICLE}.yml", ("source", "url")), (f"articles/{ARTICLE}.yml", ("source", "note")),
    (f"articles/{ARTICLE}.yml", ("themes", 0)), (f"articles/{ARTICLE}.yml", ("summary",)),
    (f"articles/{ARTICLE}.yml", ("entities", 0)), (f"articles/{ARTICLE}.yml", ("events", 0, "date")),
    (f"articles/{ARTICLE}.yml", ("events", 0, "title")), (f"articles/{ARTICLE}.yml", ("sha256",)),
    ("themes.yml", (0, "id")), ("themes.yml", (0, "title")), ("themes.yml", (0, "description")),
    ("entities.yml", (0, "id")), ("entities.yml", (0, "name")), ("entities.yml", (0, "kind")),
    ("entities.yml", (0, "aliases", 0)), ("entities.yml", (0, "description")),
]


def _set(data, key_path, value):
    for key in key_path[:-1]:
        data = data[key]
    data[key_path[-1]] = value


def _get(data, key_path):
    for key in key_path:
        data = data[key]
    return data


@functools.lru_cache(maxsize=8)
def _composed(text: str) -> yaml.Node:
    """A YAML file's node tree, composed once for the many values looked up in it (PyYAML's
    composer in pure Python: 9 CPU s of a run when each lookup composed the whole file again)."""
    return yaml.compose(text)


def _line(path: Path, key_path) -> int:
    """The line of a value in a YAML file, found independently of the loader under test."""
    node = _composed(path.read_text(encoding="utf-8"))
    for key in key_path:
        if isinstance(key, int):
            node = node.value[key]
        else:
            node = next(value for name, value in node.value if name.value == key)
    return node.start_mark.line + 1


def _field(key_path) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else (("." if i else "") + k) for i, k in enumerate(key_path))


@pytest.fixture(scope="module")
def dossier_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "dossier"
    shutil.copytree(REPO / "dossier", root)
    return root


# The schemas as the pipeline loads them, by the digest of their folder: every copy has the same
# schema files, so they are read and checked against the metaschema once, not in each of the 350 runs.
_SCHEMAS: dict = {}


def _generate(dossier: Path):
    """The pipeline on a copy of the dossier (the repository's templates), drafts included."""
    templates = dossier.parent / "templates"
    if not templates.exists():
        templates.symlink_to(REPO / "templates")
    project = Project.at(dossier.parent)
    cache = BuildCache()  # a fresh one for each run, but for the schemas of the same files
    entry = ("schemas", folder_digest(project.schema_dir))
    if entry in _SCHEMAS:
        cache.adopt({entry: _SCHEMAS[entry]})
    outcome = pipeline.generate(project, cache=cache, include_drafts=True, strict_drafts=True)
    _SCHEMAS.update({kept: value for kept, value in cache.kept().items() if kept[0] == "schemas"})
    return outcome.generated, outcome.problems


def _write_yaml(path: Path, data) -> None:
    # yaml.safe_dump writes every forbidden character as an escape: the file itself is valid YAML.
    text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1_000_000)
    path.write_text(text, encoding="utf-8")


def test_check_refuses_each_class_in_every_string_field_naming_the_code_point(dossier_copy, tmp_path):
    """Each class of character in every string field of every kind of file: class k in every
    field of its own copy of the article, of a theme and of an entity, added to the dossier. Each
    (class, field) is reported, naming its code point, on the value's own line. Six classes a run
    of the pipeline, three runs in all (one a class and file cost 51): check reports at most 50
    problems a file, and an entity with a class in its five fields makes seven."""
    fields_of: dict[str, list[tuple]] = {}
    for relative, key_path in FIELDS:
        fields_of.setdefault(relative, []).append(key_path)
    article_fields = fields_of.pop(f"articles/{ARTICLE}.yml")
    names = list(FORBIDDEN)
    for first in range(0, len(names), 6):
        root = tmp_path / f"from-{first}" / "dossier"
        shutil.copytree(dossier_copy, root)
        article = yaml.safe_load((root / "articles" / f"{ARTICLE}.yml").read_text(encoding="utf-8"))
        article["source"].setdefault("url", "https://www.example.org/news/1")
        lists = {file: yaml.safe_load((root / file).read_text(encoding="utf-8")) for file in fields_of}
        expected = []  # (class, file, key path in that file)
        for name in names[first:first + 6]:
            def poisoned(item, key_paths):
                item = copy.deepcopy(item)
                for key_path in key_paths:
                    value = _get(item, key_path)
                    _set(item, key_path, value[:3] + FORBIDDEN[name] + value[3:])
                return item

            relative = f"articles/hostile-{name}.yml"
            _write_yaml(root / relative, poisoned(article, article_fields))
            shutil.copyfile(root / "articles" / f"{ARTICLE}.txt", root / f"articles/hostile-{name}.txt")
            expected += [(name, relative, key_path) for key_path in article_fields]
            for file, items in lists.items():
                key_paths = [key_path[1:] for key_path in fields_of[file]]  # each after (0, ...): the item's own
                items.append(poisoned(items[0], key_paths))
                expected += [(name, file, (len(items) - 1, *key_path)) for key_path in key_paths]
        for file, items in lists.items():
            _write_yaml(root / file, items)
        generated, problems = _generate(root)
        assert generated is None
        for name, relative, key_path in expected:
            code = f"U+{ord(FORBIDDEN[name]):04X}"
            mine = [p for p in problems if p.path.endswith(relative) and code in p.message
                    and f"`{_field(key_path)}`" in p.message]
            assert mine, f"{name} in {relative} {_field(key_path)}: no problem names {code}:\n" + "\n".join(map(str, problems))
            assert {p.line for p in mine} == {_line(root / relative, key_path)}, mine  # located on the value's own line


@pytest.mark.parametrize("name", [n for n in FORBIDDEN if n not in ("rlo", "rli", "rlm", "alm", "tab")])
def test_check_refuses_each_class_in_the_text_with_its_line_and_column(dossier_copy, tmp_path, name):
    root = tmp_path / "dossier"
    shutil.copytree(dossier_copy, root)
    txt = root / "articles" / f"{ARTICLE}.txt"
    lines = txt.read_text(encoding="utf-8").split("\n")
    character = FORBIDDEN[name]
    if name == "lone-surrogate":  # not encodable as UTF-8 at all: reported as invalid UTF-8
        txt.write_bytes("\n".join(lines[:2]).encode("utf-8") + b"\n\xed\xa0\x80" + "\n".join(lines[2:]).encode("utf-8"))
    else:
        lines[2] = lines[2][:4] + character + lines[2][4:]
        txt.write_text("\n".join(lines), encoding="utf-8", newline="")
    generated, problems = _generate(root)
    assert generated is None
    mine = [p for p in problems if p.path.endswith(f"{ARTICLE}.txt")]
    assert mine and mine[0].line == 3, problems
    if name != "lone-surrogate":
        assert f"U+{ord(character):04X}" in mine[0].message and mine[0].column == 5, mine


def test_bidi_controls_tabs_and_crlf_stay_allowed_in_the_text(dossier_copy, tmp_path):
    root = tmp_path / "dossier"
    shutil.copytree(dossier_copy, root)
    txt = root / "articles" / f"{ARTICLE}.txt"
    text = txt.read_text(encoding="utf-8").replace("\n", "\r\n").replace("بغداد", "\u200fبغداد\tبغداد", 1)
    txt.write_bytes(text.encode("utf-8"))
    yml = root / "articles" / f"{ARTICLE}.yml"
    import hashlib

    source = yml.read_text(encoding="utf-8")
    source = re.sub(r"^sha256: .*$", f"sha256: {hashlib.sha256(txt.read_bytes()).hexdigest()}", source, flags=re.M)
    yml.write_text(source, encoding="utf-8")
    generated, problems = _generate(root)
    assert problems == [] and generated is not None


@pytest.mark.parametrize("name", FORBIDDEN)
def test_front_matter_reads_back_as_written_or_is_refused(name):
    value = f"عنوان {FORBIDDEN[name]} [x](javascript:alert(1)) ![i](https://evil.example/i.png)"
    from mkdocs.utils.meta import get_data

    try:
        block = front_matter({"title": value, "search": {"exclude": True}})
    except UnsafeFrontMatter:
        return  # refused loudly: never written
    body, meta = get_data(str(block) + "\nbody\n")
    assert body.strip() == "body"
    assert meta["search"] == {"exclude": True}
    assert "javascript:alert(1)" in meta["title"]  # kept as text, escaped for the HTML it goes into


# ---------------------------------------------------------------------------------------------
# Built pages: nothing the dossier did not ask for.

PAYLOAD = ('[ر](javascript:alert(1)) ![ص](https://evil.example/i.png) <img src=x onerror=alert(2)> '
           '<script>alert(3)</script> {{ 7*7 }} {% raw %} " onclick="alert(4) &amp; # * _ ` | <!-- x -->')
MULTILINE = "سطر أول\n\n---\ntitle: x\n---\n\n" + PAYLOAD + "\n\n    مسافة بادئة"


class _Markup(HTMLParser):
    """Every (tag, attribute) pair and every URL scheme and host of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pairs: set[tuple[str, str]] = set()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.pairs.add((tag, ""))
        for name, value in attrs:
            self.pairs.add((tag, name))
            if name in ("href", "src", "action", "formaction", "srcset", "content") and value:
                match = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):(//[^/?#]*)?", value)
                if match and name != "content" or match and match.group(2):
                    self.urls.add(match.group(1).lower() + ":" + (match.group(2) or ""))


def _markup(site: Path) -> tuple[set, set]:
    pairs, urls = set(), set()
    for page in sorted(site.rglob("*.html")):
        parser = _Markup()
        parser.feed(page.read_text(encoding="utf-8"))
        pairs |= parser.pairs
        urls |= parser.urls
    return pairs, urls


@pytest.fixture(scope="module")
def clean_markup(site) -> tuple[set, set]:
    """_markup of the shared build's site: what the dossier's own values make (read once)."""
    return _markup(site)


def _poison(repo: Path) -> None:
    """The payload in every string field that takes free text; multi-line texts get blank lines too."""
    dossier = repo / "dossier"
    for path in sorted((dossier / "articles").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["title"] = "عنوان " + PAYLOAD
        data["summary"] = MULTILINE
        data["date_note"] = MULTILINE
        data["source"]["outlet"] = "ناشر " + PAYLOAD
        data["source"]["note"] = MULTILINE
        for event in data["events"]:
            event["title"] = "حدث " + PAYLOAD
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_style="\""), encoding="utf-8")
    for name, fields in (("themes.yml", {"title": "محور ", "description": None}),
                         ("entities.yml", {"name": "اسم ", "description": None})):
        path = dossier / name
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, item in enumerate(items):
            for field, prefix in fields.items():
                item[field] = f"{prefix}{index} {PAYLOAD}" if prefix else MULTILINE
            if "aliases" in item:
                item["aliases"] = [f"كنية{index} {PAYLOAD}"]
        path.write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False, default_style="\""), encoding="utf-8")


def test_hostile_values_in_every_field_add_no_element_attribute_or_url(clean_markup, repo):
    _poison(repo)
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    pairs, urls = _markup(repo / "site")
    clean_pairs, clean_urls = clean_markup
    assert pairs - clean_pairs == set(), sorted(pairs - clean_pairs)
    assert urls - clean_urls == set(), sorted(urls - clean_urls)
    page = (repo / "site" / "articles" / ARTICLE / "index.html").read_text(encoding="utf-8")
    assert "[ر](javascript:alert(1))" in page  # shown as the text it is
    assert "evil.example" not in "".join(re.findall(r'(?:src|href)="[^"]*"', page))
    comparison = compare(repo)  # the build's raw-HTML pass-through changed nothing Markdown would make
    assert comparison.differing == [] and comparison.pages > 50


def test_forbidden_characters_that_slip_past_check_are_still_inert(clean_markup, repo):
    """Defence in depth: values carrying every forbidden class, put into the model directly
    (as if a rule were missing from check), are rendered and built by MkDocs without any
    element, attribute or URL the dossier did not ask for."""
    from sitegen.output import mkdocs_build
    from sitegen.stages import link, render
    from sitegen.urls import HOSTED

    project = Project.at(repo, site_url=SITE_URL)  # as the clean build was made
    outcome = pipeline.generate(project)
    generated, problems = outcome.generated, outcome.problems
    assert not problems
    dossier = generated.dossier
    poison = "".join(FORBIDDEN[n] for n in FORBIDDEN if n != "lone-surrogate")
    for article in dossier.articles:
        article.title = f"عنوان{poison}[x](javascript:alert(1))"
        article.summary = f"ملخص{poison}\n\n[x](javascript:alert(2))"
        for event in article.events:
            event.title = f"حدث{poison}![i](https://evil.example/i.png)"
    for theme in dossier.themes:
        theme.title = f"{theme.title}{poison}[x](javascript:alert(3))"
    for entity in dossier.entities:
        entity.name = f"{entity.name}{poison}"
    linked = link.link(dossier)
    pages = render.render(linked, render.RenderSettings(repo / "templates", HOSTED, site_url=SITE_URL))
    from sitegen import characters

    # no generated page, front matter included, carries any of them: each became U+FFFD
    carrying = sorted(path for path, page in pages.items() if path.endswith(".md") and characters.IN_VALUE.search(page))
    assert carrying == [], carrying
    pages["_partials/fields.md"] = generated.pages["_partials/fields.md"]
    mkdocs_build.build_site(project, pages, render.navigation(dossier.themes, repo / "templates"),
                            site_files=generated.site_files)
    pairs, urls = _markup(repo / "site")
    clean_pairs, clean_urls = clean_markup
    assert pairs - clean_pairs == set(), sorted(pairs - clean_pairs)
    assert urls - clean_urls == set(), sorted(urls - clean_urls)
    feed = (repo / "site" / "data" / "atom.xml").read_text(encoding="utf-8")
    import xml.etree.ElementTree as ElementTree

    ElementTree.fromstring(feed)  # still well-formed XML
