"""`python build.py serve`: MkDocs' own dev server around the same pipeline `build` runs.

MkDocs watches and rebuilds (dirty builds: only pages whose Markdown changed); the dossier's
part happens in its plugin events (serve/adapter.py, registered by sitegen/mkdocs_hooks.py):
regenerating with the session's cache before each build, watching dossier/, templates/,
overrides/ and the hand-written pages rather than the generated ones, and showing problems on
the page. This module only starts it, after checking that the address is free; while the
first build runs, the last `build`'s site is served in its place, with a notice (last_build.py).
"""
from __future__ import annotations

import errno
import logging
import os
import signal
import socket
from pathlib import Path
from urllib.parse import urlsplit

from ..output.writer import GENERATED_DIRS
from ..project import Project
from . import last_build, session

log = logging.getLogger("mkdocs.commands.serve")


class AddressInUse(Exception):
    pass


def _check_address(dev_addr: str) -> None:
    host, _, port = dev_addr.rpartition(":")
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as MkDocs' server binds
        try:
            probe.bind((host.strip("[]"), int(port)))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise AddressInUse(port_message(dev_addr)) from None
            raise


def port_message(dev_addr: str) -> str:
    host, _, port = dev_addr.rpartition(":")
    return (f"the address {dev_addr} is in use (another `serve`, or another program, is listening on port {port}); "
            f"pick another port with --dev-addr, e.g. `python build.py serve --dev-addr {host}:{int(port) + 1}`")


def serve(project: Project, dev_addr: str = "127.0.0.1:8000", poll: float | None = None) -> None:
    """Serve the preview until interrupted; AddressInUse when the port is taken.

    MkDocs' own dev server (its LiveReloadServer and its build, dirty), as `mkdocs serve --dirty`
    runs them, with one difference: the site is built into .build/serve/site/, kept between
    sessions (serve/session.py), where `mkdocs serve` builds into a new temporary folder each
    time; so a new session rebuilds only the pages whose Markdown changed since the last one.
    And while the session's first build runs, the address answers at once with the last build's
    site, marked as such (or a page saying the preview is being built: last_build.py). Edits are
    noticed as the system reports them, or by looking every `poll` seconds (watching.py).
    """
    _check_address(dev_addr)
    shown = _show_last_build(project, dev_addr)  # at once, before MkDocs is imported and configured
    try:
        _serve(project, dev_addr, shown, poll)
    finally:
        last_build.stop(shown)


def _serve(project: Project, dev_addr: str, shown: last_build.LastBuildServer | None, poll: float | None) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from ..output.mkdocs_build import add_rendering_plugins
    from .watching import DevServer

    site = session.site_dir(project)
    site.mkdir(parents=True, exist_ok=True)

    def get_config():
        # site_url as checked (config.py), not mkdocs.yml's raw !ENV: its path is the preview's mount point.
        config = load_config(config_file=str(project.config_file), site_dir=str(site), dev_addr=dev_addr,
                             strict=False, site_url=project.site_url)
        add_rendering_plugins(config, project)
        return config

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = _serve_url(host, port, mount_path)
    config.site_url = serve_url

    def builder(config=None):
        log.info("Building documentation...")
        if config is None:
            config = get_config()
            config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=True)

    # SIGTERM (a process manager, `kill`) stops serve as Ctrl-C does: its cache is kept for the next session.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server = DevServer(builder=builder, host=host, port=port, root=str(site), mount_path=mount_path, poll=poll)
        log.info(f"Edits are noticed {server.watching}" + ("" if poll else " (`serve --poll` looks for them instead)"))
        server.error_handler = lambda code: _error_page(site, code)
        try:
            _first_build(project, config, builder, shown)
            server.watch(config.docs_dir)
            server.watch(config.config_file_path)
            server = config.plugins.on_serve(server, config=config, builder=builder)
            for item in config.watch:
                server.watch(item)
            try:
                server.serve()
            except KeyboardInterrupt:
                log.info("Shutting down...")
            finally:
                server.shutdown()
        except OSError as error:  # taken between the check and the server's own bind
            if error.errno == errno.EADDRINUSE:
                raise AddressInUse(port_message(dev_addr)) from None
            raise
    finally:
        config.plugins.on_shutdown()
        signal.signal(signal.SIGTERM, previous)


def _show_last_build(project: Project, dev_addr: str) -> last_build.LastBuildServer | None:
    """The last build's site (or a page saying the preview is being built) served at dev_addr
    until the preview is up (None: the address could not be had for it)."""
    host, _, port = dev_addr.rpartition(":")
    mount = _mount(urlsplit(project.site_url or "/").path)
    try:
        shown = last_build.start(project.site_dir, host, int(port), mount)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:  # taken since the check
            raise AddressInUse(port_message(dev_addr)) from None
        log.warning(f"serve: the last build cannot be shown until the preview is built ({error})")
        return None
    address = f"http://{host}:{port}{mount}"
    log.info(f"The last build (site/, made {shown.built}) is shown at {address} until the preview is built"
             if shown.built else f"Nothing is built yet: {address} says so until the preview is built")
    return shown


def _first_build(project: Project, config, builder, shown: last_build.LastBuildServer | None) -> None:
    """The session's first build, and again while what serve watches changed meanwhile (MkDocs
    watches only from when it serves); then the last build stops being shown."""
    try:
        sources = _sources(project)
        builder(config)
        while sources != (sources := _sources(project)):
            log.info("Changes during the first build: building again")
            try:
                builder()
            except Exception as error:  # noqa: BLE001 - as MkDocs' own rebuilds: said, and serve goes on
                log.error(f"The rebuild failed ({type(error).__name__}: {error}); the preview shows the pages "
                          "of the first build until the next edit")
    finally:
        last_build.stop(shown)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _mount(path: str) -> str:
    """Where under the address the site is served, as MkDocs' own serve puts it."""
    return f"/{path.strip('/')}/" if path.strip("/") else "/"


def _serve_url(host: str, port: int, path: str) -> str:
    """The preview's address, as MkDocs' own serve writes it."""
    return f"http://{host}:{port}{_mount(path)}"


def _sources(project: Project) -> frozenset:
    """What serve watches, as (file, modified, size): the dossier, templates, theme overrides,
    hand-written pages and mkdocs.yml."""
    docs = project.docs_dir
    folders = [project.dossier_dir, project.templates_dir, project.overrides_dir]
    folders += [entry for entry in docs.iterdir() if entry.is_dir() and entry.name not in GENERATED_DIRS]
    files = [entry for entry in docs.iterdir() if entry.is_file()] + [project.config_file]
    for folder in folders:
        for parent, _, names in os.walk(folder):
            files.extend(Path(parent, name) for name in names)
    state = set()
    for file in files:
        try:
            stat = file.stat()
        except OSError:  # removed meanwhile: its absence is the change
            continue
        state.add((str(file), stat.st_mtime_ns, stat.st_size))
    return frozenset(state)


def _error_page(site: Path, code: int) -> bytes | None:
    page = site / f"{code}.html"
    return page.read_bytes() if code in (404, 500) and page.is_file() else None
