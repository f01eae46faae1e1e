"""Generated pages written while MkDocs builds: the generator's work on the second core.

MkDocs runs on one core, and most of a build is MkDocs reading and converting pages. So the
site stage need not render every page first: a forked process renders and writes them, in
the order MkDocs reads them, while MkDocs builds, and MkDocs, through its public plugin
events, waits for a page only while it is not written yet.

- The generated files go into a folder of their own, beside the copy of the hand-written
  docs/, so that MkDocs' listing of docs/ never depends on how far the writer has got.
  `on_files` adds them to MkDocs' files as File objects whose source is that folder, in the
  order MkDocs lists a folder (mkdocs.structure.files.file_sort_key): MkDocs sees the same
  files in the same order as when they are in docs/ (a bare `mkdocs build`).
- The writer, a sitegen.workers.Worker, writes the snippets the hand-written pages include
  (_partials/) first, then the pages in MkDocs' reading order, then the other files, each
  replaced whole, telling the builder of each. Then it makes the files whose paths are known
  only once made (the search index) and returns their paths; the site stage adds those to
  the site.
- `on_pre_page`, which MkDocs runs just before it reads a page's file, waits until the page
  is written (a hand-written page: until the snippets are); `on_env`, which comes after
  every page is read and before MkDocs copies the other files, waits for the writer to finish.

A fork shares the parent's memory as it is: nothing is pickled but the late files' paths.
If the writer fails, the build fails with its message (nothing is swapped in); if the build
fails, the writer is stopped. Pages given as a plain mapping are all written before MkDocs
starts, and MkDocs never waits.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, file_sort_key

from ..plan import PagePlan
from ..workers import Worker, WorkerFailed
from .writer import BuildFailed, refuse_outside, write_file

PARTIALS = "_partials/"


def _listing_key(path: str):
    """file_sort_key for a path (index first in a folder, a folder's files before its subfolders)."""
    parts = PurePosixPath(path).parts
    return parts[:-1], PurePosixPath(path).stem != "index", parts[-1]


def writing_order(paths) -> list[str]:
    """The snippets first (pages include them), then the pages as MkDocs reads them, then the rest."""
    ordered = sorted(paths, key=_listing_key)
    return ([p for p in ordered if p.startswith(PARTIALS)]
            + [p for p in ordered if not p.startswith(PARTIALS) and p.endswith(".md")]
            + [p for p in ordered if not p.startswith(PARTIALS) and not p.endswith(".md")])


class GeneratedFiles:
    """The generated files of one build in their folder: a PagePlan's written by a writer
    process while MkDocs builds, a plain mapping's at once; the builder's view of progress."""

    def __init__(self, folder: Path, pages: PagePlan | Mapping):
        self.folder = Path(folder)
        planned = pages.planned() if isinstance(pages, PagePlan) else list(pages)
        self.order = writing_order(planned)
        refuse_outside(self.folder, self.order)
        self.position = {path: index for index, path in enumerate(self.order)}
        self.partials = sum(1 for path in self.order if path.startswith(PARTIALS))
        self.waits, self.waited = 0, 0.0  # how often and how long MkDocs waited for a page (for the benchmark)
        self._late: list[str] | None = None
        self._writer: Worker[list[str]] | None = None
        if isinstance(pages, PagePlan):
            self._writer = Worker(self._write, pages, progress=True)  # tells of each file in self.order written
        else:
            self._late = self._write(lambda: None, pages)

    def _write(self, done, pages: PagePlan | Mapping) -> list[str]:
        """Write every planned file in order, then the late ones; the late ones' paths."""
        take = pages.take if isinstance(pages, PagePlan) else pages.__getitem__
        for path in self.order:
            write_file(self.folder / path, take(path))
            done()
        late = pages.later() if isinstance(pages, PagePlan) else {}
        refuse_outside(self.folder, late)
        for path, content in late.items():
            write_file(self.folder / path, content)
        return sorted(late)

    # -- the builder's side ---------------------------------------------------------------------

    def wait_for(self, path: str) -> None:
        """Until path is written; a path not generated (a hand-written page) waits for the snippets."""
        needed = self.position[path] + 1 if path in self.position else self.partials
        if self._writer is None or self._writer.finished >= needed:
            return
        self.waits += 1
        started = time.perf_counter()
        if not self._writer.wait_for(needed):  # the writer ended short of it: failed
            self.finish()
            raise BuildFailed(f"the process writing the generated pages did not write {path}")
        self.waited += time.perf_counter() - started

    def finish(self) -> list[str]:
        """Wait for the writer to end; the paths of the late files it wrote (or BuildFailed)."""
        if self._late is None:
            try:
                self._late = self._writer.result()
            except WorkerFailed as failed:  # the writer's own BuildFailed says it all; others say what they were
                raise BuildFailed(str(failed.error) if isinstance(failed.error, BuildFailed) else
                                  f"writing the generated pages: {failed}") from None
        return self._late

    def cancel(self) -> None:
        """Stop the writer (the build failed and will not use what it writes)."""
        if self._writer is not None:
            self._writer.cancel()


class GeneratedFilesPlugin(BasePlugin):
    """MkDocs' side, through public events only: the generated files listed with the rest, and
    each page read only once it is written."""

    def __init__(self, generated: GeneratedFiles):
        super().__init__()
        self.generated = generated

    def on_files(self, files: Files, config) -> Files:
        folder, docs = str(self.generated.folder), config.docs_dir
        ours = [File(path, folder, config.site_dir, config.use_directory_urls) for path in self.generated.order]
        listed = [f for f in files if f.src_dir == docs]  # the hand-written pages, as get_files listed them
        others = [f for f in files if f.src_dir != docs]  # the theme's files, after them as before
        return Files(sorted(listed + ours, key=file_sort_key) + others)

    def on_pre_page(self, page, config, files):
        self.generated.wait_for(page.file.src_uri)  # MkDocs reads the page's file right after this event
        return page

    def on_env(self, env, config, files):
        self.generated.finish()  # every other file written before MkDocs copies them
        return env
