"""The map of issue 15, drawn at build time as inline SVG: no map service, no tiles, no request.

- borders.py: the map's extent, the country outlines (Natural Earth, committed as
  borders.json by tools/geo/extract_borders.py), the projection, simplification, clipping
  and SVG path data;
- labels.py: label widths measured with the site's Arabic font, and greedy label placement
  that never overlaps at a phone's width;
- maps.py: what the templates draw (templates/_map.j2): the site map and a place's locator map.
"""
