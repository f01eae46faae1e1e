"""The BuildCache serve keeps between edits: what a run did not ask for is forgotten, except a
lasting result (a whole-dossier result only some runs need), kept until a run asks for its kind."""
from __future__ import annotations

from sitegen.cache import BuildCache


def _counting(value: str, made: list[str]):
    def compute() -> str:
        made.append(value)
        return value
    return compute


def test_a_result_no_run_asked_for_is_forgotten_but_a_lasting_one_waits_for_its_kind():
    cache, made = BuildCache(), []
    cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True)
    cache.get("page", "home", _counting("home", made))
    cache.finish_run()
    for _ in range(2):  # runs that ask for pages only (edits that touch no entity page)
        cache.get("page", "other", _counting("other", made))
        cache.finish_run()
    assert cache.get("page", "home", _counting("home", made)) == "home"
    assert cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True) == "named 1"
    assert made == ["named 1", "home", "other", "home"]  # the page made again, the lasting result not
    cache.finish_run()

    # a run that asks for the kind under another key (the dossier changed): the old result goes
    cache.get("named-with", "dossier-2", _counting("named 2", made), lasting=True)
    cache.finish_run()
    cache.finish_run()
    assert cache.get("named-with", "dossier-2", _counting("named 2", made), lasting=True) == "named 2"
    assert cache.get("named-with", "dossier-1", _counting("named 1", made), lasting=True) == "named 1"
    assert made[-2:] == ["named 2", "named 1"]
