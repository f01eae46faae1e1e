"""MkDocs hooks (mkdocs.yml `hooks:`): the dossier's plugin events, those of serve in
sitegen/serve/adapter.py, and on every build the Latin runs of hand-written pages isolated
(sitegen/output/bidi.py).

MkDocs loads this file once per process and registers every `on_*` function in it. Under
`python build.py build` and `bundle` the pages are generated before MkDocs starts and these
events do nothing; under `python build.py serve`, `on_startup(command="serve")` tells the
adapter to regenerate the dossier before each build (see its docstring).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sitegen.output.bidi import on_page_content  # noqa: E402,F401  (an event MkDocs registers by its name)
from sitegen.serve.adapter import ServeAdapter  # noqa: E402

_adapter = ServeAdapter()
on_startup = _adapter.on_startup
on_config = _adapter.on_config
on_serve = _adapter.on_serve
on_files = _adapter.on_files
on_post_build = _adapter.on_post_build
on_build_error = _adapter.on_build_error
on_shutdown = _adapter.on_shutdown
