"""`python build.py add PATH.txt [--id ID]`: from a new text file to a reviewed article.

The stub's suggestions come from the text and entities.yml/themes.yml; it is valid YAML with
the schema line, passes `check` apart from the fields the maintainer must fill, and is a
draft until reviewed. `add` never overwrites, and refuses (writing nothing) what `check`
would refuse.
"""
from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml
from conftest import SCHEMA_LINE, assert_clean, problems, run, snapshot

from sitegen import add as importer

JOINT_PLAN = "joint-plan-against-isis-remnants"
NEW_TEXT = (
    "الكاظمي يتفقد القطعات الأمنية في البصرة\n"
    "\n"
    "تفقد رئيس الوزراء مصطفى الكاظمي، اليوم الاثنين (27 آيار 2019)، القطعات الأمنية في البصرة، "
    "وقال إن حملة حصر السلاح بيد الدولة مستمرة.\n"
    "وكانت الحكومة قد أطلقت الحملة في 7 آذار (مارس) لنزع السلاح المنفلت من الفصائل والعشائر.\n"
    "381\n"
)


def refused(result, line: str) -> None:
    output = result.stdout + result.stderr
    assert_clean(output)
    assert result.returncode == 1, output
    assert line in result.stderr.splitlines(), f"expected:\n  {line}\nprinted:\n{result.stderr}"
    assert result.stderr.rstrip().endswith("nothing was written.")


def stub(repo, article_id):
    return (repo / "dossier" / "articles" / f"{article_id}.yml").read_text(encoding="utf-8")


def blank_event(text: str, article_id: str) -> list[str]:
    """What check says of the stub's blank event: its date, title and quote, each at its line."""
    lines = text.splitlines()
    at = {key: next(i for i, l in enumerate(lines, 1) if l.startswith(f'{indent}{key}: ""'))
          for key, indent in (("date", "  - "), ("title", "    "), ("quote", "    "), ("attribution", "    "))}
    where = f"dossier/articles/{article_id}.yml"
    return [f'{where}:{at["date"]}:11: `events[0].date` is empty text: dates are written in quotes as "YYYY-MM-DD", '
            '"YYYY-MM" or "YYYY" (e.g. "2019-05-27", "2010-03", "2021")',
            f"{where}:{at['title']}:12: `events[0].title` is empty: expected what happened, in Arabic, on one line",
            f"{where}:{at['quote']}:12: `events[0].quote` is empty: expected the passage of the article's text that "
            "states the event, copied verbatim: a clause or a sentence, on one line, at most 300 characters, long enough "
            "to be found only there. Matching forgives only differences of whitespace, Arabic diacritics and tatweel, and "
            "the dossier's Arabic folding (sitegen/arabic.py: hamza forms, ة/ه, ى/ي, …). Optional in the schema, but give "
            "it for every event",
            f"{where}:{at['attribution']}:18: `events[0].attribution` is empty text; expected one of: official-statement, "
            "named-official, anonymous-official, outlet, other-media, witness, armed-group-claim, document"]


# ---------------------------------------------------------------------------------------------
# the whole workflow

def test_from_a_new_text_to_a_reviewed_article(repo, tmp_path):
    source = tmp_path / "Kadhimi visit to Basra.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    before_site = snapshot(repo / "site")

    result = run(repo, "add", str(source))
    assert_clean(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr
    article_id = "kadhimi-visit-to-basra"
    txt = repo / "dossier" / "articles" / f"{article_id}.txt"
    assert txt.read_bytes() == source.read_bytes()
    text = stub(repo, article_id)
    assert text.splitlines()[0] == SCHEMA_LINE
    data = yaml.safe_load(text)
    assert data["title"] == "الكاظمي يتفقد القطعات الأمنية في البصرة"
    assert data["date"] == "2019-05-27"
    assert data["themes"][0] == "weapons-campaigns"
    assert data["entities"] == ["mustafa-al-kadhimi", "basra"]
    assert data["sha256"] == hashlib.sha256(NEW_TEXT.encode()).hexdigest()
    assert data["draft"] is True and data["summary"] == ""
    assert data["events"] == [{"date": "", "title": "", "quote": "", "places": [], "attribution": ""}]  # one event, blank
    assert data["source"] == {"outlet": None}
    assert '#   4: "7 آذار (مارس)" → day 7 of month 03, year not stated: YYYY-03-07 once the year is known' in text
    assert '#   3: "27 آيار 2019" → 2019-05-27 (day)' in text
    assert '#   - "381"' in text  # a view counter, offered for hide_lines
    assert f"dossier/articles/{article_id}.yml:" in result.stdout and "`summary` is empty" in result.stdout

    # check reports exactly what the maintainer must fill in, and nothing else
    summary_line = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith("summary:"))
    checked = run(repo, "check", "--drafts")
    assert problems(checked) == [f"dossier/articles/{article_id}.yml:{summary_line}:10: `summary` is empty: expected one "
                                 "to three Arabic sentences by the curator", *blank_event(text, article_id)]

    # an edit: the summary and the event filled in, and the draft line removed
    edited = text.replace('summary: ""', 'summary: "الكاظمي يتفقد قوات البصرة ويؤكد استمرار حملة حصر السلاح."')
    edited = edited.replace('- date: ""', '- date: "2019-05-27"').replace('    title: ""', '    title: "الكاظمي يتفقد القطعات في البصرة"')
    edited = edited.replace('quote: ""', 'quote: "تفقد رئيس الوزراء مصطفى الكاظمي، اليوم الاثنين (27 آيار 2019)، القطعات الأمنية في البصرة"')
    edited = edited.replace('    places: []', '    places: [basra]').replace('    attribution: ""', '    attribution: outlet')
    (repo / "dossier" / "articles" / f"{article_id}.yml").write_text(edited, encoding="utf-8")
    assert run(repo, "check").returncode == 0
    built = run(repo, "build")
    assert built.returncode == 0, built.stderr
    assert not (repo / "site" / "articles" / article_id).exists()  # still a draft: not built
    assert snapshot(repo / "site").keys() == before_site.keys()

    published = edited.replace("draft: true\n", "")
    (repo / "dossier" / "articles" / f"{article_id}.yml").write_text(published, encoding="utf-8")
    assert run(repo, "check").returncode == 0
    built = run(repo, "build")
    assert built.returncode == 0, built.stderr
    page = (repo / "site" / "articles" / article_id / "index.html").read_text(encoding="utf-8")
    assert "الكاظمي يتفقد القطعات الأمنية في البصرة" in page


def test_a_text_without_headline_or_dated_year(repo, tmp_path):
    source = tmp_path / "no-year.txt"
    source.write_text("أكد مصدر أمني انتشار القوات في بغداد حتى إعلان النتائج.\nوقال إن الانتخابات أجريت في 7 آذار (مارس).\n",
                      encoding="utf-8")
    result = run(repo, "add", str(source))
    assert result.returncode == 0, result.stderr
    text = stub(repo, "no-year")
    data = yaml.safe_load(text)
    assert data["title"] == "" and data["date"] == ""  # never an invented year
    assert "# FILL IN: the headline in Arabic" in text and "# FILL IN: the publication date" in text
    lines = text.splitlines()
    title_line = next(i for i, l in enumerate(lines, 1) if l.startswith("title:"))
    date_line = next(i for i, l in enumerate(lines, 1) if l.startswith("date:"))
    summary_line = next(i for i, l in enumerate(lines, 1) if l.startswith("summary:"))
    assert problems(run(repo, "check", "--drafts")) == [
        f"dossier/articles/no-year.yml:{title_line}:8: `title` is empty: expected the headline, in Arabic: the text's own "
        "headline when it has one",
        f"dossier/articles/no-year.yml:{date_line}:7: `date` is empty text: dates are written in quotes as \"YYYY-MM-DD\", "
        "\"YYYY-MM\" or \"YYYY\" (e.g. \"2019-05-27\", \"2010-03\", \"2021\")",
        f"dossier/articles/no-year.yml:{summary_line}:10: `summary` is empty: expected one to three Arabic sentences by "
        "the curator", *blank_event(text, "no-year")]


def test_id_option_and_bom_crlf_text(repo, tmp_path):
    raw = b"\xef\xbb\xbf" + NEW_TEXT.replace("\n", "\r\n").encode("utf-8")
    source = tmp_path / "anything.txt"
    source.write_bytes(raw)
    result = run(repo, "add", str(source), "--id", "basra-visit")
    assert result.returncode == 0, result.stderr
    assert (repo / "dossier" / "articles" / "basra-visit.txt").read_bytes() == raw  # byte for byte, BOM and CRLF kept
    data = yaml.safe_load(stub(repo, "basra-visit"))
    assert data["sha256"] == hashlib.sha256(raw).hexdigest()
    assert data["title"] == "الكاظمي يتفقد القطعات الأمنية في البصرة"


def test_text_already_in_place(repo):
    txt = repo / "dossier" / "articles" / "placed-by-hand.txt"
    txt.write_text(NEW_TEXT, encoding="utf-8")
    result = run(repo, "add", "dossier/articles/placed-by-hand.txt")
    assert result.returncode == 0, result.stderr
    assert txt.read_text(encoding="utf-8") == NEW_TEXT
    assert yaml.safe_load(stub(repo, "placed-by-hand"))["draft"] is True


def test_hostile_headline_is_quoted_and_bidi_controls_dropped(repo, tmp_path):
    headline = 'عنوان: <script>alert(1)</script> {{ 7*7 }} {% raw %} # "قوس" *x* \u202eمقلوب'
    source = tmp_path / "hostile.txt"
    source.write_text(headline + "\nنص الخبر عن بقايا داعش في بغداد يوم 27 أيار 2019.\n", encoding="utf-8")
    result = run(repo, "add", str(source))
    assert result.returncode == 0, result.stderr
    text = stub(repo, "hostile")
    data = yaml.safe_load(text)
    assert data["title"] == headline.replace("\u202e", "")
    problems_left = problems(run(repo, "check", "--drafts"))
    assert [p.split(": ", 1)[1] for p in problems_left] == [
        "`summary` is empty: expected one to three Arabic sentences by the curator",
        *(p.split(": ", 1)[1] for p in blank_event(text, "hostile"))]


# ---------------------------------------------------------------------------------------------
# refused, with nothing written

@pytest.fixture
def unchanged(repo):
    before = snapshot(repo)
    yield repo
    assert snapshot(repo) == before, "add wrote something although it refused"
    assert not [p for p in (repo / "dossier" / "articles").iterdir() if p.name.startswith(".")]


def test_never_overwrites_an_existing_article(unchanged, tmp_path):
    source = tmp_path / f"{JOINT_PLAN}.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    refused(run(unchanged, "add", str(source)),
            f"dossier/articles/{JOINT_PLAN}.yml:1:1: article `{JOINT_PLAN}` already exists: `add` never overwrites; "
            "choose another id with --id, or edit the existing files")


def test_refuses_a_text_already_in_the_dossier(unchanged, tmp_path):
    source = tmp_path / "copy.txt"
    source.write_bytes((unchanged / "dossier" / "articles" / f"{JOINT_PLAN}.txt").read_bytes())
    refused(run(unchanged, "add", str(source)),
            f"{source}:1:1: this text is already in the dossier, byte for byte, as article `{JOINT_PLAN}` "
            f"(dossier/articles/{JOINT_PLAN}.txt)")


def test_refuses_windows_1256(unchanged, tmp_path):
    source = tmp_path / "arabic-windows.txt"
    source.write_bytes(NEW_TEXT.encode("cp1256"))
    refused(run(unchanged, "add", str(source)),
            f"{source}:1:1: text file is not UTF-8 (byte 0xc7 at offset 0 is not valid UTF-8); it looks like Arabic in Windows-1256, common "
            "for files from Windows: convert it with `iconv -f WINDOWS-1256 -t UTF-8 arabic-windows.txt > converted.txt` "
            "(or reopen it in an editor as Windows-1256 and save it as UTF-8)")


def test_refuses_an_empty_text(unchanged, tmp_path):
    source = tmp_path / "empty.txt"
    source.write_bytes(b"\n \n")
    refused(run(unchanged, "add", str(source)), f"{source}:1:1: text is empty or only invisible characters (spaces, marks, zero-width or direction characters): an article needs its text (did the copy fail?)")


def test_refuses_a_text_over_the_limit(unchanged, tmp_path):
    source = tmp_path / "huge.txt"
    source.write_bytes(b"a" * 1_000_001)
    refused(run(unchanged, "add", str(source)), f"{source}:1:1: text is 1,000,001 bytes; the limit is 1,000,000 bytes")


def test_refuses_a_missing_file(unchanged, tmp_path):
    refused(run(unchanged, "add", str(tmp_path / "nowhere.txt")),
            f"{tmp_path / 'nowhere.txt'}:1:1: no such file: give the path of the article's text file (UTF-8)")


@pytest.mark.parametrize("bad_id", ["../../escape", "../docs/index", "/tmp/escape", "Capital", "two--hyphens", "a/b",
                                    "-leading", "x" * 101])
def test_refuses_an_id_that_is_not_a_slug(unchanged, tmp_path, bad_id):
    source = tmp_path / "new.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    refused(run(unchanged, "add", str(source), f"--id={bad_id}"),
            f"{source}:1:1: --id {bad_id!r} is not a valid article id: ids are lowercase Latin letters, digits and single "
            "hyphens (e.g. \"isis-remnants\"), at most 100 characters; it becomes dossier/articles/<id>.txt and the "
            "page's address, so it cannot contain / or ..")
    assert not (unchanged.parent / "escape.txt").exists() and not (unchanged / "docs" / "index.txt").exists()


def test_refuses_an_id_with_a_direction_control(unchanged, tmp_path):
    source = tmp_path / "new.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    result = run(unchanged, "add", str(source), "--id", "new\u202earticle")
    refused(result, f"{source}:1:1: --id 'new\\u202earticle' (it contains the invisible direction control U+202E) is not "
                    "a valid article id: ids are lowercase Latin letters, digits and single hyphens (e.g. "
                    "\"isis-remnants\"), at most 100 characters; it becomes dossier/articles/<id>.txt and the page's "
                    "address, so it cannot contain / or ..")


def test_refuses_a_file_name_without_latin_letters(unchanged, tmp_path):
    source = tmp_path / "خبر جديد.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    refused(run(unchanged, "add", str(source)),
            f"{source}:1:1: cannot make an id from the file name 'خبر جديد.txt': give one with --id, e.g. --id "
            "kadhimi-visit-to-basra (ids are lowercase Latin letters, digits and single hyphens (e.g. \"isis-remnants\"))")


# ---------------------------------------------------------------------------------------------
# the suggestions, one by one

@pytest.mark.parametrize("phrase, reading", [
    ("7 آذار (مارس)", "day 7 of month 03, year not stated: YYYY-03-07 once the year is known"),
    ("27 آيار 2019", "2019-05-27 (day)"),
    ("27 أيار 2019", "2019-05-27 (day)"),
    ("18 ابريل 2022", "2022-04-18 (day)"),
    ("3 إبريل 2020", "2020-04-03 (day)"),
    ("١٥ أبريل ٢٠٢١", "2021-04-15 (day)"),
    ("1 كانون الثاني 2020", "2020-01-01 (day)"),
    ("كانون الأول 2019", "2019-12 (month)"),
    ("تشرين الأول/أكتوبر 2019", "2019-10 (month)"),
    ("10 تشرين الثاني 2021", "2021-11-10 (day)"),
    ("شباط 2022", "2022-02 (month)"),
    ("5 نيسان 2003", "2003-04-05 (day)"),
    ("9 حزيران 2014", "2014-06-09 (day)"),
    ("14 تموز 1958", "1958-07-14 (day)"),
    ("2 آب 1990", "1990-08-02 (day)"),
    ("11 أيلول 2001", "2001-09-11 (day)"),
    ("يناير 2011", "2011-01 (month)"),
    ("11 فبراير 2011", "2011-02-11 (day)"),
    ("مايو 2017", "2017-05 (month)"),
    ("30 يونيو 2013", "2013-06-30 (day)"),
    ("30 يونية 2013", "2013-06-30 (day)"),
    ("3 يوليو 2013", "2013-07-03 (day)"),
    ("23 يولية 1952", "1952-07-23 (day)"),
    ("14 أغسطس 2013", "2013-08-14 (day)"),
    ("سبتمبر 2017", "2017-09 (month)"),
    ("6 أكتوبر 1973", "1973-10-06 (day)"),
    ("نوفمبر 2020", "2020-11 (month)"),
    ("25 ديسمبر 2019", "2019-12-25 (day)"),
    ("مطلع فبراير/ شباط الماضي", "month 02, year not stated: YYYY-02 once the year is known"),
    ("شهر رمضان", None),
    ("مارس الضغط على الحكومة", None),  # the verb, not March
    ("30 شباط 2020", None),  # no such day
    ("27/5/2019", "2019-05-27 (day)"),
    ("العام 2018", "2018 (year)"),
])
def test_dates_found_in_texts(phrase, reading):
    found = importer.find_dates(f"قال المصدر في {phrase} إن الخطة بدأت.")
    assert [d.explain() for d in found] == ([reading] if reading else [])


def test_month_names_cover_every_month_in_both_calendars():
    numbers = {}
    for name, number in importer.MONTHS.items():
        numbers.setdefault(number, []).append(name)
    assert sorted(numbers) == list(range(1, 13))
    assert all(len(names) >= 2 for names in numbers.values())  # an Iraqi/Levantine and an Egyptian name each


def test_entities_are_found_through_their_aliases():
    entities = [{"id": "mustafa-al-kadhimi", "name": "مصطفى الكاظمي", "aliases": ["الكاظمي"]},
                {"id": "basra", "name": "البصرة", "aliases": []},
                {"id": "mosul", "name": "الموصل", "aliases": []}]
    found = importer.suggest_entities("قال الكاظمي في البصرة. وزار الكاظمي البصره مجدداً.", entities)
    assert found == [("mustafa-al-kadhimi", "مصطفى الكاظمي", 2), ("basra", "البصرة", 2)]


def test_themes_are_ranked_by_their_words():
    themes = [{"id": "election-security", "title": "أمن الانتخابات", "description": "حماية مراكز الاقتراع والمرشحين."},
              {"id": "weapons-campaigns", "title": "حملات حصر السلاح", "description": "نزع السلاح المنفلت من الفصائل."}]
    ranked = importer.rank_themes("أطلقت الحكومة حملة لحصر السلاح المنفلت ونزع سلاح الفصائل.", themes)
    assert [theme_id for theme_id, _ in ranked] == ["weapons-campaigns", "election-security"]
    assert ranked[0][1] > 0 and ranked[1][1] == 0


def test_headline_only_when_the_first_line_is_one():
    assert importer.headline("عنوان قصير\nنص.") == "عنوان قصير"
    assert importer.headline("جملة طويلة تنتهي بنقطة.\nنص.") is None
    assert importer.headline("سطر وحيد") is None
    assert importer.headline(("كلمة " * 40) + "\nنص.") is None


def test_stub_is_valid_yaml_for_every_real_article(tmp_path):
    """The stub written for each text of the dossier parses and carries the schema line."""
    from conftest import REPO

    themes = yaml.safe_load((REPO / "dossier" / "themes.yml").read_text(encoding="utf-8"))
    entities = yaml.safe_load((REPO / "dossier" / "entities.yml").read_text(encoding="utf-8"))
    for path in sorted((REPO / "dossier" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8-sig")
        document = importer.stub(path.stem, path.name, text, "0" * 64, themes, entities, REPO / "templates")
        assert document.startswith(SCHEMA_LINE + "\n")
        data = yaml.safe_load(document)
        assert data["draft"] is True and data["sha256"] == "0" * 64
        reviewed = yaml.safe_load((REPO / "dossier" / "articles" / f"{path.stem}.yml").read_text(encoding="utf-8"))
        assert set(data["entities"]) <= {e["id"] for e in entities}
        if reviewed["title"] and data["title"]:
            assert data["title"] == reviewed["title"]
        if data["date"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", reviewed["date"]):
            assert data["date"] == reviewed["date"]


# ---------------------------------------------------------------------------------------------
# the stub's event, duplicates that differ only in how the file was saved, hostile texts

KINDS = ("official-statement", "named-official", "anonymous-official", "outlet", "other-media", "witness",
         "armed-group-claim", "document")


def test_the_stub_shows_an_event_with_every_field(repo, tmp_path):
    """One event, each field with a comment saying whether and how to fill it: the required ones
    written blank (check points at each until it is filled), the optional ones as comments."""
    source = tmp_path / "event.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    assert run(repo, "add", str(source)).returncode == 0
    text = stub(repo, "event")
    event = text[text.index("\nevents:"):text.index("\nsha256:")]
    for field in ("date", "title", "quote", "attribution"):
        assert f'    {field}: ""' in event or f'  - {field}: ""' in event, field
    assert "    places: []" in event and "FILL IN" in event
    for field in ("date_note", "id", "actors", "attributed_to"):
        assert f"# {field}: " in event, field
    assert all(kind in event for kind in KINDS)
    assert yaml.safe_load(text)["events"] == [{"date": "", "title": "", "quote": "", "places": [], "attribution": ""}]
    lines = text.splitlines()
    found = problems(run(repo, "check", "--drafts"))
    line = next(i for i, l in enumerate(lines, 1) if l.startswith("    attribution: "))
    assert any(p.startswith(f"dossier/articles/event.yml:{line}:") and "events[0].attribution" in p
               for p in found), found


def test_the_stub_leaves_as_comments_the_event_fields_the_schema_lacks(repo, tmp_path):
    """A dossier whose schema has no places or attribution for events (before issue 24) gets them
    as comments, so the stub is still valid YAML that check reads."""
    schema_path = repo / "dossier" / "schema" / "article.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    items = schema["properties"]["events"]["items"]
    for field in ("places", "attribution"):
        items["properties"].pop(field, None)
    items["required"] = [name for name in items["required"] if name not in ("places", "attribution")]
    schema_path.write_text(json.dumps(schema, ensure_ascii=False, indent=1), encoding="utf-8")
    source = tmp_path / "plain.txt"
    source.write_text(NEW_TEXT, encoding="utf-8")
    assert run(repo, "add", str(source)).returncode == 0
    text = stub(repo, "plain")
    event = text[text.index("\nevents:"):text.index("\nsha256:")]
    assert "# places: " in event and "# attribution: " in event
    assert yaml.safe_load(text)["events"] == [{"date": "", "title": "", "quote": ""}]


@pytest.mark.parametrize("variant", ["bom", "crlf", "trailing spaces", "final newline", "two final newlines"])
def test_refuses_a_text_already_in_the_dossier_saved_differently(unchanged, tmp_path, variant):
    original = (unchanged / "dossier" / "articles" / f"{JOINT_PLAN}.txt").read_bytes()
    saved = {
        "bom": lambda b: b"\xef\xbb\xbf" + b,
        "crlf": lambda b: b.replace(b"\n", b"\r\n"),
        "trailing spaces": lambda b: b.replace(b"\n", b" \t \n"),
        "final newline": lambda b: b.rstrip(b"\n") if b.endswith(b"\n") else b + b"\n",
        "two final newlines": lambda b: b.rstrip(b"\n") + b"\n\n",
    }[variant](original)
    assert saved != original
    source = tmp_path / "copy.txt"
    source.write_bytes(saved)
    refused(run(unchanged, "add", str(source)),
            f"{source}:1:1: this text is already in the dossier, differing only in a byte order mark, line ends, spaces "
            f"at the ends of lines or the final newline, as article `{JOINT_PLAN}` (dossier/articles/{JOINT_PLAN}.txt)")


def test_a_text_differing_in_its_words_is_not_a_duplicate(unchanged):
    original = (unchanged / "dossier" / "articles" / f"{JOINT_PLAN}.txt").read_text(encoding="utf-8")
    assert importer.text_fingerprint(original) == importer.text_fingerprint("\ufeff" + original.replace("\n", " \r\n"))
    assert importer.text_fingerprint(original) != importer.text_fingerprint(original.replace("\n", "\n\n", 1))
    assert importer.text_fingerprint(original) != importer.text_fingerprint(" " + original)


def test_a_month_name_before_a_long_run_of_spaces(repo, tmp_path):
    """The date suggestions once backtracked on every split of the spaces after a month name (a
    40 KB text did not finish in a minute): now the same text is imported with its dates."""
    source = tmp_path / "spaces.txt"
    source.write_text("عنوان الخبر\nفي 7 مارس" + " " * 40_000 + "انتهى.\nوفي 27 أيار 2019 بدأت الخطة.\n", encoding="utf-8")
    result = run(repo, "add", str(source), timeout=120)
    assert result.returncode == 0, result.stderr
    dates = importer.find_dates(source.read_text(encoding="utf-8"))
    assert [(d.line, d.month, d.day, d.year) for d in dates] == [(2, 3, 7, None), (3, 5, 27, 2019)]
