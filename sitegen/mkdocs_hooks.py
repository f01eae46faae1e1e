"""MkDocs hooks: where the dossier's pages meet MkDocs.

- Links written as `@/articles/x.md` in generated HTML become real relative URLs, whatever
  the URL style (directory URLs on the hosted site, `.html` files in the offline bundle);
  a link to a missing page is a warning, which fails the strict build.
- Under `python build.py serve` (sitegen/serve.py, which regenerates the dossier itself before
  each build): hand-written pages that include generated snippets are always rebuilt, and Jinja
  bytecode is kept from one build to the next.

The search files are not made here: the pipeline generates them (sitegen/search/) under
docs/search/, and MkDocs copies them.
"""
from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

log = logging.getLogger("mkdocs.plugins.dossier")
_DOSSIER_LINK = re.compile(r'href="@/([^"#]+)(#[^"]*)?"')


# Material's own search (its worker and lunr) is not used: its files are left out of the site.
_UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/")


def on_files(files, config):
    docs_dir = os.path.abspath(config.docs_dir)
    for file in list(files):
        if file.src_uri.startswith(_UNUSED_THEME_FILES) and os.path.abspath(file.src_dir) != docs_dir:
            files.remove(file)
    if os.environ.get("DOSSIER_SERVE") == "1":
        # `serve` rebuilds only pages whose Markdown changed; the hand-written pages that
        # include generated snippets (--8<--) must be rebuilt whenever the snippets may have.
        # Generated pages never include snippets, and there are thousands: they are not read.
        from sitegen.site import GENERATED_DIRS

        for file in files.documentation_pages():
            if file.src_uri.split("/", 1)[0] in GENERATED_DIRS:
                continue
            if "--8<--" in Path(file.abs_src_path).read_text(encoding="utf-8"):
                file.is_modified = lambda: True
    return files


def on_env(env, config, files):
    if os.environ.get("DOSSIER_SERVE") == "1":
        from sitegen.serve import bytecode_cache

        env.bytecode_cache = bytecode_cache()  # Material's templates compiled once per serve, not per build
    return env


def on_page_content(html, page, config, files):
    def resolve(match: re.Match) -> str:
        target = files.get_file_from_path(match.group(1))
        if target is None:
            log.warning(f"{page.file.src_uri}: link to a page that does not exist: {match.group(1)}")
            return match.group(0)
        return f'href="{target.url_relative_to(page.file)}{match.group(2) or ""}"'

    return _DOSSIER_LINK.sub(resolve, html)


def _finish_html(output: str, config) -> str:
    # Material sets dir only on <body>; the root element carries it too, so the whole
    # document (and tools reading <html>) is right-to-left from the start.
    language = config.theme["language"]
    return output.replace(f'<html lang="{language}" class="no-js">',
                          f'<html lang="{language}" dir="{config.theme["direction"]}" class="no-js">', 1)


def on_post_page(output, page, config):
    return _finish_html(output, config)


def on_post_template(output_content, template_name, config):
    return _finish_html(output_content, config)
