"""`python build.py serve`: MkDocs' own dev server around the same pipeline `build` runs.

MkDocs watches and rebuilds (dirty builds: only pages whose Markdown changed); the dossier's
part happens in its plugin events (serve/adapter.py, registered by sitegen/mkdocs_hooks.py):
regenerating with the session's cache before each build, watching dossier/, templates/,
overrides/ and the hand-written pages rather than the generated ones, and showing problems on
the page. This module only starts it, after checking that the address is free.
"""
from __future__ import annotations

import errno
import socket

from ..project import Project


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


def serve(project: Project, dev_addr: str = "127.0.0.1:8000") -> None:
    """Serve the preview until interrupted; AddressInUse when the port is taken."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    _check_address(dev_addr)
    try:
        # site_url as checked (config.py), not mkdocs.yml's raw !ENV: MkDocs takes its path as the mount point.
        mkdocs_serve(config_file=str(project.config_file), livereload=True, build_type="dirty",
                     dev_addr=dev_addr, strict=False, site_url=project.site_url)
    except OSError as error:  # taken between the check and MkDocs' own bind
        if error.errno == errno.EADDRINUSE:
            raise AddressInUse(port_message(dev_addr)) from None
        raise
