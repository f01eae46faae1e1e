#!/usr/bin/env python3
"""The dossier's command line.

    python build.py [build]   validate, generate and build the site into site/
    python build.py check     validate the dossier only
    python build.py serve     preview at http://127.0.0.1:8000, regenerating on changes
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO))

from sitegen import pipeline, render, site  # noqa: E402
from sitegen.report import report  # noqa: E402


def cmd_check(args) -> int:
    generated, problems = pipeline.generate(include_drafts=True)
    if problems:
        return report(problems)
    articles = generated.dossier.articles
    print(f"dossier OK: {len(articles)} articles, {len(generated.dossier.themes)} themes, "
          f"{len(generated.dossier.entities)} entities")
    return 0


def cmd_build(args) -> int:
    generated, problems = pipeline.generate(include_drafts=False)
    if problems:
        return report(problems)
    site.quiet_mkdocs_logging(args.verbose)
    try:
        out = site.build_site(REPO, generated.pages, render.navigation(generated.dossier.themes), cards=generated.cards)
    except site.BuildFailed as error:
        print(f"build failed: {error}\nsite/ and docs/ were left as they were.", file=sys.stderr)
        return 1
    print(f"built {len(generated.pages)} generated pages and {len(generated.cards)} link-preview cards "
          f"from {len(generated.dossier.articles)} articles into {out.relative_to(REPO)}/")
    return 0


def cmd_serve(args) -> int:
    from sitegen import serve

    # One process regenerates incrementally and asks MkDocs for one dirty build per change
    # (sitegen/serve.py); problems in the dossier are printed and the preview keeps going.
    return serve.serve(REPO, dev_addr=args.dev_addr)


def cmd_add(args) -> int:
    from sitegen import importer

    return importer.main(args)


def cmd_bundle(args) -> int:
    from sitegen import bundle

    return bundle.main(args)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Build the Iraqi security dossier site.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show MkDocs' progress messages")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("build", help="validate, generate and build the site into site/ (default)")
    commands.add_parser("check", help="validate the dossier only")
    serve_parser = commands.add_parser("serve", help="preview the site, regenerating when dossier/ or templates/ change")
    serve_parser.add_argument("--dev-addr", default="127.0.0.1:8000")
    add_parser = commands.add_parser("add", help="import a new article text and write a YAML stub to review")
    add_parser.add_argument("text", type=Path, help="the article's text file (UTF-8)")
    add_parser.add_argument("--id", help="the new article's id (default: derived from the file name)")
    commands.add_parser("bundle", help="build the offline HTML bundle into dist/")
    args = parser.parse_args(argv)
    handlers = {"build": cmd_build, "check": cmd_check, "serve": cmd_serve, "add": cmd_add,
                "bundle": cmd_bundle, None: cmd_build}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a last resort: the stages report their own problems
        print(f"build.py {args.command or 'build'} failed: {type(error).__name__}: {error}\n"
              "site/ and docs/ were left as they were. Please report this as a bug.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
