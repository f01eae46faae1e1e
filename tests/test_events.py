"""Events as records (issue 24): one event reported by several articles is one record with a
page listing every report and whom each credits; the timeline shows it once; places and
actors list their events; the data has a row per report; `check` refuses bad events.

Real builds of copies of the repository, real HTML, Chromium for the filters (served and
from file://)."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from html import unescape
from pathlib import Path

import pytest
import yaml
from browser import chromium
from conftest import add_article, assert_refused, copy_built, leftovers, run, run_several, snapshot

# One xdist worker runs the module's tests (pytest.ini: --dist loadgroup), so that its build with a shared event
# is made once, not once per worker.
pytestmark = pytest.mark.xdist_group("events")

REPO = Path(__file__).resolve().parent.parent
ARTICLES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted((REPO / "dossier/articles").glob("*.yml"))}
ENTITIES = {e["id"]: e for e in yaml.safe_load((REPO / "dossier/entities.yml").read_text(encoding="utf-8"))}
LABELS = yaml.safe_load((REPO / "templates/labels.yml").read_text(encoding="utf-8"))["attributions"]
KINDS = list(LABELS)
A = "dossier/articles/test-article.yml"
SHARED = "abu-ghraib-car-bomb-foiled-2019"  # reported by joint-plan-against-isis-remnants, on 2019-05-27


def _visible(html: str) -> str:
    """The text a reader sees: no scripts, no tags (so no attribute values)."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _phrase(event: dict) -> str:
    phrase = LABELS[event["attribution"]]
    if event.get("attributed_to"):
        return phrase["with"].replace("{entity}", ENTITIES[event["attributed_to"]]["name"])
    return phrase["without"]


def _shipped_events():
    for article_id, data in ARTICLES.items():
        for index, event in enumerate(data["events"]):
            yield article_id, index, event


def test_the_shipped_events_are_annotated_in_the_schema_kinds():
    events = list(_shipped_events())
    assert len(events) == 14
    assert all(e["attribution"] in KINDS for _, _, e in events)
    assert all(ENTITIES[p]["kind"] == "place" for _, _, e in events for p in e.get("places", []))


def test_article_page_shows_each_event_attribution_places_actors_and_event_page(site):
    for article_id, data in ARTICLES.items():
        html = (site / "articles" / article_id / "index.html").read_text(encoding="utf-8")
        items = re.findall(r'<li class="dossier-event" data-attribution="([^"]+)">(.*?)</li>', html, re.S)
        assert [kind for kind, _ in items] == [e["attribution"] for e in sorted(data["events"], key=lambda e: str(e["date"]))] \
            or sorted(kind for kind, _ in items) == sorted(e["attribution"] for e in data["events"])
        for event in data["events"]:
            body = next(b for _, b in items if event["title"] in unescape(b))
            assert _phrase(event) in " ".join(_visible(body).split()), (article_id, event["title"])
            for entity_id in [*event.get("places", []), *event.get("actors", [])]:
                assert f'href="../../entities/{entity_id}/"' in body
            if event.get("id"):
                assert f'href="../../events/{event["id"]}/"' in body


def test_the_code_name_of_a_kind_is_never_shown(site):
    pages = [*(site / "articles").glob("*/index.html"), *(site / "events").glob("*/index.html"),
             site / "timeline/index.html", site / "entities/baghdad/index.html", site / "map/index.html"]
    for page in pages:
        text = _visible(page.read_text(encoding="utf-8"))
        for kind in KINDS:
            assert not re.search(rf"\b{kind}\b", text), (page, kind)


def test_event_page_shows_every_report_places_map_and_count(site):
    for article_id, index, event in _shipped_events():
        if not event.get("id"):
            continue
        html = (site / "events" / event["id"] / "index.html").read_text(encoding="utf-8")
        text = " ".join(_visible(html).split())
        assert event["title"] in text
        assert "تقرير واحد" in text  # the shipped events are each reported once
        assert f'<div class="dossier-event-page" data-attribution="{event["attribution"]}">' in html
        assert f'<li class="dossier-report" data-attribution="{event["attribution"]}">' in html
        assert _phrase(event) in text
        assert f'href="../../articles/{article_id}/#event-' in html  # to the passage marked in the text
        located = [p for p in event.get("places", []) if "location" in ENTITIES[p]]
        for place in event.get("places", []):
            assert ENTITIES[place]["name"] in text
        assert ('<svg class="dossier-map__svg"' in html) == bool(located)
        for place in located:
            assert f'data-entity="{place}"' in html


def test_places_and_actors_list_their_events(site):
    for _, _, event in _shipped_events():
        for place in event.get("places", []):
            html = (site / "entities" / place / "index.html").read_text(encoding="utf-8")
            assert "أحداث وقعت في" in html and unescape(event["title"]) in unescape(html), place
        for actor in event.get("actors", []):
            html = (site / "entities" / actor / "index.html").read_text(encoding="utf-8")
            assert "طرفًا فيها" in html and event["title"] in unescape(html), actor


def test_event_pages_are_found_by_search(site_address):
    from test_search import search

    event = next(e for _, _, e in _shipped_events() if e.get("id") == SHARED)
    with chromium() as driver:
        found = search(driver, site_address, "سيارة مفخخة أبو غريب")
    items = [i for i in found["items"] if i["href"].endswith(f"/events/{SHARED}/")]
    assert items and items[0]["kind"] == "حدث" and items[0]["title"] == event["title"], found["items"]


SHARED_REPORT = (f'\n  - date: "2019-05-27"\n    title: "إحباط سيارة مفخخة في أبو غريب"\n'
                 f'    attribution: named-official\n    attributed_to: ministry-of-defence\n    id: {SHARED}\n'
                 '    places: [abu-ghraib]')


@pytest.fixture(scope="module")
def shared_build(tmp_path_factory, built_copy):
    """The repository with a second article reporting an event the dossier has already, built."""
    repo = built_copy(tmp_path_factory.mktemp("shared"))
    add_article(repo, events=SHARED_REPORT)
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    return repo


def test_one_event_reported_twice_has_one_page_with_both_reports(shared_build):
    html = (shared_build / "site/events" / SHARED / "index.html").read_text(encoding="utf-8")
    text = " ".join(_visible(html).split())
    assert "تقريران" in text  # CLDR "two"
    assert '<div class="dossier-event-page" data-attribution="official-statement named-official">' in html
    reports = re.findall(r'<li class="dossier-report" data-attribution="([^"]+)">(.*?)</li>', html, re.S)
    assert [kind for kind, _ in reports] == ["official-statement", "named-official"]
    assert "العربي الجديد" in reports[1][1] and "على لسان وزارة الدفاع" in " ".join(_visible(reports[1][1]).split())
    assert "../../articles/joint-plan-against-isis-remnants/" in reports[0][1]
    assert "../../articles/test-article/" in reports[1][1]


def test_the_timeline_shows_a_shared_event_once_with_its_count(shared_build):
    html = (shared_build / "site/timeline/index.html").read_text(encoding="utf-8")
    entries = [e for e in re.findall(r'<li class="dossier-timeline__entry"[^>]*>.*?</li>', html, re.S)
               if f"events/{SHARED}/" in e]
    assert len(entries) == 1
    assert 'data-attribution="official-statement named-official"' in entries[0] and "تقريران" in entries[0]


def test_events_data_has_a_row_per_report_and_validates(shared_build):
    data = shared_build / "site/data"
    rows = list(csv.DictReader(io.StringIO((data / "events.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 15
    shared = [r for r in rows if r["event_id"] == SHARED]
    assert [(r["article_id"], r["attribution"], r["attributed_to"]) for r in shared] == [
        ("joint-plan-against-isis-remnants", "official-statement", "baghdad-operations-command"),
        ("test-article", "named-official", "ministry-of-defence")]
    assert shared[1]["date"] == "2019-05-27" and shared[1]["date_precision"] == "day" and shared[1]["places"] == "abu-ghraib"
    records = json.loads((data / "events.json").read_text(encoding="utf-8"))
    assert [r["event_id"] for r in records] == [r["event_id"] for r in rows]
    assert records[[r["article_id"] for r in records].index("test-article")]["places"] == ["abu-ghraib"]
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    events = next(r for r in package["resources"] if r["name"] == "events")
    assert [f["name"] for f in events["schema"]["fields"]] == list(rows[0])
    done = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "--json",
                           str(data / "datapackage.json")], capture_output=True, text=True)
    assert done.returncode == 0 and json.loads(done.stdout)["valid"], done.stdout[-3000:]


def test_the_same_build_twice_gives_the_same_event_pages(shared_build, tmp_path):
    other = tmp_path / "again"
    copy_built(shared_build, other)
    assert run(other, "build").returncode == 0
    for name in ("events", "timeline", "data"):
        first = {p.relative_to(shared_build).as_posix(): p.read_bytes() for p in (shared_build / "docs" / name).rglob("*")
                 if p.is_file()}
        second = {p.relative_to(other).as_posix(): p.read_bytes() for p in (other / "docs" / name).rglob("*")
                  if p.is_file()}
        assert first == second, name


# ------------------------------------------------------------------------------------ bad input

BAD_EVENTS = (
    '\n  - date: "2019-05-26"\n    title: "حدث"\n    attribution: rumour\n'          # lines 10-12
    '    places: [bagdad, ministry-of-defence]\n    actors: [anbar]\n'                   # 13-14
    '    attributed_to: ministy-of-defence\n    id: Not_A_Slug\n'                        # 15-16
    '  - date: "2019-05-26"\n    title: "حدث آخر"\n    attribution: outlet\n    id: index\n'  # 17-20
    f'  - date: "2019-05-20"\n    title: "حدث ثالث"\n    attribution: outlet\n    id: {SHARED}\n'  # 21-24
    '  - date: "2019-05-26"\n    title: "حدث رابع"\n    attribution: "outlet\\u200b"\n'  # 25-27
    '    places: ["baghdad\\u200f"]\n')                                                 # 28


def test_check_refuses_bad_events_all_at_once_naming_file_line_and_field(repo):
    add_article(repo, events=BAD_EVENTS)
    before = snapshot(repo)
    for result in run_several(repo, ["check"], ["build"]):
        assert_refused(
            result,
            f"{A}:12:18: `events[0].attribution` is the text 'rumour'; expected one of: " + ", ".join(KINDS),
            f"{A}:13:14: unknown entity `bagdad` in `events[0].places[0]`: expected the id of a place (`kind: place`) "
            "in dossier/entities.yml; did you mean `baghdad`?",
            f"{A}:13:22: `events[0].places[1]` is `ministry-of-defence`, which is not a place: expected a place "
            "(`kind: place`); list it in `events[0].actors`",
            f"{A}:14:14: `events[0].actors[0]` is `anbar`, which is a place: expected a person or an organisation; "
            "list it in `events[0].places`",
            f"{A}:15:20: unknown entity `ministy-of-defence` in `events[0].attributed_to`: expected the id of an entity "
            "in dossier/entities.yml (the body or person the article credits); did you mean `ministry-of-defence`?",
            f"{A}:20:9: event id `index` is reserved: the site has a page of that name of its own, which one of the "
            "two would overwrite; choose another id (reserved: 404, assets, cards, corrections, data, downloads, events, "
            "feed, index, map, outlets, page, robots, search, sitemap, tags, years)",
        )
        printed = "\n".join(line for line in result.stderr.splitlines())
        assert f"{A}:16:9: `events[0].id` is the text 'Not_A_Slug'" in printed
        assert f"{A}:27:18: `events[3].attribution` is the text 'outlet\\u200b'; expected one of" in printed
        assert f"{A}:28:14: `events[3].places[0]` contains" in printed and "U+200F" in printed
        assert snapshot(repo) == before and leftovers(repo) == []


def test_check_refuses_reports_of_one_event_whose_dates_cannot_both_be_true(repo):
    add_article(repo, events=f'\n  - date: "2019-05-20"\n    title: "حدث"\n    attribution: outlet\n    id: {SHARED}')
    line = next(i for i, text in enumerate((REPO / "dossier/articles/joint-plan-against-isis-remnants.yml")
                                           .read_text(encoding="utf-8").splitlines(), 1)
                if text.strip() == f"id: {SHARED}")
    result = run(repo, "check")
    [message] = [p for p in result.stderr.splitlines() if "cannot be true" in p]
    assert_refused(result)
    # the later article by id names itself, its line, and the other file with the date it gives
    assert message.startswith(f"{A}:10:11: `events[0].date` 2019-05-20 of event `{SHARED}` cannot be true together with "
                              "dossier/articles/joint-plan-against-isis-remnants.yml, which dates the same event "
                              "2019-05-27"), message
    assert line > 0


@pytest.mark.parametrize("date", ["2019-05", "2019", "2019-05-27"])
def test_reports_at_coarser_precisions_that_agree_are_accepted(repo, date):
    add_article(repo, events=f'\n  - date: "{date}"\n    title: "حدث"\n    attribution: outlet\n    id: {SHARED}')
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------------------ in Chromium

def _timeline_state(driver) -> dict:
    return driver.execute_script("""
        const entries = [...document.querySelectorAll('.dossier-timeline__entry')];
        return {shown: entries.filter(e => !e.hidden).map(e => e.getAttribute('data-attribution') || ''),
                hidden: entries.filter(e => e.hidden).length,
                status: document.querySelector('[data-dossier-attribution-filter] .dossier-filter__status').textContent};
    """)


def _check_timeline_filter(driver, address: str):
    driver.get(address)
    whole = _timeline_state(driver)
    assert whole["hidden"] == 0 and whole["status"] == ""
    driver.get(address + "?attribution=official-statement")
    state = _timeline_state(driver)
    assert state["shown"] and all("official-statement" in kinds.split() for kinds in state["shown"]), state
    assert state["hidden"] > 0 and LABELS["official-statement"]["name"] in state["status"]
    for hostile in ("__proto__", "constructor", "<img src=x onerror=alert(1)>", "toString"):
        driver.get(address + "?attribution=" + hostile)
        assert _timeline_state(driver)["hidden"] == 0  # not a kind the page offers: the whole list


def _check_map_year(driver, address: str, year: str):
    driver.get(address + "?year=" + year)
    state = driver.execute_script("""
        const points = [...document.querySelectorAll('.dossier-map__place')];
        return {on: points.filter(p => !p.classList.contains('dossier-map__place--off')).map(p => p.getAttribute('data-years')),
                off: points.filter(p => p.classList.contains('dossier-map__place--off')).length};
    """)
    assert state["on"] and all(year in (years or "").split() for years in state["on"]) and state["off"] > 0, state
    driver.get(address + "?year=__proto__")
    assert not driver.find_elements("css selector", ".dossier-map__place--off")


def _an_event_year(site: Path) -> str:
    return re.search(r'data-year="(\d{4})"', (site / "map/index.html").read_text(encoding="utf-8")).group(1)


def test_timeline_filter_and_map_year_served(site, site_address):
    with chromium(width=390) as driver:
        _check_timeline_filter(driver, site_address + "timeline/")
        _check_map_year(driver, site_address + "map/", _an_event_year(site))


def test_timeline_filter_and_map_year_from_file(bundled, tmp_path, site):
    with zipfile.ZipFile(bundled) as archive:
        archive.extractall(tmp_path)
    root = tmp_path / "iraqi-security-dossier"
    with chromium(width=390) as driver:
        _check_timeline_filter(driver, (root / "timeline/index.html").as_uri())
        _check_map_year(driver, (root / "map/index.html").as_uri(), _an_event_year(site))
