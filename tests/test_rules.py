"""What `check` accepts, the page shows (issue 22), and one run tells a maintainer everything
(issue 25): quotes, values that show nothing, empty bodies, aliases, corrections, events
without a quote, keys indented unlike their neighbours.

Every case runs the real command line (`build.py check`, `build.py build`) in a private copy
of the built repository and asserts the exact `path:line:column: message` lines.
"""
from __future__ import annotations

import re

from conftest import TEXT, add_article, article_yaml, assert_refused, problems, run

from sitegen.characters import SHOWS_NOTHING  # noqa: E402
from sitegen.model import printable  # noqa: E402

A = "dossier/articles/{}.yml"
ENTITIES = "dossier/entities.yml"


def _quoted(quote: str, title: str = "انتشار القوات في الأنبار") -> str:
    """The test article's events (lines 9-13) with a quote on line 12, column 12."""
    return f'\n  - date: "2019-05-26"\n    title: "{title}"\n    quote: "{quote}"\n    attribution: outlet'


def _text(extra: str) -> str:
    """TEXT with a line of its own, so that no two test articles are the same text."""
    return TEXT + extra + "\n"


def test_quotes_the_page_cannot_mark_are_refused_with_the_reason_in_one_run(repo):
    """Each refused quote names its file, line and field and why, all in one run of check."""
    cases = {
        "q-word": ("في", "", "is too short to name one passage: a quote has at least 3 words and 10 letters"),
        "q-letter": ("ق", "", "is too short to name one passage"),
        "q-punctuation": (".", "", "is too short to name one passage"),
        "q-digit": ("2019", "", "is too short to name one passage"),
        "q-inside-a-word": ("ضافت أن القوات انتشرت", "", "starts or ends inside a word of q-inside-a-word.txt: a quote "
                                                       "is made of whole words"),
        "q-twice": ("خرجت الدورية من المعسكر", "خرجت الدورية من المعسكر.\nثم خرجت الدورية من المعسكر.",
                    "is found more than once in the text the page shows: quote enough words around it"),
        "q-title": ("عنوان الخبر التجريبي", "", "is only in the title line of q-title.txt, which the page shows as "
                                               "the headline"),
        "q-line-break": ("الخطة الأمنية بدأت. وأضافت أن القوات", "", "spans a line break of q-line-break.txt: the page "
                                                                    "marks a passage within one paragraph"),
        "q-hidden": ("تصوير وكالة الأنباء المحلية", "تصوير وكالة الأنباء المحلية",
                     "is only in a line that `hide_lines` hides, which the page does not show"),
    }
    for article_id, (quote, extra, _) in cases.items():
        hidden = '["تصوير وكالة الأنباء المحلية"]' if article_id == "q-hidden" else None
        add_article(repo, article_id, text=_text(extra or article_id), events=_quoted(quote), hide_lines=hidden)
    result = run(repo, "check")
    printed = problems(result)
    for article_id, (_, _, why) in cases.items():
        start = f"{A.format(article_id)}:12:12: `events[0].quote` of article `{article_id}` {why}"
        assert any(line.startswith(start) for line in printed), f"{start}\nprinted:\n" + "\n".join(printed)
    assert_refused(result)


def test_a_quote_of_whole_words_at_one_place_is_marked_and_linked(repo):
    quote = "إن الخطة الامنيه بدأت"  # hamza and ta marbuta spelled otherwise: still the passage
    add_article(repo, events=_quoted(quote))
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    page = (repo / "site" / "articles" / "test-article" / "index.html").read_text(encoding="utf-8")
    marked = re.search(r'<mark class="dossier-quote" id="event-1">(.*?)</mark>', page)
    assert marked and re.sub(r"<[^>]+>", "", marked.group(1)) == "إن الخطة الأمنية بدأت", page
    assert 'href="#event-1"' in page


def test_every_shown_value_that_shows_nothing_is_refused_as_an_entity_name_is(repo):
    fillers = {"title": "\\u3164\\u115F", "summary": "\\u2800\\u2800", "outlet": "\\u064E\\u0651",
               "event": "\\u0640\\u0640\\u0640", "correction": "\\u200B\\u200C\\u2060", "note": "\\uFFA0"}
    decoded = {key: value.encode().decode("unicode_escape") for key, value in fillers.items()}
    add_article(repo, title=f'"{fillers["title"]}"', summary=f'"{fillers["summary"]}"',
                source=f'\n  outlet: "{fillers["outlet"]}"',
                events=f'\n  - date: "2019-05-26"\n    title: "{fillers["event"]}"\n    attribution: outlet',
                corrections=f'\n  - date: "2020-01-02"\n    text: "{fillers["correction"]}"',
                date_note=f'"{fillers["note"]}"')
    a = A.format("test-article")
    expected = [f"{a}:2:8: `title` {decoded['title']!r} {SHOWS_NOTHING}",
                f"{a}:5:11: `source.outlet` {decoded['outlet']!r} {SHOWS_NOTHING}",
                f"{a}:7:10: `summary` {decoded['summary']!r} {SHOWS_NOTHING}",
                f"{a}:11:12: `events[0].title` {decoded['event']!r} {SHOWS_NOTHING}",
                f"{a}:16:11: `corrections[0].text` {decoded['correction']!r} {SHOWS_NOTHING}",
                f"{a}:17:12: `date_note` {decoded['note']!r} {SHOWS_NOTHING}"]
    assert_refused(run(repo, "check"), *(printable(line) for line in expected))


def test_a_theme_title_that_shows_nothing_is_refused(repo):
    themes = repo / "dossier" / "themes.yml"
    source = themes.read_text(encoding="utf-8")
    first_title = re.search(r"^  title: .*$", source, re.M)
    line = source.count("\n", 0, first_title.start()) + 1
    themes.write_text(source[:first_title.start()] + '  title: "\\u2800"' + source[first_title.end():], encoding="utf-8")
    assert_refused(run(repo, "check"), f"dossier/themes.yml:{line}:10: `[0].title` '\u2800' {SHOWS_NOTHING}")


def test_an_article_that_would_show_no_text_is_refused(repo):
    add_article(repo, "only-title", text="عنوان الخبر التجريبي\n")
    add_article(repo, "all-hidden", text=_text("سطر ثالث"),
                hide_lines='["قالت وزارة الدفاع في بغداد يوم 27 أيار 2019 إن الخطة الأمنية بدأت.", '
                           '"وأضافت أن القوات انتشرت في الأنبار.", "سطر ثالث"]')
    assert_refused(run(repo, "check"),
                   f"{A.format('only-title')}:2:8: only-title.txt would show no text: its only line is the title; an "
                   "article needs the text below its title (did the copy stop after the headline?)",
                   f"{A.format('all-hidden')}:13:13: all-hidden.txt would show no text: every line of it is hidden by "
                   "`hide_lines` or is its title line; hide only page furniture (bylines, captions), never the "
                   "article's own lines")


def _add_entity(repo, text: str) -> int:
    """Append an entity to entities.yml; the line number its first line lands on."""
    path = repo / "dossier" / ENTITIES.split("/", 1)[1]
    source = path.read_text(encoding="utf-8")
    path.write_text(source.rstrip("\n") + "\n" + text, encoding="utf-8")
    return source.rstrip("\n").count("\n") + 2


def _entity_count(repo) -> int:
    return (repo / ENTITIES).read_text(encoding="utf-8").count("\n- id:") + 0


def test_an_alias_that_cannot_name_an_entity_is_refused(repo):
    line = _add_entity(repo, "- id: test-zone\n  name: منطقة الاختبار\n  kind: place\n"
                             "  aliases: [بغ, وقال, الأمنية, الاختبار]\n  description: منطقة في بغداد.\n")
    index = _entity_count(repo) - 1
    short = ("is too short to name an entity: an alias has at least 3 letters (diacritics and spelling variants set "
             "aside), or it would match parts of countless words; write the name in full")
    common = ("is a common word of news reports (sitegen/common_words.txt), not a name: as an alias it would link "
              "nearly every article to this entity; remove it")
    result = run(repo, "check")
    assert_refused(result, f"{ENTITIES}:{line + 3}:13: `[{index}].aliases[0]` 'بغ' {short}",
                   f"{ENTITIES}:{line + 3}:17: `[{index}].aliases[1]` 'وقال' {common}",
                   f"{ENTITIES}:{line + 3}:23: `[{index}].aliases[2]` 'الأمنية' {common}")
    assert not any("aliases[3]" in line for line in problems(result))


def test_an_alias_found_in_most_articles_is_a_warning_at_its_line(repo):
    line = _add_entity(repo, "- id: falcons-cell\n  name: خلية الصقور\n  kind: organization\n"
                             "  aliases: [الصقور]\n  description: خلية استخبارية.\n")
    for number in range(6):  # 6 of the 11 articles
        add_article(repo, f"falcons-{number}", text=_text(f"وأعلن الصقور اعتقال مطلوب رقم {number}."))
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr
    assert (f"warning: {ENTITIES}:{line + 3}:13: alias 'الصقور' of `falcons-cell` is found in 6 of the 11 articles "
            "(that do not give its name): if it is a common word rather than a name, it links nearly every article "
            "to this entity; remove it or write the name in full") in result.stderr.splitlines(), result.stderr


def test_a_correction_dated_in_the_future_is_refused(repo):
    add_article(repo, corrections='\n  - date: "2999-01-02"\n    text: "صُحّح التاريخ."')
    result = run(repo, "check")
    assert_refused(result)
    assert any(line.startswith(f"{A.format('test-article')}:14:11: `corrections[0].date` 2999-01-02 is in the future")
               for line in problems(result)), result.stderr


def test_corrections_are_paged_like_every_other_listing(repo):
    """Past 300 corrections, /corrections/ shows the latest and links year pages of at most 300."""
    for number in range(4):
        items = "".join(f'\n  - date: "{2020 + k % 4}-0{1 + k % 9}-1{k % 10}"\n    text: "تصحيح رقم {k} للمقال {number}."'
                        for k in range(80))
        add_article(repo, f"corrected-{number}", text=_text(f"سطر المقال {number}."), corrections=items)
    result = run(repo, "build")
    assert result.returncode == 0, result.stderr
    index = (repo / "site" / "corrections" / "index.html").read_text(encoding="utf-8")
    assert index.count("<li>") < 80, "the index shows the latest corrections only"
    years = re.findall(r'<a href="([^"]*?(20\d\d)/)">', index)
    assert sorted(year for _, year in years) == ["2020", "2021", "2022", "2023"], index
    total = 0
    for year in ("2020", "2021", "2022", "2023"):
        page = (repo / "site" / "corrections" / year / "index.html").read_text(encoding="utf-8")
        total += page.count("تصحيح رقم")
    assert total == 320


def test_an_event_without_a_quote_is_a_warning_naming_file_and_line(repo):
    add_article(repo)  # its event (lines 10-11) has a date and a title only
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr
    assert any(line.startswith(f"warning: {A.format('test-article')}:10:5: `events[0]` has no `quote`")
               for line in result.stderr.splitlines()), result.stderr


def test_a_key_indented_unlike_its_neighbours_is_said_so_at_its_line(repo):
    yaml_text = article_yaml().replace('title: "عنوان الخبر التجريبي"', "title: عنوان الخبر التجريبي").replace(
        '\ndate: "2019-05-27"', '\n date: "2019-05-27"')
    add_article(repo, yaml_text=yaml_text)
    assert_refused(run(repo, "check"),
                   f"{A.format('test-article')}:3:2: YAML does not parse: mapping values are not allowed here; the key "
                   "`date` is indented by 1 space and its neighbour `title` on line 2 by 0 spaces: keys of one mapping line up "
                   "(two spaces for each level); indent `date` like `title`")


def test_every_problem_of_every_file_in_one_run(repo):
    """A broken YAML file, a bad quote, a blank title and a bad alias: one check says all four."""
    add_article(repo, "broken", text=_text("مقال مكسور"), yaml_text=article_yaml(_text("مقال مكسور")).replace(
        '  outlet: "العربي الجديد"', '   outlet: "العربي الجديد"\n  url: "https://example.org/"'))
    add_article(repo, "bad-quote", text=_text("مقال آخر"), events=_quoted("في"))
    add_article(repo, "blank-title", text=_text("مقال ثالث"), title='"\\u3164"')
    line = _add_entity(repo, "- id: test-zone\n  name: منطقة الاختبار\n  kind: place\n  aliases: [بغ]\n"
                             "  description: منطقة في بغداد.\n")
    printed = problems(run(repo, "check"))
    for start in (f"{A.format('broken')}:6:", f"{A.format('bad-quote')}:12:12: `events[0].quote`",
                  f"{A.format('blank-title')}:2:8: `title`", f"{ENTITIES}:{line + 3}:13: `[{_entity_count(repo) - 1}].aliases[0]`"):
        assert any(p.startswith(start) for p in printed), f"{start}\n" + "\n".join(printed)


def test_the_shipped_dossier_passes_without_a_warning(repo):
    result = run(repo, "check")
    assert result.returncode == 0, result.stderr
    assert "warning:" not in result.stderr, result.stderr
