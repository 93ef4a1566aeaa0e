"""Article pages kept for anonymous readers who have already been counted (content.page_cache)."""

import pytest
from django.test import Client

from content.services import article_save, article_translation_save
from content.tests.conftest import BROWSER_UA
from content.tests.factories import ArticleFactory, ArticleTranslationFactory

pytestmark = pytest.mark.django_db


def test_a_reader_already_counted_gets_the_kept_page_without_a_query(reader, django_assert_num_queries):
    article = ArticleFactory(title="Warm hands")
    first = reader.get(f"/articles/{article.slug}/").content.decode()
    with django_assert_num_queries(0):
        again = reader.get(f"/articles/{article.slug}/").content.decode()
    assert "Warm hands" in again and again.replace("1 read", "0 reads") == first.replace("1 read", "0 reads")
    assert "csrfmiddlewaretoken" not in again


def test_a_new_reader_is_still_counted_when_a_copy_is_kept(reader):
    article = ArticleFactory()
    reader.get(f"/articles/{article.slug}/")
    Client(HTTP_USER_AGENT=BROWSER_UA).get(f"/articles/{article.slug}/")
    article.refresh_from_db()
    assert article.view_count == 2


def test_an_edit_shows_at_once_to_a_reader_of_the_kept_page(reader, editor, django_capture_on_commit_callbacks):
    article = ArticleFactory(body="The old paragraph.")
    reader.get(f"/articles/{article.slug}/")
    article.body = "The new paragraph."
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article, by=editor)
    html = reader.get(f"/articles/{article.slug}/").content.decode()
    assert "The new paragraph." in html and "The old paragraph." not in html


def test_signed_in_readers_never_get_a_kept_page(reader, client, practitioner):
    article = ArticleFactory()
    reader.get(f"/articles/{article.slug}/")
    client.force_login(practitioner)
    client.defaults["HTTP_USER_AGENT"] = BROWSER_UA
    html = client.get(f"/articles/{article.slug}/").content.decode()
    assert "Sign out" in html and "csrfmiddlewaretoken" in html


def test_pages_are_kept_per_language_and_a_read_counts_once_in_either(reader, django_assert_num_queries):
    article = ArticleFactory(title="Warm hands")
    ArticleTranslationFactory(article=article, title="温暖的双手")
    english = reader.get(f"/articles/{article.slug}/").content.decode()
    chinese = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "Warm hands" in english and "温暖的双手" not in english
    assert "温暖的双手" in chinese and '<h1 class="h2">Warm hands' not in chinese
    with django_assert_num_queries(0):
        kept_chinese = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
        kept_english = reader.get(f"/articles/{article.slug}/").content.decode()
    assert "温暖的双手" in kept_chinese and '<h1 class="h2">温暖的双手</h1>' not in kept_english
    article.refresh_from_db()
    assert article.view_count == 1


def test_a_published_translation_shows_at_once_to_a_reader_of_the_kept_page(
    reader, editor, django_capture_on_commit_callbacks
):
    article = ArticleFactory(title="Warm hands")
    translation = ArticleTranslationFactory(article=article, status="draft", published_at=None, title="温暖的双手")
    assert "这篇文章还没有中文译文" in reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    translation.status = "published"
    with django_capture_on_commit_callbacks(execute=True):
        article_translation_save(translation=translation, by=editor)
    html = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "温暖的双手" in html and "这篇文章还没有中文译文" not in html
