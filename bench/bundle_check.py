#!/usr/bin/env python3
"""What `build` spends deciding whether to offer the offline bundle in dist/ (issue 22).

    python bench/bundle_check.py             # zips of 1,000 and 10,000 pages
    python bench/bundle_check.py 500 5000

For zips of synthetic pages (about 15 KB of Arabic words each, compressed as `bundle` does), the
best of three runs of the check build makes (sitegen/output/offer.py: the zip's SHA-256 against
its stamp's, then its directory read), beside zipfile's testzip, which decompresses every entry
and which the digest stands for. Prints figures; asserts nothing.
"""
from __future__ import annotations

import hashlib
import io
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sitegen.output import offer  # noqa: E402

WORDS = ["الأمن", "العراق", "بغداد", "<p>", "</p>", "القوات", "داعش"]


def synthetic_zip(pages: int) -> bytes:
    rng = random.Random(1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(f"{offer.BUNDLE_NAME}/index.html", "<html></html>")
        for index in range(pages):
            archive.writestr(f"{offer.BUNDLE_NAME}/articles/a{index}.html",
                             " ".join(rng.choice(WORDS) for _ in range(1500)))
    return buffer.getvalue()


def best(action, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> int:
    print("| pages | zip (MB) | digest + directory (s) | testzip (s) |")
    print("| ---: | ---: | ---: | ---: |")
    for pages in map(int, argv or ["1000", "10000"]):
        data = synthetic_zip(pages)
        digest = hashlib.sha256(data).hexdigest()
        checked = best(lambda: offer.check_zip(data, digest))
        tested = best(lambda: zipfile.ZipFile(io.BytesIO(data)).testzip(), repeat=1)
        print(f"| {pages:,} | {len(data) / 1e6:.1f} | {checked:.3f} | {tested:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
