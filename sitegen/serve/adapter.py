"""The dossier's side of MkDocs, through its public plugin events only: under every build, leaving
Material's unused search files out of the site; under `python build.py serve`, the preview.

MkDocs' own dev server watches and rebuilds; this adapter (registered by sitegen/mkdocs_hooks.py)
learns from `on_startup(command="serve")` that it runs under it, keeps one BuildCache for the
session, and at the start of every build (`on_config`) runs the same pipeline `build` runs,
writing into docs/ only the generated files that changed, so MkDocs' dirty build redoes only
their pages. A problem in the dossier is printed as `path:line:column: message`, shown on every
page of the preview in a banner, and the preview keeps the last good pages until the next edit
fixes it. Under `build` (no on_startup) it does nothing.
"""
from __future__ import annotations

import gc
import logging
import posixpath
import re
import shutil
from pathlib import Path

from .. import json_in_script, pipeline
from ..cache import BuildCache
from ..families import PARTIALS  # the snippets hand-written pages include: written empty if nothing is generated yet
from ..output.cards import MANIFEST, Drawing, card_key
from ..output.writer import GENERATED_DIRS, generated_page, write_pages
from ..project import Project
from . import session
from .last_build import STATUS_DIR

log = logging.getLogger("mkdocs.plugins.dossier")
STATUS_SCRIPTS = (f"{STATUS_DIR}/problems.js", f"{STATUS_DIR}/status.js")
_STATUS_JS = Path(__file__).with_name("status.js")
_UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


def _nav_paths(nav) -> list[str]:
    """The pages a navigation (MkDocs' nested lists and mappings) names."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        return [path for value in nav.values() for path in _nav_paths(value)]
    if isinstance(nav, list):
        return [path for value in nav for path in _nav_paths(value)]
    return []


# A Markdown link's target: inline, [text](target "title"), or a reference, [name]: target.
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]+)|^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_SNIPPET = re.compile(r'^--8<--\s+"([^"]+)"', re.M)


def _linked_from(page: str, markdown: str, snippets: list[Path]) -> set[str]:
    """The files under docs/ a hand-written page links to, the snippets it includes (--8<--, found
    in the snippets folders) counted as part of it: MkDocs checks and rewrites those links on
    every build of the page, so it must be told of every one, generated ones included."""
    texts = [markdown]
    for name in _SNIPPET.findall(markdown):
        path = next((folder / name for folder in snippets if (folder / name).is_file()), None)
        if path is not None:
            texts.append(path.read_text(encoding="utf-8"))
    found = set()
    for text in texts:
        for inline, reference in _LINK_TARGET.findall(text):
            target = (inline or reference).split("#", 1)[0].split("?", 1)[0]
            if target and ":" not in target and not target.startswith("/"):  # not an address elsewhere
                found.add(posixpath.normpath(posixpath.join(posixpath.dirname(page), target)))
    return found


class _QuietDirtyWarning(logging.Filter):
    """MkDocs warns on every dirty build that navigation may be inaccurate: the preview is meant to be dirty."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def _collect_garbage() -> None:
    gc.collect()
    gc.enable()


class ServeAdapter:
    def __init__(self):
        self.serving = False
        self.cache: BuildCache | None = None
        self.project: Project | None = None
        self.written: dict | None = None  # what the session wrote into docs/, by path (cards: their key)
        self.removed: list[str] = []
        self.changed: set[str] = set()  # what the last regeneration wrote into docs/
        self.nav: list | None = None
        # The generated pages the preview's site holds, learnt from the disk at the session's first
        # build and kept up to date after it (no look at every page's HTML on every edit).
        self.built: set[str] | None = None
        self.offered: set[str] = set()  # the generated pages of the build under way
        self.problems: list = []
        self.warnings: list = []
        self._builds = 0
        self.saver: session.CacheWriter | None = None
        self.journal = None  # the dev server's record of the files written (serve/watching.py), once it watches

    # -- events ---------------------------------------------------------------------------------

    def on_startup(self, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        if self.serving:
            logging.getLogger("mkdocs.commands.build").addFilter(_QuietDirtyWarning())

    def on_config(self, config):
        if not self.serving:
            return config
        self.project = Project.at(Path(config.config_file_path).parent)
        if self.cache is None:  # the session's first build: start from the last session's cache
            self.cache = session.load_cache(self.project)
            self.saver = session.CacheWriter(self.project, on_idle=_collect_garbage)
        self.saver.building()  # until on_post_build or on_build_error
        gc.disable()  # the caches hold many objects: no full collection while an edit is on its way
        try:
            self.regenerate()
        except BaseException:
            gc.enable()
            raise
        if self.nav is not None:
            config.nav = self.nav
            # The pages a last session or build left in the site stay only if what every page
            # shows (configuration, theme overrides, navigation) is as it was; else all are rebuilt.
            if not session.prepare_site(Path(config.site_dir), session.site_stamp(self.project, self.nav)):
                self.built = None  # emptied: every page is built again
        config.extra_javascript.extend(STATUS_SCRIPTS)
        config.docs_dir = str(session.docs_view(self.project, GENERATED_DIRS))  # on_files adds the generated files it needs
        return config

    def on_serve(self, server, config, builder):
        """Watch the sources, not docs/ as a whole: the generator's own writes there set off nothing."""
        project = self.project or Project.at(Path(config.config_file_path).parent)
        self.journal = getattr(server, "journal", None)  # MkDocs' own server (`mkdocs serve`) keeps none
        server.unwatch(config.docs_dir)  # serve's view of docs/: links, which the system's notices do not follow
        server.watch(str(project.docs_dir), recursive=False)  # new or changed hand-written pages at the top
        for entry in sorted(project.docs_dir.iterdir()):
            if entry.is_dir() and entry.name not in GENERATED_DIRS:
                server.watch(str(entry))
        for folder in (project.dossier_dir, project.templates_dir, project.overrides_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    def on_files(self, files, config):
        # Material's own search (its worker and lunr) is not used: its files are left out of the site.
        docs_dir = Path(config.docs_dir).resolve()
        for file in list(files):
            if file.src_uri.startswith(_UNUSED_THEME_FILES) and Path(file.src_dir).resolve() != docs_dir:
                files.remove(file)
        if not self.serving:
            return files
        site = Path(config.site_dir)
        linked: set[str] = set()  # what hand-written pages link to
        root = Path(config.config_file_path).parent
        snippets = [root / folder for folder in config.mdx_configs.get("pymdownx.snippets", {}).get("base_path", [])]
        for file in files.documentation_pages():
            if generated_page(file.src_uri):
                continue
            markdown = Path(file.abs_src_path).read_text(encoding="utf-8")
            # Hand-written pages that include generated snippets (--8<--) are always rebuilt.
            if "--8<--" in markdown:
                Path(file.abs_dest_path).unlink(missing_ok=True)
            linked |= _linked_from(file.src_uri, markdown, snippets)
        for path in self.removed:  # a dirty build leaves the HTML of removed pages: the preview shows 404
            if path.endswith(".md"):
                stem = path[:-3]
                target = site / (f"{stem}.html" if stem == "index" or stem.endswith("/index") else f"{stem}/index.html")
                target.unlink(missing_ok=True)
            if self.built is not None:
                self.built.discard(path)
        return self._only_what_changed(files, config, linked)

    def _only_what_changed(self, files, config, linked: set[str]):
        """MkDocs is told only of the generated files this regeneration wrote (and of the pages in
        the navigation, which every page shows, and of those hand-written pages link to, whose
        links it checks): the others are in the site as they were. MkDocs
        reads a docs folder without them (session.docs_view), so that it neither walks nor looks
        at thousands of files to leave them be, which at thousands of pages is most of an edit."""
        from mkdocs.structure.files import File

        always = set(_nav_paths(self.nav or [])) | linked
        built, site = self.built, Path(config.site_dir)
        generated = self._generated()
        self.offered = set(generated)

        def wanted(path: str) -> bool:
            if path in self.changed or path in always:
                return True
            if built is not None:
                return path not in built
            return not Path(File(path, "", str(site), config.use_directory_urls).abs_dest_path).exists()

        docs = str(self.project.docs_dir)
        for path in generated:
            if wanted(path):
                files.append(File(path, docs, str(site), config.use_directory_urls))
        return files

    def _generated(self) -> list[str]:
        """The generated files docs/ holds: as the session wrote them, or (before its first good
        regeneration) as the disk has them."""
        if self.written is not None:
            return sorted(self.written)
        docs = self.project.docs_dir
        return sorted(path.relative_to(docs).as_posix() for folder in GENERATED_DIRS if (docs / folder).is_dir()
                      for path in (docs / folder).rglob("*") if path.is_file())

    def on_post_build(self, config) -> None:
        if not self.serving:
            return
        folder = Path(config.site_dir) / STATUS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_STATUS_JS, folder / "status.js")
        problems = [{"problem": str(p), "warning": False} for p in self.problems]
        problems += [{"problem": str(p), "warning": True} for p in self.warnings]
        (folder / "problems.js").write_text(
            "window.dossierServeProblems = " + json_in_script.dumps(problems) + ";\n", encoding="utf-8")
        self.built = (self.built or set()) | self.offered  # every generated page is in the site now
        if self.saver is not None:  # for the next session's start: written when serve stops or rests
            self.saver.built(None if self.problems else self.cache)
        self._builds += 1
        if self._builds == 1:  # what the first run made stays (the caches): out of every later collection
            gc.collect()
            gc.freeze()
        # Later, the build's garbage is collected (and collection enabled) once serve is idle: a
        # collection after a build costs a large process a moment, which the page would wait for.

    def on_build_error(self, error) -> None:
        if self.serving:
            gc.enable()  # on_post_build does not run after a failed build
            if self.saver is not None:
                self.saver.built(None)
            self.built = None  # which pages it wrote is not known: the next build looks at the site

    def on_shutdown(self) -> None:
        if self.saver is not None:
            self.saver.close()

    # -- the regeneration -------------------------------------------------------------------------

    def regenerate(self) -> None:
        project = self.project
        changed = self.journal.take() if self.journal is not None else None
        outcome = pipeline.generate(project, cache=self.cache, include_drafts=True, strict_drafts=True, changed=changed)
        self.problems, self.warnings = outcome.problems, outcome.warnings
        for warning in outcome.warnings:
            log.warning(str(warning))  # a draft's problem (left out until fixed) or a warning such as a missing quote
        if outcome.generated is None:
            for problem in outcome.problems:
                log.error(str(problem))
            log.error(f"{len(outcome.problems)} problem(s) in the dossier; the preview keeps the last good pages "
                      "until they are fixed")
            for partial in PARTIALS:
                target = project.docs_dir / partial
                if not target.exists():  # nothing generated yet: the hand-written pages still build
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text("", encoding="utf-8")
            self.removed = []
            return
        generated = outcome.generated
        docs = project.docs_dir
        cards = generated.cards
        if self.written is None:  # the first run: docs/ as a previous session or build left it
            before = {page.relative_to(docs).as_posix() for folder in GENERATED_DIRS if (docs / folder).is_dir()
                      for page in (docs / folder).rglob("*.md")}
            drawn = Drawing(cards, docs).finish()  # cards whose key is in the manifest are reused as they are
            changed = write_pages(docs, {**generated.pages, **drawn}, only_changed=True)
            removed = sorted(before - set(generated.pages))  # their pages may be in a kept site
        else:
            changed = {path: content for path, content in generated.pages.items() if self.written.get(path) != content}
            new_cards = {path for path, card in cards.items() if self.written.get(path) != card_key(card)}
            if new_cards:
                drawn = Drawing(cards, docs).finish()  # draws the changed cards, keeps the rest
                changed.update({path: drawn[path] for path in new_cards})
                changed[MANIFEST] = drawn[MANIFEST]
            # Each differs from what the session wrote there: not read back, and written over in place.
            write_pages(docs, changed, folders=(), in_place=True)
            removed = sorted(set(self.written) - set(generated.pages) - set(cards))
            for path in removed:
                (docs / path).unlink(missing_ok=True)
        # What docs/ holds now, compared by value: pages by their text, cards by their key.
        self.written = {**generated.pages, **{path: card_key(card) for path, card in cards.items()}}
        self.changed = set(changed)
        self.removed = removed
        self.nav = generated.nav
        log.info(f"dossier regenerated: {len(changed)} file(s) written, {len(removed)} removed"
                 if self._builds else "dossier regenerated: docs/ brought up to date")


