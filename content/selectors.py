"""Reads of published articles for the public pages, the home page and other apps."""

import re

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import translation

from content.models import Article, ArticleTranslation

SEARCH_CONFIG = "english"
# Han characters (with the extensions and compatibility ideographs), kana and hangul: text that
# PostgreSQL's full-text search, which splits words at spaces and punctuation, cannot read.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]")


def article_translation_public(*, article, language=None):
    """Return `article`'s published translation in `language` (the active language), or None."""
    language = language or translation.get_language()
    if language == settings.LANGUAGE_CODE:
        return None
    return ArticleTranslation.objects.published().filter(article=article, language=language).first()


def articles_in_language(articles, *, language=None):
    """Return the queryset `articles` with each article's published translation in `language` (the
    active language) fetched with it, so that `article.shown_text` is what its reader is shown."""
    language = language or translation.get_language()
    if language == settings.LANGUAGE_CODE:
        return articles
    published = ArticleTranslation.objects.published().filter(language=language)
    return articles.prefetch_related(Prefetch("translations", queryset=published, to_attr="published_translations"))


def articles_public():
    """Published articles whose time has come, newest first, with what list pages show (in the
    active language: see articles_in_language)."""
    articles = Article.objects.published().select_related("author").order_by("-published_at", "-pk")
    return articles_in_language(articles)


def articles_latest(*, limit=3):
    return list(articles_public().prefetch_related("tags")[:limit])


def articles_for_condition(*, condition, limit=3):
    """Return up to `limit` newest public articles related to `condition` (a Condition)."""
    return list(articles_public().filter(conditions=condition)[:limit])


def articles_related(*, article, limit=3):
    """Return public articles sharing tags or conditions with `article`, most shared first."""
    tag_ids = list(article.tags.values_list("pk", flat=True))
    condition_ids = list(article.conditions.values_list("pk", flat=True))
    if not tag_ids and not condition_ids:
        return []
    return list(
        articles_public()
        .exclude(pk=article.pk)
        .annotate(
            shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
            + Count("conditions", filter=Q(conditions__in=condition_ids), distinct=True)
        )
        .filter(shared__gt=0)
        .order_by("-shared", "-published_at")
        .prefetch_related("tags")[:limit]
    )


def _text_matches(word):
    """Articles whose title, summary or body, or those of a published translation, hold `word`."""
    in_translation = ArticleTranslation.objects.published().filter(
        Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word), article=OuterRef("pk")
    )
    return Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word) | Exists(in_translation)


def articles_search(*, query):
    """Return public articles matching `query`, best first.

    A query with Chinese (or other CJK) characters, on any database: every word (split at spaces)
    must appear in the title, summary or body of the article or of a published translation, newest
    first; such text has no spaces between words, so a substring is the only match that finds them.
    Otherwise on PostgreSQL: full-text search of the English original (title weighs most, then
    summary, then body) ranked by relevance. Elsewhere: the substring match.
    """
    query = query.strip()
    if not query:
        return articles_public().none()
    if connection.vendor == "postgresql" and not CJK.search(query):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        )
        search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
        return (
            articles_public()
            .annotate(search=vector, rank=SearchRank(vector, search_query))
            .filter(search=search_query)
            .order_by("-rank", "-published_at")
        )
    matches = articles_public()
    for word in query.split()[:10]:
        matches = matches.filter(_text_matches(word))
    return matches
