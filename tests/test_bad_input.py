"""Bad input: each case gets one clear `path:line:column: message` and nothing is lost.

Every case runs the real command line (`build`) in a private, already built copy of the
repository, and asserts: exit status 1; the exact problem line (the field, what
was expected, a hint where one helps); no Python traceback; and every file of the repository
(site/, docs/, dossier/, ...) byte-identical before and after, with no temporary build
folder left behind. `check` and `build` are run side by side on a dossier with a problem of
each kind at once: the same lines, in the same order, and nothing written by either.
"""
from __future__ import annotations

import hashlib
import time
import urllib.parse

import pytest
from conftest import (FIELDS, SCHEMA_LINE, TEXT, add_article, article_yaml, assert_refused, leftovers, problems,
                      run, run_several, shown, snapshot)

from sitegen.characters import describe  # noqa: E402

DELETE_IT = "delete it (it is invisible in review and is never part of a dossier value)"

A = "dossier/articles/test-article.yml"
T = "dossier/articles/test-article.txt"
DATES = 'dates are written in quotes as "YYYY-MM-DD", "YYYY-MM" or "YYYY" (e.g. "2019-05-27", "2010-03", "2021")'


def refused_by_build(repo, *expected, env=None):
    """build refuses with the expected lines, and nothing in the repo changes. `check` reads and
    reports through the same code: test_check_prints_what_build_refuses_with runs both on a
    dossier with a problem of each kind at once (a `check` for every case here cost 100 commands)."""
    before = snapshot(repo)
    result = run(repo, "build", env=env)
    assert_refused(result, *expected)
    assert result.stderr.rstrip().endswith("nothing was written."), result.stderr
    assert snapshot(repo) == before, "`build` changed files"
    assert leftovers(repo) == [], f"`build` left {leftovers(repo)} in .build/"
    return result


# ---------------------------------------------------------------------------------------------
# YAML

def test_yaml_that_does_not_parse(repo):
    add_article(repo, summary='"ملخص بلا علامة إغلاق')
    refused_by_build(repo, f"{A}:7:10: YAML does not parse: expected <block end>, but found '<scalar>' (while parsing "
                           "a block mapping) at line 10, column 13, because the quote opened here is not closed on its "
                           "line, so what follows was read as part of the value; close the quote")


def test_yaml_with_an_unclosed_bracket(repo):
    add_article(repo, themes="[isis-remnants")
    refused_by_build(repo, f"{A}:6:9: YAML does not parse: expected ',' or ']', but got ':' (while parsing a flow "
                           "sequence) at line 7, column 8, because the bracket opened here is not closed on its line, so "
                           "what follows was read as part of the value; close the bracket")


def test_yaml_colon_in_an_unquoted_value(repo):
    add_article(repo, title="الخبر: عنوان")
    refused_by_build(repo, f"{A}:2:13: YAML does not parse: mapping values are not allowed here; a value containing "
                           "`: ` must be put in quotes")


def test_yaml_indented_with_a_tab(repo):
    add_article(repo, yaml_text=article_yaml().replace("  outlet", "\toutlet"))
    refused_by_build(repo, f"{A}:5:1: YAML does not parse: found character '\\t' that cannot start any token (while "
                           "scanning for the next token); indent with spaces, not tabs")


def test_field_of_the_wrong_type(repo):
    add_article(repo, themes="isis-remnants")
    refused_by_build(repo, f"{A}:6:9: `themes` should be a list (One or more theme ids from dossier/themes.yml), found "
                           "the text 'isis-remnants'; write a list, e.g. [isis-remnants]")


def test_yes_no_read_as_true_false(repo):
    add_article(repo, title="no")
    refused_by_build(repo, f"{A}:2:8: `title` should be text (The headline, in Arabic: the text's own headline when it "
                           "has one), found false (true/false); put the value in quotes to make it text (YAML reads "
                           "yes/no/on/off as true/false)")


def test_empty_required_text(repo):
    add_article(repo, summary='""')
    refused_by_build(repo, f"{A}:7:10: `summary` is empty: expected one to three Arabic sentences by the curator")


def test_missing_required_field(repo):
    add_article(repo, summary=None)
    refused_by_build(repo, f"{A}:2:1: missing required field `summary` (One to three Arabic sentences by the curator)")


def test_missing_sha256_says_what_to_write(repo):
    add_article(repo, sha256=None)
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    refused_by_build(repo, f"{A}:2:1: missing required field `sha256`: add `sha256: {digest}`, the SHA-256 of "
                           "test-article.txt, so that a changed text is noticed")


def test_unknown_field_suggests_the_right_one(repo):
    add_article(repo, sumary='"x"')
    refused_by_build(repo, f"{A}:13:1: unknown field `sumary`; did you mean `summary`? Expected one of: title, date, "
                           "date_note, source, themes, summary, entities, events, related, hide_lines, corrections, sha256, draft")


def test_field_written_twice(repo):
    add_article(repo, yaml_text=article_yaml() + 'title: "مرة ثانية"\n')
    refused_by_build(repo, f"{A}:13:1: field `title` is written twice (first on line 2); keep one: YAML would "
                           "silently use the last")


def test_empty_yaml_file(repo):
    add_article(repo, yaml_text="")
    refused_by_build(repo, f"{A}:1:1: the file is empty: expected dossier article metadata, one `field: value` per line")


def test_yaml_list_instead_of_mapping(repo):
    add_article(repo, yaml_text=f"{SCHEMA_LINE}\n- title\n- date\n")
    refused_by_build(repo, f"{A}:2:1: the file should be a mapping (field: value) (dossier article metadata), found a list")


def test_control_character_in_yaml(repo):
    add_article(repo, title='"a\x07b"')
    refused_by_build(repo, f"{A}:2:10: YAML does not parse: the character U+0007 is not allowed in YAML (an "
                           "invisible control character, probably pasted by accident); delete it")


def test_python_tags_are_refused_and_never_executed(repo):
    add_article(repo, title='!!python/object/apply:os.system ["touch PWNED"]',
                summary='!!python/object/new:subprocess.Popen [["touch", "PWNED2"]]')
    refused_by_build(repo,
                     f"{A}:2:8: YAML tag `!!python/object/apply:os.system` is not allowed: the dossier holds only plain "
                     "text, numbers, true/false, lists and mappings (nothing in it is ever run)",
                     f"{A}:7:10: YAML tag `!!python/object/new:subprocess.Popen` is not allowed: the dossier holds only "
                     "plain text, numbers, true/false, lists and mappings (nothing in it is ever run)")
    assert not (repo / "PWNED").exists() and not (repo / "PWNED2").exists()


def test_other_explicit_tags_are_refused(repo):
    add_article(repo, date='!!timestamp "2019-05-27"')
    refused_by_build(repo, f"{A}:3:7: YAML tag `!!timestamp` is not allowed: the dossier holds only plain text, numbers, "
                           "true/false, lists and mappings (nothing in it is ever run)")


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, previous = chr(97 + level), chr(96 + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_within_a_second(repo):
    add_article(repo, yaml_text=billion_laughs())
    started = time.monotonic()
    result = run(repo, "check")
    assert time.monotonic() - started < 10  # the whole process, Python's start-up included
    assert_refused(result, f"{A}:2:8: YAML alias `*a` is not allowed in the dossier: write the value out in full "
                           "(aliases can make a small file expand without limit)")
    refused_by_build(repo, f"{A}:2:8: YAML alias `*a` is not allowed in the dossier: write the value out in full "
                           "(aliases can make a small file expand without limit)")


def test_yaml_alias_bomb_is_refused_in_well_under_a_second_in_process(tmp_path):
    from sitegen.checking import load

    path = tmp_path / "dossier" / "articles" / "bomb.yml"
    path.parent.mkdir(parents=True)
    path.write_text(billion_laughs(), encoding="utf-8")
    found = []
    started = time.monotonic()
    assert load.read_yaml(path, tmp_path / "dossier", found) is None
    assert time.monotonic() - started < 1.0
    assert [str(p) for p in found] == ["dossier/articles/bomb.yml:2:8: YAML alias `*a` is not allowed in the dossier: "
                                       "write the value out in full (aliases can make a small file expand without limit)"]


def test_deep_nesting_is_refused(repo):
    add_article(repo, yaml_text="title: " + "[" * 1000 + "]" * 1000 + "\n")
    refused_by_build(repo, f"{A}:1:27: lists and mappings are nested more than 20 levels deep; the dossier's files "
                           "need four at most")


def test_absurdly_long_number(repo):
    add_article(repo, title="1" + "0" * 5000)
    refused_by_build(repo, f"{A}:1:1: YAML could not be read: a value cannot be read as a number (Exceeds the limit "
                           "(4300 digits) for integer string conversion: value has 5001 digits); put it in quotes if it is text")


# ---------------------------------------------------------------------------------------------
# ids and references

def test_unknown_theme_entity_and_related_ids(repo):
    add_article(repo, themes="[isis-remnant]", entities="[bagdad]", related="[no-such-article]")
    refused_by_build(
        repo,
        f"{A}:6:10: unknown theme `isis-remnant`; expected one of: election-security, isis-remnants, weapons-campaigns; "
        "did you mean `isis-remnants`?",
        f"{A}:8:12: unknown entity `bagdad`: add it to dossier/entities.yml or correct the id; did you mean `baghdad`?",
        f"{A}:13:11: unknown article `no-such-article` in `related[0]`: expected the id of an article in "
        "dossier/articles/; did you mean `test-article`?")


def test_related_naming_itself(repo):
    add_article(repo, related="[test-article]")
    refused_by_build(repo, f"{A}:13:11: `related[0]` names this article itself; list other articles' ids")


def test_duplicate_theme_id(repo):
    themes = repo / "dossier" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8") + "- id: isis-remnants\n  title: مكرر\n  description: وصف.\n",
                      encoding="utf-8")
    refused_by_build(repo, "dossier/themes.yml:18:7: duplicate theme id `isis-remnants` (first on line 8); each theme "
                           "needs its own id")


def test_duplicate_entity_id(repo):
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + "- id: baghdad\n  name: مدينة السلام\n  kind: place\n  aliases: []\n  description: مكرر.\n",
                        encoding="utf-8")
    line = text.count("\n") + 1
    first = next(i for i, l in enumerate(text.splitlines(), 1) if l == "- id: baghdad")
    refused_by_build(repo, f"dossier/entities.yml:{line}:7: duplicate entity id `baghdad` (first on line {first}); "
                           "merge the two entries or give this one its own id")


@pytest.mark.parametrize("spelling", ["مُصطفى الكاظمى", "مصطفي الكاظمي", "مصطفى  الكاظمي"])
def test_entity_names_differing_only_by_spelling_variants(repo, spelling):
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + f"- id: kadhimi-again\n  name: {spelling}\n  kind: person\n  aliases: []\n  description: مكرر.\n",
                        encoding="utf-8")
    line = text.count("\n") + 2
    first = next(i for i, l in enumerate(text.splitlines(), 1) if l == "  name: مصطفى الكاظمي")
    refused_by_build(repo, f"dossier/entities.yml:{line}:9: `{spelling}` is already a name of entity `mustafa-al-kadhimi` "
                           f"(line {first}), the same once hamza forms, ة/ه, ى/ي and diacritics are set aside; merge the "
                           "two entities or remove one spelling")


def test_alias_with_other_hamza_and_ta_marbuta(repo):
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + "- id: interior-again\n  name: الداخلية العراقية\n  kind: organization\n"
                               "  aliases: [وزاره الداخليه]\n  description: مكرر.\n", encoding="utf-8")
    line = text.count("\n") + 4
    refused = run(repo, "check")
    assert_refused(refused)
    [message] = [p for p in problems(refused) if p.startswith(f"dossier/entities.yml:{line}:13: `وزاره الداخليه` is already")]
    assert "entity `ministry-of-interior`" in message


def test_theme_id_that_would_escape_docs(repo):
    add_article(repo, themes='["../../etc"]')
    refused_by_build(repo, f"{A}:6:10: `themes[0]` is the text '../../etc': ids are lowercase Latin letters, digits "
                           "and single hyphens (e.g. \"isis-remnants\")")


def test_entity_id_that_would_escape_docs(repo):
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + "- id: ../../../tmp/x\n  name: اسم جديد\n  kind: place\n  aliases: []\n  description: و.\n",
                        encoding="utf-8")
    line = text.count("\n") + 1
    refused_by_build(repo, f"dossier/entities.yml:{line}:7: `[{_index(text)}].id` is the text '../../../tmp/x': ids are "
                           "lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")")
    assert not (repo.parent / "tmp").exists()


def _index(entities_text: str) -> int:
    return sum(1 for line in entities_text.splitlines() if line.startswith("- id:"))


# A place's `location` (the map, issue 15): ranges, the map's extent, places only, its source.

EXTENT = "latitude 28.5 to 38 (north), longitude 35 to 49.5 (east)"
LATITUDE = "expected latitude in decimal degrees, north positive, from -90 to 90 (inside the map: 28.5 to 38)"
LONGITUDE = "expected longitude in decimal degrees, east positive, from -180 to 180 (inside the map: 35 to 49.5)"


def _add_located(repo, latitude="33.3", longitude="44.4", source='"geonames:98182"', kind="place") -> tuple[int, int]:
    """Append an entity with a location; (its index, the line of its `- id:`). The location's
    fields are on that line + 5 (`location:`), + 6, + 7 and + 8."""
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + f"- id: test-place\n  name: مكان تجريبي\n  kind: {kind}\n  aliases: []\n"
                               f"  description: مكان للاختبار.\n  location:\n    latitude: {latitude}\n"
                               f"    longitude: {longitude}\n    source: {source}\n", encoding="utf-8")
    return _index(text), text.count("\n") + 1


@pytest.mark.parametrize("latitude,shown", [("95", "the number 95"), ("-90.5", "the number -90.5")])
def test_location_latitude_out_of_range(repo, latitude, shown):
    index, line = _add_located(repo, latitude=latitude)
    refused_by_build(repo, f"dossier/entities.yml:{line + 6}:15: `[{index}].location.latitude` is {shown}: {LATITUDE}")


def test_location_longitude_out_of_range(repo):
    index, line = _add_located(repo, longitude="200")
    refused_by_build(repo, f"dossier/entities.yml:{line + 7}:16: `[{index}].location.longitude` is the number 200: "
                           f"{LONGITUDE}")


def test_location_that_is_not_a_number(repo):
    index, line = _add_located(repo, latitude='"33.3"')
    refused_by_build(repo, f"dossier/entities.yml:{line + 6}:15: `[{index}].location.latitude` should be a number "
                           "(Latitude in decimal degrees, north positive, from -90 to 90 (inside the map: 28.5 to 38)), "
                           "found the text '33.3'")


def test_location_outside_the_map(repo):
    index, line = _add_located(repo, latitude="30.04", longitude="31.24")  # Cairo
    refused_by_build(repo, f"dossier/entities.yml:{line + 5}:3: `[{index}].location` (latitude 30.04, longitude 31.24) "
                           f"is outside the map's extent, {EXTENT}: the map shows Iraq and its neighbours; check the "
                           "coordinates and their source")


def test_location_with_latitude_and_longitude_swapped(repo):
    index, line = _add_located(repo, latitude="44.40088", longitude="33.34058")
    refused_by_build(repo, f"dossier/entities.yml:{line + 5}:3: `[{index}].location` (latitude 44.40088, longitude "
                           f"33.34058) is outside the map's extent, {EXTENT}: the map shows Iraq and its neighbours; "
                           "swapped, they would be inside: did you mean latitude 33.34058, longitude 44.40088?")


@pytest.mark.parametrize("kind", ["person", "organization"])
def test_location_on_an_entity_that_is_not_a_place(repo, kind):
    index, line = _add_located(repo, kind=kind)
    refused_by_build(repo, f"dossier/entities.yml:{line + 5}:3: `[{index}].location` is only for places (`kind: place`), "
                           f"and this entity's kind is `{kind}`: remove `location`, or correct `kind`")


@pytest.mark.parametrize("source", ['"geonames:abc"', '"wikipedia"', '"geonames:0123"', '"https://www.geonames.org/98182"',
                                    '"naturalearth:x1"', '"airportsdata:orbi"'])
def test_location_with_a_bad_source(repo, source):
    index, line = _add_located(repo, source=source)
    refused_by_build(repo, f"dossier/entities.yml:{line + 8}:13: `[{index}].location.source` is the text "
                           f"{source.strip(chr(34))!r}: expected `geonames:` and the place's GeoNames id, e.g. "
                           "\"geonames:98182\" (the record https://www.geonames.org/98182 the coordinates come from), "
                           "`naturalearth:` and a province's Natural Earth ne_id, e.g. \"naturalearth:1159315255\", "
                           "or `airportsdata:` and an airport's ICAO code, e.g. \"airportsdata:ORBI\"")


def test_location_without_its_source(repo):
    entities = repo / "dossier" / "entities.yml"
    index, line = _add_located(repo)
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text[:text.rindex('    source: "geonames:98182"\n')], encoding="utf-8")  # the new entity's
    refused_by_build(repo, f"dossier/entities.yml:{line + 6}:5: missing required field `[{index}].location.source` (The "
                           "record the coordinates come from: geonames:<id> for a GeoNames record "
                           "(https://www.geonames.org/<id>), naturalearth:<ne_id> for a province of Natural Earth's "
                           "1:10m Admin 1 (its latitude and longitude fields), airportsdata:<ICAO> for an airport "
                           "of airportsdata)")


def test_article_file_name_that_is_not_an_id(repo):
    add_article(repo, article_id="Bad Name")
    refused_by_build(repo, "dossier/articles/Bad Name.yml:1:1: file name `Bad Name` is not a valid article id: ids are "
                           "lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\"), at most 100 "
                           "characters; the id becomes the article's address. Rename both Bad Name.yml and Bad Name.txt")


def test_symbolic_link_out_of_the_dossier(repo, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("سر", encoding="utf-8")
    add_article(repo)
    txt = repo / "dossier" / "articles" / "test-article.txt"
    txt.unlink()
    txt.symlink_to(outside)
    refused_by_build(repo, f"{T}:1:1: symbolic links are not allowed in the dossier: put the file itself here")


def test_uppercase_extension(repo):
    add_article(repo)
    (repo / "dossier" / "articles" / "test-article.yml").rename(repo / "dossier" / "articles" / "test-article.YAML")
    refused_by_build(repo,
                     "dossier/articles/test-article.YAML:1:1: article files end in lowercase `.yml`: rename it to "
                     "test-article.yml",
                     f"{T}:1:1: text has no metadata: add articles/test-article.yml beside it (`python build.py add` "
                     "writes one for a new text)")


# ---------------------------------------------------------------------------------------------
# text files

def test_text_without_metadata(repo):
    add_article(repo)
    (repo / A).unlink()
    refused_by_build(repo, f"{T}:1:1: text has no metadata: add articles/test-article.yml beside it (`python build.py "
                           "add` writes one for a new text)")


def test_metadata_without_text(repo):
    add_article(repo)
    (repo / T).unlink()
    refused_by_build(repo, f"{A}:1:1: metadata has no text: add the article's text as articles/test-article.txt "
                           "beside it, or remove this file")


@pytest.mark.parametrize("content", [b"", b"  \n\r\n\t\n"], ids=["empty", "blank"])
def test_empty_text(repo, content):
    add_article(repo, text=content)
    refused_by_build(repo, f"{T}:1:1: text is empty or only invisible characters (spaces, marks, zero-width or direction characters): an article needs its text (did the copy fail?)")


def test_text_in_windows_1256(repo):
    add_article(repo, text=TEXT.encode("cp1256"))
    refused_by_build(repo, f"{T}:1:1: text file is not UTF-8 (byte 0xda at offset 0 is not valid UTF-8); it looks like Arabic in "
                           "Windows-1256, common for files from Windows: convert it with `iconv -f WINDOWS-1256 -t UTF-8 "
                           "test-article.txt > converted.txt` (or reopen it in an editor as Windows-1256 and save it as UTF-8)")


def test_text_in_windows_1256_after_some_utf8_is_located(repo):
    add_article(repo, text="سطر أول\nabc ".encode("utf-8") + "كلمة".encode("cp1256") + b"\n")
    result = run(repo, "check")
    assert_refused(result)
    assert problems(result)[0].startswith(f"{T}:2:5: text file is not UTF-8 (byte 0xdf at offset 18 is not valid UTF-8); it looks like Arabic in Windows-1256")


def test_text_in_utf16(repo):
    add_article(repo, text=TEXT.encode("utf-16"))
    refused_by_build(repo, f"{T}:1:1: text file is UTF-16 (as Windows Notepad saves \"Unicode\"), not UTF-8; convert it "
                           "with `iconv -f UTF-16 -t UTF-8 test-article.txt > converted.txt` or save it as \"UTF-8\"")


def test_binary_file_as_text(repo):
    add_article(repo, text="عنوان\x00\n")
    refused_by_build(repo, f"{T}:1:6: text contains U+0000 NULL: it looks like a binary file (a .doc or .pdf?), not "
                           "plain text; save it as plain UTF-8 text")


def test_text_over_the_size_limit(repo):
    add_article(repo, text="ا" * 600_000)
    refused_by_build(repo, f"{T}:1:1: text is 1,200,000 bytes; the limit is 1,000,000 bytes (about 500,000 Arabic "
                           "letters): is this really one article?")


def test_text_changed_without_its_hash(repo):
    add_article(repo)
    (repo / T).write_text(TEXT + "سطر أضيف لاحقاً\n", encoding="utf-8")
    digest = hashlib.sha256((TEXT + "سطر أضيف لاحقاً\n").encode()).hexdigest()
    refused_by_build(repo, f"{A}:12:9: `sha256` does not match test-article.txt: the text has changed since its metadata "
                           f"was written (its SHA-256 is now {digest}); source texts are kept as received, so if the "
                           "change is intended, put the new value in `sha256` and say why in the pull request")


def test_existing_text_changed_by_one_byte(repo):
    path = repo / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.txt"
    path.write_bytes(path.read_bytes().replace("البصرة".encode(), "البصره".encode(), 1))
    result = refused_by_build(repo)
    yml = (repo / "dossier/articles/kadhimi-arms-campaign-doubts.yml").read_text(encoding="utf-8")
    line = next(i for i, text in enumerate(yml.splitlines(), 1) if text.startswith("sha256:"))
    assert [p.split(": ", 1)[0] for p in problems(result)] == [f"dossier/articles/kadhimi-arms-campaign-doubts.yml:{line}:9"]


def test_same_text_twice(repo):
    original = repo / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.txt"
    add_article(repo, text=original.read_bytes())
    refused_by_build(repo, f"{A}:2:1: test-article.txt is byte for byte the same text as article "
                           "`kadhimi-arms-campaign-doubts`; keep one of the two")


def test_hidden_line_not_in_the_text(repo):
    add_article(repo, hide_lines='["وأضافت أن القوات انتشرت في الانبار."]')
    refused_by_build(repo, f"{A}:13:14: `hide_lines[0]` 'وأضافت أن القوات انتشرت في الانبار.' is not a line of "
                           "test-article.txt: expected a whole line of the text, copied exactly; the closest line is "
                           "'وأضافت أن القوات انتشرت في الأنبار.'")


def test_bom_and_crlf_are_accepted(repo):
    raw = b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8")
    add_article(repo, text=raw, hide_lines='["وأضافت أن القوات انتشرت في الأنبار."]')
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    page = (repo / "docs" / "articles" / "test-article.md").read_text(encoding="utf-8")
    assert "\r" not in page and "\ufeff" not in page
    assert "قالت" in page
    assert "انتشرت في الأنبار" not in page  # the hidden line matched despite the CRLF
    assert (repo / T).read_bytes() == raw  # the text is never rewritten


def test_bom_in_yaml_is_accepted(repo):
    add_article(repo)
    (repo / A).write_bytes(b"\xef\xbb\xbf" + (repo / A).read_bytes().replace(b"\n", b"\r\n"))
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------------------------
# dates

def test_impossible_date(repo):
    add_article(repo, date='"2019-02-30"')
    refused_by_build(repo, f"{A}:3:7: `date` is the text '2019-02-30', which is not a real date: February 2019 has 28 "
                           f"days; {DATES}")


@pytest.mark.parametrize("written, suggestion", [("27/5/2019", "2019-05-27"), ("2019/5/27", "2019-05-27"),
                                                 ("27-05-2019", "2019-05-27"), ("2019-5", "2019-05")])
def test_other_date_formats(repo, written, suggestion):
    add_article(repo, date=f'"{written}"')
    refused_by_build(repo, f"{A}:3:7: `date` is the text '{written}': {DATES} (did you mean \"{suggestion}\"?)")


@pytest.mark.parametrize("written", ["27 أيار 2019", "May 2019", "2019-13", "0999"])
def test_dates_that_are_not_dates(repo, written):
    add_article(repo, date=f'"{written}"')
    refused_by_build(repo, f"{A}:3:7: `date` is the text '{written}': {DATES}")


def test_event_date_in_another_format(repo):
    add_article(repo, events='\n  - date: "27/5/2019"\n    title: "حدث"\n    attribution: outlet')
    refused_by_build(repo, f"{A}:10:11: `events[0].date` is the text '27/5/2019': {DATES} (did you mean \"2019-05-27\"?)")


def test_event_dated_after_the_article(repo):
    add_article(repo, events='\n  - date: "2019-06"\n    title: "حدث"\n    attribution: outlet')
    refused_by_build(repo, f"{A}:10:11: `events[0].date` 2019-06 is after the article's date 2019-05-27: an article "
                           "reports only what happened by the time it was published; check both dates")


def test_event_in_the_same_month_as_a_day_dated_article_is_fine(repo):
    add_article(repo, events='\n  - date: "2019-05"\n    title: "حدث"\n    attribution: outlet')
    assert run(repo, "check").returncode == 0


# ---------------------------------------------------------------------------------------------
# values that could mislead or attack

@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>", "ftp://x.org/a",
                                 "//evil.example/", "https://x.org/\"onmouseover=alert(1)"])
def test_urls_other_than_http(repo, url):
    add_article(repo, source=f'\n  outlet: "x"\n  url: {json_quote(url)}')
    refused_by_build(repo, f"{A}:6:8: `source.url` must be a web address starting with http:// or https://, found the "
                           f"text {url!r}")


def json_quote(value: str) -> str:
    import json

    return json.dumps(value)


@pytest.mark.parametrize("character", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidirectional_controls_in_title_and_summary(repo, character):
    add_article(repo, title=f'"عنوان {character}مقلوب"', summary=f'"ملخص{character}"')
    refused_by_build(
        repo,
        f"{A}:2:8: `title` contains {describe(character)}; {DELETE_IT}",
        f"{A}:7:10: `summary` contains {describe(character)}; {DELETE_IT}")


def test_bidirectional_control_in_an_article_id(repo):
    add_article(repo, article_id="test\u202earticle")
    refused_by_build(repo, "dossier/articles/test\\u202earticle.yml:1:1: file name `test\\u202earticle` (it contains the "
                           "invisible direction control U+202E) is not a valid article id: ids are lowercase Latin "
                           "letters, digits and single hyphens (e.g. \"isis-remnants\"), at most 100 characters; the id "
                           "becomes the article's address. Rename both test\\u202earticle.yml and test\\u202earticle.txt")


def test_bidirectional_control_in_an_entity_id_and_name(repo):
    entities = repo / "dossier" / "entities.yml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text + "- id: \"new\u202eplace\"\n  name: \"مكان\u2067 جديد\"\n  kind: place\n  aliases: []\n"
                               "  description: و.\n", encoding="utf-8")
    line, index = text.count("\n") + 1, _index(text)
    refused_by_build(
        repo,
        f"dossier/entities.yml:{line}:7: `[{index}].id` is the text 'new\\u202eplace' (it contains an invisible direction "
        "control character): ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\")",
        f"dossier/entities.yml:{line}:7: `[{index}].id` contains {describe(chr(0x202E))}; {DELETE_IT}",
        f"dossier/entities.yml:{line + 1}:9: `[{index}].name` contains {describe(chr(0x2067))}; {DELETE_IT}")


def test_terminal_escape_sequences_are_not_printed_raw(repo):
    add_article(repo, themes='["\\e[2Jgone"]')
    result = refused_by_build(repo)
    assert "\x1b" not in result.stderr + result.stdout
    assert "\\x1b[2Jgone" in result.stderr or "\\u001b[2Jgone" in result.stderr


# ---------------------------------------------------------------------------------------------
# all problems at once, and annotations for GitHub

def test_all_problems_at_once_in_file_order(repo):
    add_article(repo, date='"2019-02-30"', themes="[nope]", summary='""')
    add_article(repo, article_id="second-article", text=TEXT + "سطر\n", title='"ثان"', entities="[nobody]")
    (repo / "dossier" / "articles" / "orphan.txt").write_text("نص يتيم\n", encoding="utf-8")
    result = refused_by_build(repo)
    printed = problems(result)
    assert [p.split(": ", 1)[0] for p in printed] == [
        "dossier/articles/orphan.txt:1:1",
        "dossier/articles/second-article.yml:8:12",
        f"{A}:3:7", f"{A}:6:10", f"{A}:7:10"]
    assert result.stderr.rstrip().endswith("5 problem(s) found; nothing was written.")


def test_check_prints_what_build_refuses_with(repo):
    """A problem of each kind at once (YAML, schema, ids, texts, invisible characters, the themes and
    entities files): `check` and `build` print the same problem lines in the same order, and
    neither writes anything."""
    add_article(repo, summary='"ملخص بلا علامة إغلاق')
    add_article(repo, article_id="second-article", text=TEXT + "سطر\n", title='"عنوان\u202eمقلوب"', entities="[nobody]",
                sumary='"x"')
    add_article(repo, article_id="fourth-article", text=TEXT + "سطر رابع\n", date='!!timestamp "2019-05-27"')
    add_article(repo, article_id="third-article", text=TEXT + "سطر آخر\n", themes="isis-remnants", related="[third-article]")
    (repo / "dossier" / "articles" / "orphan.txt").write_text("نص يتيم\n", encoding="utf-8")
    changed = repo / "dossier" / "articles" / "kadhimi-arms-campaign-doubts.txt"
    changed.write_bytes(changed.read_bytes().replace("البصرة".encode(), "البصره".encode(), 1))
    themes = repo / "dossier" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8") + "- id: isis-remnants\n  title: مكرر\n  description: وصف.\n",
                      encoding="utf-8")
    entities = repo / "dossier" / "entities.yml"
    entities.write_text(entities.read_text(encoding="utf-8") + "- id: baghdad\n  name: مدينة السلام\n  kind: place\n"
                        "  aliases: []\n  description: مكرر.\n", encoding="utf-8")
    before = snapshot(repo)
    printed = {}
    for command, result in zip(("check", "build"), run_several(repo, ["check"], ["build"])):
        assert_refused(result)
        assert result.stderr.rstrip().endswith(f"{len(problems(result))} problem(s) found; nothing was written."), result.stderr
        assert snapshot(repo) == before, f"`{command}` changed files"
        assert leftovers(repo) == [], f"`{command}` left {leftovers(repo)} in .build/"
        printed[command] = problems(result)
    assert printed["check"] == printed["build"]
    files = {line.split(":", 1)[0] for line in printed["check"]}
    assert len(printed["check"]) >= 11, printed["check"]
    assert files == {A, "dossier/articles/second-article.yml", "dossier/articles/third-article.yml",
                     "dossier/articles/fourth-article.yml",
                     "dossier/articles/orphan.txt", "dossier/articles/kadhimi-arms-campaign-doubts.yml",
                     "dossier/themes.yml", "dossier/entities.yml"}, printed["check"]


def test_github_annotations(repo):
    add_article(repo, date='"2019-02-30"', themes="[nope]")
    result = refused_by_build(repo, env={"GITHUB_ACTIONS": "true"})
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert annotations == [
        f"::error file={A},line=3,col=7::`date` is the text '2019-02-30', which is not a real date: February 2019 has "
        f"28 days; {DATES}",
        f"::error file={A},line=6,col=10::unknown theme `nope`; expected one of: election-security, isis-remnants, "
        "weapons-campaigns"]
    assert "::error" not in run(repo, "check").stdout  # only on GitHub


def test_problem_lines_are_single_lines(repo):
    add_article(repo, title='"سطر\\nثان"')
    result = refused_by_build(repo)
    for line in problems(result):
        assert line.count(":") >= 3
    assert len(problems(result)) == 1


# ---------------------------------------------------------------------------------------------
# the dossier's own files

def test_themes_file_that_does_not_parse_does_not_cascade(repo):
    themes = repo / "dossier" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("- id: isis-remnants", "- id: [isis-remnants"),
                      encoding="utf-8")
    result = refused_by_build(repo)
    assert all(p.startswith("dossier/themes.yml:") for p in problems(result)), problems(result)


def test_missing_entities_file(repo):
    (repo / "dossier" / "entities.yml").unlink()
    result = refused_by_build(repo, "dossier/entities.yml:1:1: missing file: the dossier needs entities.yml")
    assert len(problems(result)) == 1  # the articles' entity ids are not all reported as unknown


def test_draft_is_checked_but_not_built(repo):
    add_article(repo, draft="true")
    assert run(repo, "check").returncode == 0
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    assert not (repo / "site" / "articles" / "test-article").exists()
    assert not (repo / "docs" / "articles" / "test-article.md").exists()
    add_article(repo, draft="true", themes="[nope]")
    unknown = (f"{A}:6:10: unknown theme `nope`; expected one of: election-security, isis-remnants, "
               "weapons-campaigns")
    # A draft not yet right never blocks a build: check and build report it and leave it out...
    for command in ("check", "build"):
        result = run(repo, command)
        assert result.returncode == 0, result.stderr
        assert f"warning: {unknown}" in result.stderr.splitlines(), result.stderr
    assert not (repo / "site" / "articles" / "test-article").exists()
    # ...and `check --drafts` holds it to the same rules as a published article.
    assert_refused(run(repo, "check", "--drafts"), unknown)


def test_draft_is_shown_by_serve(repo):
    from sitegen import pipeline
    from sitegen.project import Project

    add_article(repo, draft="true")
    outcome = pipeline.generate(Project.at(repo), include_drafts=True)
    assert outcome.problems == [] and "articles/test-article.md" in outcome.generated.pages
    outcome = pipeline.generate(Project.at(repo), include_drafts=False)
    assert outcome.problems == [] and "articles/test-article.md" not in outcome.generated.pages


def test_a_file_that_cannot_be_read_is_a_problem_not_a_traceback(repo, monkeypatch):
    """As root every file is readable, so the refusal is simulated where the load stage opens files."""
    import builtins

    from sitegen import pipeline
    from sitegen.project import Project
    from sitegen.checking import load

    add_article(repo)

    def refusing_open(path, *args, **kwargs):
        if str(path).endswith("test-article.txt"):
            raise PermissionError(13, "Permission denied")
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(load, "open", refusing_open, raising=False)  # the stage's own name for open
    outcome = pipeline.generate(Project.at(repo))
    assert outcome.generated is None
    assert [str(p) for p in outcome.problems] == [f"{T}:1:1: cannot read the text: Permission denied"]


def test_fields_defaults_match_the_layout():
    """The line numbers above rely on this layout of the test article."""
    lines = article_yaml().splitlines()
    assert lines[0] == SCHEMA_LINE
    assert [l.split(":")[0] for l in lines if not l.startswith(" ")] == [
        "# yaml-language-server", "title", "date", "source", "themes", "summary", "entities", "events", "sha256"]
    assert lines[5 - 1].startswith("  outlet") and lines[10 - 1].startswith("  - {date") and lines[12 - 1].startswith("sha256")
    assert list(FIELDS) == ["title", "date", "source", "themes", "summary", "entities", "events"]


# ---------------------------------------------------------------------------------------------
# HTML, Markdown and Jinja in texts and values: shown literally, never interpreted

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} {% raw %} # heading *bold* | a | b |"
ESCAPED = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
HOSTILE_LINES = ["<script>alert(2)</script>", "{{ 7*7 }}", "{% raw %}", "# heading", "*bold*", "| a | b |", "|---|---|",
                 '--8<-- "home.md"', "<img src=x onerror=alert(3)>"]


def _html_files(site):
    return {p: p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


def test_hostile_content_is_shown_literally(repo):
    import json as _json
    import re

    themes = repo / "dossier" / "themes.yml"
    themes.write_text(themes.read_text(encoding="utf-8").replace("title: بقايا داعش", f"title: {json_quote('بقايا ' + HOSTILE)}"),
                      encoding="utf-8")
    entities = repo / "dossier" / "entities.yml"
    entities.write_text(entities.read_text(encoding="utf-8").replace("name: برهم صالح", f"name: {json_quote('برهم ' + HOSTILE)}"),
                        encoding="utf-8")
    text = "عنوان الخبر التجريبي\nفقرة أولى فيها " + HOSTILE + "\n" + "\n".join(HOSTILE_LINES) + "\n"
    add_article(repo, text=text, title=json_quote("عنوان " + HOSTILE), summary=json_quote("ملخص " + HOSTILE),
                source=f"\n  outlet: {json_quote('ناشر ' + HOSTILE)}",
                entities="[baghdad, barham-salih]",
                events=f'\n  - date: "2019-05-26"\n    title: {json_quote("حدث " + HOSTILE)}\n    attribution: outlet')
    result = run(repo, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    site = repo / "site"
    pages = _html_files(site)
    everything = "\n".join(pages.values())
    # nothing was executed or interpreted, anywhere
    assert "<script>alert(" not in everything
    assert "<img src=x" not in everything
    assert "{{ 7*7 }}" in everything and ">49<" not in everything

    page = shown(pages[site / "articles" / "test-article" / "index.html"])
    body = page[page.index('<div class="dossier-body"'):]
    body = body[:body.index("</div>")]
    assert f"فقرة أولى فيها {ESCAPED}" in body
    for line in HOSTILE_LINES:
        escaped = line.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
        assert f"<p>{escaped}</p>" in body, line
    assert "<table" not in page and "<em>bold</em>" not in page and 'id="heading"' not in page
    # the <title>, meta description, heading, outlet, event and summary
    assert re.search(r"<title>عنوان " + re.escape(ESCAPED) + " - ", page)
    assert f'<meta name="description" content="ملخص {ESCAPED}">' in page
    assert f'<h1 class="dossier-title">عنوان {ESCAPED}</h1>' in page
    assert f"ناشر {ESCAPED}" in page and f"حدث {ESCAPED}" in page and f"ملخص {ESCAPED}" in page
    assert f"برهم {ESCAPED}" in page  # the entity's name among the article's entities
    # the navigation on every page shows the theme's title literally
    for path, html_text in pages.items():
        html_text = shown(html_text)
        if path.name == "index.html" and "md-nav" in html_text and "404" not in path.parts:
            assert f"بقايا {ESCAPED}" in html_text, path
    entity = shown(pages[site / "entities" / "barham-salih" / "index.html"])
    assert re.search(r"<title>برهم " + re.escape(ESCAPED) + " - ", entity)
    # the search files hold the text as data (a JSON string, its < and > written \u003c and \u003e
    # so that nothing in it can end a script; shown with textContent), and in a browser the
    # result shows it literally and runs nothing
    chunks = "".join(p.read_text(encoding="utf-8") for p in (site / "search" / "docs").glob("*.js"))
    written = _json.dumps("عنوان " + HOSTILE, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    assert written in chunks and "<script>" not in chunks
    from browser import chromium, served, waiting

    with served(site) as base, chromium() as driver:
        driver.get(base + "?q=" + urllib.parse.quote("عنوان"))
        waiting(driver, 20).until(lambda d: d.execute_script(
            "return document.querySelector('[data-dossier-search]').getAttribute('data-shown')") == "عنوان")
        titles = driver.execute_script(
            "return [...document.querySelectorAll('.md-search-result__list h1')].map(h => h.textContent)")
        assert "عنوان " + HOSTILE in titles
        assert not driver.execute_script("return document.querySelectorAll('.md-search-result__list script').length")
        assert driver.get_log("browser") == []  # no alert, no error
    # and the generated Markdown is what MkDocs saw: escaped there already
    markdown = (repo / "docs" / "articles" / "test-article.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown
