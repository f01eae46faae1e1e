#!/usr/bin/env python3
"""Why the validator checks a copy of each schema with its `$ref`s written out in place
(sitegen/checking/schema.py), rather than letting jsonschema follow them while it validates.

    python bench/schema_refs.py              # the shipped dossier's articles, 200 rounds
    python bench/schema_refs.py --rounds 50

Both validators are the dossier's own (_Validator, with its ECMA `pattern`, hashed
`uniqueItems` and short `maxItems`), on the same schema: one given the copy with each
reference replaced by what `referencing` finds at it, one given the schema itself and a
`referencing` registry holding it. It prints the CPU microseconds per article of each (process time: the machine may be busy), best of
three passes, and checks that both find the same errors. A benchmark: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from referencing import Registry  # noqa: E402
from referencing.jsonschema import DRAFT202012  # noqa: E402

from sitegen.checking import load  # noqa: E402
from sitegen.checking.schema import Schemas, _Validator  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    raw, _ = load.load(ROOT / "dossier")
    documents = [article.yml.data for article in raw.articles if article.yml is not None]
    schemas, problems = Schemas.load(ROOT / "dossier" / "schema")
    assert schemas and not problems, problems
    schema = schemas.raw["article"]
    registry = Registry().with_resource("urn:bench", DRAFT202012.create_resource(schema))
    validators = {"refs written out in place (the build's)": schemas.validator("article"),
                  "refs followed by referencing while validating": _Validator(schema, registry=registry)}
    errors = {name: [sorted(e.message for e in v.iter_errors(d)) for d in documents] for name, v in validators.items()}
    same = len({json.dumps(found) for found in errors.values()}) == 1
    print(f"{len(documents)} articles x {rounds} rounds; both find the same errors: {same}")
    for name, validator in validators.items():
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            for _ in range(rounds):
                for document in documents:
                    for _ in validator.iter_errors(document):
                        pass
            best = min(best, time.process_time() - start)
        print(f"{name:48} {best / (rounds * len(documents)) * 1e6:8.0f} µs of CPU per article")


if __name__ == "__main__":
    main()
