"""Where a generated page ends up and how another page links to it.

The render stage writes every link as a plain relative URL, so the generated Markdown needs no
plugin to resolve it (any static site tool reading docs/ gets working links). Two URL styles:
directory URLs for the hosted site (`articles/x.md` is served as `articles/x/`), and `.html`
files for the offline bundle opened from disk (`articles/x.html`), where a folder URL would
show a file listing instead of the page.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass


@dataclass(frozen=True)
class UrlStyle:
    directory_urls: bool = True

    def url(self, path: str) -> str:
        """The URL of a file under docs/, relative to the site's root ("" for the home page)."""
        if not path.endswith(".md"):
            return path
        stem = path[:-3]
        if self.directory_urls:
            if stem == "index":
                return ""
            if stem.endswith("/index"):
                return stem[:-len("index")]
            return stem + "/"
        return stem + ".html"

    def root(self, path: str) -> str:
        """The relative way from the page made of path back to the site's root: "", "../", "../../"…"""
        url = self.url(path)
        folder = url if url.endswith("/") or url == "" else posixpath.dirname(url)
        depth = len([part for part in folder.split("/") if part])
        return "../" * depth

    def link(self, from_path: str, to_path: str, fragment: str = "") -> str:
        return self.root(from_path) + self.url(to_path) + (f"#{fragment}" if fragment else "")


HOSTED = UrlStyle(directory_urls=True)
OFFLINE = UrlStyle(directory_urls=False)
