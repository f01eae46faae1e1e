"""Each generated page of a built copy rendered by MkDocs both ways: as MkDocs renders a page on
its own, and with the build's raw-HTML pass-through (sitegen/output/raw_html.py) taking out the
blocks it is sure of before Markdown and putting them back after. The two must be the same,
byte for byte, with the same anchor ids: the pass-through saves Markdown work and changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from sitegen.output.raw_html import RawHtmlPassThrough
from sitegen.output.writer import GENERATED_DIRS


@dataclass
class Comparison:
    pages: int = 0
    differing: list[str] = field(default_factory=list)  # pages whose HTML or anchor ids differ
    characters: int = 0  # of Markdown, front matter aside, in all the pages
    left: int = 0  # of those, the characters Markdown was still given with the pass-through


def mkdocs_config(repo: Path):
    """repo's MkDocs configuration, its snippets read from docs/_partials as `build` has them."""
    docs = repo / "docs"
    config = load_config(str(repo / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(repo / "site"))
    config.mdx_configs["pymdownx.snippets"]["base_path"] = [str(docs / "_partials")]
    return config


def compare(repo: Path) -> Comparison:
    """Every generated page under repo/docs/ rendered both ways (see the module's docstring)."""
    docs = repo / "docs"
    config = mkdocs_config(repo)
    paths = sorted(path.relative_to(docs).as_posix() for folder in GENERATED_DIRS if (docs / folder).is_dir()
                   for path in (docs / folder).rglob("*.md") if folder != "_partials")
    files = Files([File(path, str(docs), config.site_dir, config.use_directory_urls) for path in paths])
    passing = RawHtmlPassThrough()
    comparison = Comparison()
    for file in files.documentation_pages():
        plain = Page(None, file, config)
        plain.read_source(config)
        plain.render(config, files)
        through = Page(None, file, config)
        through.read_source(config)
        comparison.characters += len(through.markdown)
        through.markdown = passing.on_page_markdown(through.markdown, page=through, config=config, files=files)
        comparison.left += len(through.markdown)
        through.render(config, files)
        through.content = passing.on_page_content(through.content, page=through, config=config, files=files)
        comparison.pages += 1
        if (through.content, through.present_anchor_ids, str(through.toc)) != \
                (plain.content, plain.present_anchor_ids, str(plain.toc)):
            comparison.differing.append(file.src_uri)
    return comparison
