"""The schemas editors use, the checks `python build.py check` makes with them, the messages,
and the field reference generated from them.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO, assert_clean, run

from sitegen import fieldref, pipeline
from sitegen.model import PartialDate, Problem, printable
from sitegen.project import Project
from sitegen.checking.yaml_reader import _Loader

SCHEMA_DIR = REPO / "dossier" / "schema"


def schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))

SCHEMAS = {"article": "dossier/articles/*.yml", "themes": "dossier/themes.yml", "entities": "dossier/entities.yml"}


# ---------------------------------------------------------------------------------------------
# the schemas, and the line that points editors at them

@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schemas_are_valid_json_schemas(name):
    document = json.loads((REPO / "dossier" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    from sitegen.checking.schema import Schemas

    schemas, problems = Schemas.load(SCHEMA_DIR)
    assert problems == [] and schemas.raw[name] == document  # check uses exactly the files editors use


def test_schemas_that_passed_their_checks_are_checked_again_only_once_changed(tmp_path, monkeypatch):
    from sitegen.checking import schema as schema_module

    folder = tmp_path / "schema"
    folder.mkdir()
    for name in SCHEMAS:
        (folder / f"{name}.schema.json").write_bytes((SCHEMA_DIR / f"{name}.schema.json").read_bytes())
    passed = tmp_path / ".build" / "schemas-passed"
    checked = []
    original = jsonschema.Draft202012Validator.check_schema
    monkeypatch.setattr(jsonschema.Draft202012Validator, "check_schema",
                        classmethod(lambda cls, document: (checked.append(document), original(document))))

    first, problems = schema_module.Schemas.load(folder, passed)
    assert problems == [] and len(checked) == 3 and passed.is_file()
    again, problems = schema_module.Schemas.load(folder, passed)
    assert problems == [] and len(checked) == 3, "the same schemas were checked again"
    assert (again.raw, again.digest) == (first.raw, first.digest)

    # changed bytes are checked again, and a schema that is no JSON Schema is refused as before
    themes = json.loads((folder / "themes.schema.json").read_text(encoding="utf-8"))
    themes["items"]["properties"]["id"]["type"] = "text"
    (folder / "themes.schema.json").write_text(json.dumps(themes), encoding="utf-8")
    schemas, problems = schema_module.Schemas.load(folder, passed)
    assert schemas is None and len(checked) == 6
    assert [p.message.split(":")[0] for p in problems] == ["schema file is not a valid JSON Schema at items/properties/id/type"]

    # a note another version of the checks wrote is not taken for this one's
    (folder / "themes.schema.json").write_bytes((SCHEMA_DIR / "themes.schema.json").read_bytes())
    monkeypatch.setattr(schema_module.importlib.metadata, "version", lambda name: "0.0.0")
    assert schema_module.Schemas.load(folder, passed)[1] == [] and len(checked) == 9


def test_a_note_of_passed_schemas_that_cannot_be_written_costs_only_the_time(tmp_path):
    from sitegen.checking.schema import Schemas

    passed = tmp_path / ".build" / "schemas-passed"
    passed.mkdir(parents=True)  # the note's place taken by a folder: replacing it fails
    (passed / "kept").write_text("", encoding="utf-8")
    schemas, problems = Schemas.load(SCHEMA_DIR, passed)
    assert problems == [] and schemas is not None and set(schemas.raw) == set(SCHEMAS)
    assert sorted(p.name for p in passed.parent.iterdir()) == ["schemas-passed"], "a temporary file was left"
    assert [p.name for p in passed.iterdir()] == ["kept"]


def _described(node, path=""):
    """Every property of a schema, with its node (following $ref)."""
    for name, child in node.get("properties", {}).items():
        yield f"{path}{name}", child
        target = child.get("items", child) if child.get("type") == "array" else child
        yield from _described(target, f"{path}{name}.")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_field_is_described_in_english_and_arabic(name):
    document = schema(name)
    root = document if document.get("type") == "object" else document["items"]
    for field, node in _described(root):
        assert node.get("description"), f"{name}: {field} has no description"
        assert re.search("[\u0600-\u06ff]", node.get("x-description-ar", "")), f"{name}: {field} has no Arabic description"


@pytest.mark.parametrize("name, pattern", sorted(SCHEMAS.items()))
def test_every_yaml_file_names_its_schema_for_editors(name, pattern):
    files = sorted(REPO.glob(pattern))
    assert files
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.relative_to(REPO)} does not start with the yaml-language-server line"
        target = (path.parent / match.group(1)).resolve()
        assert target == (REPO / "dossier" / "schema" / f"{name}.schema.json").resolve(), path


def test_the_repository_dossier_passes_check():
    result = run(REPO, "check")
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("dossier OK: ")


def test_the_dossier_is_valid_for_the_schemas_as_an_editor_sees_it():
    """What yaml-language-server checks: each file, parsed as plain YAML, against its schema."""
    for name, pattern in SCHEMAS.items():
        validator = jsonschema.Draft202012Validator(schema(name))
        for path in sorted(REPO.glob(pattern)):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
            errors = [e.message for e in validator.iter_errors(data)]
            assert errors == [], f"{path.relative_to(REPO)}: {errors}"


# ---------------------------------------------------------------------------------------------
# messages, in process (fast): what each rule says

def _check_files(tmp_path: Path, **files: str) -> list[str]:
    """Validate a dossier made of the repository's plus the given files; the problem lines."""
    import shutil

    dossier = tmp_path / "dossier"
    shutil.copytree(REPO / "dossier", dossier)
    (tmp_path / "templates").symlink_to(REPO / "templates")
    for name, content in files.items():
        (dossier / name.replace("__", "/")).write_text(content, encoding="utf-8")
    outcome = pipeline.generate(Project.at(tmp_path), include_drafts=True, strict_drafts=True)
    return [str(p) for p in outcome.problems]


def test_enum_message_names_the_choices(tmp_path):
    entities = (REPO / "dossier" / "entities.yml").read_text(encoding="utf-8")
    entities = entities.replace("  kind: person", "  kind: human", 1)
    line = entities.splitlines().index("  kind: human") + 1
    assert _check_files(tmp_path, **{"entities.yml": entities}) == [
        f"dossier/entities.yml:{line}:9: `[0].kind` is the text 'human'; expected one of: person, place, organization"]


def test_duplicate_theme_titles_by_spelling_variant(tmp_path):
    themes = (REPO / "dossier" / "themes.yml").read_text(encoding="utf-8")
    themes += "- id: isis-remnants-2\n  title: بقايا داعِش\n  description: وصف.\n"
    line = themes.count("\n") - 1
    assert _check_files(tmp_path, **{"themes.yml": themes}) == [
        f"dossier/themes.yml:{line}:10: theme title `بقايا داعِش` is the same as theme `isis-remnants`'s once hamza, "
        "ة/ه, ى/ي and diacritics are set aside; merge the two themes or tell them apart"]


def test_schema_errors_do_not_hide_the_other_rules(tmp_path):
    """A wrong type in one field and an unknown id in another: both reported in one run."""
    article = (REPO / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.yml").read_text(encoding="utf-8")
    article = article.replace("themes: [weapons-campaigns]", "themes: [weapon-campaigns]").replace(
        'date: "2020"', "date: [2020]", 1)
    found = _check_files(tmp_path, **{"articles__kadhimi-arms-campaign-doubts.yml": article})
    assert [line.split(": ", 1)[1] for line in found] == [
        "`date` is a list: dates are written in quotes as \"YYYY-MM-DD\", \"YYYY-MM\" or \"YYYY\" (e.g. \"2019-05-27\", \"2010-03\", \"2021\")",
        "unknown theme `weapon-campaigns`; expected one of: election-security, isis-remnants, weapons-campaigns; did "
        "you mean `weapons-campaigns`?"]


def test_one_message_per_value(tmp_path):
    """An empty title breaks minLength and pattern: only "is empty" is said."""
    article = (REPO / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.yml").read_text(encoding="utf-8")
    article = re.sub(r"(?m)^title: .*$", 'title: ""', article)
    found = _check_files(tmp_path, **{"articles__kadhimi-arms-campaign-doubts.yml": article})
    assert [line.split(": ", 1)[1] for line in found] == [
        "`title` is empty: expected the headline, in Arabic: the text's own headline when it has one"]


# ---------------------------------------------------------------------------------------------
# the model

@pytest.mark.parametrize("value, expected", [
    ("2019-05-27", (2019, 5, 27, "day")), ("2010-03", (2010, 3, 0, "month")), ("2021", (2021, 0, 0, "year")),
    ("2020-02-29", (2020, 2, 29, "day"))])
def test_partial_dates(value, expected):
    date = PartialDate.parse(value)
    assert (date.year, date.month, date.day, date.precision) == expected and date.iso == value


@pytest.mark.parametrize("value, reason", [
    ("2019-02-30", "February 2019 has 28 days"), ("2021-02-29", "February 2021 has 28 days"),
    ("2019-04-31", "April 2019 has 30 days"), ("2019-13", "there is no month 13"), ("2019-00", "there is no month 00"),
    ("0999", "the year 0999 is not plausible"), ("27/5/2019", "not a date"), ("٢٠١٩", "not a date")])
def test_impossible_partial_dates(value, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        PartialDate.parse(value)


def test_problem_is_one_printable_line():
    problem = Problem("dossier/a.yml", 3, 7, "bad\nvalue \x1b[31m\u202e")
    assert str(problem) == "dossier/a.yml:3:7: bad value \\u001b[31m\\u202e"
    assert printable("سطر\r\nثان") == "سطر ثان"


def test_github_annotation_escapes_what_github_reads_as_syntax():
    problem = Problem("dossier/articles/a,b:c.yml", 2, 5, "100% wrong\nreally")
    assert problem.github_annotation() == "::error file=dossier/articles/a%2Cb%3Ac.yml,line=2,col=5::100%25 wrong really"


def test_check_prints_no_annotations_when_all_is_well():
    result = run(REPO, "check", env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 0 and "::error" not in result.stdout


# ---------------------------------------------------------------------------------------------
# the field reference: generated from the schemas, in both places

def test_contributing_md_has_the_current_field_reference():
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert fieldref.contributing_section(REPO) in text, (
        "CONTRIBUTING.md's field reference is out of date: run `python -m sitegen.fieldref --write`")


def test_site_contributing_page_includes_the_generated_reference():
    text = (REPO / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert '--8<-- "fields.md"' in text.splitlines()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_field_reference_lists_every_field(language):
    reference = fieldref.markdown(fieldref.load_schemas(SCHEMA_DIR), language, REPO / "templates")
    for name in SCHEMAS:
        document = schema(name)
        root = document if document.get("type") == "object" else document["items"]
        for field, _ in _described(root):
            shown = re.sub(r"^(events|corrections|source\.archive)\.", r"\1[].", field)  # lists of mappings
            assert f"| `{shown}` |" in reference, f"{field} missing from the {language} reference"


def test_field_reference_is_rendered_into_the_site(built_template):
    partial = (built_template / "docs" / "_partials" / "fields.md").read_text(encoding="utf-8")
    assert partial == fieldref.markdown(fieldref.load_schemas(SCHEMA_DIR), "ar", REPO / "templates")
    page = (built_template / "site" / "contributing" / "index.html").read_text(encoding="utf-8")
    assert page.count("<table>") == 3
    assert '<code dir="ltr">sha256</code>' in page and '<code dir="ltr">events[].date</code>' in page  # code runs left to right
    assert "&lt;id&gt;" in page  # <id> in descriptions is shown, not taken for a tag
