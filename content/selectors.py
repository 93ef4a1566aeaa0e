"""Reads of published articles for the public pages, the home page and other apps."""

from django.db import connection
from django.db.models import Count, Q

from content.models import Article

SEARCH_CONFIG = "english"


def articles_public():
    """Published articles whose time has come, newest first, with what list pages show."""
    return Article.objects.published().select_related("author").order_by("-published_at", "-pk")


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


def articles_search(*, query):
    """Return public articles matching `query`, best first.

    On PostgreSQL: full-text search (title weighs most, then summary, then body) ranked by
    relevance. Elsewhere: every word must appear somewhere in the title, summary or body.
    """
    query = query.strip()
    if not query:
        return articles_public().none()
    if connection.vendor == "postgresql":
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
        matches = matches.filter(Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word))
    return matches
