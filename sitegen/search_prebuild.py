"""The search index, built once at build time instead of in every reader's browser.

Material's search worker builds its lunr index in the browser from the documents of
``search/search_index.json``: seconds of work for a large dossier before the first search
can be answered, and Material has no way to load a prebuilt index. Our replacement of its
Arabic language file (``overrides/assets/javascripts/lunr/min/lunr.ar.min.js``, which the
worker imports before it builds the index) adds one: given the same documents, the worker
loads ``search/lunr_index.txt`` (``.js`` in the offline bundle) instead of building (see
"Prebuilt index" in that file).

:func:`write_lunr_index` makes that file after the site is built. It runs the site's own
copy of Material's search worker (``assets/javascripts/workers/search.*.min.js``) and
language files in V8 (the ``mini-racer`` package), hands it the search index as the page
would, and lets it build the index exactly as a browser would; ``lunr.ar.prebuilt.encode``
then writes that index in the file's compact form and ``lunr.ar.prebuilt.verify`` loads it
back, as the browser will, and compares every posting, field vector, token-set expansion
and a sample of searches with the index just built. Only a file that passes is written.

Without mini-racer (or when skipped, as under ``build.py serve``), no file is written, an
old one is removed, and the browser builds the index as before; search works either way.
"""
from __future__ import annotations

import json
import logging
import pathlib
import time

log = logging.getLogger("mkdocs.plugins.dossier")

# In site/search/, next to search_index.json: the text, read by the worker with a request,
# or (offline bundle, opened from file:// where requests fail) the same text as a script.
TEXT_FILE = "lunr_index.txt"
SCRIPT_FILE = "lunr_index.js"

# Queries (as Material passes them to lunr: a trailing "*") searched on both indexes
# by the check, besides those it derives from the terms.
CHECK_QUERIES = ["الامنيه*", "الكاظمي*", "امنيه*", "بغداد*", "2018*", "getty*", "منظمه* بدر*", "+الانبار* -داعش*"]

# Material's worker, run in V8 the way a browser runs it: `self` is the global object,
# importScripts() evaluates the site's files, the worker's message listener is kept so the
# setup message can be sent to it, and what it posts back is collected.
_DRIVER = r"""
var self = globalThis;
var console = { log: function () {}, info: function () {}, debug: function () {},
                warn: function () { __warnings.push([].map.call(arguments, String).join(" ")) },
                error: function () { __warnings.push([].map.call(arguments, String).join(" ")) } };
var __warnings = [], __posted = [], __listener = null;
self.addEventListener = function (type, listener) { if (type === "message") __listener = listener };
self.postMessage = function (message) { __posted.push(message) };
self.importScripts = function () {
  for (var i = 0; i < arguments.length; i++) {
    // URLs relative to the worker script, assets/javascripts/workers/
    var path = [];
    ("assets/javascripts/workers/" + arguments[i]).split("/").forEach(function (part) {
      if (part === "..") path.pop(); else if (part !== ".") path.push(part);
    });
    var file = path.join("/");
    if (!(file in __files)) throw new Error("importScripts: no file " + file);
    (0, eval)(__files[file]);
    if (self.lunr && self.lunr.ar && self.lunr.ar.prebuilt) self.lunr.ar.prebuilt.capture = true;
  }
};
"""


def write_lunr_index(site_dir: pathlib.Path, script: bool = False, enabled: bool = True) -> pathlib.Path | None:
    """Write the prebuilt index for the built site's search index, next to it.

    ``site_dir/search/lunr_index.txt``, or with ``script`` (the offline bundle)
    ``site_dir/search/lunr_index.js``. Returns the file, or None when none was written:
    then no prebuilt file is left at all, so that the browser never reads one made for
    other documents (it would refuse it anyway). A failure to build or check the index is
    logged as a warning, which fails a strict build: it means the prebuilt index would not
    be the one the browser builds.
    """
    site_dir = pathlib.Path(site_dir)
    search = site_dir / "search"
    for name in (TEXT_FILE, SCRIPT_FILE):
        (search / name).unlink(missing_ok=True)
    if not enabled or not (search / "search_index.json").is_file():
        return None
    try:
        import py_mini_racer  # noqa: F401
    except ImportError:
        log.info("search: mini-racer is not installed, so the browser builds the search index itself "
                 "(pip install -r requirements.txt)")
        return None
    started = time.perf_counter()
    try:
        text = build_lunr_index(site_dir, script=script)
    except Exception as error:  # noqa: BLE001 - any failure: no prebuilt index, and say why
        log.warning(f"search: no prebuilt search index, the browser will build it: {error}")
        return None
    target = search / (SCRIPT_FILE if script else TEXT_FILE)
    from .search_index import write_text_atomically

    write_text_atomically(target, text)
    log.info(f"search: prebuilt search index {target.relative_to(site_dir)} "
             f"({target.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s)")
    return target


def build_lunr_index(site_dir: pathlib.Path, script: bool = False) -> str:
    """The prebuilt file's text for the site in site_dir (raises if it cannot be made)."""
    from py_mini_racer import MiniRacer, init_mini_racer

    # A larger young generation: building the index allocates millions of small objects.
    init_mini_racer(flags=("--single-threaded", "--max-old-space-size=6144", "--max-semi-space-size=64"),
                    ignore_duplicate_init=True)
    javascripts = site_dir / "assets" / "javascripts"
    workers = sorted((javascripts / "workers").glob("search.*.min.js"))
    if len(workers) != 1:
        raise RuntimeError(f"expected one search worker in {javascripts / 'workers'}, found {len(workers)}")
    files = {path.relative_to(site_dir).as_posix(): path.read_text(encoding="utf-8")
             for path in sorted((javascripts / "lunr").rglob("*.js"))}
    index_text = (site_dir / "search" / "search_index.json").read_text(encoding="utf-8")

    ctx = MiniRacer()
    try:
        ctx.eval(_DRIVER)
        ctx.eval(f"var __files = {json.dumps(files)};")
        ctx.eval(workers[0].read_text(encoding="utf-8"))
        ctx.eval(f"var __data = JSON.parse({json.dumps(index_text)});")
        # The page sends the index's config and documents, and the search options.
        promise = ctx.eval("""
            __listener({ data: { type: 0, data: {
                config: __data.config, docs: __data.docs, options: { suggest: false } } } })
        """)
        if hasattr(promise, "get"):
            promise.get(timeout=1800)
        state = json.loads(ctx.eval("""JSON.stringify({
            posted: __posted.map(function (m) { return m.type }), warnings: __warnings,
            status: self.lunr && lunr.ar && lunr.ar.prebuilt ? lunr.ar.prebuilt.status : "no lunr.ar" })"""))
        if state["posted"] != [1]:  # READY
            raise RuntimeError(f"the search worker did not get ready: {state}")
        if state["status"] != "captured":
            raise RuntimeError(f"the search worker built no index to prebuild ({state['status']})")
        ctx.eval("var __text = lunr.ar.prebuilt.encode(lunr.ar.prebuilt.captured); 0")
        problem = ctx.eval(f"lunr.ar.prebuilt.verify(__text, lunr.ar.prebuilt.captured, {json.dumps(CHECK_QUERIES)})")
        if problem:
            raise RuntimeError(f"the prebuilt index differs from the one built: {problem}")
        return ctx.eval("lunr.ar.prebuilt.script(__text)" if script else "__text")
    finally:
        ctx.close()
