"""validate's rules about an article's text as its page will show it: the event quotes (sitegen/
quotes.py decides where each stands, the same way for the page), hidden lines that are not lines
of the text, and a text that would show nothing at all."""
from __future__ import annotations

import difflib

from .. import characters
from .. import quotes as quotes_rules
from ..model import shown_lines
from ..quotes import ArticleQuotes
from .load import RawArticle

_CLOSE_LINES_LIMIT = 3  # closest-line hints per article for hidden lines not in the text
_CLOSE_LINES_CANDIDATES = 200  # lines of a similar length each hint compares with, at most


def check_lines(checker, document, data, raw_article: RawArticle, ok, shown: list[str]) -> None:
    """Hidden lines that are not in the text; a text whose page would show no line."""
    _hidden_lines(checker, document, data, raw_article.text, raw_article, ok)
    if not shown and characters.visible(raw_article.text):
        hiding = bool(data.get("hide_lines"))
        checker.problem(document, ("hide_lines",) if hiding else ("title",),
                        f"{raw_article.txt_path.name} would show no text: "
                        + ("every line of it is hidden by `hide_lines` or is its title line; hide only page "
                           "furniture (bylines, captions), never the article's own lines" if hiding else
                           "its only line is the title; an article needs the text below its title (did the copy "
                           "stop after the headline?)"))


def article_quotes(raw_article: RawArticle, data: dict) -> ArticleQuotes | None:
    """The article's text made ready for its quotes, with the lines its page will show."""
    if raw_article.text is None:
        return None
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    listed = data.get("hide_lines")
    hidden = [line for line in listed if isinstance(line, str)] if isinstance(listed, list) else []
    shown, title_line = shown_lines(raw_article.text, title, hidden)
    return ArticleQuotes(raw_article.text, shown, title_line, hidden)


_QUOTE_PROBLEMS = {
    quotes_rules.TOO_SHORT: (f"is too short to name one passage: a quote has at least {quotes_rules.MIN_WORDS} words "
                             f"and {quotes_rules.MIN_LETTERS} letters; copy the whole clause that states the event"),
    quotes_rules.NOT_IN_TEXT: ("is not in {txt}: a quote is copied verbatim from the text (only whitespace, diacritics, "
                               "tatweel and hamza or ta marbuta spellings may differ); copy the passage that states the "
                               "event again"),
    quotes_rules.IN_TITLE: ("is only in the title line of {txt}, which the page shows as the headline, not in the text "
                            "it marks: quote the passage of the text below it that states the event"),
    quotes_rules.IN_HIDDEN: ("is only in a line that `hide_lines` hides, which the page does not show: quote a shown "
                             "line, or stop hiding that line"),
    quotes_rules.ACROSS_LINES: ("spans a line break of {txt}: the page marks a passage within one paragraph; quote "
                                "the part on one line (one event per paragraph)"),
    quotes_rules.INSIDE_WORD: ("starts or ends inside a word of {txt}: a quote is made of whole words; copy the words "
                               "it cuts in full"),
    quotes_rules.AMBIGUOUS: ("is found more than once in the text the page shows: quote enough words around it to name "
                             "one passage"),
}


def quote_problem(found, txt_name: str) -> str | None:
    """Why a quote is refused (a reason from sitegen/quotes.py), as a maintainer's sentence; None when found."""
    return None if isinstance(found, quotes_rules.Found) else _QUOTE_PROBLEMS[found].format(txt=txt_name)


def _hidden_lines(checker, document, data, text, raw_article, ok) -> None:
    hidden = checker.items("article", data.get("hide_lines"), ("hide_lines",))
    if not hidden:
        return
    lines = [line for line in text.splitlines() if line.strip()]
    known = set(lines) | {line.strip() for line in lines}
    hinted = 0
    for index, line in enumerate(hidden):
        if not ok("hide_lines", index) or line in known:
            continue
        hint = ""
        if hinted < _CLOSE_LINES_LIMIT:  # difflib compares with many lines: a few hints per article at most
            hinted += 1
            similar = [c.strip() for c in lines
                       if abs(len(c.strip()) - len(line)) <= max(10, len(line) // 3)][:_CLOSE_LINES_CANDIDATES]
            close = difflib.get_close_matches(line, similar, n=1, cutoff=0.6)
            hint = f"; the closest line is {close[0]!r}" if close else ""
        checker.problem(document, ("hide_lines", index),
                        f"`hide_lines[{index}]` {line!r} is not a line of {raw_article.txt_path.name}: expected "
                        f"a whole line of the text, copied exactly{hint}")
