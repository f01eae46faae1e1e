#!/usr/bin/env python3
"""The dossier's command line.

    python build.py [build]      validate, generate and build the site into site/
    python build.py check        validate the dossier (drafts leniently; --drafts: strictly)
    python build.py serve        preview at http://127.0.0.1:8000, regenerating on changes
    python build.py add FILE     import a new article text and write a YAML stub to review
    python build.py bundle       build the offline HTML bundle into dist/
    python build.py verify PATH  check a copy of the bundle (zip or folder) against its SHA256SUMS
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from sitegen import config, pipeline  # noqa: E402
from sitegen.output import lock  # noqa: E402
from sitegen.project import Project  # noqa: E402
from sitegen import report as reporting  # noqa: E402


def report(problems) -> int:
    """Problems as lines, and on GitHub Actions as annotations on the pull request's diff too."""
    return reporting.report(problems, annotate=os.environ.get("GITHUB_ACTIONS") == "true")


report_warnings = reporting.report_warnings


def project(args) -> Project:
    """This checkout, with its configuration: the environment and the command line are read here,
    once, and every value checked the same way for every command (config.ConfigProblem if one
    cannot be used)."""
    settings = config.settings(os.environ.get("SITE_URL", ""), publish=getattr(args, "publish", False),
                               dev_addr=getattr(args, "dev_addr", None))
    return Project.at(REPO, site_url=settings.site_url)


def cmd_check(args, here: Project) -> int:
    checked = pipeline.check(here, include_drafts=True, strict_drafts=args.drafts)
    report_warnings(checked.warnings, "warnings do not stop a build; a draft with problems is left out of the site until it passes `check --drafts`")
    if checked.problems:
        return report(checked.problems)
    dossier = checked.dossier
    print(f"dossier OK: {len(dossier.articles)} articles, {len(dossier.themes)} themes, "
          f"{len(dossier.entities)} entities")
    return 0


SITE_URL_NEEDED = ("SITE_URL is not set, so this site has no link previews (og:image and twitter:image need an "
                   "absolute address), no sitemap.xml and no robots.txt, and its feed and citations link to pages "
                   "by relative addresses only. To publish, set it to the site's address, e.g. "
                   "`SITE_URL=https://example.org/dossier/ python build.py build`.")


def cmd_build(args, here: Project) -> int:
    from sitegen.output import offer  # here, not at the top: `check` does not need it

    download, note = offer.offered_bundle(here)
    outcome = pipeline.generate(here, include_drafts=False, download=download, parallel=True)
    report_warnings(outcome.warnings, "warnings do not stop the build; a draft with problems is left out of the site (`check --drafts` checks drafts strictly)")
    if outcome.problems:
        return report(outcome.problems)
    from sitegen.output import mkdocs_build  # only once the dossier passed: a refused build never imports MkDocs' side

    generated = outcome.generated
    mkdocs_build.quiet_mkdocs_logging(args.verbose)
    try:
        out = mkdocs_build.build_site(here, generated.pages, generated.nav, cards=generated.cards,
                                      site_files=generated.site_files)
    except mkdocs_build.BuildFailed as error:
        print(f"build failed: {error}\nsite/ and docs/ were left as they were.", file=sys.stderr)
        return 1
    if note:
        print(note, file=sys.stderr)
    if not here.site_url:
        print(f"warning: {SITE_URL_NEEDED}", file=sys.stderr)
    print(f"built {len(generated.pages.planned())} generated pages and files, the search index and "
          f"{len(generated.cards)} link-preview cards "
          f"from {len(generated.dossier.articles)} articles into {out.relative_to(here.root)}/")
    return 0


def cmd_bundle(args, here: Project) -> int:
    from sitegen.output import bundle, mkdocs_build, offer

    fingerprint = offer.input_fingerprint(here)
    outcome = pipeline.generate(here, include_drafts=False, offline=True, parallel=True)
    report_warnings(outcome.warnings, "warnings do not stop the bundle; a draft with problems is left out of it")
    if outcome.problems:
        return report(outcome.problems)
    mkdocs_build.quiet_mkdocs_logging(args.verbose)
    try:
        target = bundle.build_bundle(here, outcome.generated.pages, outcome.generated.nav, fingerprint)
    except mkdocs_build.BuildFailed as error:
        print(f"bundle failed: {error}", file=sys.stderr)
        return 1
    size = target.stat().st_size
    print(f"wrote {target.relative_to(here.root)} ({size / 1_000_000:.2f} MB, {size:,} bytes); "
          f"unzip it anywhere and open {offer.BUNDLE_NAME}/index.html")
    return 0


def cmd_verify(args, here: Project) -> int:
    from sitegen import verify

    verdict = verify.verify(args.path)
    for line in verdict.lines:
        print(line, file=sys.stderr)
    if verdict.ok:
        print(f"verified: all {verdict.files:,} files are exactly as built (SHA256SUMS)")
        return 0
    if not verdict.refused:
        print(f"NOT verified: {len(verdict.lines):,} difference(s) from SHA256SUMS", file=sys.stderr)
    return 1


def cmd_serve(args, here: Project) -> int:
    from sitegen import serve
    from sitegen.output import mkdocs_build

    mkdocs_build.quiet_mkdocs_logging(verbose=True)
    try:
        serve.serve(here, dev_addr=args.dev_addr, poll=args.poll)
    except serve.AddressInUse as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    return 0


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0.05 <= seconds <= 60:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0.05 and 60")
    return seconds


def cmd_add(args, here: Project) -> int:
    from sitegen import add

    return add.main(here, args)


def command_lock(command: str | None, here: Project):
    """What a command writes, held for its whole run (sitegen/output/lock.py): build and serve the
    generated folders of docs/ (and build site/), bundle dist/; check and add need none."""
    if command in (None, "build", "serve"):
        return lock.writing_docs(here.work_dir, command or "build")
    if command == "bundle":
        return lock.writing_dist(here.work_dir)
    return contextlib.nullcontext()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build the Iraqi security dossier site.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress messages")
    commands = parser.add_subparsers(dest="command")
    build_parser = commands.add_parser("build", help="validate, generate and build the site into site/ (default)")
    build_parser.add_argument("--publish", action="store_true",
                              help="a build to publish: SITE_URL (the site's address) must be set")
    check_parser = commands.add_parser("check", help="validate the dossier only")
    check_parser.add_argument("--drafts", action="store_true", help="check drafts as strictly as published articles")
    serve_parser = commands.add_parser("serve", help="preview the site, regenerating when the dossier, templates or pages change")
    serve_parser.add_argument("--dev-addr", default="127.0.0.1:8000", help="address and port (default 127.0.0.1:8000)")
    serve_parser.add_argument("--poll", nargs="?", const=0.5, type=_seconds, metavar="SECONDS",
                              help="look for changes every SECONDS (default 0.5) instead of being told of them by the "
                                   "system: for a dossier in a folder shared into a container or over a network")
    add_parser = commands.add_parser("add", help="import a new article text and write a YAML stub to review")
    add_parser.add_argument("text", type=Path, help="the article's text file (UTF-8)")
    add_parser.add_argument("--id", help="the new article's id (default: derived from the file name)")
    commands.add_parser("bundle", help="build the offline HTML bundle into dist/")
    verify_parser = commands.add_parser("verify", help="check a copy of the offline bundle against its SHA256SUMS")
    verify_parser.add_argument("path", type=Path, help="the bundle's zip, or the folder it was unzipped into")
    args = parser.parse_args(argv)
    if args.command is None:
        args.publish = False
    handlers = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "add": cmd_add,
                "bundle": cmd_bundle, "verify": cmd_verify, None: cmd_build}
    try:
        here = project(args)
    except config.ConfigProblem as problem:
        print(f"{args.command or 'build'}: {problem}", file=sys.stderr)
        return 1
    try:
        with command_lock(args.command, here):
            return handlers[args.command](args, here)
    except lock.Busy as busy:
        print(f"{args.command or 'build'}: {busy}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a last resort: the stages report their own problems
        print(f"build.py {args.command or 'build'} failed: {type(error).__name__}: {error}\n"
              "site/ and docs/ were left as they were. Please report this as a bug.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
