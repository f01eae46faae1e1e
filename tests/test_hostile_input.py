"""Hostile input (issue 11): paths and names, dates and numbers, cost and robustness.

Each case breaks a private copy of the repository in one way and runs the real command line
(`python build.py check`, or `serve`) on it: one clear `path:line:column: message` per problem,
exit status 1, no traceback, nothing hangs. A few cases look inside (the entity matcher, the
schemas' caps) in process.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from browser import chromium
from conftest import REPO, TEXT, add_article, article_yaml, assert_refused, problems, run

from bench import hostile as bench_hostile  # bench/hostile.py's cases (the repository is on sys.path)
from sitegen import arabic
from sitegen.checking.schema import MAX_MESSAGES_PER_FILE

A = "dossier/articles/test-article.yml"
T = "dossier/articles/test-article.txt"
DATES = 'dates are written in quotes as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (e.g. "2019-05-27", "2010-03", "2021")'
DAY = 'a correction\'s date is the full day it was made, in quotes: "YYYY-MM-DD" (e.g. "2026-11-30")'
ID_HINT = 'ids are lowercase Latin letters, digits and single hyphens (e.g. "isis-remnants")'
RESERVED = "404, assets, cards, corrections, data, downloads, events, feed, index, map, outlets, page, robots, search, sitemap, tags, years"
LINK = "symbolic links are not allowed in the dossier: put the {} itself here"
NOT_REGULAR = "not a regular file (it is a FIFO, socket or device); the dossier holds only plain files"
INVISIBLE_TEXT = ("text is empty or only invisible characters (spaces, marks, zero-width or direction characters): an "
                  "article needs its text (did the copy fail?)")


def printed(result) -> list[str]:
    """Every `path:line:column: message` line a run printed (the dossier folder itself included)."""
    return [line for line in result.stderr.splitlines() if re.match(r"^dossier(/\S*)?:\d+:\d+: ", line)]


def refused_alone(result, *expected: str) -> list[str]:
    """check refused with exactly these problem lines: no traceback, nothing else reported."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 1, output
    lines = printed(result)
    assert sorted(lines) == sorted(expected), "printed:\n  " + "\n  ".join(lines or [output])
    return lines


def _append(repo: Path, name: str, text: str) -> int:
    """Append text to dossier/<name>; the line number its first line gets."""
    path = repo / "dossier" / name
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def _entity(entity_id: str, name: str = "مكان تجريبي", aliases: str = "[]") -> str:
    return f"- id: {entity_id}\n  name: {name}\n  kind: place\n  aliases: {aliases}\n  description: مكان للاختبار.\n"


def _entity_count(repo: Path) -> int:
    return sum(1 for line in (repo / "dossier" / "entities.yml").read_text(encoding="utf-8").splitlines()
               if line.startswith("- id:"))


# ---------------------------------------------------------------------------------------------
# paths: symbolic links anywhere in dossier/, and dossier/ itself

def test_a_dossier_that_is_a_symbolic_link_is_refused(repo):
    dossier = repo / "dossier"
    dossier.rename(repo / "dossier-elsewhere")
    dossier.symlink_to(repo / "dossier-elsewhere", target_is_directory=True)
    refused_alone(run(repo, "check"), "dossier:1:1: the dossier folder is a symbolic link: nothing outside the "
                                      "repository is read into the site; put the dossier itself here")


def test_a_symbolic_link_to_a_folder_under_articles_is_refused_and_not_followed(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("نص من خارج المستودع\n", encoding="utf-8")
    (outside / "secret.yml").write_text("title: x\n", encoding="utf-8")
    (repo / "dossier" / "articles" / "more").symlink_to(outside, target_is_directory=True)
    refused_alone(run(repo, "check"), f"dossier/articles/more:1:1: {LINK.format('folder')}")


def test_a_symbolic_link_inside_a_real_subfolder_is_refused(repo, tmp_path):
    (tmp_path / "secret.txt").write_text("سر\n", encoding="utf-8")
    folder = repo / "dossier" / "articles" / "extra"
    folder.mkdir()
    (folder / "deep").mkdir()
    (folder / "deep" / "secret.txt").symlink_to(tmp_path / "secret.txt")
    refused_alone(run(repo, "check"), f"dossier/articles/extra/deep/secret.txt:1:1: {LINK.format('file')}")


def test_symbolic_links_in_the_schema_folder_are_refused(repo):
    schema = repo / "dossier" / "schema"
    (schema / "copy.schema.json").symlink_to(schema / "themes.schema.json")
    # a schema the check reads, replaced by a link: reported once, by the load stage and the schemas alike
    real = schema / "entities.schema.json"
    real.rename(repo / "entities.schema.json")
    real.symlink_to(repo / "entities.schema.json")
    refused_alone(run(repo, "check"), f"dossier/schema/copy.schema.json:1:1: {LINK.format('file')}",
                  f"dossier/schema/entities.schema.json:1:1: {LINK.format('file')}")


def test_a_themes_file_that_is_a_symbolic_link_is_refused(repo):
    themes = repo / "dossier" / "themes.yml"
    themes.rename(repo / "themes.yml")
    themes.symlink_to(repo / "themes.yml")
    refused_alone(run(repo, "check"), f"dossier/themes.yml:1:1: {LINK.format('file')}")


# ---------------------------------------------------------------------------------------------
# ids and URLs are whole strings: `$` lets no trailing newline through

def test_a_theme_id_with_a_trailing_newline_is_refused_once(repo):
    themes = repo / "dossier" / "themes.yml"
    text = themes.read_text(encoding="utf-8")
    themes.write_text(text.replace("- id: isis-remnants\n", '- id: "isis-remnants\\n"\n'), encoding="utf-8")
    line = text.splitlines().index("- id: isis-remnants") + 1
    # the articles that name isis-remnants are not reported too: the mistake is in themes.yml
    refused_alone(run(repo, "check"), f"dossier/themes.yml:{line}:7: `[1].id` is the text 'isis-remnants\\n': {ID_HINT}")


def test_an_entity_id_with_a_trailing_newline_is_refused(repo):
    line = _append(repo, "entities.yml", _entity('"new-place\\n"'))
    refused_alone(run(repo, "check"),
                  f"dossier/entities.yml:{line}:7: `[{_entity_count(repo) - 1}].id` is the text 'new-place\\n': {ID_HINT}")


def test_an_article_naming_a_theme_with_a_trailing_newline_is_refused(repo):
    add_article(repo, themes='["isis-remnants\\n"]')
    refused_alone(run(repo, "check"), f"{A}:6:10: `themes[0]` is the text 'isis-remnants\\n': {ID_HINT}")


def test_a_source_url_with_a_trailing_newline_is_refused(repo):
    add_article(repo, source='\n  outlet: "x"\n  url: "https://www.example.org/news/1\\n"')
    refused_alone(run(repo, "check"), f"{A}:6:8: `source.url` must be a web address starting with http:// or https://, "
                                      "found the text 'https://www.example.org/news/1\\n'")


# ---------------------------------------------------------------------------------------------
# ids that would overwrite a page the generator writes

@pytest.mark.parametrize("reserved", ["index", "search", "assets", "tags", "404"])
def test_a_reserved_theme_id_is_refused(repo, reserved):
    line = _append(repo, "themes.yml", f'- id: "{reserved}"\n  title: محور جديد\n  description: وصف.\n')
    refused_alone(run(repo, "check"), f"dossier/themes.yml:{line}:7: theme id `{reserved}` is reserved: the site has a "
                                      "page of that name of its own, which one of the two would overwrite; choose "
                                      f"another id (reserved: {RESERVED})")


@pytest.mark.parametrize("reserved", ["index", "search", "404"])
def test_a_reserved_entity_id_is_refused(repo, reserved):
    line = _append(repo, "entities.yml", _entity(f'"{reserved}"'))
    refused_alone(run(repo, "check"), f"dossier/entities.yml:{line}:7: entity id `{reserved}` is reserved: the site has "
                                      "a page of that name of its own, which one of the two would overwrite; choose "
                                      f"another id (reserved: {RESERVED})")


@pytest.mark.parametrize("reserved", ["index", "tags", "404"])
def test_a_reserved_article_file_name_is_refused(repo, reserved):
    add_article(repo, article_id=reserved)
    refused_alone(run(repo, "check"), f"dossier/articles/{reserved}.yml:1:1: article id `{reserved}` is reserved: the "
                                      "site has a page of that name of its own, which one of the two would overwrite; "
                                      "rename both files")


# ---------------------------------------------------------------------------------------------
# texts, names and aliases that show nothing or would match everywhere

@pytest.mark.parametrize("content", [
    " \u00a0\u3000\n\t\n", "\u200b\u200c\u200d\u2060\ufeff\n", "\u064e\u0651\u0652\u0670\n", "\u200f\u200e\u061c\u2067\u2069\n",
    "\u0640\u0640\u0640\n", "\u3164\u115f\u2800\n"],
    ids=["spaces", "zero-width", "marks", "bidi-marks", "tatweel", "blank-letters"])
def test_a_text_of_only_invisible_characters_is_refused(repo, content):
    add_article(repo, text=content)
    refused_alone(run(repo, "check"), f"{T}:1:1: {INVISIBLE_TEXT}")


SHOWS_NOTHING = ("shows nothing: it is empty or only invisible characters (spaces, marks, zero-width or direction "
                 "characters)")
NO_LETTERS = ("has no letters (only digits, punctuation or Arabic presentation forms, which a text never uses for its "
              "words): write the name in ordinary Arabic letters")
STOP_WORD = ("is an Arabic stop word, which every text uses: as an alias it would link every article to this entity; "
             "remove it")


@pytest.mark.parametrize("written, shown, why", [
    ('"\\u200B\\u200D"', "'\\u200b\\u200d'", SHOWS_NOTHING),
    ('"\\u064E\\u0651"', "'\u064e\u0651'", SHOWS_NOTHING),
    ('"ـــ"', "'ـــ'", SHOWS_NOTHING),
    ('"\ufe8d\ufedf\ufe92\ufebc\ufeae\ufe93"', "'\ufe8d\ufedf\ufe92\ufebc\ufeae\ufe93'", NO_LETTERS),  # البصرة as glyphs
    ('"\ufb50\ufdf2"', "'\ufb50\ufdf2'", NO_LETTERS),
    ('"2019 - !"', "'2019 - !'", NO_LETTERS),
], ids=["zero-width", "marks", "tatweel", "presentation-forms-fe70", "presentation-forms-fb50", "digits-and-punctuation"])
def test_an_entity_name_that_names_nothing_is_refused(repo, written, shown, why):
    line = _append(repo, "entities.yml", _entity("new-place", name=written))
    refused_alone(run(repo, "check"), f"dossier/entities.yml:{line + 1}:9: `[{_entity_count(repo) - 1}].name` {shown} {why}")


@pytest.mark.parametrize("alias, shown, why", [
    ("في", "'في'", STOP_WORD), ("إلى", "'إلى'", STOP_WORD), ('"عَلى"', "'عَلى'", STOP_WORD), ("هذه", "'هذه'", STOP_WORD),
    ('"\\u200B\\u2060"', "'\\u200b\\u2060'", SHOWS_NOTHING), ('"\ufee3\ufedc\ufe8e\ufee5"', "'\ufee3\ufedc\ufe8e\ufee5'", NO_LETTERS),
    ("٢٠١٩", "'٢٠١٩'", NO_LETTERS),
], ids=["fi", "ila", "ala-with-a-mark", "hadhihi", "zero-width", "presentation-forms", "arabic-digits"])
def test_an_alias_that_would_match_everywhere_or_nothing_is_refused(repo, alias, shown, why):
    line = _append(repo, "entities.yml", _entity("new-place", aliases=f"[مكان آخر, {alias}]"))
    refused_alone(run(repo, "check"),
                  f"dossier/entities.yml:{line + 3}:23: `[{_entity_count(repo) - 1}].aliases[1]` {shown} {why}")


# ---------------------------------------------------------------------------------------------
# entity matching: a name's own first letters are never taken for particles

def _entity_spellings() -> dict[str, list[str]]:
    import yaml

    entities = yaml.safe_load((REPO / "dossier" / "entities.yml").read_text(encoding="utf-8"))
    return {e["id"]: [e["name"], *e["aliases"]] for e in entities}


def test_a_name_that_begins_like_a_particle_matches_no_unrelated_word(monkeypatch):
    """منظمة بدر (the Badr Organization) used to match منظمة الدر, "the Pearl Organization": the
    old rule read the name's بدر as ب + در just as it reads a text's words, and الدر is ال + در.
    Likewise برهم صالح matched رهم صالح ("good drizzle"), ر+هم being read off the name's برهم.
    Now only the text's words lose their particles: ولمنظمة بدر, لبغداد and بالبصرة still match."""
    spellings = _entity_spellings()
    unrelated = {"أعلنت منظمة الدر الخيرية توزيع مساعدات": "badr-organization",
                 "هطل رهم صالح للزراعة": "barham-salih"}
    prefixed = {"وقال قيادي في ولمنظمة بدر إن": "badr-organization", "وصل الوفد لبغداد أمس": "baghdad",
                "انفجار بالبصرة صباحا": "basra", "التقى وبرهم صالح": "barham-salih", "وفي البصرة": "basra",
                "من ومنظمة بدر": "badr-organization", "فبغداد آمنة": "baghdad"}

    def keys(matcher, text):
        return [key for _, _, key in matcher.find(text)]

    matcher = arabic.Matcher(spellings)
    for text, key in unrelated.items():
        assert key not in keys(matcher, text), text
    for text, key in prefixed.items():
        assert keys(matcher, text) == [key], text
    # The old rule (a name's words read with their particles removed, like a text's) did match them:
    # this is what the test guards against.
    monkeypatch.setattr(arabic, "name_forms", arabic.stems)
    old = arabic.Matcher(spellings)
    for text, key in unrelated.items():
        assert key in keys(old, text), text


def test_names_that_share_their_first_word_are_each_found():
    """Thousands of names beginning with وزارة, each mentioned once: every mention is found as the
    name it is (the matcher keeps the names as a tree of words, so that a mention costs a few
    look-ups rather than a comparison with every name that starts alike; bench/hostile.py times it)."""
    spellings = {f"e{i}": [f"وزارة {bench_word(i)} {bench_word(i + 7)}"] for i in range(3000)}
    matcher = arabic.Matcher(spellings)
    text = " ".join(f"قالت وزارة {bench_word(i)} {bench_word(i + 7)} إن" for i in range(3000))
    found = matcher.find(text)
    assert [key for _, _, key in found] == [f"e{i}" for i in range(3000)]
    assert text[found[5][0]:found[5][1]] == f"وزارة {bench_word(5)} {bench_word(12)}"


def bench_word(index: int) -> str:
    return bench_hostile._word(index)


# ---------------------------------------------------------------------------------------------
# dates: quoted ISO dates only; YAML 1.1 numbers are named as what was written

@pytest.mark.parametrize("written, read", [
    ("0x7E5", ", which YAML reads as the number 2021"), ("0o3745", ""), ("03745", ", which YAML reads as the number 2021"),
    ("33:41", ", which YAML reads as the number 2021"), ("2_021", ", which YAML reads as the number 2021"),
    ("2021", ', which YAML reads as the number 2021: {dates}; put it in quotes: "2021"'),
    ("2019-05-03", ': {dates}; put it in quotes: "2019-05-03"'), ("2019-05", ': {dates}; put it in quotes: "2019-05"'),
], ids=["hexadecimal", "octal-0o", "octal-0", "base-60", "underscores", "year", "day", "month"])
def test_an_unquoted_article_date_is_refused_saying_what_was_written(repo, written, read):
    add_article(repo, date=written)
    ending = read.format(dates=DATES) if "{dates}" in read else f"{read}: {DATES}"
    refused_alone(run(repo, "check"), f"{A}:3:7: `date` is {written} without quotes{ending}")


@pytest.mark.parametrize("written, ending", [
    ("0x7E3", f", which YAML reads as the number 2019: {DATES}"),
    ("2019-05-26", f': {DATES}; put it in quotes: "2019-05-26"'),
])
def test_an_unquoted_event_date_is_refused(repo, written, ending):
    add_article(repo, events=f'\n  - date: {written}\n    title: "انتشار القوات في الأنبار"\n    attribution: outlet')
    refused_alone(run(repo, "check"), f"{A}:10:11: `events[0].date` is {written} without quotes{ending}")


@pytest.mark.parametrize("written, ending", [
    ("2024-05-14", f': {DAY}; put it in quotes: "2024-05-14"'),
    ("2024-05", f": {DAY}"),
    ("33:44", f", which YAML reads as the number 2024: {DAY}"),
])
def test_an_unquoted_correction_date_is_refused(repo, written, ending):
    add_article(repo, yaml_text=article_yaml() + f'corrections:\n  - date: {written}\n    text: "تصحيح."\n')
    refused_alone(run(repo, "check"), f"{A}:14:11: `corrections[0].date` is {written} without quotes{ending}")


# ---------------------------------------------------------------------------------------------
# cost: every list and string is capped, and hostile sizes give a screenful of messages

def _strings_and_lists(node, path="#"):
    if isinstance(node, dict):
        if node.get("type") in ("string", "array"):
            yield path, node
        for key, value in node.items():
            if key not in ("examples", "enum", "const", "default"):
                yield from _strings_and_lists(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings_and_lists(value, f"{path}/{index}")


def _bounded_pattern(pattern: str) -> bool:
    """A pattern anchored at both ends with no unbounded repetition matches only short texts."""
    return pattern.startswith("^") and pattern.endswith("$") and not any(c in pattern for c in "*+") \
        and ",}" not in pattern


@pytest.mark.parametrize("name", ["article", "themes", "entities"])
def test_every_list_and_string_of_the_schemas_is_capped(name):
    document = json.loads((REPO / "dossier" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
    for path, node in _strings_and_lists(document):
        if node["type"] == "array":
            assert isinstance(node.get("maxItems"), int), f"{name}: {path} has no maxItems"
        else:
            assert isinstance(node.get("maxLength"), int) or _bounded_pattern(node.get("pattern", "")), \
                f"{name}: {path} has no maxLength"


def test_the_caps_of_themes_entities_and_aliases():
    themes = json.loads((REPO / "dossier" / "schema" / "themes.schema.json").read_text(encoding="utf-8"))
    entities = json.loads((REPO / "dossier" / "schema" / "entities.schema.json").read_text(encoding="utf-8"))
    assert themes["maxItems"] == 100 and entities["maxItems"] == 5000
    assert entities["items"]["properties"]["aliases"]["maxItems"] == 50


def _hostile(case: str):
    return bench_hostile.CASES[case][0]


@pytest.mark.parametrize("case, n", [("mixed-items", 700), ("hide-lines", 300), ("unknown-ids", 400),
                                     ("long-quotes", 250)])
def test_hostile_sizes_finish_with_a_bounded_number_of_messages(repo, case, n):
    """The inputs of bench/hostile.py, past the schema's caps: check ends (well inside the
    timeout) and says at most MAX_MESSAGES_PER_FILE things about any one file, then how many more."""
    _hostile(case)(repo / "dossier", n)
    started = time.monotonic()
    result = run(repo, "check", timeout=240)
    assert_refused(result)
    per_file: dict[str, list[str]] = {}
    for line in problems(result):
        per_file.setdefault(line.split(":", 1)[0], []).append(line)
    assert per_file
    for path, lines in per_file.items():
        assert len(lines) <= MAX_MESSAGES_PER_FILE + 1, f"{path}: {len(lines)} messages"
        if len(lines) == MAX_MESSAGES_PER_FILE + 1:
            assert any(": … and " in line and "more problems in this file" in line for line in lines), lines[:3]
    print(f"{case} n={n}: {time.monotonic() - started:.1f} s, {len(problems(result))} lines")


def test_too_many_items_are_said_once_and_not_checked_one_by_one(repo):
    add_article(repo, hide_lines="[" + ", ".join(f'"سطر {i}"' for i in range(250)) + "]")
    result = run(repo, "check")
    printed = problems(result)
    assert f"{A}:13:13: `hide_lines` has 250 items; at most 200 are allowed (Optional: exact lines of the text that are " \
           "page furniture (a view counter, a photo credit, a font-size widget), not prose. The text file itself is " \
           "never changed)" in printed, printed
    assert not any("hide_lines[200]" in line for line in printed)  # past the cap, items are not looked at
    assert printed[0] == f"{A}:1:1: … and 151 more problems in this file; fix the ones above first"


def test_did_you_mean_among_thousands_of_entities(repo):
    """With more entities than are compared one by one, the suggestion comes from an index."""
    names = "".join(_entity(f"place-number-{i}", name=f"مكان {bench_word(i)}") for i in range(400))
    _append(repo, "entities.yml", names)
    add_article(repo, entities="[place-numbr-123, bagdad]")
    refused_alone(run(repo, "check"),
                  f"{A}:8:12: unknown entity `place-numbr-123`: add it to dossier/entities.yml or correct the id; did "
                  "you mean `place-number-123`?",
                  f"{A}:8:29: unknown entity `bagdad`: add it to dossier/entities.yml or correct the id; did you mean "
                  "`baghdad`?")


# ---------------------------------------------------------------------------------------------
# schema files: a broken one is a clear problem, never a traceback

def test_a_missing_schema_file(repo):
    (repo / "dossier" / "schema" / "entities.schema.json").unlink()
    refused_alone(run(repo, "check"), "dossier/schema/entities.schema.json:1:1: missing schema file: the dossier cannot "
                                      "be checked without it (restore it from version control)")


def test_a_schema_file_that_is_not_json_is_located(repo):
    path = repo / "dossier" / "schema" / "themes.schema.json"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if '"minItems": 1,' in line)
    lines[index] = lines[index].replace('"minItems": 1,', '"minItems": 1,,')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    column = lines[index].index(",,") + 2
    refused_alone(run(repo, "check"), f"dossier/schema/themes.schema.json:{index + 1}:{column}: schema file is not "
                                      "valid JSON: Expecting property name enclosed in double quotes")


@pytest.mark.parametrize("change, message", [
    (lambda s: s["items"]["properties"]["id"].update(type="text"),
     "schema file is not a valid JSON Schema at items/properties/id/type: 'text' is not valid under any of the given "
     "schemas"),
    (lambda s: s["items"]["properties"]["id"].update(pattern="[a-"),
     "schema file is not a valid JSON Schema at items/properties/id/pattern: '[a-' is not a 'regex'"),
    (lambda s: s["items"]["properties"]["id"].update({"$ref": "#/$defs/nothing"}),
     "schema file cannot be used: `$ref` '#/$defs/nothing' at items/properties/id points to nothing in this file"),
    (lambda s: s["items"]["properties"]["id"].update({"$ref": "https://example.invalid/id.json"}),
     "schema file cannot be used: `$ref` 'https://example.invalid/id.json' at items/properties/id points outside this "
     "file; check reads only dossier/schema/, so refer to this file's own definitions (e.g. \"#/$defs/id\")"),
    (lambda s: s.update({"$defs": {"loop": {"$ref": "#/$defs/loop"}}, "items": {"$ref": "#/$defs/loop"}}),
     "schema file cannot be used: `$ref` '#/$defs/loop' at $defs/loop refers back to itself; the dossier's schemas "
     "are not recursive"),
    (lambda s: s["items"]["properties"]["id"].update({"$ref": "#/items/required/0"}),
     "schema file cannot be used: `$ref` '#/items/required/0' at items/properties/id points to the text 'id', not to a "
     "schema"),
    (lambda s: s["items"]["properties"]["title"].update({"$ref": "#"}),
     "schema file cannot be used: `$ref` '#' at items/properties/title refers back to itself; the dossier's schemas "
     "are not recursive"),
], ids=["unknown-type", "bad-regex", "ref-to-nothing", "remote-ref", "ref-loop", "ref-to-text", "ref-to-the-top"])
def test_a_schema_file_that_is_not_a_valid_json_schema(repo, change, message):
    path = repo / "dossier" / "schema" / "themes.schema.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    refused_alone(run(repo, "check"), f"dossier/schema/themes.schema.json:1:1: {message}")


def test_a_schema_file_that_is_a_fifo_does_not_hang_the_check(repo):
    path = repo / "dossier" / "schema" / "article.schema.json"
    path.unlink()
    os.mkfifo(path)
    refused_alone(run(repo, "check", timeout=60), f"dossier/schema/article.schema.json:1:1: {NOT_REGULAR}")


# ---------------------------------------------------------------------------------------------
# messages: bytes that are not UTF-8, files of the wrong shape, special files

def test_a_stray_byte_in_utf8_arabic_is_invalid_utf8_at_its_offset_not_windows_1256(repo):
    add_article(repo)
    yml = repo / A
    raw = yml.read_bytes()
    at = raw.index("العربي".encode("utf-8"))
    yml.write_bytes(raw[:at] + b"\xc7" + raw[at:])  # ا in Windows-1256, alone in a UTF-8 file
    line = raw[:at].count(b"\n") + 1
    column = len(raw[:at].decode("utf-8").rsplit("\n", 1)[-1]) + 1
    refused_alone(run(repo, "check"), f"{A}:{line}:{column}: file is invalid UTF-8: byte 0xc7 at offset {at:,} is not "
                                      "valid UTF-8 (the rest of the file is UTF-8: a stray or cut character, perhaps "
                                      "from a copy or a bad conversion); delete or retype the character there")


def test_a_cut_character_in_a_text_is_invalid_utf8_at_its_offset(repo):
    raw = TEXT.encode("utf-8")
    at = raw.index("بغداد".encode("utf-8"))
    add_article(repo, text=raw[:at] + raw[at:at + 1] + raw[at + 2:])  # the first byte of ب without the second
    column = len(TEXT.splitlines()[1].split("بغداد")[0]) + 1
    refused_alone(run(repo, "check"), f"{T}:2:{column}: text file is invalid UTF-8: byte 0xd8 at offset {at:,} is not valid "
                                      "UTF-8 (the rest of the file is UTF-8: a stray or cut character, perhaps from a "
                                      "copy or a bad conversion); delete or retype the character there")


def test_a_themes_file_that_is_a_mapping_gives_one_message(repo):
    (repo / "dossier" / "themes.yml").write_text("id: isis-remnants\ntitle: بقايا داعش\ndescription: وصف.\n",
                                                  encoding="utf-8")
    refused_alone(run(repo, "check"), "dossier/themes.yml:1:1: the file should be a list (dossier themes), found a "
                                      "mapping (field: value)")


def test_an_entities_file_that_is_a_scalar_gives_one_message(repo):
    (repo / "dossier" / "entities.yml").write_text("بغداد والبصرة\n", encoding="utf-8")
    refused_alone(run(repo, "check"), "dossier/entities.yml:1:1: the file should be a list (dossier entities), found the "
                                      "text 'بغداد والبصرة'")


def test_a_themes_file_with_no_themes_gives_one_message(repo):
    (repo / "dossier" / "themes.yml").write_text("[]\n", encoding="utf-8")
    refused_alone(run(repo, "check"), "dossier/themes.yml:1:1: the file needs at least 1 item(s) (dossier/themes.yml: "
                                      "the themes articles are grouped by, in the order the site lists them)")


def test_an_article_that_is_a_list_gives_one_message(repo):
    add_article(repo, yaml_text="- title: عنوان\n- date: \"2019\"\n- themes: [nope]\n- entities: [nobody]\n")
    refused_alone(run(repo, "check"), f"{A}:1:1: the file should be a mapping (field: value) (dossier article "
                                      "metadata), found a list")


def test_a_fifo_among_the_articles_is_refused_without_hanging(repo):
    os.mkfifo(repo / "dossier" / "articles" / "x.txt")
    refused_alone(run(repo, "check", timeout=60), f"dossier/articles/x.txt:1:1: {NOT_REGULAR}")


def test_a_fifo_as_the_themes_file_is_refused_without_hanging(repo):
    themes = repo / "dossier" / "themes.yml"
    themes.unlink()
    os.mkfifo(themes)
    refused_alone(run(repo, "check", timeout=60), f"dossier/themes.yml:1:1: {NOT_REGULAR}")


# ---------------------------------------------------------------------------------------------
# serve: the same problems as check, in the terminal and on the page, and it recovers

def _banner(base: str) -> list[str]:
    from test_serve import _get

    script = _get(base + "_dossier-serve/problems.js").strip()
    prefix = "window.dossierServeProblems = "
    assert script.startswith(prefix) and script.endswith(";"), script
    return [item["problem"] for item in json.loads(script[len(prefix):-1])]


def _banner_showing(base: str, check):
    """A check for Serve.until: the problems the preview's banner lists, once check accepts them."""
    def ready():
        try:
            shown = _banner(base)
        except OSError:
            return None
        return shown if check(shown) else None
    return ready


def test_serve_shows_hostile_input_as_check_does_and_recovers(repo):
    from test_serve import Serve, _get
    from test_bad_input import billion_laughs

    articles = repo / "dossier" / "articles"
    yml = articles / "2010-election-results-alert.yml"
    shown = "dossier/articles/2010-election-results-alert.yml"
    good = yml.read_text(encoding="utf-8")
    outlet_line = good.splitlines().index("  outlet: وكالة أنباء براثا") + 1
    raw = good.encode("utf-8")
    stray = raw.index("بغداد".encode("utf-8"))
    stray_line = raw[:stray].count(b"\n") + 1
    stray_column = len(raw[:stray].decode("utf-8").rsplit("\n", 1)[-1]) + 1

    def restore(marker: str) -> None:
        yml.write_text(good.replace("مثل الأعظمية والعامرية.", f"مثل الأعظمية والعامرية. {marker}"), encoding="utf-8")

    breaks = [
        ("tab", lambda: yml.write_text(good.replace("\n  outlet:", "\n\toutlet:"), encoding="utf-8"),
         f"{shown}:{outlet_line}:1: YAML does not parse: found character '\\t' that cannot start any token"),
        ("alias bomb", lambda: yml.write_text(billion_laughs(), encoding="utf-8"),
         f"{shown}:2:8: YAML alias `*a` is not allowed in the dossier"),
        ("invalid UTF-8", lambda: yml.write_bytes(raw[:stray] + b"\xff" + raw[stray:]),
         f"{shown}:{stray_line}:{stray_column}: file is invalid UTF-8: byte 0xff at offset {stray:,} is not valid "
         "UTF-8"),
        ("FIFO", lambda: os.mkfifo(articles / "x.txt"), f"dossier/articles/x.txt:1:1: {NOT_REGULAR}"),
    ]
    server = Serve(repo)
    try:
        page = server.base + "articles/2010-election-results-alert/"
        server.shows(page, "مستنفرة", seconds=180)
        server.up()  # the preview's own pages (until then, the last build's are shown)
        assert "_dossier-serve/problems.js" in _get(page)  # every page of the preview loads the banner's script
        banner_clear = _banner_showing(server.base, lambda found: found == [])
        server.until(banner_clear, "the banner empty", 90)
        for number, (name, breaking, expected) in enumerate(breaks):
            seen = len(server.lines)
            breaking()
            line = server.wait_for_output(expected, seconds=90, after=seen)
            assert "Traceback" not in server.output, server.output
            listed = server.until(_banner_showing(server.base, lambda found: any(expected in p for p in found)),
                                  f"{expected!r} in the banner", 90)
            assert any(p in line for p in listed if expected in p), (name, line, listed)  # the same line as printed
            if number == 0:  # and a reader of the preview sees it on the page, in a real browser
                with chromium(width=390, height=844) as driver:
                    driver.get(page)
                    alert = driver.execute_script("""
                        const box = document.querySelector('section[role=alert]');
                        return box && box.getClientRects().length ? box.innerText : null;""")
                assert alert and expected in alert and "problem(s) in the dossier" in alert, alert
            marker = f"علامة-{number}"
            if name == "FIFO":
                (articles / "x.txt").unlink()
            restore(marker)
            server.shows(page, marker, seconds=90)
            server.until(banner_clear, "the banner empty", 90)
        assert server.process.poll() is None
    finally:
        output = server.stop()
    assert "Traceback" not in output, output
