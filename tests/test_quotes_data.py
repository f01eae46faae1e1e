"""Every claim traceable (issue 16), the data side: each event of each article carries a
`quote` copied from the article's own text, and the dossier passes its JSON Schemas.

A quote is found in its text when the two are equal after the dossier's Arabic folding
(sitegen.arabic.normalize: hamza forms, ة/ه, ى/ي, diacritics, tatweel) and with every run of
whitespace made one space; nothing else is forgiven. Standalone: it reads the files itself
and needs only PyYAML, jsonschema, the standard library and sitegen.arabic.
"""
from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sitegen.arabic import normalize  # noqa: E402

DOSSIER = REPO / "dossier"
ARTICLES = DOSSIER / "articles"
SCHEMAS = DOSSIER / "schema"
MAX_QUOTE = 300
ARTICLE_IDS = sorted(path.stem for path in ARTICLES.glob("*.yml"))


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as the strings written, as the dossier's own loader does."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml(path: Path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def comparable(text: str) -> str:
    """Folded as the dossier folds Arabic, every run of whitespace one space."""
    return " ".join(normalize(text).split())


def occurrences(quote: str, text: str) -> int:
    """How many times the quote is found in the text under the matching rule."""
    needle, haystack = comparable(quote), comparable(text)
    if not needle:
        return 0
    count, start = 0, haystack.find(needle)
    while start != -1:
        count += 1
        start = haystack.find(needle, start + 1)
    return count


def _events(article_id: str) -> list:
    data = _yaml(ARTICLES / f"{article_id}.yml")
    return data.get("events") or []


def _text(article_id: str) -> str:
    return (ARTICLES / f"{article_id}.txt").read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------------------------------------
# the matching rule itself, so that a test of the data can fail

def test_matching_forgives_only_whitespace_and_the_dossier_folding():
    text = "وقال المصدر إن الحملة الأمنيّة ستكون\nعلى  مراحل، وهي نتيجة خطة أُعدّ لها بصبر."
    assert occurrences("الحملة الامنية ستكون على مراحل", text) == 1  # shadda, line end, two spaces
    assert occurrences("خطة اعد لها بصبر", text) == 1  # hamza form and shadda
    assert occurrences("نتيجة خطـــة", text) == 1  # tatweel
    assert occurrences("نتيجه خطه", text) == 1  # ة/ه
    assert occurrences("الحملة الأمنية ستكون على ثلاث مراحل", text) == 0  # a word added
    assert occurrences("الحملة الأمنية ستكون في مراحل", text) == 0  # a word changed
    assert occurrences("الحملة الأمنية ستكونعلى مراحل", text) == 0  # a space removed
    assert occurrences("وهي نتيجة خطة أعد لها بصبر،", text) == 0  # punctuation changed
    assert occurrences("   ", text) == 0  # a blank quote is never found


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_a_broken_quote_of_the_dossier_is_not_found(article_id):
    """Each quote of the dossier, with its first two words swapped or a letter dropped, is no longer found."""
    text = _text(article_id)
    for event in _events(article_id):
        quote = event.get("quote")
        if not isinstance(quote, str) or occurrences(quote, text) != 1:
            continue  # reported by test_every_event_quotes_its_article_text
        words = quote.split()
        if len(words) > 1 and words[0] != words[1]:
            assert occurrences(" ".join([words[1], words[0]] + words[2:]), text) == 0, quote
        # a letter from the middle (not a space or a mark, which the rule rightly ignores)
        middle = next((i for i in range(len(quote) // 2, len(quote)) if comparable(quote[i])), None)
        if middle is not None:
            assert occurrences(quote[:middle] + quote[middle + 1:], text) == 0, quote


# ---------------------------------------------------------------------------------------------
# the data

def test_there_are_articles():
    assert ARTICLE_IDS
    for article_id in ARTICLE_IDS:
        assert (ARTICLES / f"{article_id}.txt").is_file(), article_id


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_every_event_quotes_its_article_text(article_id):
    text = _text(article_id)
    problems = []
    for index, event in enumerate(_events(article_id)):
        where = f"{article_id}.yml: events[{index}] ({event.get('title')!r})"
        quote = event.get("quote")
        if not isinstance(quote, str) or not quote.strip():
            problems.append(f"{where}: no quote")
            continue
        if len(quote) > MAX_QUOTE:
            problems.append(f"{where}: quote is {len(quote)} characters, at most {MAX_QUOTE}")
        if len(quote.splitlines()) != 1:
            problems.append(f"{where}: quote is not on one line")
        found = occurrences(quote, text)
        if found == 0:
            problems.append(f"{where}: quote not found in {article_id}.txt: {quote!r}")
        elif found > 1:
            problems.append(f"{where}: quote found {found} times in {article_id}.txt; quote more to make it unique")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_event_date_notes_and_corrections_are_well_formed(article_id):
    data = _yaml(ARTICLES / f"{article_id}.yml")
    for index, event in enumerate(data.get("events") or []):
        if "date_note" in event:
            assert isinstance(event["date_note"], str) and event["date_note"].strip(), (article_id, index)
    for index, correction in enumerate(data.get("corrections") or []):
        # The schema's pattern allows 2019-02-30; the calendar does not.
        datetime.date.fromisoformat(correction["date"])
        assert correction["text"].strip(), (article_id, index)


# ---------------------------------------------------------------------------------------------
# the schemas accept the dossier

@pytest.mark.parametrize("name", ["article", "themes", "entities"])
def test_schema_is_a_valid_draft_2020_12_schema(name):
    schema = _schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _errors(schema_name: str, data) -> list[str]:
    validator = jsonschema.Draft202012Validator(_schema(schema_name))
    return [f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: {error.message}"
            for error in validator.iter_errors(data)]


@pytest.mark.parametrize("article_id", ARTICLE_IDS)
def test_article_schema_accepts_the_article(article_id):
    errors = _errors("article", _yaml(ARTICLES / f"{article_id}.yml"))
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", ["themes", "entities"])
def test_schema_accepts_the_dossier_file(name):
    errors = _errors(name, _yaml(DOSSIER / f"{name}.yml"))
    assert not errors, "\n".join(errors)


def test_article_schema_refuses_bad_quotes_and_corrections():
    data = _yaml(ARTICLES / "joint-plan-against-isis-remnants.yml")
    event = dict(data["events"][0])
    bad = [
        dict(event, quote="سطر\nوسطر"),              # two lines
        dict(event, quote="ب" * (MAX_QUOTE + 1)),    # too long
        dict(event, quote=" "),                      # blank
        dict(event, source="unknown field"),
    ]
    for item in bad:
        assert _errors("article", dict(data, events=[item])), item
    assert _errors("article", dict(data, events=[event] * 201))  # maxItems
    good = {"date": "2024-05-14", "text": "صُحّح عنوان الحدث الأول."}
    assert not _errors("article", dict(data, corrections=[good]))
    for correction in ({"date": "2024-05", "text": "نص"}, {"date": "14/5/2024", "text": "نص"},
                       {"date": "2024-05-14"}, dict(good, note="x"), {"date": "2024-05-14", "text": ""}):
        assert _errors("article", dict(data, corrections=[correction])), correction
    assert _errors("article", dict(data, corrections=[good] * 101))  # maxItems
