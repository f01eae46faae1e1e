"""Unit tests: dates at each precision, forgiving Arabic matching."""
import pytest
from babel.dates import get_month_names

from sitegen.arabic import Matcher, core, format_partial_date, normalize
from sitegen.model import PartialDate


@pytest.mark.parametrize("value, shown", [
    ("2019-05-27", "27 أيار 2019"),
    ("2010-03", "آذار 2010"),
    ("2021", "2021"),
    ("2022-02", "شباط 2022"),
    ("2022-04-18", "18 نيسان 2022"),
    ("2020-12-01", "1 كانون الأول 2020"),
])
def test_dates_show_at_their_precision(value, shown):
    assert format_partial_date(PartialDate.parse(value)) == shown


def test_month_names_are_babels_iraqi_ones():
    names = get_month_names("wide", locale="ar_IQ")
    for month in range(1, 13):
        assert format_partial_date(PartialDate(2000, month)) == f"{names[month]} 2000"
    assert names[3] == "آذار" and names[4] == "نيسان" and names[5] == "أيار"


@pytest.mark.parametrize("value", ["2019-02-30", "27/5/2019", "2019-13", "19", "2019-5-27", ""])
def test_impossible_or_other_formats_are_refused(value):
    with pytest.raises(ValueError):
        PartialDate.parse(value)


def test_precision_and_ordering():
    assert PartialDate.parse("2010").precision == "year"
    assert PartialDate.parse("2010-03").precision == "month"
    assert PartialDate.parse("2010-03-07").precision == "day"
    assert PartialDate.parse("2010") < PartialDate.parse("2010-03") < PartialDate.parse("2010-03-07")
    # an event in the same month as a month-precise article is not "after" it
    assert not PartialDate.parse("2010-03-31").could_be_after(PartialDate.parse("2010-03"))
    assert PartialDate.parse("2010-04-01").could_be_after(PartialDate.parse("2010-03"))


@pytest.mark.parametrize("a, b", [
    ("الأمنية", "الامنية"), ("إحباط", "احباط"), ("آذار", "اذار"),
    ("الحملة", "الحمله"), ("مصطفى", "مصطفي"), ("الكـاظمي", "الكاظمي"),
    ("الْكَاظِمِي", "الكاظمي"), ("مسؤول", "مسوول"), ("هيئة", "هييه"),
])
def test_spelling_variants_fold_together(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize("word", ["الأمنية", "والأمنية", "بالامنيه", "فالأمنية", "للأمنية", "وللأمنية", "امنية"])
def test_prefixes_reduce_to_one_core(word):
    assert core(word) == core("أمنية")


MATCHER = Matcher({
    "kadhimi": ["مصطفى الكاظمي", "الكاظمي"],
    "anbar": ["الأنبار"],
    "baghdad": ["بغداد"],
    "defence": ["وزارة الدفاع"],
    "adhamiya": ["الأعظمية"],
})


@pytest.mark.parametrize("text, found", [
    ("رئيس الحكومة مصطفى الكاظمي، اليوم", ["مصطفى الكاظمي"]),
    ("قال الكاظمي: ...", ["الكاظمي"]),
    ("والكاظمي وللكاظمي وبالكاظمي", ["والكاظمي", "وللكاظمي", "وبالكاظمي"]),
    ("في صحراء الأنبار وبالانبار وللأنبار", ["الأنبار", "وبالانبار", "وللأنبار"]),
    ("إلى بغداد وببغداد ولبغداد", ["بغداد", "وببغداد", "ولبغداد"]),
    ("مصدر في وزارة الدفاع بقاء", ["وزارة الدفاع"]),
    ("من مقر وزارة  الدفاع", ["وزارة  الدفاع"]),
    ("بينها الاعظمية (شمال بغداد)", ["الاعظمية", "بغداد"]),
    ("الكَاظِمِيّ والكــاظمي", ["الكَاظِمِيّ", "والكــاظمي"]),
    ("وزارة الداخلية", []),
    ("بغدادي", []),
])
def test_entities_are_found_forgivingly(text, found):
    assert [text[s:e] for s, e, _ in MATCHER.find(text)] == found


def test_longest_spelling_wins():
    text = "أطلق مصطفى الكاظمي حملة"
    assert [(text[s:e], k) for s, e, k in MATCHER.find(text)] == [("مصطفى الكاظمي", "kadhimi")]
