"""The page-family registry (sitegen/families/): the lists that must agree with it do, a page's
key is worked out from what its template receives, and a warm cache renders what a cold one does."""
from __future__ import annotations

import re

import pytest

from sitegen import families, pipeline
from sitegen.cache import BuildCache
from sitegen.families.keys import Derived, context_key
from sitegen.model import Article, Dossier, Entity, Event, PartialDate, Source, Theme
from sitegen.project import Project
from sitegen.checking import checker
from sitegen.stages import render
from sitegen.stages.link import link
from conftest import REPO

TEMPLATES = REPO / "templates"


def test_gitignore_names_exactly_the_generated_folders():
    ignored = re.findall(r"^/docs/([^/\s]+)/$", (REPO / ".gitignore").read_text(encoding="utf-8"), re.M)
    assert sorted(ignored) == sorted(families.GENERATED_DIRS)


def test_mkdocs_yml_names_exactly_the_generated_folders():
    first_comment = []
    for line in (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        first_comment.append(line)
    named = re.findall(r"docs/([\w-]+)", " ".join(first_comment))
    assert sorted(named) == sorted(families.GENERATED_DIRS)


def test_the_reserved_ids_are_the_registrys():
    # checker.py cannot import the families (validation runs before rendering): the two must agree
    assert checker.RESERVED_IDS == families.reserved_ids()
    assert {"index", "years", "data", "events"} <= families.reserved_ids()


def test_every_generated_file_is_in_a_familys_folder_and_every_page_has_one_owner():
    outcome = pipeline.generate(Project.at(REPO, "https://example.org/d/"), cache=BuildCache())
    generated = outcome.generated
    paths = [*generated.pages, *generated.cards]
    assert len(paths) > 50
    assert {path.split("/", 1)[0] for path in paths} <= set(families.GENERATED_DIRS)
    dossier = generated.dossier
    for thing in (dossier.articles[0], dossier.themes[0], dossier.entities[0], generated.linked.outlets[0],
                  generated.linked.events[0] if generated.linked.events[0].id else generated.linked.events[-1]):
        assert families.page_path(thing) in generated.pages, thing
    assert set(families.PARTIALS) <= set(generated.pages)


def test_a_context_key_names_every_value_and_refuses_what_it_cannot_name():
    date = PartialDate(2020, 1, 2)
    base = {"title": "عنوان", "n": 1, "items": [date, None, True], "by": {"a": ("x", 1.5)}}
    assert context_key(base) == context_key(dict(base))
    for changed in ({**base, "title": "عنوان آخر"}, {**base, "n": "1"}, {**base, "items": [date, "", True]},
                    {**base, "items": [date, None, 1]}, {**base, "items": [PartialDate(2020, 1, 3), None, True]},
                    {**base, "by": {"a": ("x", 1.25)}}, {**base, "extra": None}):
        assert context_key(changed) != context_key(base), changed
    theme = Theme("t", "محور", "وصف")
    assert context_key({"t": theme}) != context_key({"t": Theme("t", "محور", "وصف آخر")})  # by its fingerprint
    assert context_key({"p": Derived(["a"], "f1")}) == context_key({"p": Derived(["b"], "f1")})  # by what it came from
    with pytest.raises(TypeError, match="function"):
        context_key({"entry_count": lambda entity: 1})
    with pytest.raises(TypeError, match="object"):
        context_key({"thing": object()})


def _dossier(second_title: str, description: str = "مدينة") -> Dossier:
    """Two articles of different themes reporting one event: the first theme's timeline shows the
    second article as a report of it."""
    def article(article_id, title, theme, day):
        return Article(id=article_id, title=title, date=PartialDate(2020, 1, day), source=Source("منفذ"),
                       themes=[theme], summary="ملخص", entities=["e"], text="نص عن بغداد\n", sha256="0" * 64,
                       events=[Event(PartialDate(2020, 1, 1), "انفجار في بغداد", id="blast")])
    return Dossier([Theme("t1", "محور أول", "وصف"), Theme("t2", "محور ثان", "وصف")],
                   [Entity("e", "بغداد", "place", [], description)],
                   [article("a1", "المقال الأول", "t1", 2), article("a2", second_title, "t2", 3)])


def test_a_page_is_rendered_again_when_anything_its_template_receives_changes():
    """The first theme's page lists none of the second article, yet its timeline names it as a
    report of a shared event: a key listing the theme's own articles only kept the old title."""
    cache = BuildCache()
    settings = render.RenderSettings(TEMPLATES)
    first = render.render(link(_dossier("عنوان قديم"), cache), settings, cache)
    assert "عنوان قديم" in first["themes/t1.md"]
    cache.finish_run()
    warm = render.render(link(_dossier("عنوان جديد"), cache), settings, cache)
    assert cache.hits["page"] > 0  # pages that show nothing of the edit are reused
    assert "عنوان جديد" in warm["themes/t1.md"] and "عنوان قديم" not in warm["themes/t1.md"]
    assert warm == render.render(link(_dossier("عنوان جديد")), settings)


def test_an_entitys_description_renders_its_own_page_again_not_every_page_linking_to_it():
    """Articles and events show an entity as a link (its name): editing its description (serve, at
    thousands of articles naming it) must not render every one of them again, yet its page must."""
    cache = BuildCache()
    settings = render.RenderSettings(TEMPLATES)
    first = render.render(link(_dossier("عنوان", "مدينة"), cache), settings, cache)
    cache.finish_run()
    warm = render.render(link(_dossier("عنوان", "عاصمة العراق"), cache), settings, cache)
    for path in ("articles/a1.md", "articles/a2.md", "events/blast.md"):
        assert warm[path] is first[path], path  # the cached page itself: not rendered again
    assert "عاصمة العراق" in warm["entities/e.md"] and "عاصمة العراق" not in first["entities/e.md"]
    assert warm == render.render(link(_dossier("عنوان", "عاصمة العراق")), settings)
    base = _dossier("عنوان")
    renamed = render.render(link(Dossier(base.themes, [Entity("e", "مدينة بغداد", "place", [], "عاصمة العراق")],
                                         base.articles), cache), settings, cache)
    assert "مدينة بغداد" in renamed["articles/a1.md"]  # a name is what the link shows: rendered again


def test_the_registry_plans_every_family_and_adding_one_is_one_line():
    source = (REPO / "sitegen" / "families" / "__init__.py").read_text(encoding="utf-8")
    modules = {p.stem for p in (REPO / "sitegen" / "families").glob("*.py")} - {"__init__", "base", "keys", "reuse"}
    imported = set(re.findall(r"^from \.(\w+) import", source, re.M))
    assert modules <= imported, modules - imported  # every family module is in the registry
    classes = {type(f).__name__ for f in families.FAMILIES}
    assert len(classes) == len(families.FAMILIES) >= 15
    assert all(f.folder for f in families.FAMILIES)


def _larger_dossier(summary: str = "ملخص", description: str = "وصف", title: str = "عنوان", year: int = 2018) -> Dossier:
    """Twelve articles over three themes and four entities, with shared events: listings long
    enough for archives by year at the settings below. The first article's text starts with a
    line naming البصرة (e1), hidden when the title repeats it."""
    entities = [Entity(f"e{i}", name, "place" if i < 2 else "person", [], description if i == 0 else "وصف")
                for i, name in enumerate(("بغداد", "البصرة", "فلان", "علان"))]

    def article(n: int) -> Article:
        return Article(id=f"a{n:02d}", title=title if n == 0 else f"مقال {n}",
                       date=PartialDate(year if n == 0 else 2018 + n % 3, 1 + n, 1),
                       source=Source("منفذ" if n % 2 else None), themes=[f"t{n % 3}"],
                       summary=summary if n == 0 else f"ملخص {n}", entities=[f"e{n % 4}"],
                       text=f"نص {n}\n" if n else "عنوان في البصرة\nنص 0\n",
                       sha256="0" * 64, events=[Event(PartialDate(2018, 1, 1), "حدث مشترك", id=f"ev{n % 2}")])
    return Dossier([Theme(f"t{i}", f"محور {i}", "وصف") for i in range(3)], entities, [article(n) for n in range(12)])


def test_an_edit_that_keeps_the_dossiers_shape_works_out_only_the_pages_showing_what_changed():
    """serve takes a page as it was, without working out its values, when the dossier's shape is
    as it was and none of the objects it shows changed (families/reuse.py); whatever it takes,
    the pages are exactly what a render with nothing kept makes."""
    settings = render.RenderSettings(TEMPLATES, list_limit=3, latest_shown=2)
    cache = BuildCache()

    def warm(dossier: Dossier) -> tuple[dict, set[str], set[str]]:
        """The pages, those whose values were worked out, and every page made (not the data files)."""
        pages = render.render(link(dossier, cache), settings, cache)
        shown = cache.entries(("shown-pages",))[("shown-pages", None)]
        cache.finish_run()
        assert pages == render.render(link(dossier), settings)  # as if nothing were kept
        return pages, set(shown.worked_out), set(shown.made)

    first, _, everything = warm(_larger_dossier())
    assert any(path.startswith("themes/t0/") for path in first)  # archives by year exist
    pages, worked_out, _ = warm(_larger_dossier(summary="ملخص معدل"))
    assert "ملخص معدل" in pages["articles/a00.md"]
    assert "articles/a00.md" in worked_out
    assert [path for path in everything if path.startswith("articles/a") and path not in worked_out]
    assert len(worked_out) < len(everything) / 3, worked_out
    changed = {path for path in everything if pages[path] != first[path]}
    assert changed and changed <= worked_out
    pages, worked_out, _ = warm(_larger_dossier(summary="ملخص معدل", description="وصف معدل"))
    assert "entities/e0.md" in worked_out and "articles/a00.md" not in worked_out
    pages, worked_out, _ = warm(_larger_dossier(summary="ملخص معدل", description="وصف معدل", title="عنوان آخر"))
    assert "عنوان آخر" in pages["articles/a00.md"] and len(worked_out) < len(everything) / 3, worked_out
    listed_under_e1 = lambda: any("articles/a00/" in text for path, text in pages.items()  # noqa: E731
                                  if path.startswith("entities/e1"))  # its page or its archive by year
    assert listed_under_e1()  # its first line, shown, names البصرة
    # a title repeating the first line hides it, and البصرة with it: a change of shape
    pages, worked_out, made = warm(_larger_dossier(summary="ملخص معدل", description="وصف معدل",
                                                   title="عنوان في البصرة"))
    assert worked_out == made and not listed_under_e1()
    # a date decides orders (listings, the timeline, neighbours): every page is worked out again
    pages, worked_out, made = warm(_larger_dossier(summary="ملخص معدل", description="وصف معدل", title="عنوان آخر",
                                                   year=2030))
    assert worked_out == made
