"""A warning for an alias found in most of the dossier's articles: a common word given as an
alias attaches its entity to nearly every article. Worked out from the entity mentions the build
finds anyway (link.all_mentions, cached), over every article and entity that passed validation,
so that it is reported in the same run as every problem."""
from __future__ import annotations

from pathlib import Path

from ..arabic import Matcher
from ..cache import NO_CACHE, BuildCache
from ..model import Dossier, Problem
from .link import all_mentions
from .yaml_reader import YamlDocument, rel

MIN_ARTICLES = 10  # in a smaller dossier any name may well be in most articles
MOST = 0.5  # an alias found in more than this share of the articles
EXAMINED_LIMIT = 20  # entities whose aliases are counted one by one, at most (the most widespread first)


def common_aliases(dossier: Dossier, entities_document: YamlDocument | None, root: Path,
                   cache: BuildCache = NO_CACHE) -> list[Problem]:
    """A warning, at the alias's line in entities.yml, for each alias found in most articles."""
    total = len(dossier.articles)
    if total < MIN_ARTICLES or entities_document is None or not isinstance(entities_document.data, list):
        return []
    found_in: dict[str, list] = {}
    for article, _, (_, found) in all_mentions(dossier, cache):
        for entity_id in found:
            found_in.setdefault(entity_id, []).append(article)
    widespread = sorted((e for e in dossier.entities if e.aliases and len(found_in.get(e.id, ())) > MOST * total),
                        key=lambda e: (-len(found_in[e.id]), e.id))[:EXAMINED_LIMIT]
    index = {item.get("id"): i for i, item in enumerate(entities_document.data) if isinstance(item, dict)}
    warnings = []
    for entity in widespread:
        # Each spelling its own key: the longest spelling found wins, as in the real matching.
        matcher = Matcher({str(k): [spelling] for k, spelling in enumerate(entity.spellings)})
        counts = [0] * len(entity.spellings)
        for article in found_in[entity.id]:
            for k in {int(key) for line in article.body_lines for _, _, key in matcher.find(line)}:
                counts[k] += 1
        for k, alias in enumerate(entity.aliases):
            if counts[k + 1] > MOST * total and entity.id in index:
                line, column = entities_document.where((index[entity.id], "aliases", k))
                warnings.append(Problem(rel(entities_document.path, root), line, column,
                                        f"alias {alias!r} of `{entity.id}` is found in {counts[k + 1]} of the "
                                        f"{total} articles: if it is a common word rather than a name, it links "
                                        "nearly every article to this entity; remove it or write the name in full"))
    return warnings
