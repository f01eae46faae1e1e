"""While serve's first build runs, the last `build`'s site (site/) is served in its place, every
page with a notice that it is the last build and not yet the preview, so that a maintainer
sees a page at once instead of after a whole build (minutes at thousands of articles).

A plain HTTP server of its own on serve's address, read-only: `build` is refused while serve
runs (sitegen/output/lock.py), so site/ does not change under it. It stops as the preview's
first build ends, and MkDocs' own server takes the address; each page's notice asks for the
preview's status file every second, and reloads the page once the preview answers it. With no
site/ (a checkout never built), every page is answered with a short page saying that the
preview is being built, which reloads the same way.
"""
from __future__ import annotations

import logging
import mimetypes
import posixpath
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

STATUS_DIR = "_dossier-serve"  # the preview's own files (serve/adapter.py writes its status.js there)
log = logging.getLogger("mkdocs.commands.serve")
NOTICE_SCRIPT = f"{STATUS_DIR}/last-build.js"
STATUS_FILE = f"{STATUS_DIR}/status.js"  # in the preview's site once it is up
MARK = "X-Dossier-Preview"  # on every answer of this server: the notice reloads when an answer lacks it
_NOTICE_JS = Path(__file__).with_name("last-build.js")
_BUILDING_PAGE = Path(__file__).with_name("building.html")


class LastBuildServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: Path, mount_path: str):
        self.site, self.mount_path = site.resolve(), mount_path
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET  # as MkDocs' server chooses
        self.stopped = False
        home = site / "index.html"
        # None: nothing built yet, every page answered with building.html
        self.built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(home.stat().st_mtime)) \
            if home.is_file() else None
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        """A reader that went away (a closed tab, a client's timeout) is no error; anything else is
        said in one line, as serve's other messages are, not as a traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, (ConnectionError, TimeoutError)):
            log.warning(f"serve: a page of the last build could not be sent ({type(error).__name__}: {error})")


def start(site: Path, host: str, port: int, mount_path: str) -> LastBuildServer:
    """Serve site (or, if it was never built, building.html) on host:port under mount_path, in a
    thread. OSError if the address cannot be bound."""
    server = LastBuildServer((host.strip("[]"), port), site, mount_path)
    threading.Thread(target=server.serve_forever, name="last-build", daemon=True).start()
    return server


def stop(server: LastBuildServer | None) -> None:
    """Stop answering and free the address (again: nothing)."""
    if server is not None and not server.stopped:
        server.stopped = True
        server.shutdown()
        server.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: LastBuildServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet, as MkDocs' server is for pages
        pass

    def _answer(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        mount = self.server.mount_path
        if not (path + "/").startswith(mount):
            return self._redirect(quote(mount)) if path == "/" else self._missing(head)
        relative = posixpath.normpath("/" + path[len(mount):]).lstrip("/")
        if relative == STATUS_FILE:  # the preview is not up yet
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"", "text/javascript", head)
        if relative == NOTICE_SCRIPT:
            return self._send(HTTPStatus.OK, _NOTICE_JS.read_bytes(), "text/javascript", head)
        if self.server.built is None:  # nothing to show yet: say so, on every address
            page = _BUILDING_PAGE.read_text(encoding="utf-8").replace(
                "{notice}", quote(self.server.mount_path + NOTICE_SCRIPT))
            return self._send(HTTPStatus.SERVICE_UNAVAILABLE, page.encode(), "text/html; charset=utf-8", head)
        file = self.server.site / relative
        if file.is_dir():
            if not path.endswith("/"):  # the address rebuilt from the cleaned path: never `//host`
                return self._redirect(quote(mount + (relative + "/" if relative else "")))
            file = file / "index.html"
        if not file.is_file() or not file.resolve().is_relative_to(self.server.site):
            return self._missing(head)
        self._send(HTTPStatus.OK, self._with_notice(file), _content_type(file), head)

    def _with_notice(self, file: Path) -> bytes:
        content = file.read_bytes()
        if file.suffix != ".html":
            return content
        tag = (f'<script src="{quote(self.server.mount_path + NOTICE_SCRIPT)}" '
               f'data-built="{self.server.built}"></script>').encode()
        end = content.rfind(b"</body>")
        return content[:end] + tag + content[end:] if end >= 0 else content + tag

    def _missing(self, head: bool) -> None:
        page = self.server.site / "404.html"
        body = self._with_notice(page) if page.is_file() else b"404 Not Found"
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header(MARK, "last-build")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # the preview's page, not this one, once it is up
        self.send_header(MARK, "last-build")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _content_type(file: Path) -> str:
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith(("javascript", "json", "xml")) \
        else kind
