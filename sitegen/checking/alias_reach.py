"""A warning for an alias found in most of the dossier's articles: a common word given as an
alias attaches its entity to nearly every article. Counted over every article and entity that
passed validation, so that it is reported in the same run as every problem.

The count reads each article's words once, with their particles removed (arabic.stems), and
asks of every alias whether each of its words is there, as the matcher reads them, and its
entity's name is not (where the name is, the alias adds nothing): a few set
look-ups per alias and article, not a second entity matching of the whole dossier. An alias of
several words that passes this in most articles is then matched for real in those articles
(its words might not stand together)."""
from __future__ import annotations

from pathlib import Path

from ..arabic import Matcher, folded_words, name_forms, stems
from ..cache import NO_CACHE, BuildCache, fingerprint
from ..model import Article, Dossier, Problem
from .yaml_reader import YamlDocument, rel

MIN_ARTICLES = 10  # in a smaller dossier any name may well be in most articles
MOST = 0.5  # an alias found in more than this share of the articles


def common_aliases(dossier: Dossier, entities_document: YamlDocument | None, root: Path,
                   cache: BuildCache = NO_CACHE) -> list[Problem]:
    """A warning, at the alias's line in entities.yml, for each alias found in most articles.

    Which aliases an article holds is kept in cache by the article and every entity's spellings:
    serve reads again only the articles an edit changed."""
    total = len(dossier.articles)
    if total < MIN_ARTICLES or entities_document is None or not isinstance(entities_document.data, list):
        return []
    def forms(spelling: str) -> list[frozenset[str]]:
        return [name_forms(word) for word in folded_words(spelling)]

    # Each alias with its entity's name: only where the name is not there does the alias alone
    # attach the entity (تنظيم داعش names the entity whatever its alias داعش does).
    aliases = [(entity, k, alias, forms(alias), forms(entity.name))
               for entity in dossier.entities for k, alias in enumerate(entity.aliases)]
    spellings = fingerprint(*(f"{entity.id}\0{k}\0{alias}\0{entity.name}"
                              for entity, k, alias, _, _ in aliases))

    def holds(article: Article) -> tuple[int, ...]:
        readings: set[str] = set()
        for word in set(folded_words("\n".join(article.body_lines))):
            readings |= stems(word)
        return tuple(number for number, (_, _, _, alias_forms, name) in enumerate(aliases)
                     if alias_forms and all(form & readings for form in alias_forms)
                     and not all(f & readings for f in name))

    found_in: list[list] = [[] for _ in aliases]
    # each article's kept by it and the spellings, all of them as one too (an edit of a description walks none)
    every_article = fingerprint(*(article.fingerprint for article in dossier.articles))
    held = cache.each("alias-reach", dossier.articles, lambda article: (article.fingerprint, spellings), holds,
                      (every_article, spellings))
    for article, numbers in zip(dossier.articles, held):
        for number in numbers:
            found_in[number].append(article)
    index = {item.get("id"): i for i, item in enumerate(entities_document.data) if isinstance(item, dict)}
    warnings = []
    for (entity, k, alias, alias_forms, _), articles in zip(aliases, found_in):
        if len(articles) <= MOST * total or entity.id not in index:
            continue
        if len(alias_forms) > 1:  # its words are there; together?
            matcher = Matcher({"alias": [alias]})
            articles = [a for a in articles if any(matcher.find(line) for line in a.body_lines)]
            if len(articles) <= MOST * total:
                continue
        line, column = entities_document.where((index[entity.id], "aliases", k))
        warnings.append(Problem(rel(entities_document.path, root), line, column,
                                f"alias {alias!r} of `{entity.id}` is found in {len(articles)} of the {total} "
                                "articles (that do not give its name): if it is a common word rather than a name, it links nearly every article "
                                "to this entity; remove it or write the name in full"))
    return warnings
