"""Search runs on whichever database the suite uses: full-text on PostgreSQL, a plain match on SQLite."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from content.models import Article
from content.selectors import articles_search
from content.tests.factories import ArticleFactory, ArticleTranslationFactory

pytestmark = pytest.mark.django_db


def _titles(articles):
    return [article.title for article in articles]


def test_search_finds_words_in_title_summary_and_body():
    ArticleFactory(title="Cold hands in winter")
    ArticleFactory(title="Second", summary="Why hands go cold.")
    ArticleFactory(title="Third", body="Raynaud's makes hands white.")
    ArticleFactory(title="Migraine", body="Headaches.")
    assert set(_titles(articles_search(query="hands"))) == {"Cold hands in winter", "Second", "Third"}


def test_search_needs_every_word():
    ArticleFactory(title="Fatigue after chemotherapy")
    ArticleFactory(title="Fatigue and sleep")
    assert _titles(articles_search(query="fatigue chemotherapy")) == ["Fatigue after chemotherapy"]


def test_search_never_finds_drafts_or_scheduled_articles():
    ArticleFactory(title="Circulation draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Circulation later", published_at=timezone.now() + dt.timedelta(days=1))
    ArticleFactory(title="Circulation today")
    assert _titles(articles_search(query="circulation")) == ["Circulation today"]


def test_an_empty_query_finds_nothing():
    ArticleFactory()
    assert list(articles_search(query="   ")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking and stemming need PostgreSQL full-text search")
def test_on_postgresql_a_title_match_ranks_above_a_body_match_and_words_are_stemmed():
    ArticleFactory(title="Notes", body="Patients often describe warming after sessions.", published_at=timezone.now())
    ArticleFactory(title="Warming up cold hands", published_at=timezone.now() - dt.timedelta(days=30))
    assert _titles(articles_search(query="warm")) == ["Warming up cold hands", "Notes"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="web-search syntax is PostgreSQL's")
def test_on_postgresql_quotes_and_minus_work_like_a_search_engine():
    ArticleFactory(title="Cold hands and feet")
    ArticleFactory(title="Hands that are cold")
    assert _titles(articles_search(query='"cold hands"')) == ["Cold hands and feet"]
    assert _titles(articles_search(query="hands -feet")) == ["Hands that are cold"]


def test_matches_ignore_case_and_equally_good_matches_come_newest_first():
    ArticleFactory(title="Old WARMTH", published_at=timezone.now() - dt.timedelta(days=9))
    ArticleFactory(title="New warmth", published_at=timezone.now() - dt.timedelta(days=1))
    assert _titles(articles_search(query="Warmth")) == ["New warmth", "Old WARMTH"]


def test_the_search_page_shows_results_and_keeps_the_query(reader):
    ArticleFactory(title="Pulse and oxygen")
    html = reader.get("/articles/search/", {"q": "oxygen"}).content.decode()
    assert "1 article found for “oxygen”" in html
    assert 'value="oxygen"' in html and "Pulse and oxygen" in html


def test_the_search_page_says_when_nothing_matches(reader):
    html = reader.get("/articles/search/", {"q": "<b>zebra</b>"}).content.decode()
    assert "No articles match “&lt;b&gt;zebra&lt;/b&gt;”" in html


def test_the_search_page_without_a_query_invites_one(reader):
    html = reader.get("/articles/search/").content.decode()
    assert "Type a word or two" in html


def test_the_search_page_survives_odd_input(reader):
    for query in ["&|!():*", "'", "a" * 5000, "\\", "-", '"']:
        assert reader.get("/articles/search/", {"q": query}).status_code == 200


def test_search_results_paginate_and_keep_the_query_in_page_links(reader):
    for n in range(12):
        ArticleFactory(title=f"Breathing {n}", published_at=timezone.now() - dt.timedelta(days=n + 1))
    html = reader.get("/articles/search/", {"q": "breathing"}).content.decode()
    assert "12 articles found" in html
    assert re.search(r'href="\?q=breathing&amp;page=2"', html)


def test_chinese_words_are_found_in_translations_and_originals_on_either_database():
    """PostgreSQL's full-text search cannot split Chinese into words: a substring match finds them."""
    acupuncture = ArticleFactory(title="Needling and circulation")
    ArticleTranslationFactory(article=acupuncture, title="针灸与血液循环", body="针灸治疗前后测量血氧饱和度。")
    sleep = ArticleFactory(title="Sleep")
    ArticleTranslationFactory(article=sleep, title="睡眠", summary="睡得好。", body="安静地休息。")
    ArticleFactory(title="Oximetry", body="What a finger clip reads: 血氧饱和度 (SpO₂).")
    ArticleTranslationFactory(
        article=ArticleFactory(title="Draft translation"),
        title="针灸草稿",
        status=Article.Status.DRAFT,
        published_at=None,
    )
    assert _titles(articles_search(query="针灸")) == ["Needling and circulation"]
    assert set(_titles(articles_search(query="血氧"))) == {"Needling and circulation", "Oximetry"}
    assert _titles(articles_search(query="针灸 血氧")) == ["Needling and circulation"]
    assert _titles(articles_search(query="偏头痛")) == []


def test_a_chinese_reader_searches_in_chinese_and_sees_the_translated_titles(reader):
    article = ArticleFactory(title="Needling and circulation")
    ArticleTranslationFactory(article=article, title="针灸与血液循环")
    html = reader.get("/zh-hans/articles/search/?q=针灸").content.decode()
    assert "找到 1 篇与“针灸”相关的文章。" in html and ">针灸与血液循环</a>" in html
