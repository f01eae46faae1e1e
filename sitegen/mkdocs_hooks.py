"""MkDocs hooks (mkdocs.yml `hooks:`): the dossier's plugin events, all in sitegen/serve/adapter.py.

MkDocs loads this file once per process and registers every `on_*` function in it. Under
`python build.py build` and `bundle` the pages are generated before MkDocs starts and these
events do nothing; under `python build.py serve`, `on_startup(command="serve")` tells the
adapter to regenerate the dossier before each build (see its docstring).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen import search_index, search_prebuild  # noqa: E402
from sitegen.serve.adapter import ServeAdapter  # noqa: E402

_adapter = ServeAdapter()
on_startup = _adapter.on_startup
on_config = _adapter.on_config
on_serve = _adapter.on_serve
on_files = _adapter.on_files
on_env = _adapter.on_env


def on_post_build(config, **kwargs):
    _adapter.on_post_build(config)
    search_index.write_index_as_utf8(Path(config.site_dir))
    # The lunr index, built here once instead of in every reader's browser: as a script for
    # the offline bundle (opened from file://, where the worker can only load scripts), and
    # not under `serve`, where it would slow every rebuild (the browser builds it there).
    offline = config.plugins.get("material/offline")
    search_prebuild.write_lunr_index(Path(config.site_dir), script=bool(offline and offline.config.enabled),
                                     enabled=not _adapter.serving)
