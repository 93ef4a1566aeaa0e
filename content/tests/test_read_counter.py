import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from content.models import Article
from content.reads import COOKIE_NAME, COOKIE_SALT
from content.tests.conftest import BROWSER_UA
from content.tests.factories import ArticleFactory


def _reads(article):
    article.refresh_from_db(fields=["view_count"])
    return article.view_count


@pytest.mark.django_db
def test_a_reader_is_counted_once_per_article_per_day(reader):
    article, other = ArticleFactory(), ArticleFactory()
    for _ in range(3):
        reader.get(f"/articles/{article.slug}/")
    reader.get(f"/articles/{other.slug}/")
    assert _reads(article) == 1 and _reads(other) == 1
    cookie = reader.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_two_readers_count_twice(client):
    article = ArticleFactory()
    for _ in range(2):
        Client(HTTP_USER_AGENT=BROWSER_UA).get(f"/articles/{article.slug}/")
    assert _reads(article) == 2


@pytest.mark.django_db
def test_a_reader_who_comes_back_the_next_day_counts_again(reader):
    article = ArticleFactory()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    reader.get(f"/articles/{article.slug}/")
    response = reader.get("/")  # any response can carry a cookie; write yesterday's list into it
    response.set_signed_cookie(COOKIE_NAME, f"{yesterday}:{article.pk}", salt=COOKIE_SALT)
    reader.cookies[COOKIE_NAME] = response.cookies[COOKIE_NAME].value
    reader.get(f"/articles/{article.slug}/")
    assert _reads(article) == 2


@pytest.mark.django_db
def test_a_forged_cookie_is_ignored_and_the_read_counts(reader):
    article = ArticleFactory()
    reader.cookies[COOKIE_NAME] = f"{timezone.localdate().isoformat()}:{article.pk}"
    reader.get(f"/articles/{article.slug}/")
    assert _reads(article) == 1


@pytest.mark.django_db
def test_a_head_request_answers_but_is_not_a_read(reader):
    article = ArticleFactory()
    assert reader.head(f"/articles/{article.slug}/").status_code == 200
    assert _reads(article) == 0


@pytest.mark.django_db
def test_staff_reading_a_published_article_are_not_counted(reader, editor):
    article = ArticleFactory()
    reader.force_login(editor)
    reader.get(f"/articles/{article.slug}/")
    assert _reads(article) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_obvious_bots_are_not_counted(client, user_agent):
    article = ArticleFactory()
    client.get(f"/articles/{article.slug}/", HTTP_USER_AGENT=user_agent)
    assert _reads(article) == 0


@pytest.mark.django_db
def test_a_404_counts_nothing(reader):
    article = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    assert reader.get(f"/articles/{article.slug}/").status_code == 404
    assert _reads(article) == 0


READERS = 24


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_never_lose_a_count():
    article = ArticleFactory()
    start = threading.Barrier(READERS)
    statuses = []

    def read():
        try:
            start.wait()
            statuses.append(Client(HTTP_USER_AGENT=BROWSER_UA).get(f"/articles/{article.slug}/").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read) for _ in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * READERS
    assert _reads(article) == READERS
