"""What the map templates draw (templates/_map.j2): the site map (/map/) and a place's locator map.

Both are plain data: path data for the countries, points and labels in SVG units. Everything
is rounded, sorted and computed from the dossier and the committed borders alone, so the same
input gives byte-identical SVG.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..cache import fingerprint
from ..model import Entity
from . import borders, labels

# The site map: 600 units wide, shown across the column (MIN_WIDTH px on a phone: 0.6 px a unit).
MAP_WIDTH = 600
MAP_TOLERANCE = 0.6  # units (about 0.35 px on a phone, 0.75 px at the widest)
LABEL_SIZE = 23.0  # units: about 13.7 px on a phone
COUNTRY_SIZE = 20.0
POINT_RADIUS = 5.0
# The locator map on a place's page: small, Iraq and its neighbours, one point.
LOCATOR_WIDTH = 160
LOCATOR_TOLERANCE = 0.5

# Countries named on the map, in Arabic, at a spot of their land clear of the places
# (longitude, latitude): a cartographic choice, not data about places.
COUNTRY_LABELS = (
    (borders.IRAQ, "العراق", 42.3, 31.9),
    ("760", "سوريا", 38.4, 35.0),
    ("792", "تركيا", 39.6, 37.55),
    ("364", "إيران", 47.3, 33.6),
    ("400", "الأردن", 37.3, 30.6),
    ("682", "السعودية", 42.0, 29.3),
    ("414", "الكويت", 47.75, 29.35),
)


@dataclass(frozen=True)
class MapPoint:
    entity: Entity
    x: float
    y: float
    label: labels.Label | None  # None: no room for it at a phone's width; the point keeps its title


@dataclass(frozen=True)
class SiteMap:
    width: int
    height: float
    iraq: str  # path data
    neighbours: str  # path data of the other countries, one path
    countries: tuple[labels.Label, ...]
    points: tuple[MapPoint, ...]  # most important first
    unplaced: tuple[Entity, ...]  # places without coordinates, by name
    label_size: float
    radius: float

    @property
    def shows(self) -> list[Entity]:
        return [p.entity for p in self.points] + list(self.unplaced)

    @property
    def fingerprint(self) -> str:
        """What the map shows (for a page's key): its points, their labels and the unplaced places.
        The outlines are the package's own data (borders.json), the same for every map of a width."""
        return fingerprint(str(self.width), *(f"{p.entity.fingerprint}:{p.x}:{p.y}:{p.label!r}" for p in self.points),
                           *(e.fingerprint for e in self.unplaced))


@dataclass(frozen=True)
class Locator:
    entity: Entity
    width: int
    height: float
    iraq: str
    neighbours: str
    x: float
    y: float

    @property
    def shows(self) -> tuple[Entity]:
        return (self.entity,)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.entity.fingerprint, str(self.width), str(self.x), str(self.y))


def _projection(width: int) -> borders.Projection:
    return borders.Projection(borders.EXTENT, width)


@lru_cache(maxsize=4)
def _outlines(width: int, tolerance: float) -> tuple[str, str]:
    """(Iraq, the other countries) as path data at this width."""
    paths = borders.country_paths(width, tolerance)
    return paths[borders.IRAQ], "".join(data for key, data in sorted(paths.items()) if key != borders.IRAQ)


def point_xy(projection: borders.Projection, entity: Entity) -> tuple[float, float]:
    x, y = projection(entity.location.longitude, entity.location.latitude)
    return round(x, 1), round(y, 1)


@lru_cache(maxsize=1)
def country_labels() -> tuple[labels.Label, ...]:
    project = _projection(MAP_WIDTH)
    out = []
    for _country, name, longitude, latitude in COUNTRY_LABELS:
        x, y = project(longitude, latitude)
        out.append(labels.fixed_label(name, round(x, 1), round(y, 1), COUNTRY_SIZE))
    return tuple(out)


def site_map(places: list[Entity], weight: dict[str, int]) -> SiteMap:
    """The map of every place with coordinates; weight (e.g. how many articles name a place)
    decides whose label is placed first."""
    project = _projection(MAP_WIDTH)
    located = sorted((p for p in places if p.location), key=lambda p: (-weight.get(p.id, 0), p.name, p.id))
    spots = [labels.Spot(p.id, *point_xy(project, p), p.name) for p in located]
    bounds = labels.Box(0, 0, MAP_WIDTH, project.height)
    placed = labels.place(spots, bounds, LABEL_SIZE, POINT_RADIUS, country_labels())
    iraq, neighbours = _outlines(MAP_WIDTH, MAP_TOLERANCE)
    return SiteMap(
        width=MAP_WIDTH, height=project.height, iraq=iraq, neighbours=neighbours, countries=country_labels(),
        points=tuple(MapPoint(p, s.x, s.y, placed[p.id]) for p, s in zip(located, spots)),
        unplaced=tuple(sorted((p for p in places if not p.location), key=lambda p: (p.name, p.id))),
        label_size=LABEL_SIZE, radius=POINT_RADIUS)


def locator(entity: Entity) -> Locator | None:
    """The small map on a place's page, or None for an entity without coordinates."""
    if entity.location is None:
        return None
    project = _projection(LOCATOR_WIDTH)
    iraq, neighbours = _outlines(LOCATOR_WIDTH, LOCATOR_TOLERANCE)
    return Locator(entity, LOCATOR_WIDTH, project.height, iraq, neighbours, *point_xy(project, entity))
