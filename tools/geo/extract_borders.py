#!/usr/bin/env python3
"""Write sitegen/geo/borders.json: the country outlines the map draws, from Natural Earth.

Source: Natural Earth's 1:50m Admin 0 countries (public domain), as redistributed in TopoJSON
by the npm package world-atlas (pinned in tools/node/package.json; `npm ci --prefix tools/node`
installs it). Nothing is downloaded here, and the build never reads the npm package: it reads
the committed borders.json this script writes. Run it again only to change the data:

    npm ci --prefix tools/node && python tools/geo/extract_borders.py

Kept: every country whose outline has a vertex within the map's extent (sitegen/geo/borders.py,
EXTENT) widened by PAD degrees, with the arcs they use, decoded from TopoJSON's quantized
deltas to longitude/latitude rounded to DECIMALS places (0.001° is about 100 m; the data's
own step is 0.0036° by 0.0017°). The topology is kept, each shared border stored once, so
that simplifying an arc changes both countries on either side of it alike.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(REPO))

from sitegen.geo.borders import BORDERS_FILE, EXTENT  # noqa: E402

PACKAGE = REPO / "tools" / "node" / "node_modules" / "world-atlas"
PAD = 2.0
DECIMALS = 3


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as (longitude, latitude) points: TopoJSON stores quantized deltas."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)))
        arcs.append(points)
    return arcs


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return geometry["arcs"]
    return []


def extract(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    west, south, east, north = EXTENT.west - PAD, EXTENT.south - PAD, EXTENT.east + PAD, EXTENT.north + PAD

    def near(index: int) -> bool:
        return any(west <= lon <= east and south <= lat <= north for lon, lat in arcs[~index if index < 0 else index])

    kept, used = [], {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        shapes = polygons(geometry)
        if not any(near(i) for polygon in shapes for ring in polygon for i in ring):
            continue
        renumbered = []
        for polygon in shapes:
            rings = []
            for ring in polygon:
                refs = []
                for index in ring:
                    original = ~index if index < 0 else index
                    new = used.setdefault(original, len(used))
                    refs.append(~new if index < 0 else new)
                rings.append(refs)
            renumbered.append(rings)
        kept.append({"id": geometry.get("id") or "", "name": geometry["properties"]["name"], "polygons": renumbered})
    version = json.loads((PACKAGE / "package.json").read_text(encoding="utf-8"))["version"]
    return {
        "source": f"Natural Earth 1:50m Admin 0 countries (public domain), from the npm package world-atlas {version}, "
                  "countries-50m.json; written by tools/geo/extract_borders.py",
        "countries": sorted(kept, key=lambda c: (c["id"], c["name"])),
        "arcs": [arcs[original] for original, _ in sorted(used.items(), key=lambda item: item[1])],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=PACKAGE, help="the installed world-atlas package")
    parser.add_argument("--out", type=Path, default=BORDERS_FILE)
    args = parser.parse_args(argv)
    source = args.package / "countries-50m.json"
    if not source.is_file():
        print(f"{source} not found: run `npm ci --prefix tools/node` first", file=sys.stderr)
        return 1
    data = extract(json.loads(source.read_text(encoding="utf-8")))
    # One country or arc a line: small, and a change to the data reads as a short diff.
    lines = ["{", f'"source": {json.dumps(data["source"])},', '"countries": [']
    lines += [json.dumps(c, ensure_ascii=False, separators=(",", ":")) + ("," if i < len(data["countries"]) - 1 else "")
              for i, c in enumerate(data["countries"])]
    lines += ["],", '"arcs": [']
    lines += [json.dumps(a, separators=(",", ":")) + ("," if i < len(data["arcs"]) - 1 else "")
              for i, a in enumerate(data["arcs"])]
    lines += ["]", "}"]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(data['countries'])} countries, {len(data['arcs'])} arcs, "
          f"{sum(len(a) for a in data['arcs'])} points, {args.out.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
