"""The map's geometry: its extent, the projection, the country outlines as SVG path data.

The outlines are Natural Earth's 1:50m Admin 0 countries (public domain), committed as
borders.json by tools/geo/extract_borders.py (arcs in longitude/latitude, each border shared
by two countries stored once). At build time each arc is projected, simplified with
Douglas–Peucker at a tolerance in SVG units (so both countries along a border stay in step),
the rings are put together, clipped to the drawing and written with coordinates rounded to
a tenth of a unit. The same data and arguments always give the same bytes.

The projection is equirectangular with the longitude scaled by the cosine of the extent's
mean latitude (33.25° N): x and y are linear in longitude and latitude, so a maintainer can
check a point by hand, and over Iraq's 28.5°–38° N its east–west scale is off by at most
9 % (less than Mercator's 11 % spread of scale over the same latitudes, which a map this
size has no need for: it shows where places are, not bearings).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

BORDERS_FILE = Path(__file__).resolve().parent / "borders.json"
IRAQ = "368"  # ISO 3166-1 numeric, Natural Earth's id


@dataclass(frozen=True)
class Extent:
    """A longitude/latitude box, in degrees (east and north positive)."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    def __str__(self) -> str:
        return (f"latitude {self.south:g} to {self.north:g} (north), "
                f"longitude {self.west:g} to {self.east:g} (east)")


# Iraq and its neighbours, with Syria's north-west (Idlib) and a little of the Gulf.
EXTENT = Extent(west=35.0, south=28.5, east=49.5, north=38.0)


@dataclass(frozen=True)
class Projection:
    """Longitude/latitude to SVG units: x grows eastwards, y southwards; (0, 0) is the extent's
    north-west corner and width the drawing's width in units."""

    extent: Extent
    width: float

    @property
    def cos_mean_latitude(self) -> float:
        return math.cos(math.radians((self.extent.south + self.extent.north) / 2))

    @property
    def scale(self) -> float:
        """Units per degree of latitude."""
        return self.width / ((self.extent.east - self.extent.west) * self.cos_mean_latitude)

    @property
    def height(self) -> float:
        return round((self.extent.north - self.extent.south) * self.scale, 1)

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        return ((longitude - self.extent.west) * self.cos_mean_latitude * self.scale,
                (self.extent.north - latitude) * self.scale)


Point = tuple[float, float]


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: keep the two ends, and every point without which the line would move
    more than tolerance; every point dropped lies within tolerance of the line kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _distance_to_segment(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep) if kept]


def clip(ring: list[Point], left: float, top: float, right: float, bottom: float) -> list[Point]:
    """Sutherland–Hodgman: the part of a closed ring inside the rectangle (edges along it added)."""
    def cut(points, inside, crossing):
        out = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    out.append(crossing(previous, current))
                out.append(current)
            elif inside(previous):
                out.append(crossing(previous, current))
        return out

    def at_x(x):
        return lambda a, b: (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))

    def at_y(y):
        return lambda a, b: (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)

    for inside, crossing in ((lambda p: p[0] >= left, at_x(left)), (lambda p: p[0] <= right, at_x(right)),
                             (lambda p: p[1] >= top, at_y(top)), (lambda p: p[1] <= bottom, at_y(bottom))):
        ring = cut(ring, inside, crossing)
        if not ring:
            break
    return ring


def _tenths(value: float) -> int:
    return int(math.floor(value * 10 + 0.5))  # half up, the same on every platform


def _number(tenths: int) -> str:
    whole, tenth = divmod(abs(tenths), 10)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "") or "0"
    return ("-" if tenths < 0 else "") + text


def path_data(rings: list[list[Point]]) -> str:
    """SVG path data for closed rings: an absolute move, then relative lines, in tenths of a unit
    (deltas of rounded positions, so no rounding error adds up along a ring)."""
    out = []
    for ring in rings:
        points = []
        for x, y in ring:
            point = (_tenths(x), _tenths(y))
            if not points or point != points[-1]:
                points.append(point)
        if len(points) > 1 and points[-1] == points[0]:
            points.pop()
        if len(points) < 3:
            continue
        parts = [f"M{_number(points[0][0])} {_number(points[0][1])}l"]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            for value in (x1 - x0, y1 - y0):
                text = _number(value)
                parts.append(text if text.startswith("-") or parts[-1].endswith("l") else " " + text)
        parts.append("z")
        out.append("".join(parts))
    return "".join(out)


@dataclass(frozen=True)
class Country:
    id: str  # ISO 3166-1 numeric, "" for the few Natural Earth gives none
    name: str  # English, as Natural Earth names it
    polygons: tuple  # of polygons, each a tuple of rings, each a tuple of arc references (~i: arc i reversed)


@dataclass(frozen=True)
class Borders:
    source: str
    countries: tuple[Country, ...]
    arcs: tuple[tuple[Point, ...], ...]  # (longitude, latitude)


@lru_cache(maxsize=4)
def load_borders(path: Path = BORDERS_FILE) -> Borders:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    countries = tuple(Country(c["id"], c["name"], tuple(tuple(tuple(ring) for ring in polygon) for polygon in c["polygons"]))
                      for c in data["countries"])
    return Borders(data["source"], countries, tuple(tuple((lon, lat) for lon, lat in arc) for arc in data["arcs"]))


def _area(ring: list[Point]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


@lru_cache(maxsize=8)
def country_paths(width: float, tolerance: float, extent: Extent = EXTENT, path: Path = BORDERS_FILE) -> dict[str, str]:
    """Path data of every country at this drawing width, keyed by country id (or name), simplified
    at tolerance units and clipped a little outside the drawing (so no clipped edge shows)."""
    borders = load_borders(path)
    project = Projection(extent, width)
    arcs = [simplify([project(lon, lat) for lon, lat in arc], tolerance) for arc in borders.arcs]
    margin = 4 * tolerance + 2
    box = (-margin, -margin, width + margin, project.height + margin)
    paths = {}
    for country in borders.countries:
        rings = []
        for polygon in country.polygons:
            for refs in polygon:
                ring: list[Point] = []
                for ref in refs:
                    points = arcs[~ref][::-1] if ref < 0 else arcs[ref]
                    ring += points[1:] if ring and ring[-1] == points[0] else points
                if len(ring) > 1 and ring[0] == ring[-1]:
                    ring.pop()
                ring = clip(ring, *box)
                if len(ring) >= 3 and _area(ring) >= tolerance * tolerance:
                    rings.append(ring)
        data = path_data(rings)
        if data:
            paths[country.id or country.name] = data
    return paths
