"""Archived copies of sources (issue 27): `source.archive` in an article's YAML. `build` refuses
a bad one with its file, line and field (and `check` with the same lines: test_bad_input); a good one is shown in the article's
"about" block with its capture date in Arabic and carried by every data download (JSON, CSV,
CSL-JSON read by citeproc-py, BibTeX read by pybtex), in real builds of a copied repository.
The shipped articles give no archived copy, so the tests add one to a copy."""
from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import subprocess
import warnings
from html import unescape

import pytest
import yaml

from browser import chromium, outside_requests, served
from conftest import TEXT, add_article, problems, run
from test_bad_input import A, refused_by_build

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build with archived copies
# is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("archive")

WAYBACK = "https://web.archive.org/web/20190528093000/https://www.alaraby.co.uk/a_b?c=1&d=%20"
TODAY = "https://archive.ph/AbC12"
NOT_EVEN = "the capture date in the archive's address"
CAPTURE_HINT = ('an archived copy\'s date is the full day it was captured, in quotes: "YYYY-MM-DD" (e.g. "2021-03-04"; '
                "the Internet Archive's address holds it: /web/20210304…/)")


def archived(*copies: tuple[str, str]) -> str:
    """The test article's `source` with these (url, date) copies, as written in YAML: line 7 holds
    the first copy's url (value at column 12), line 8 its date (column 13)."""
    lines = ['\n  outlet: "العربي الجديد"', "  archive:"]
    for url, date in copies:
        lines += [f"    - url: {url}"] + ([f"      date: {date}"] if date else [])
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# refused, with file:line:column and the field, nothing written

@pytest.mark.parametrize("url", ["ftp://web.archive.org/web/2019/x", "javascript:alert(1)", "//archive.ph/x",
                                 "data:text/html,<script>"])
def test_an_address_that_is_not_http_is_refused(repo, url):
    add_article(repo, source=archived((json.dumps(url), '"2019-05-28"')))
    refused_by_build(repo, f"{A}:7:12: `source.archive[0].url` must be a web address starting with http:// or "
                           f"https://, found the text {url!r}")


@pytest.mark.parametrize("character", ["\u200b", "\u2060", "\u00ad", "\ufeff"])
def test_an_address_with_an_invisible_character_is_refused(repo, character):
    import unicodedata

    url = f"https://web.archive.org/web/2019{character}0528/https://x.example/"
    add_article(repo, source=archived((json.dumps(url), '"2019-05-28"')))
    refused_by_build(repo, f"{A}:7:12: `source.archive[0].url` contains U+{ord(character):04X} "
                           f"{unicodedata.name(character)}, an invisible character: an address that holds one may "
                           "lead elsewhere than it reads; copy the address again")


@pytest.mark.parametrize("character,name", [("\x07", "U+0007 BELL, a control character"),
                                            ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE, an invisible bidirectional "
                                                       "control (it can make text display in a misleading order)")])
def test_an_address_with_a_control_character_is_refused(repo, character, name):
    url = f"https://archive.ph/{character}x"
    add_article(repo, source=archived((json.dumps(url), '"2019-05-28"')))
    refused_by_build(repo, f"{A}:7:12: `source.archive[0].url` contains {name}; delete it (it is invisible in "
                           "review and is never part of a dossier value)")


@pytest.mark.parametrize("article_date,capture", [('"2019-05-27"', "2019-05-26"), ('"2019-05"', "2019-04-30"),
                                                  ('"2019"', "2018-12-31")])
def test_a_copy_captured_before_the_article_is_refused(repo, article_date, capture):
    add_article(repo, date=article_date, events="[]", source=archived((json.dumps(WAYBACK), f'"{capture}"')))
    refused_by_build(repo, f"{A}:8:13: `source.archive[0].date` {capture} is before the article's date "
                           f"{article_date.strip(chr(34))}: a copy is captured after publication; check {NOT_EVEN}")


@pytest.mark.parametrize("article_date,capture", [('"2019-05-27"', "2019-05-27"), ('"2019-05"', "2019-05-01"),
                                                  ('"2019"', "2019-01-01")])
def test_a_copy_captured_within_the_articles_date_is_accepted(repo, article_date, capture):
    """At the article's precision: an article known to the month may have been captured on its first day."""
    add_article(repo, date=article_date, events="[]", source=archived((json.dumps(WAYBACK), f'"{capture}"')))
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr


def test_a_copy_captured_in_the_future_is_refused(repo):
    later = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    add_article(repo, source=archived((json.dumps(WAYBACK), f'"{later}"')))
    refused_by_build(repo, f"{A}:8:13: `source.archive[0].date` {later} is in the future: a copy's date is the day it "
                           f"was captured; check {NOT_EVEN}")


def test_every_problem_at_once_and_a_date_without_quotes(repo):
    add_article(repo, source=archived(('"ftp://x.example/"', '"2019-05-01"'), (json.dumps(TODAY), "2019-06-01"),
                                      (json.dumps(TODAY), '"2019-06"'), (json.dumps(TODAY), None)))
    result = refused_by_build(
        repo,
        f"{A}:7:12: `source.archive[0].url` must be a web address starting with http:// or https://, found the text "
        "'ftp://x.example/'",
        f"{A}:8:13: `source.archive[0].date` 2019-05-01 is before the article's date 2019-05-27: a copy is captured "
        f"after publication; check {NOT_EVEN}",
        f"{A}:10:13: `source.archive[1].date` is 2019-06-01 without quotes: {CAPTURE_HINT}; put it in quotes: "
        "\"2019-06-01\"",
        f"{A}:12:13: `source.archive[2].date` is the text '2019-06': {CAPTURE_HINT}",
    )
    assert any(":13:" in line and "source.archive[3]" in line and "date" in line for line in problems(result)), problems(result)


# ---------------------------------------------------------------------------------------------
# shown and exported, in a real build

@pytest.fixture(scope="module")
def built_with_archive(built_copy, tmp_path_factory):
    repo = built_copy(tmp_path_factory.mktemp("archive"))
    add_article(repo, source=archived((json.dumps(WAYBACK), '"2019-05-28"'), (json.dumps(TODAY), '"2020-01-02"')))
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    return repo


def test_the_about_block_links_each_copy_with_its_date_in_arabic(built_with_archive):
    page = (built_with_archive / "site/articles/test-article/index.html").read_text(encoding="utf-8")
    about = page[page.index('id="عن-المقال"'):]
    about = about[:about.index("</dl>")]
    copies = re.findall(r'<a class="dossier-archived" href="([^"]+)" rel="noopener nofollow">نسخة مؤرشفة</a> في '
                        r'<bdi dir="ltr">([^<]+)</bdi>، حُفظت في <time datetime="([0-9-]+)"[^>]*>([^<]+)</time>', about)
    assert [(unescape(url), host, iso, shown) for url, host, iso, shown in copies] == [
        (WAYBACK, "web.archive.org", "2019-05-28", "28 أيار 2019"),
        (TODAY, "archive.ph", "2020-01-02", "2 كانون الثاني 2020"),
    ]
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["archivedAt"] == [WAYBACK, TODAY]


def test_a_reader_sees_the_copies_when_opening_the_about_block(built_with_archive):
    from selenium.webdriver.common.by import By

    with served(built_with_archive / "site") as base, chromium(width=390) as driver:
        driver.get(base + "articles/test-article/")
        links = driver.find_elements(By.CSS_SELECTOR, "a.dossier-archived")
        assert [link.is_displayed() for link in links] == [False, False]  # inside the closed "about" block
        driver.find_element(By.CSS_SELECTOR, "#عن-المقال + details summary").click()
        assert [(link.text, link.get_attribute("href"), link.is_displayed()) for link in links] == [
            ("نسخة مؤرشفة", WAYBACK, True), ("نسخة مؤرشفة", TODAY, True)]
        facts = driver.find_element(By.CSS_SELECTOR, ".dossier-facts").text
        assert "حُفظت في 28 أيار 2019" in facts and "حُفظت في 2 كانون الثاني 2020" in facts
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert outside_requests(driver, [base]) == []  # nothing fetched from an archive


def test_an_article_without_a_copy_shows_none(site):
    page = (site / "articles/joint-plan-against-isis-remnants/index.html").read_text(encoding="utf-8")
    assert "dossier-archived" not in page and "archivedAt" not in page


def test_json_and_csv_carry_the_copies(built_with_archive):
    data = json.loads((built_with_archive / "site/data/dossier.json").read_text(encoding="utf-8"))
    records = {a["id"]: a for a in data["articles"]}
    assert records["test-article"]["source"]["archive"] == [{"url": WAYBACK, "date": "2019-05-28"},
                                                            {"url": TODAY, "date": "2020-01-02"}]
    assert all(r["source"]["archive"] == [] for i, r in records.items() if i != "test-article")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((built_with_archive / "site/data/dossier.csv")
                                                           .read_text(encoding="utf-8")))}
    assert rows["test-article"]["archive"] == f"2019-05-28 {WAYBACK} ; 2020-01-02 {TODAY}"
    package = json.loads((built_with_archive / "site/data/datapackage.json").read_text(encoding="utf-8"))
    assert "archive" in [f["name"] for f in package["resources"][0]["schema"]["fields"]]


def test_csl_json_names_the_archive_and_citeproc_reads_it(built_with_archive):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads((built_with_archive / "site/data/citations.json").read_text(encoding="utf-8"))
    item = next(i for i in items if i["id"] == "test-article")
    assert item["archive"] == "web.archive.org" and item["archive_location"] == WAYBACK
    assert all("archive" not in i for i in items if i["id"] != "test-article")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # citeproc-py warns about every field it does not understand
        source = CiteProcJSON(items)
        bibliography = CitationStylesBibliography(CitationStylesStyle("harvard-cite-them-right", validate=False),
                                                  source, formatter.plain)
        for entry in items:
            bibliography.register(Citation([CitationItem(entry["id"])]))
        assert len(bibliography.bibliography()) == len(items)
    assert WAYBACK in str(source["test-article"]["archive_location"])  # read as a variable it knows


def test_bibtex_notes_each_copy_and_pybtex_reads_it(built_with_archive):
    import pybtex.errors
    from pybtex.database import parse_file

    pybtex.errors.set_strict_mode(True)  # a warning is an error
    try:
        bib = parse_file(str(built_with_archive / "site/data/citations.bib"), "bibtex")
    finally:
        pybtex.errors.set_strict_mode(False)
    note = bib.entries["test-article"].fields["note"]
    unescaped = re.sub(r"\\([{}%&#$_])", r"\1", note)
    assert unescaped == f"نسخة مؤرشفة 2019-05-28: {WAYBACK} — نسخة مؤرشفة 2020-01-02: {TODAY}"


def test_the_field_reference_and_the_add_stub_know_the_field(built_with_archive, tmp_path):
    page = (built_with_archive / "site/contributing/index.html").read_text(encoding="utf-8")
    for field in ("source.archive", "source.archive[].url", "source.archive[].date"):
        assert re.search(rf'<code( dir="ltr")?>{re.escape(field)}</code>', page), field
    text = tmp_path / "new-story.txt"
    text.write_text(TEXT.replace("عنوان الخبر التجريبي", "عنوان خبر آخر"), encoding="utf-8")
    assert run(built_with_archive, "add", str(text)).returncode == 0
    stub_path = built_with_archive / "dossier/articles/new-story.yml"
    stub = stub_path.read_text(encoding="utf-8")
    assert '  # archive:\n  #   - url: ""\n  #     date: "YYYY-MM-DD"\n' in stub
    filled = stub.replace('  # archive:\n  #   - url: ""\n  #     date: "YYYY-MM-DD"\n',
                          f'  archive:\n    - url: "{TODAY}"\n      date: "2020-01-02"\n')
    stub_path.write_text(filled, encoding="utf-8")
    assert yaml.safe_load(filled)["source"]["archive"] == [{"url": TODAY, "date": "2020-01-02"}]
    checked = run(built_with_archive, "check", "--drafts")
    found = [line.split(": ", 1)[1] for line in problems(checked)]
    # the stub's blank summary and blank event (its own tests check those), nothing of the archive
    assert [p for p in found if not p.startswith("`events[0]")] == [
        "`summary` is empty: expected one to three Arabic sentences by the curator"]
    assert not any("archive" in p for p in found), found
    stub_path.unlink()
    (built_with_archive / "dossier/articles/new-story.txt").unlink()


# ---------------------------------------------------------------------------------------------
# the bundle's SHA-256 beside its download link

def test_the_bundles_sha256_is_published_beside_its_link(published):
    repo = published  # `bundle`, then `build`
    zipped = next((repo / "dist").glob("*.zip"))
    digest = hashlib.sha256(zipped.read_bytes()).hexdigest()
    for page, prefix in (("site/index.html", ""), ("site/open-data/index.html", "../")):
        html = (repo / page).read_text(encoding="utf-8")
        assert re.search(rf'<a href="{prefix}downloads/{zipped.name}" download>[^<]+</a>، [^<]+<bdi dir="ltr">SHA-256</bdi>: '
                         rf'<code class="dossier-sha256" dir="ltr">{digest}</code>', html), page
    guide = (repo / "site/open-data/index.html").read_text(encoding="utf-8")
    for command in ("sha256sum -c SHA256SUMS", "shasum -a 256 -c SHA256SUMS"):
        assert re.search(rf'<code( dir="ltr")?>{re.escape(command)}</code>', guide), command
    assert "build.py" not in guide and 'href="../contributing/"' in guide  # the dossier's own tool: for maintainers
    contributing = (repo / "site/contributing/index.html").read_text(encoding="utf-8")
    assert re.search(r'<code( dir="ltr")?>python build.py verify PATH</code>', contributing)
    downloads = repo / "site/downloads"
    assert (downloads / f"{zipped.name}.sha256").read_text() == f"{digest}  {zipped.name}\n"
    checked = subprocess.run(["sha256sum", "-c", f"{zipped.name}.sha256"], cwd=downloads, capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout == f"{zipped.name}: OK\n"
    from selenium.webdriver.common.by import By

    with served(repo / "site") as base, chromium(width=390) as driver:  # a phone: the 64 digits wrap
        for page in ("", "open-data/"):
            driver.get(base + page)
            shown = driver.find_element(By.CSS_SELECTOR, "code.dossier-sha256")
            assert shown.is_displayed() and shown.text.replace("\n", "") == digest
            assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), page
