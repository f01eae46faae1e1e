"""`python build.py serve`: the preview, regenerated incrementally by one long-running process.

How an edit reaches the browser:

1. Our own watcher (watchdog; inotify on Linux) sees a change under dossier/, templates/,
   overrides/, mkdocs.yml or the hand-written pages of docs/, and asks MkDocs' build loop for
   a build. MkDocs itself watches nothing: the generator's writes into docs/ never set off a
   build of their own, so an edit costs one build.
2. The build first regenerates the dossier (`Incremental.run`). The stages are the same
   functions `build` runs (`pipeline.generate`), but the process keeps what it computed for
   every file and every page that has not changed since the last run: a YAML file is parsed
   again only when its bytes changed, a schema check and an article's checks run only on a
   changed document (or when the ids it refers to changed), the entity mentions of a text are
   found only in a changed text, and a page's template is rendered only when its arguments
   changed (compared by value). Listings, neighbours, related articles and the data files are
   computed from the whole dossier every time, as a full regeneration computes them; only
   work whose inputs are equal is skipped. Anything else that changes (the schemas, the
   templates, themes.yml, entities.yml) drops every cache: the next run is a full one.
3. Only the generated files whose content changed are written into docs/ (cards only when
   their key changed); files no longer generated are removed.
4. One dirty MkDocs build rebuilds the pages whose Markdown changed.

A problem in the dossier (a YAML error, an unknown id) is printed as `path:line:column: message`
and the preview keeps the last good pages; serve goes on and the next save is tried again.

The caches are put in place of stage functions only in this process and only while it
regenerates (`_patched`): load.read_yaml and load.read_text, validate.check_schema and
validate._Checker.article, link._paragraphs, and render.environment (a new environment every
run, as render makes, whose templates remember their output). What they rely on: those
functions' signatures (the article cache checks it and stays out if it changed), and that
nothing changes a loaded document, an Article or a paragraph list after it is made. One
assumption about templates: a page that links to pages of its own kind (a year page's
previous and next) shows what those pages hold, but not the pages they link to in turn
(see _Link). tests/test_serve.py checks that docs/ ends up as a full regeneration writes it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from . import link, load, pipeline, render, site, validate
from .cards import MANIFEST, Drawing
from .model import Problem

log = logging.getLogger("mkdocs.dossier")


# ------------------------------------------------------------------ values as cache keys

class _Unkeyable(Exception):
    """A value that cannot be compared safely (so its page is simply rendered)."""


_ATOMS = (str, bytes, int, float, bool, type(None))


class _Keys:
    """Turns a template's arguments into a small number that is the same exactly when the
    arguments are equal: dataclasses field by field, lists and dicts item by item.

    Every composite value becomes a tuple of its parts' numbers, numbered through a table kept
    from one run to the next, so that equal values get the same number in every run and a
    page's key is one number however long its listing. Within a run the same object is keyed
    once (by identity: it is alive for the whole run). Strings are compared by value (the texts
    of unchanged articles are the same string objects from run to run, so that costs nothing).
    Values that refer back to an enclosing one (a year page's previous and next pages) are
    written as a back-reference: how many levels up the value referred to is.
    """

    def __init__(self):
        self._previous: dict[tuple, int] = {}
        self._current: dict[tuple, int] = {}
        self._memo: dict[int, tuple[object, int]] = {}
        self._next = 0  # numbers are never given twice, so a stale number can only fail to match
        # Objects that are never changed once made (the paragraphs the link cache hands back)
        # keep their keys from run to run; the entries hold them, so their ids stay theirs.
        self.lasting: dict[int, object] = {}
        self._lasting_keys: dict[int, tuple[object, object]] = {}
        self._lasting_used: dict[int, tuple[object, object]] = {}

    def start(self) -> None:
        self._memo = {}
        self._lasting_used = {}

    def finish(self) -> None:
        self._previous, self._current = self._current, {}
        self._memo = {}
        self._lasting_keys, self._lasting_used = self._lasting_used, {}
        self.lasting = {}

    def clear(self) -> None:
        self._previous, self._current, self._memo = {}, {}, {}
        self.lasting, self._lasting_keys, self._lasting_used = {}, {}, {}

    def __call__(self, value) -> object:
        return self._key(value, {})[0]

    def _number(self, parts: tuple) -> int:
        number = self._current.get(parts)
        if number is None:
            number = self._previous.get(parts)
            if number is None:
                self._next += 1
                number = self._next
            self._current[parts] = number
        return number

    def _key(self, value, open_: dict) -> tuple[object, float]:
        """The key, and the depth of the outermost enclosing value a back-reference in it names."""
        if isinstance(value, _ATOMS):  # typed, so that True, 1 and 1.0 are three keys
            return (value if value is None or isinstance(value, str) else (type(value).__name__, value)), _NONE
        memo = self._memo.get(id(value))
        if memo is not None and memo[0] is value:
            return memo[1], _NONE
        if id(value) in self.lasting:
            memo = self._lasting_keys.get(id(value))
            if memo is not None and memo[0] is value:
                self._lasting_used[id(value)] = memo
                self._memo[id(value)] = memo
                return memo[1], _NONE
        depth = len(open_)
        if id(value) in open_:
            return ("@", depth - open_[id(value)]), open_[id(value)]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if type(value).__dataclass_params__.frozen:  # a date: hashable, and equal only to its own kind
                try:
                    hash(value)
                    return ("frozen", value), _NONE
                except TypeError:
                    pass
            tag, children = type(value).__qualname__, []
            for name in _field_names(type(value)):
                child = getattr(value, name)
                if type(child) is type(value):  # a link to its own kind (a year page's previous or next page):
                    child = _Link(child)  # what it is, but not, in turn, what it links to
                children.append(child)
        elif isinstance(value, (list, tuple)):
            if all(type(item) is str for item in value):  # ids, aliases, hidden lines: common, and cheap to key
                key = ("#", self._number((type(value).__name__ + ":str",) + tuple(value)))
                self._memo[id(value)] = (value, key)
                return key, _NONE
            tag, children = type(value).__name__, value
        elif isinstance(value, dict):
            tag, children = "dict", [item for pair in value.items() for item in pair]
        elif isinstance(value, (set, frozenset)):
            tag, children = "set", sorted(value, key=repr)
        elif isinstance(value, Path):
            tag, children = "path", [str(value)]
        elif isinstance(value, _Link):
            target = value.target
            tag, children = "link:" + type(target).__qualname__, [
                (("@link",) if type(getattr(target, name)) is type(target) else getattr(target, name))
                for name in _field_names(type(target))]
        else:
            raise _Unkeyable(type(value).__name__)
        open_[id(value)] = depth
        outermost = _NONE
        parts = [tag]
        memo = self._memo
        try:
            for child in children:
                if child is None or type(child) is str:  # the common cases, without a call
                    parts.append(child)
                    continue
                known = memo.get(id(child))
                if known is not None and known[0] is child:
                    parts.append(known[1])
                    continue
                key, reaches = self._key(child, open_)
                parts.append(key)
                if reaches < outermost:
                    outermost = reaches
        finally:
            del open_[id(value)]
        key = ("#", self._number(tuple(parts)))
        if outermost >= depth:  # nothing in it refers outside it: the same key wherever it is met
            self._memo[id(value)] = (value, key)
            if id(value) in self.lasting:
                self._lasting_used[id(value)] = (value, key)
            return key, _NONE
        return key, outermost


_NONE = float("inf")


@functools.lru_cache(maxsize=None)
def _field_names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class _Link:
    """A value met through a link from a value of its own kind. It is keyed with its own fields
    but its links of that kind only as present: the pager of a year page shows the previous and
    next pages (their path, label, items), never the pages beyond them. Without this, every
    page of a year archive would depend on every other page, and one change would render them all.
    """

    __slots__ = ("target",)

    def __init__(self, target):
        self.target = target


class _Renders:
    """Remembers what each template rendered, by its arguments, for the next run."""

    def __init__(self):
        self.previous: dict[tuple, str] = {}
        self.current: dict[tuple, str] = {}
        self.keys = _Keys()
        self.rendered = self.reused = 0

    def start(self) -> None:
        self.keys.start()
        self.current = {}
        self.rendered = self.reused = 0

    def finish(self) -> None:
        self.previous, self.current = self.current, {}
        self.keys.finish()

    def clear(self) -> None:
        self.previous, self.current = {}, {}
        self.keys.clear()

    def remembered(self, name: str, function):
        """function (a filter that renders a piece of a page from its arguments alone), its
        results kept by its arguments' keys like the pages."""
        def remembered(*args, **kwargs):
            try:
                key = (name, self.keys(args), self.keys(kwargs))
                hash(key)
            except (_Unkeyable, TypeError):
                return function(*args, **kwargs)
            result = self.current.get(key)
            if result is None:
                result = self.previous.get(key)
                if result is None:
                    result = function(*args, **kwargs)
                self.current[key] = result
            return result

        return remembered


def _memo_template_class(renders: _Renders):
    import jinja2

    class MemoTemplate(jinja2.Template):
        def render(self, *args, **kwargs):
            try:
                key = (self.name, renders.keys(args), renders.keys(kwargs))
                hash(key)
            except (_Unkeyable, TypeError):
                renders.rendered += 1
                return super().render(*args, **kwargs)
            output = renders.current.get(key)
            if output is None:
                output = renders.previous.get(key)
                if output is None:
                    output = super().render(*args, **kwargs)
                    renders.rendered += 1
                else:
                    renders.reused += 1
                renders.current[key] = output
            else:
                renders.reused += 1
            return output

    return MemoTemplate


# ------------------------------------------------------------------ the per-file caches

class _FileCache:
    """A reader's result (and the problems it reported) for each file, while its bytes stay the same."""

    LIMIT = 4_000_000  # larger files are read through (the readers refuse them anyway)

    def __init__(self, reader):
        self.reader = reader
        self.previous: dict[tuple, tuple] = {}
        self.current: dict[tuple, tuple] = {}
        self.hits = self.misses = 0

    def __call__(self, path, root, problems):
        try:
            with open(path, "rb") as file:
                data = file.read(self.LIMIT + 1)
            if len(data) > self.LIMIT:
                raise OSError
        except OSError:
            return self.reader(path, root, problems)
        key = (str(path), str(root))
        entry = self.current.get(key) or self.previous.get(key)
        if entry is not None and entry[0] == data:
            self.hits += 1
        else:
            mine: list[Problem] = []
            result = self.reader(path, root, mine)
            entry = (data, result, tuple(mine))
            self.misses += 1
        self.current[key] = entry
        problems.extend(entry[2])
        return entry[1]

    def finish(self) -> None:
        self.previous, self.current = self.current, {}
        self.hits = self.misses = 0

    def clear(self) -> None:
        self.previous, self.current = {}, {}


class _SchemaCache:
    """validate.check_schema for each YAML document (the same object while its file is unchanged)."""

    def __init__(self, check):
        self.check = check
        self.previous: dict[tuple, tuple] = {}
        self.current: dict[tuple, tuple] = {}

    def __call__(self, document, schema_name, root, problems):
        key = (id(document), schema_name, str(root))
        entry = self.current.get(key) or self.previous.get(key)
        if entry is None or entry[0] is not document:
            mine: list[Problem] = []
            bad = self.check(document, schema_name, root, mine)
            entry = (document, frozenset(bad), tuple(mine))  # document kept alive: its id stays its own
        self.current[key] = entry
        problems.extend(entry[2])
        return set(entry[1])

    def finish(self) -> None:
        self.previous, self.current = self.current, {}

    def clear(self) -> None:
        self.previous, self.current = {}, {}


class _ParagraphCache:
    """link._paragraphs for each article body (its text, title and hidden lines), while the entities stay the same."""

    def __init__(self, paragraphs, keys: "_Keys"):
        self.paragraphs = paragraphs
        self.keys = keys
        self.previous: dict[tuple, tuple] = {}
        self.current: dict[tuple, tuple] = {}

    def __call__(self, article, matcher, *more, **named):
        if more or named:
            return self.paragraphs(article, matcher, *more, **named)
        try:
            key = (article.text, article.title, tuple(article.hide_lines))
            hash(key)
        except (AttributeError, TypeError):
            return self.paragraphs(article, matcher)
        result = self.current.get(key) or self.previous.get(key)
        if result is None:
            result = self.paragraphs(article, matcher)
        self.current[key] = result
        if isinstance(result, tuple) and result:
            self.keys.lasting[id(result[0])] = result[0]  # the paragraphs, never changed after
        return result

    def finish(self) -> None:
        self.previous, self.current = self.current, {}

    def clear(self) -> None:
        self.previous, self.current = {}, {}


_ARTICLE_PARAMETERS = ["self", "raw_article", "theme_ids", "entity_ids", "article_ids", "texts", "include_drafts"]


class _ArticleCache:
    """validate's check of one article (_Checker.article), while its files and what it refers to stay the same.

    Only articles that passed every check are kept, and the same Article object is handed back:
    the pages' keys then stay the same from run to run without being computed again. The check
    also records the article's text in `texts` (to find a text kept twice); a kept result does
    the same, and is used only when no other article holds the same text.
    """

    def __init__(self, check, keys: "_Keys"):
        self.check = check
        self.keys = keys
        self.previous: dict[str, tuple] = {}
        self.current: dict[str, tuple] = {}
        self._frozen: list = [None, None, None, None]  # the last (theme ids, frozen), (entity ids, frozen)

    @staticmethod
    def usable(check) -> bool:
        import inspect

        try:
            return list(inspect.signature(check).parameters) == _ARTICLE_PARAMETERS
        except (TypeError, ValueError):
            return False

    def _freeze(self, ids, slot: int):
        if ids is None:
            return None
        if self._frozen[slot] is not ids:
            self._frozen[slot], self._frozen[slot + 1] = ids, frozenset(ids)
        return self._frozen[slot + 1]

    def method(self):
        cache = self

        def article(checker, raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts):
            return cache.call(checker, raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts)

        return article

    def call(self, checker, raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts):
        document = raw_article.yml
        related = document.data.get("related") if document is not None and isinstance(document.data, dict) else None
        try:
            refers = (self._freeze(theme_ids, 0), self._freeze(entity_ids, 2),
                      tuple((r, r in article_ids) for r in related) if isinstance(related, list) else repr(related))
            hash(refers)
        except TypeError:
            return self.check(checker, raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts)
        inputs = (raw_article.txt_path, raw_article.yml_path, raw_article.sha256, include_drafts, refers)
        entry = self.current.get(raw_article.id) or self.previous.get(raw_article.id)
        if (entry is not None and document is not None and entry[0] is document and entry[1] is raw_article.text
                and entry[2] == inputs and texts.get(raw_article.sha256, raw_article.id) == raw_article.id):
            if raw_article.text is not None:
                texts.setdefault(raw_article.sha256, raw_article.id)
        else:
            before = len(checker.problems)
            result = self.check(checker, raw_article, theme_ids, entity_ids, article_ids, texts, include_drafts)
            if result is None or len(checker.problems) != before or document is None:
                return result
            entry = (document, raw_article.text, inputs, result)
        self.current[raw_article.id] = entry
        self.keys.lasting[id(entry[3])] = entry[3]
        return entry[3]

    def finish(self) -> None:
        self.previous, self.current = self.current, {}
        self._frozen = [None, None, None, None]

    def clear(self) -> None:
        self.previous, self.current = {}, {}
        self._frozen = [None, None, None, None]


def _remembered(function):
    """function with its results kept by argument (when the arguments can be kept)."""
    cached = functools.lru_cache(maxsize=100_000)(function)

    @functools.wraps(function)
    def remembered(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:  # an argument that cannot be a key
            return function(*args, **kwargs)

    return remembered


@contextlib.contextmanager
def _patched(module, name: str, replacement):
    """module.name is replacement for the duration (only in this process, only while regenerating)."""
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


# ------------------------------------------------------------------ the incremental regeneration

@dataclasses.dataclass
class RunStats:
    seconds: float = 0.0
    written: int = 0
    removed: int = 0
    cards_drawn: int = 0
    pages_rendered: int = 0
    pages_reused: int = 0
    files_parsed: int = 0
    problems: int = 0
    removed_paths: list = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return (f"regenerated in {self.seconds:.2f} s: {self.files_parsed} file(s) read anew, "
                f"{self.pages_rendered} page(s) rendered ({self.pages_reused} unchanged), "
                f"{self.written} file(s) written, {self.removed} removed, {self.cards_drawn} card(s) drawn")


class Incremental:
    """Regenerates the dossier into docs/ again and again, redoing only what changed."""

    def __init__(self, repo: Path, include_drafts: bool = True):
        self.repo = Path(repo)
        self.dossier_dir = self.repo / "dossier"
        self.docs_dir = self.repo / "docs"
        self.include_drafts = include_drafts
        self.generated: pipeline.Generated | None = None
        self.written: dict[str, object] | None = None  # what each generated file in docs/ holds (cards: their key)
        self._context = None
        self._yaml = _FileCache(load.read_yaml)
        self._text = _FileCache(load.read_text)
        self._schema = _SchemaCache(validate.check_schema)
        self._renders = _Renders()
        self._paragraphs = _ParagraphCache(link._paragraphs, self._renders.keys)
        self._articles = _ArticleCache(validate._Checker.article, self._renders.keys) \
            if _ArticleCache.usable(validate._Checker.article) else None
        self._new_environment = render.environment
        self._template_class = _memo_template_class(self._renders)
        self._bytecode = _memory_bytecode_cache()
        self._dates = None
        self.lock = threading.Lock()

    def _context_key(self) -> tuple:
        """What every cached result depends on: the schemas, the templates, themes and entities."""
        key = []
        for folder in (self.dossier_dir / "schema", render.TEMPLATES):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                with contextlib.suppress(OSError):
                    stat = path.stat()
                    key.append((str(path), stat.st_mtime_ns, stat.st_size))
        for name in ("themes.yml", "entities.yml"):
            with contextlib.suppress(OSError):
                key.append((name, (self.dossier_dir / name).read_bytes()))
        return tuple(key)

    def _clear(self) -> None:
        for cache in (self._yaml, self._text, self._schema, self._paragraphs, self._renders, self._articles):
            if cache is not None:
                cache.clear()
        self._dates = None

    def _environment(self):
        """A new environment every run, as render makes (whatever it keeps for one run stays in that run),
        whose templates remember their pages across runs and are compiled once (bytecode kept)."""
        env = self._new_environment()
        env.template_class = self._template_class
        env.bytecode_cache = self._bytecode
        item = env.filters.get("article_item")
        if item is not None:  # an article's list item, made again only when the article changed
            env.filters["article_item"] = self._renders.remembered("article_item", item)
        date = env.filters.get("arabic_date")
        if date is not None:  # a pure function of a date, asked thousands of times a run
            if self._dates is None or self._dates[0] is not date:
                self._dates = (date, _remembered(date))
            env.filters["arabic_date"] = self._dates[1]
        return env

    def run(self) -> tuple[list[Problem], RunStats]:
        """Regenerate; on success write what changed into docs/. The problems, if any, and what was done."""
        with self.lock:
            started = time.perf_counter()
            stats = RunStats()
            context = self._context_key()
            if context != self._context:
                self._clear()
                self._context = context
            self._renders.start()
            try:
                with contextlib.ExitStack() as stack:
                    stack.enter_context(_patched(load, "read_yaml", self._yaml))
                    stack.enter_context(_patched(load, "read_text", self._text))
                    stack.enter_context(_patched(validate, "check_schema", self._schema))
                    stack.enter_context(_patched(link, "_paragraphs", self._paragraphs))
                    if self._articles is not None:
                        stack.enter_context(_patched(validate._Checker, "article", self._articles.method()))
                    stack.enter_context(_patched(render, "environment", self._environment))
                    generated, problems = pipeline.generate(self.dossier_dir, include_drafts=self.include_drafts)
                stats.files_parsed = self._yaml.misses + self._text.misses
                stats.pages_rendered, stats.pages_reused = self._renders.rendered, self._renders.reused
            except BaseException:
                self._clear()  # whatever happened half way, nothing of it is trusted next time
                self._context = None
                raise
            for cache in (self._yaml, self._text, self._schema, self._paragraphs, self._renders, self._articles):
                if cache is not None:
                    cache.finish()
            stats.problems = len(problems)
            if generated is not None:
                self._write(generated, stats)
                self.generated = generated
            stats.seconds = time.perf_counter() - started
            return problems, stats

    def _write(self, generated: pipeline.Generated, stats: RunStats) -> None:
        if self.written is None:  # the first run: docs/ as a previous session (or build) left it
            pipeline.write_in_place(self.docs_dir, generated)
            self.written = dict(generated.pages)
            self.written.update({path: card.key for path, card in generated.cards.items()})
            stats.written = len(self.written)
            return
        wanted: dict[str, object] = dict(generated.pages)
        wanted.update({path: card.key for path, card in generated.cards.items()})
        changed = {path: content for path, content in generated.pages.items() if self.written.get(path) != content}
        cards_changed = {path for path, card in generated.cards.items() if self.written.get(path) != card.key}
        cards_before = {path for path in self.written if path.startswith("cards/")}
        if cards_changed or cards_before != set(generated.cards):
            drawing = Drawing(generated.cards, self.docs_dir)  # draws the changed cards, keeps the rest
            stats.cards_drawn = len(drawing.missing)
            for path, content in drawing.finish().items():
                if path == MANIFEST or path in cards_changed:
                    if not (isinstance(content, Path) and content == self.docs_dir / path):
                        changed[path] = content
        site.write_pages(self.docs_dir, changed, only_changed=True, folders=())
        removed = sorted(set(self.written) - set(wanted))
        for path in removed:
            with contextlib.suppress(FileNotFoundError):
                (self.docs_dir / path).unlink()
        self.written = wanted
        stats.written, stats.removed, stats.removed_paths = len(changed), len(removed), removed


# ------------------------------------------------------------------ MkDocs

@functools.lru_cache(maxsize=None)
def bytecode_cache():
    """Jinja bytecode kept in memory from one MkDocs build to the next, for this serve process.

    Every build makes a new Jinja environment, which would compile Material's templates again
    (about half a second); the MkDocs hook hands this cache to each (on_env). Its keys include
    the template's source, so an edited override is compiled again.
    """
    return _memory_bytecode_cache()


def _memory_bytecode_cache():
    """A Jinja bytecode cache in memory (checked against each template's source, like any Jinja cache)."""
    import jinja2

    class MemoryBytecodeCache(jinja2.BytecodeCache):
        def __init__(self):
            self.stored: dict[str, tuple] = {}  # key: (checksum of the source, code object)

        def load_bytecode(self, bucket):
            stored = self.stored.get(bucket.key)
            if stored is not None and stored[0] == bucket.checksum:
                bucket.code = stored[1]

        def dump_bytecode(self, bucket):
            self.stored[bucket.key] = (bucket.checksum, bucket.code)

    return MemoryBytecodeCache()


class _Watcher:
    """Calls changed(path) when a source of the site changes (never for the generator's own writes into docs/)."""

    def __init__(self, repo: Path, changed):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        root = Path(repo).resolve()
        docs = root / "docs"
        generated = tuple(str(docs / folder) + os.sep for folder in site.GENERATED_DIRS)
        generated_folders = {str(docs / folder) for folder in site.GENERATED_DIRS}
        config_file = str(root / "mkdocs.yml")

        def relevant(path: str) -> bool:
            if not path or path.startswith(generated) or path in generated_folders or f"{os.sep}__pycache__" in path:
                return False
            if os.path.dirname(path) == str(root):  # the repository's own folder: only mkdocs.yml
                return path == config_file
            return not os.path.basename(path).startswith(".")  # editors' swap files, temporary files

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
                    return  # reads (our own, thousands a run), and folders whose entries changed (they have events of their own)
                for path in (event.src_path, getattr(event, "dest_path", "")):
                    path = os.fsdecode(path) if path else ""
                    if relevant(path):
                        changed(path)

        from watchdog import events

        # Not asked for: files opened and closed without writing (the regeneration reads thousands
        # a run, each an event to handle while it runs) and folders whose entries changed.
        wanted = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent, events.FileMovedEvent,
                  events.FileClosedEvent, events.DirCreatedEvent, events.DirDeletedEvent, events.DirMovedEvent]
        self.observer = Observer()
        handler = Handler()
        for path, recursive in ((root / "dossier", True), (root / "templates", True), (root / "overrides", True),
                                (docs, True), (root, False)):
            if path.is_dir():
                self.observer.schedule(handler, str(path), recursive=recursive, event_filter=wanted)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)


class _ThemeFiles:
    """MkDocs lists the theme's static files on every build by walking Material's folder
    (some 14,500 files, each matched against a dozen patterns); this serve process lists
    them once, and again only after a change under the theme's own folders (overrides/)."""

    def __init__(self):
        self.generation = 0
        self._listed: tuple | None = None

    def install(self) -> None:
        from mkdocs.structure import files as mkdocs_files

        original = mkdocs_files.Files.add_files_from_theme
        cache = self

        def add_files_from_theme(files, env, config):
            key = (tuple(config.theme.dirs), tuple(config.theme.static_templates), config.site_dir,
                   config.use_directory_urls, cache.generation)
            if cache._listed is None or cache._listed[0] != key:
                probe = mkdocs_files.Files([])
                original(probe, env, config)  # with no pages to give way to, every theme file and its folder
                cache._listed = (key, [(file.src_uri, file.src_dir) for file in probe])
            for path, folder in cache._listed[1]:
                if files.get_file_from_path(path) is None:  # as MkDocs: a page of docs/ wins over a theme file
                    files.append(mkdocs_files.File(path, folder, config.site_dir, config.use_directory_urls))

        mkdocs_files.Files.add_files_from_theme = add_files_from_theme


def serve(repo: Path, dev_addr: str = "127.0.0.1:8000") -> int:
    """Regenerate, serve, and rebuild on every change until interrupted."""
    from urllib.parse import urlsplit

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    from .report import report

    repo = Path(repo)
    regenerator = Incremental(repo, include_drafts=True)
    problems, stats = regenerator.run()
    if problems:
        return report(problems)
    os.environ["DOSSIER_SERVE"] = "1"  # the hooks: no prebuilt search index, snippet pages always rebuilt
    site.quiet_mkdocs_logging(verbose=True)
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config():
        return load_config(config_file=str(repo / "mkdocs.yml"), site_dir=site_dir, dev_addr=dev_addr, strict=False,
                           nav=render.navigation(regenerator.generated.dossier.themes))

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = f"http://{host}:{port}" + ("/" + mount_path.strip("/") + "/").replace("//", "/")
    config.site_url = serve_url

    def builder(config=None):
        if config is None:  # a change: regenerate, then build what changed
            # No cyclic garbage collection while an edit is on its way to the browser: with the
            # caches, a full collection walks hundreds of thousands of objects (0.2-0.6 s); it
            # runs again once the build is done.
            gc.disable()
            try:
                problems, stats = regenerator.run()
                if problems:
                    for problem in problems:
                        log.error(str(problem))
                    log.error(f"{len(problems)} problem(s) in the dossier; the preview keeps the last good pages "
                              "until they are fixed")
                    return
                log.info(str(stats))
                _forget_removed_pages(Path(site_dir), stats.removed_paths, use_directory_urls=True)
                config = get_config()
                config.site_url = serve_url
                log.info("Building documentation...")
                build(config, serve_url=serve_url, dirty=True)
            finally:
                gc.enable()
            return
        log.info("Building documentation...")
        build(config, serve_url=serve_url, dirty=True)
        # What the first run and build made stays (the caches): kept out of every later collection.
        gc.collect()
        gc.freeze()

    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)

    def error_handler(code):
        page = Path(site_dir) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_handler

    def request_build():
        with server._rebuild_cond:  # what MkDocs' own watcher does on a change (mkdocs 1.6.1)
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    theme_files = _ThemeFiles()
    theme_files.install()
    overrides = str((repo / "overrides").resolve()) + os.sep

    def changed(path: str) -> None:
        if path.startswith(overrides):
            theme_files.generation += 1
        request_build()

    watcher = _Watcher(repo, changed)
    try:
        builder(config)
        watcher.start()
        log.info("Watching dossier/, templates/, overrides/, docs/ (hand-written pages) and mkdocs.yml for changes")
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            watcher.stop()
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
    return 0


def _forget_removed_pages(site_dir: Path, removed: list[str], use_directory_urls: bool) -> None:
    """A dirty build leaves the HTML of pages whose Markdown is gone: remove it, so the preview shows 404."""
    for path in removed:
        if not path.endswith(".md"):
            continue
        stem = path[:-len(".md")]
        if stem == "index" or stem.endswith("/index"):
            target = site_dir / f"{stem}.html"
        elif use_directory_urls:
            target = site_dir / stem / "index.html"
        else:
            target = site_dir / f"{stem}.html"
        with contextlib.suppress(OSError):
            target.unlink()
