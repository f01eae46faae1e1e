"""The search files (docs/search/: manifest, index shards, document chunks). Their names are
known only once the index is cut, so they are made after every other file."""
from __future__ import annotations

import functools

from .. import search
from .base import Family, Planner


class SearchFiles(Family):
    folder = "search"
    reserved = ("search",)

    def plan(self, planner: Planner) -> None:
        if planner.docs_dir is None:  # rendering the pages alone (a test of the templates): no site to search
            return
        planner.pages.add_later(functools.partial(search.search_files, planner.linked, planner.docs_dir,
                                                  planner.settings.style, planner.cache, labels=planner.labels,
                                                  address=planner.page_path))
