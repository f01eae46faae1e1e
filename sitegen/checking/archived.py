"""The rules for `source.archive`, the archived copies of an article's source, that a schema
cannot state: an address holds no invisible character (it could lead elsewhere than it reads),
and a copy is captured neither before the article was published (at the precision its date is
known) nor after today."""
from __future__ import annotations

import datetime
import unicodedata

from .. import characters
from ..model import ArchivedCopy, PartialDate
from .schema_messages import field_name

# Categories of characters that show nothing in an address: format characters (zero-width
# spaces and joiners, soft hyphen, word joiner, BOM), controls, separators, private use, unassigned.
_INVISIBLE = ("Cf", "Cc", "Zs", "Zl", "Zp", "Co", "Cn")


def today() -> PartialDate:
    """Today, a day ahead of UTC: a copy captured today anywhere on Earth is not in the future."""
    day = datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=1)
    return PartialDate(day.year, day.month, day.day)


def _invisible(url: str) -> str | None:
    for char in url:
        if unicodedata.category(char) in _INVISIBLE:
            return f"U+{ord(char):04X} {unicodedata.name(char, 'an unnamed character')}"
    return None


def archived_copies(checker, document, data: dict, date: PartialDate | None, ok) -> tuple[ArchivedCopy, ...]:
    """The article's archived copies, each problem reported where it is written."""
    source = data.get("source") if isinstance(data.get("source"), dict) else {}
    copies = []
    latest = today()
    for index, copy in enumerate(checker.items("article", source.get("archive"), ("source", "archive"))):
        where = ("source", "archive", index)
        # The address and the date are checked apart: a wrong address does not hide a wrong date.
        url = copy["url"] if ok(*where, "url") else None
        invisible = None if url is None or characters.IN_VALUE.search(url) else _invisible(url)  # IN_VALUE's: said already
        if invisible:
            checker.problem(document, where + ("url",),
                            f"`{field_name(where + ('url',))}` contains {invisible}, an invisible character: an "
                            "address that holds one may lead elsewhere than it reads; copy the address again")
        when = checker.date(document, where + ("date",), copy["date"]) if ok(*where, "date") else None
        if when and date and date.could_be_after(when):
            checker.problem(document, where + ("date",),
                            f"`{field_name(where + ('date',))}` {when} is before the article's date {date}: a copy "
                            "is captured after publication; check the capture date in the archive's address")
        elif when and when.could_be_after(latest):
            checker.problem(document, where + ("date",),
                            f"`{field_name(where + ('date',))}` {when} is in the future: a copy's date is the day it "
                            "was captured; check the capture date in the archive's address")
        elif when and url and not invisible:
            copies.append(ArchivedCopy(url, when))
    return tuple(copies)
