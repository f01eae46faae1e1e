"""Configuration values (issue 22): SITE_URL checked once, the same way by every command, and an
address that is legal but awkward written correctly encoded wherever it lands."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from conftest import run, run_several, snapshot

from sitegen.config import ConfigProblem, checked_site_url, inert_url
from sitegen.project import Project

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build at an awkward address
# is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("config")

ISSUE_EXAMPLE = 'https://example.org/"><script>alert(1)</script>/'
REFUSED = {
    "ftp": "ftp://example.org/dossier/",
    "space": "https://example.org/my dossier/",
    "javascript": "javascript:alert(1)//",
    "newline": "https://example.org/dossier/\n<script>",
    "quote": 'https://example.org/a"b/',
    "apostrophe-and-angle": "https://example.org/a'<b/",
    "non-ascii host": "https://مثال.example/",
    "zero-width": "https://example.org/do\u200bssier/",
    "credentials": "https://user:secret@example.org/",
    "query": "https://example.org/?page=1",
    "fragment": "https://example.org/#top",
    "no host": "https:///dossier/",
    "bad port": "https://example.org:0/",
    "bad escape": "https://example.org/100%/",
    "relative": "/dossier/",
}
COMMANDS = (["build"], ["build", "--publish"], ["bundle"], ["check"], ["serve", "--dev-addr", "127.0.0.1:1"])


def _refused_in_one_line(result, command: list[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 1, (command, output)
    assert "Traceback" not in output and "report this as a bug" not in output, output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{command[0]}: SITE_URL "), (command, output)
    assert "cannot be used" in lines[0], output


def test_the_issue_example_is_refused_by_every_command_through_the_command_line(repo):
    before = snapshot(repo)
    for command in COMMANDS:
        _refused_in_one_line(run(repo, *command, env={"SITE_URL": ISSUE_EXAMPLE}, timeout=60), command)
    assert snapshot(repo) == before  # nothing written: site/, docs/ and dist/ as they were


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_variations_are_refused_the_same_way_by_every_command(repo, name):
    before = snapshot(repo)
    for command, result in zip(COMMANDS, run_several(repo, *COMMANDS, env={"SITE_URL": REFUSED[name]}, timeout=60)):
        _refused_in_one_line(result, command)
    assert snapshot(repo) == before


def test_publish_needs_site_url_and_a_bad_dev_addr_is_one_line(repo):
    published, served = run_several(repo, ["build", "--publish"], ["serve", "--dev-addr", "localhost:http"],
                                    env={"SITE_URL": ""})
    assert published.returncode == 1 and published.stderr.strip().startswith("build: SITE_URL is not set")
    assert served.returncode == 1 and served.stderr.strip() == (
        "serve: --dev-addr 'localhost:http' is not an address and port, e.g. 127.0.0.1:8000")


def test_the_refusals_say_what_is_wrong():
    reasons = {}
    for name, url in REFUSED.items():
        with pytest.raises(ConfigProblem) as refused:
            checked_site_url(url)
        reasons[name] = str(refused.value)
        assert "\n" not in reasons[name]
    assert "'\"'" in reasons["quote"] and "%22" in reasons["quote"]
    assert "https://" in reasons["ftp"] and "U+0020" in reasons["space"] and "U+200B" in reasons["zero-width"]
    assert "xn--" in reasons["non-ascii host"] and "password" in reasons["credentials"]
    assert "query" in reasons["query"] and "fragment" in reasons["fragment"]
    assert checked_site_url("https://example.org:8443/a&b/it's/%E2%9C%93") == "https://example.org:8443/a%26b/it%27s/%E2%9C%93/"
    assert checked_site_url("http://[::1]:8000/") == "http://[::1]:8000/"


def test_an_address_that_was_never_checked_still_holds_no_markup(tmp_path):
    """Defence in depth: Project.at percent-encodes what a URL may not hold, whoever calls it."""
    for url in [ISSUE_EXAMPLE, *REFUSED.values()]:
        made = Project.at(tmp_path, site_url=url).site_url
        assert not re.search(r"[\"<>\\{}\s\x00-\x1f\x7f-\U0010ffff]", made), made
        assert re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$()*+,;=%]*", made), made
    assert inert_url(ISSUE_EXAMPLE) == "https://example.org/%22%3E%3Cscript%3Ealert(1)%3C/script%3E/"
    assert inert_url("https://x.example/100%/%41") == "https://x.example/100%25/%41"


# ---------------------------------------------------------------- a legal address, awkward to write

# & and ' are legal in a URL but read specially by HTML: the address is written with them
# percent-encoded (the same path to a web server), in one form everywhere, MkDocs' own
# templates (which escape nothing) included.
AWKWARD = "https://dossier.example:8443/r&d/it's/%E2%9C%93~x/"
WRITTEN = "https://dossier.example:8443/r%26d/it%27s/%E2%9C%93~x/"
RAW = re.compile(r"r(&|&amp;|\\u0026|&#38;)d/|it('|&#39;|\\u0027|&#x27;)s/")


class _Links(HTMLParser):
    """Every attribute value as the browser reads it (entities decoded), and JSON-LD's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attributes.append((tag, name, value or ""))
        self._in_ld = tag == "script" and ("type", "application/ld+json") in attrs

    def handle_data(self, data):
        if self._in_ld:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_ld = False


def _read(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def awkward(built_copy, tmp_path_factory):
    """The shared build (published at SITE_URL) built again for an awkward address: everything
    that names the address is made again."""
    repo = built_copy(tmp_path_factory.mktemp("awkward"))
    result = run(repo, "build", "--publish", env={"SITE_URL": AWKWARD})
    assert result.returncode == 0, result.stdout + result.stderr
    return repo


def test_an_awkward_address_is_written_in_one_encoded_form_in_every_file(awkward):
    site = awkward / "site"
    unnamed = []
    for path in sorted(site.rglob("*")):
        if path.suffix in (".html", ".xml", ".json", ".bib", ".txt", ".csv", ".js"):
            text = path.read_text(encoding="utf-8")
            assert not RAW.search(text), path  # neither raw nor merely escaped: percent-encoded
            if path.suffix == ".html" and "r%26d/it%27s/" not in text:
                unnamed.append(path.relative_to(site).as_posix())
    assert not unnamed  # every page names it (its canonical link; the 404 page's stylesheets)


def test_an_awkward_address_reads_back_exactly_from_every_html_attribute(awkward):
    site = awkward / "site"
    article = next(p.parent.name for p in sorted((site / "articles").glob("*/index.html")))
    read = _read((site / "articles" / article / "index.html").read_text(encoding="utf-8"))
    values = set(read.attributes)
    page_url = f"{WRITTEN}articles/{article}/"
    assert ("link", "href", page_url) in values  # the canonical link
    assert ("meta", "content", page_url) in values  # og:url
    cards = [v for t, n, v in read.attributes if n == "content" and v.startswith(WRITTEN + "cards/")]
    assert len(cards) == 2  # og:image and twitter:image, both the full address
    data = json.loads(read.scripts[0])
    assert data["url"] == data["mainEntityOfPage"] == page_url and data["isPartOf"]["url"] == WRITTEN
    not_found = _read((site / "404.html").read_text(encoding="utf-8"))
    hrefs = {v for t, n, v in not_found.attributes if t == "a" and n == "href"}
    assert {WRITTEN, WRITTEN + "articles/"} <= hrefs
    stylesheets = [v for t, n, v in not_found.attributes if t == "link" and n == "href" and v.endswith(".css")]
    assert stylesheets and all(v.startswith("/r%26d/it%27s/%E2%9C%93~x/assets/") for v in stylesheets)


def test_an_awkward_address_is_exact_in_the_feed_sitemap_robots_and_citations(awkward):
    site = awkward / "site"
    atom = ElementTree.parse(site / "data" / "atom.xml").getroot()
    links = [link.get("href") for link in atom.iter("{http://www.w3.org/2005/Atom}link")]
    assert f"{WRITTEN}data/atom.xml" in links and WRITTEN in links
    assert all(href.startswith(WRITTEN) for href in links)
    sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(WRITTEN) for loc in locs)
    assert f"Sitemap: {WRITTEN}sitemap.xml\n" in (site / "robots.txt").read_text(encoding="utf-8")
    items = json.loads((site / "data" / "citations.json").read_text(encoding="utf-8"))
    assert any(item["URL"] == f"{WRITTEN}articles/{item['id']}/" for item in items)
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["homepage"] == WRITTEN


def test_an_awkward_address_reads_back_verbatim_from_bibtex(awkward):
    import pybtex.errors
    from pybtex.database import parse_file

    pybtex.errors.set_strict_mode(True)
    try:
        bib = parse_file(str(awkward / "site" / "data" / "citations.bib"), "bibtex")
    finally:
        pybtex.errors.set_strict_mode(False)
    assert bib.entries
    for article_id, entry in bib.entries.items():
        assert entry.fields["url"] == f"{WRITTEN}articles/{article_id}/"  # biblatex reads url verbatim
