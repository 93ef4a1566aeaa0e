import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from content.models import Article
from content.tests.factories import ArticleFactory, ArticleTranslationFactory, TagFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def articles():
    now = timezone.now()
    return {
        "older": ArticleFactory(title="Older & wiser", published_at=now - dt.timedelta(days=5)),
        "newer": ArticleFactory(
            title="Newer", published_at=now - dt.timedelta(days=1), tags=[TagFactory(name="Sleep")]
        ),
        "draft": ArticleFactory(title="Draft", status=Article.Status.DRAFT, published_at=None),
        "review": ArticleFactory(title="In review", status=Article.Status.IN_REVIEW, published_at=None),
        "scheduled": ArticleFactory(title="Scheduled", published_at=now + dt.timedelta(days=1)),
    }


def test_the_atom_feed_is_valid_xml_listing_only_published_articles_newest_first(client, articles):
    response = client.get("/articles/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Newer", "Older & wiser"]
    newer = entries[0]
    assert newer.find(f"{ATOM}link").get("href") == f"http://testserver/articles/{articles['newer'].slug}/"
    assert newer.findtext(f"{ATOM}summary") == articles["newer"].summary
    assert newer.find(f"{ATOM}category").get("term") == "Sleep"
    assert newer.findtext(f"{ATOM}author/{ATOM}name") == "Ravi Patel"
    assert newer.findtext(f"{ATOM}published")


def test_the_feed_is_linked_from_the_article_pages(reader, articles):
    html = reader.get(f"/articles/{articles['newer'].slug}/").content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/articles/feed/"' in html


def test_the_sitemap_is_valid_xml_listing_public_pages_and_only_published_articles(client, articles):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    sitemap = ET.fromstring(response.content)  # noqa: S314 - our own response
    locations = [url.findtext(f"{SITEMAP}loc") for url in sitemap.findall(f"{SITEMAP}url")]
    paths = {location.removeprefix("http://testserver") for location in locations}
    assert {"/", "/privacy/", "/articles/", "/assessment/"} <= paths
    article_paths = {path for path in paths if path.startswith("/articles/") and path.count("/") == 3}
    assert article_paths - {"/articles/definitions/"} == {
        f"/articles/{articles['older'].slug}/",
        f"/articles/{articles['newer'].slug}/",
    }
    lastmods = [url.findtext(f"{SITEMAP}lastmod") for url in sitemap.findall(f"{SITEMAP}url")]
    assert any(lastmods)


def test_the_sitemap_lists_pages_in_both_languages_and_articles_in_those_they_are_published_in(client, articles):
    ArticleTranslationFactory(article=articles["newer"])
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own response
    alternates = {}
    for url in sitemap.findall(f"{SITEMAP}url"):
        links = url.findall("{http://www.w3.org/1999/xhtml}link")
        location = url.findtext(f"{SITEMAP}loc").removeprefix("http://testserver")
        alternates[location] = {
            link.get("hreflang"): link.get("href").removeprefix("http://testserver") for link in links
        }
    both = {"en-gb": "/privacy/", "zh-hans": "/zh-hans/privacy/", "x-default": "/privacy/"}
    assert alternates["/privacy/"] == alternates["/zh-hans/privacy/"] == both
    assert "/zh-hans/assessment/" in alternates and "/zh-hans/articles/definitions/" in alternates
    newer, older = articles["newer"].slug, articles["older"].slug
    assert alternates[f"/zh-hans/articles/{newer}/"]["zh-hans"] == f"/zh-hans/articles/{newer}/"
    assert alternates[f"/articles/{newer}/"]["zh-hans"] == f"/zh-hans/articles/{newer}/"
    assert f"/zh-hans/articles/{older}/" not in alternates
    assert alternates[f"/articles/{older}/"] == {"en-gb": f"/articles/{older}/", "x-default": f"/articles/{older}/"}
