"""The one pipeline: load → validate → link → render, each stage a plain function of its inputs.

`generate(project, cache=…)` is what `build`, `bundle`, `check`, `serve` and the benchmark all
run (`build` and `bundle` with parallel=True, to use the second core). The stages get the
project's folders and the cache as arguments; `serve` passes the
BuildCache it keeps for the session, so an edit redoes only what depends on it, and `build`
passes none (or a fresh one). on_stage, if given, is called with each stage's name and wall
time (the benchmark prints them).
"""
from __future__ import annotations

import contextlib
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .cache import BuildCache
from .checking import alias_reach, load, validate
from .checking.schema import Schemas
from .model import Dossier, Problem
from .plan import Content, PagePlan
from .project import Project, folder_digest
from .urls import HOSTED, OFFLINE
from .workers import Worker

if TYPE_CHECKING:
    from .model import Download
    from .stages.link import LinkedDossier


@dataclass
class Generated:
    dossier: Dossier
    linked: LinkedDossier
    # paths under docs/: a mapping of every file made; with parallel, the plan of them, each made when first asked for
    pages: dict[str, Content] | PagePlan
    cards: dict  # link-preview cards to draw, by path (none for the offline bundle)
    nav: list  # MkDocs' navigation
    site_files: dict[str, str] = field(default_factory=dict)  # files for the site's root (robots.txt)


@dataclass
class Outcome:
    generated: Generated | None  # None when there are problems
    problems: list[Problem]  # stop the build
    warnings: list[Problem] = field(default_factory=list)  # reported only (drafts not yet ready)
    dossier: Dossier | None = None  # the validated dossier (also when only validated)

    def __post_init__(self):
        if self.generated is not None:
            self.dossier = self.generated.dossier


def _sorted(problems) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.message))


@dataclass
class Checked:
    dossier: Dossier | None
    problems: list[Problem]
    warnings: list[Problem]


def check(project: Project, *, include_drafts: bool = True, strict_drafts: bool = False) -> Checked:
    """The first two stages only (what `check` needs): the dossier, or what is wrong with it."""
    outcome = generate(project, include_drafts=include_drafts, strict_drafts=strict_drafts, through="validate")
    return Checked(outcome.dossier, outcome.problems, outcome.warnings)


# Articles: in a smaller dossier a second process to read half of them costs more than it saves
# (forking it and taking its results back: 50-80 ms of CPU a build, more than a handful of articles
# take to read). At 100 it saved time: load+validate 0.35 s against 0.52 (bench/run.py, one run each).
SPLIT_AT = 100


def generate(project: Project, *, cache: BuildCache | None = None, include_drafts: bool = False,
             strict_drafts: bool = False, offline: bool = False, download: Download | None = None,
             on_stage: Callable[[str, float], None] | None = None, through: str = "render",
             parallel: bool = False, changed: frozenset[str] | None = None, split_at: int = SPLIT_AT) -> Outcome:
    """Run the stages on project's dossier. offline: pages for the bundle opened from disk;
    download: the offline bundle to offer on the home page; through="validate" stops there
    (the Outcome then has the dossier and no pages). Without a cache, a fresh one serves this
    run alone: a list item or a page fragment shown on many pages is still made once.
    parallel (`build` and `bundle`, with a fresh cache): use the second core. The articles are
    read, checked and searched for names in two halves at once (read_in_halves) when there are
    split_at of them (SPLIT_AT unless given), and the pages
    are only planned here, each rendered when first asked for: the site stage has them written
    by a second process while MkDocs builds (output/stream.py). Not with a cache kept between
    runs (`serve`): it would learn of the pages only after its run ended. changed (`serve`): the
    absolute paths the system reported written since this cache's last run, or None when that is
    not known (load looks at every file then)."""
    if parallel and cache is not None:
        raise ValueError("a parallel generation is for a one-off build, with a fresh cache")
    cache = BuildCache() if cache is None else cache

    @contextlib.contextmanager
    def stage(name: str):
        started = time.perf_counter()
        yield
        if on_stage:
            on_stage(name, time.perf_counter() - started)

    try:
        with stage("load"):
            schemas, schema_problems = cache.get("schemas", folder_digest(project.schema_dir),
                                                 lambda: Schemas.load(project.schema_dir, project.schemas_passed))
            if parallel and not schema_problems and _articles_at_least(project, split_at):
                read_in_halves(project, cache, schemas, include_drafts, strict_drafts)
            raw, problems = load.load(project.dossier_dir, cache, changed=changed)  # after read_in_halves: from the cache
        if schema_problems:
            return _failed(cache, Outcome(None, _sorted(problems + schema_problems)))
        with stage("validate"):
            validation = validate.validate(raw, schemas, include_drafts=include_drafts, strict_drafts=strict_drafts,
                                           cache=cache)
            if validation.checked is not None:  # also when other things are wrong: every problem in one run
                validation.warnings = _sorted(validation.warnings + alias_reach.common_aliases(
                    validation.checked, raw.entities, raw.root, cache))
        problems = _sorted(problems + validation.problems)
        if problems or validation.dossier is None:
            return _failed(cache, Outcome(None, problems, validation.warnings))
        if through == "validate":
            return Outcome(None, [], validation.warnings, validation.dossier)
        # Imported here: `check` stops before, and its start is a third shorter without the
        # renderer's imports (Jinja, the families, MkDocs' utilities) and the linker's.
        from .stages import link, render
        from .stages.render import RenderSettings

        with stage("link"):
            linked = link.link(validation.dossier, cache)
        # The bundle knows the published address too: its citations, JSON-LD and feed name it.
        settings = RenderSettings(project.templates_dir, OFFLINE if offline else HOSTED, offline, download,
                                  project.site_url, compiled_dir=project.compiled_templates_dir)
        with stage("render"):
            pages = render.plan(linked, settings, cache, docs_dir=project.docs_dir, schemas=schemas)
            if not parallel:
                pages = pages.materialize()
            # Cards are only ever named by og:image, which needs the site's address: none without it.
            cards = {} if offline or not project.site_url else render.card_set(linked, project.templates_dir)
            site_files = {} if offline else render.site_files(project.templates_dir, project.site_url)
    except BaseException:
        cache.finish_run(success=False)
        raise
    cache.finish_run()
    navigation = render.navigation(validation.dossier.themes, project.templates_dir)
    return Outcome(Generated(validation.dossier, linked, pages, cards, navigation,
                             site_files), [], validation.warnings)


# What read_in_halves hands back from the second process: per article, its files read and
# parsed, its checked model, the names found in its text and the aliases it holds.
_HALVES_KINDS = ("yaml-file", "text-file", "yaml", "text", "article", "mentions", "alias-reach")


def read_in_halves(project: Project, cache: BuildCache, schemas: Schemas, include_drafts: bool,
                   strict_drafts: bool) -> None:
    """Read, check and search for names half of the articles in a forked process while this
    one does the other half, and put both halves' results into cache: the stages that then run
    on the whole dossier find them there and only join them up (relations, problems across
    articles). The halves are chosen by a checksum of the article id; the forked process takes
    a little less (45 %), as it also has to send its results back. A half with problems stops
    early; the stages then find and report every problem as usual."""
    def half(number: int) -> BuildCache:
        raw, _ = load.load(project.dossier_dir, cache, only=lambda article_id: in_second_half(article_id) == number)
        validation = validate.validate(raw, schemas, include_drafts=include_drafts, strict_drafts=strict_drafts,
                                       cache=cache)
        if validation.checked is not None:  # which aliases each article holds, kept in cache
            alias_reach.common_aliases(validation.checked, raw.entities, raw.root, cache)
        if validation.dossier is not None:
            from .stages import link

            for _ in link.all_mentions(validation.dossier, cache):
                pass
        return cache

    with Worker(lambda: half(1).entries(_HALVES_KINDS)) as other:  # stopped if this half fails
        half(0)
        cache.adopt(other.result())


def _articles_at_least(project: Project, count: int) -> bool:
    """Whether dossier/articles/ holds at least count articles (their .yml files, counted)."""
    try:
        with os.scandir(project.dossier_dir / "articles") as entries:
            return sum(1 for entry in entries if entry.name.endswith(".yml")) >= count
    except OSError:
        return False  # load reports what is wrong with the folder


def in_second_half(article_id: str) -> int:
    """1 for the articles read_in_halves gives the forked process, 0 for the others."""
    return int(zlib.crc32(article_id.encode("utf-8", "surrogatepass")) % 20 < 9)


def _failed(cache: BuildCache, outcome: Outcome) -> Outcome:
    cache.finish_run(success=False)
    return outcome
