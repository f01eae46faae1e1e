"""The configuration values a run is given (SITE_URL, serve's --dev-addr), checked in one place.

build.py reads them once, hands them to `settings()` before any command runs, and stops with the
one-line reason when one cannot be used: every command (build, build --publish, bundle, serve,
check) refuses the same value the same way. A SITE_URL is written into attributes, XML, JSON,
robots.txt and BibTeX, so it must be an address and nothing else: an absolute http(s) URL with a
host, made only of the characters a URL may hold unencoded.

The address is then written in one form everywhere: `inert_url()` percent-encodes what HTML would
read specially, & and ' (%26, %27, the same path to a web server), because MkDocs' and Material's
own templates write the site's path unescaped into attributes and scripts (the 404 page's links,
its stylesheets). Project.at passes every address through it too (defence in depth): one that
never went through `settings()` (a test, a script) holds no character that could end an
attribute, a line or a BibTeX field; our templates escape it for where it is written besides.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

EXAMPLE = "https://example.org/dossier/"
# RFC 3986: what a URL may hold unencoded (unreserved, reserved, and % for an escape).
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_DEV_ADDR = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})")


class ConfigProblem(Exception):
    """A configuration value that cannot be used; str() is the one line to print."""


@dataclass(frozen=True)
class Settings:
    site_url: str  # "" when not set; else absolute, ending in "/"
    dev_addr: str | None = None  # serve's address, host:port


def settings(site_url: str = "", publish: bool = False, dev_addr: str | None = None) -> Settings:
    """The run's configuration, every value checked; ConfigProblem for the first that cannot be used."""
    return Settings(checked_site_url(site_url, required=publish),
                    None if dev_addr is None else checked_dev_addr(dev_addr))


def checked_site_url(value: str, required: bool = False) -> str:
    """SITE_URL as it is written everywhere (& and ' percent-encoded, a final "/" added);
    ConfigProblem saying why it cannot be used."""
    if value == "":
        if required:
            raise ConfigProblem("SITE_URL is not set; `build --publish` needs the published site's address, "
                                f"e.g. SITE_URL={EXAMPLE}")
        return ""
    problem = site_url_problem(value)
    if problem:
        raise ConfigProblem(f"SITE_URL {value!r} cannot be used: {problem} (e.g. {EXAMPLE})")
    url = inert_url(value)
    return url if url.endswith("/") else url + "/"


def site_url_problem(url: str) -> str | None:
    """Why url is not an absolute http(s) address of a site's folder, or None."""
    for char in url:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"):
            return f"it holds a space, line break or invisible character (U+{ord(char):04X})"
    for char in url:
        if ord(char) > 127:
            return (f"it holds the non-ASCII character U+{ord(char):04X}; write the host in its ASCII form "
                    "(xn--…) and percent-encode the path")
    bad = next((char for char in url if not _URL_CHARS.fullmatch(char)), None)
    if bad:
        return f"a URL cannot hold {bad!r} unencoded (percent-encode it: %{ord(bad):02X})"
    if _BAD_PERCENT.search(url):
        return "a % that is not followed by two hexadecimal digits"
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https"):
        return "it must begin with https:// or http://"
    if "?" in url or "#" in url:
        return "it names the site's folder, so it has no query (?…) and no fragment (#…)"
    parts = urlsplit(url)
    if "@" in parts.netloc:
        return "it holds a user name or password (…@); the published address has none"
    return _host_problem(parts.netloc) if parts.netloc else "it has no host"


def _host_problem(netloc: str) -> str | None:
    """Why netloc is not host[:port] (a host name, an IPv4 or a bracketed IPv6 address), or None."""
    if netloc.startswith("["):
        host, _, port = netloc[1:].partition("]")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"the host {netloc!r} is not a valid IPv6 address"
        if port and not port.startswith(":"):
            return f"{netloc!r} is not a bracketed IPv6 address and a port"
        port = port[1:] if port else None
    else:
        host, colon, port = netloc.partition(":")
        port = port if colon else None
        if not all(_LABEL.fullmatch(label) for label in host.removesuffix(".").split(".")):
            return f"the host {host!r} is not a host name (letters, digits and hyphens between dots)"
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return f"the port {port!r} is not a number from 1 to 65535"
    return None


def checked_dev_addr(value: str) -> str:
    """serve's --dev-addr as host:port (its address reaches the preview's pages as their site_url)."""
    match = _DEV_ADDR.fullmatch(value)
    if not match or not 0 < int(match.group(2)) < 65536:
        raise ConfigProblem(f"--dev-addr {value!r} is not an address and port, e.g. 127.0.0.1:8000")
    return value


def inert_url(url: str) -> str:
    """url with & and ', and every character a URL may not hold unencoded, percent-encoded (a % that
    starts no escape too): what an unchecked value can do no harm with in an attribute, a script,
    a line or a field, and what an unescaping template still writes correctly."""
    return quote(_BAD_PERCENT.sub("%25", url), safe="-._~:/?#[]@!$()*+,;=%")

