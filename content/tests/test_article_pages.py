import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from content.models import Article
from content.selectors import articles_for_condition
from content.tests.conftest import BROWSER_UA
from content.tests.factories import ArticleFactory, TagFactory
from patients.tests.factories import ConditionFactory

pytestmark = pytest.mark.django_db


def _titles(response):
    return re.findall(r'<h[23] class="h5 card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def test_the_article_list_shows_published_articles_newest_first_with_summary_date_and_reads(reader):
    now = timezone.now()
    ArticleFactory(title="Older", published_at=now - dt.timedelta(days=10), view_count=7)
    ArticleFactory(title="Newer", published_at=now - dt.timedelta(days=1), summary="Fresh news.")
    ArticleFactory(title="Hidden draft", status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Scheduled", published_at=now + dt.timedelta(days=2))

    response = reader.get("/articles/")

    assert _titles(response) == ["Newer", "Older"]
    html = response.content.decode()
    assert "Fresh news." in html and "7 reads" in html
    assert (now - dt.timedelta(days=10)).strftime("%-d %B %Y") in html


def test_the_article_list_is_paginated_and_a_bad_page_number_shows_a_page(reader):
    now = timezone.now()
    for day in range(12):
        ArticleFactory(title=f"Day {day}", published_at=now - dt.timedelta(days=day + 1))
    first = reader.get("/articles/")
    assert len(_titles(first)) == 10 and "Page 1 of 2" in first.content.decode()
    assert _titles(reader.get("/articles/?page=2")) == ["Day 10", "Day 11"]
    assert reader.get("/articles/?page=abc").status_code == 200
    assert _titles(reader.get("/articles/?page=99")) == ["Day 10", "Day 11"]


def test_the_article_list_runs_a_fixed_number_of_queries(reader, django_assert_max_num_queries):
    tag = TagFactory(name="Circulation")
    for _ in range(3):
        ArticleFactory(tags=[tag])
    with django_assert_max_num_queries(6) as few:
        reader.get("/articles/")
    for _ in range(7):
        ArticleFactory(tags=[tag])
    with django_assert_max_num_queries(len(few.captured_queries)):
        reader.get("/articles/")


def test_an_empty_article_list_says_so(reader):
    assert "No articles here yet" in reader.get("/articles/").content.decode()


def test_an_article_page_shows_title_date_source_reads_body_and_tags(reader):
    tag = TagFactory(name="Warmth")
    article = ArticleFactory(
        title="Warm hands",
        body="## Why\n\nBecause **circulation**.",
        source="Journal of Examples",
        source_url="https://journal.example/1",
        view_count=41,
        tags=[tag],
    )
    html = reader.get(f"/articles/{article.slug}/").content.decode()
    assert '<h1 class="h2">Warm hands</h1>' in html
    assert article.published_at.strftime("%-d %B %Y") in html
    assert "42 reads" in html  # this read counted
    assert '<a href="https://journal.example/1" rel="noopener nofollow">Journal of Examples</a>' in html
    assert '<h2 id="why">Why' in html and "<strong>circulation</strong>" in html
    assert 'href="/articles/tag/warmth/"' in html


def test_an_article_page_has_a_meta_description_and_open_graph_tags(reader):
    article = ArticleFactory(title="Cold & tired", summary="Summary text.", meta_description="For <search> engines.")
    html = reader.get(f"/articles/{article.slug}/").content.decode()
    assert '<meta name="description" content="For &lt;search&gt; engines.">' in html
    assert '<meta property="og:title" content="Cold &amp; tired">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="http://testserver/articles/{article.slug}/">' in html
    assert '<meta property="article:published_time"' in html


def test_an_article_page_lists_related_articles_sharing_tags_or_conditions(reader):
    tag = TagFactory(name="Fatigue")
    condition = ConditionFactory()
    article = ArticleFactory(tags=[tag])
    by_tag = ArticleFactory(title="Shares a tag", tags=[tag])
    by_both = ArticleFactory(title="Shares both", tags=[tag], conditions=[condition])
    article.conditions.add(condition)
    ArticleFactory(title="Unrelated")
    ArticleFactory(title="Related draft", tags=[tag], status=Article.Status.DRAFT, published_at=None)

    html = reader.get(f"/articles/{article.slug}/").content.decode()
    related = html[html.index('id="related"') :]
    assert related.index(by_both.title) < related.index(by_tag.title)
    assert "Unrelated" not in related and "Related draft" not in related


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"status": Article.Status.IN_REVIEW, "published_at": None},
        {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + dt.timedelta(hours=3)},
    ],
    ids=["draft", "in_review", "scheduled"],
)
def test_unpublished_and_scheduled_articles_are_404_to_the_public_and_to_non_staff(reader, practitioner, state):
    article = ArticleFactory(**state)
    assert reader.get(f"/articles/{article.slug}/").status_code == 404
    reader.force_login(practitioner)
    assert reader.get(f"/articles/{article.slug}/").status_code == 404
    assert article.title not in reader.get("/articles/").content.decode()


def test_staff_can_preview_a_draft_and_their_visit_is_not_counted(client, editor):
    article = ArticleFactory(title="Work in progress", status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    html = client.get(f"/articles/{article.slug}/").content.decode()
    assert "Work in progress" in html and "Preview." in html and "the public cannot see it" in html
    assert '<meta name="robots" content="noindex">' in html
    article.refresh_from_db()
    assert article.view_count == 0


def test_staff_see_when_a_scheduled_article_goes_public(client, editor):
    when = timezone.now() + dt.timedelta(days=2)
    article = ArticleFactory(published_at=when)
    client.force_login(editor)
    assert (
        f"Scheduled for {timezone.localtime(when).strftime('%-d %B %Y')}"
        in client.get(f"/articles/{article.slug}/").content.decode()
    )


def test_a_scheduled_article_appears_once_its_time_has_come(reader):
    article = ArticleFactory(published_at=timezone.now() + dt.timedelta(hours=1))
    assert reader.get(f"/articles/{article.slug}/").status_code == 404
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    assert reader.get(f"/articles/{article.slug}/").status_code == 200


def test_the_tag_page_lists_only_public_articles_with_that_tag(reader):
    tag, other = TagFactory(name="Sleep"), TagFactory(name="Diet")
    ArticleFactory(title="About sleep", tags=[tag])
    ArticleFactory(title="About diet", tags=[other])
    ArticleFactory(title="Sleep draft", tags=[tag], status=Article.Status.DRAFT, published_at=None)
    response = reader.get("/articles/tag/sleep/")
    assert _titles(response) == ["About sleep"]
    assert "Articles tagged “Sleep”" in response.content.decode()
    assert reader.get("/articles/tag/no-such-tag/").status_code == 404


def test_the_condition_page_lists_articles_about_that_condition(reader):
    raynauds = ConditionFactory(slug="raynauds-phenomenon", name="Raynaud's Phenomenon")
    ArticleFactory(title="Cold fingers", conditions=[raynauds])
    ArticleFactory(title="Something else")
    response = reader.get("/articles/condition/raynauds-phenomenon/")
    assert _titles(response) == ["Cold fingers"]
    assert "Articles about Raynaud&#x27;s Phenomenon" in response.content.decode()
    assert reader.get("/articles/condition/nope/").status_code == 404


def test_the_definitions_page_explains_the_figures(reader):
    html = reader.get("/articles/definitions/").content.decode()
    assert "fewer than 5" in html and "95% confidence interval" in html


def test_the_home_page_lists_the_latest_three_articles(reader):
    now = timezone.now()
    for day in range(4):
        ArticleFactory(title=f"Home {day}", published_at=now - dt.timedelta(days=day + 1))
    ArticleFactory(title="Home draft", status=Article.Status.DRAFT, published_at=None)
    html = reader.get("/").content.decode()
    assert "Latest articles" in html
    assert all(f"Home {day}" in html for day in range(3))
    assert "Home 3" not in html and "Home draft" not in html


def test_the_home_page_without_articles_has_no_empty_articles_section(reader):
    assert "Latest articles" not in reader.get("/").content.decode()


def test_every_page_has_an_articles_item_in_the_menu(reader):
    assert '<a class="nav-link" href="/articles/">Articles</a>' in reader.get("/privacy/").content.decode()


@pytest.mark.parametrize("path", ["/articles/", "/articles/search/?q=x", "/articles/definitions/"])
def test_article_pages_load_nothing_from_another_host(reader, path):
    ArticleFactory(body="![pic](https://images.example/a.png)")
    html = reader.get(path).content.decode()
    # hreflang alternates name this site's own pages in full; they load nothing
    assert re.findall(r'<(?:script|link)(?![^>]*rel="alternate")[^>]+(?:src|href)="(?:https?:)?//', html) == []


def test_an_article_page_runs_a_fixed_number_of_queries(reader, django_assert_max_num_queries):
    condition = ConditionFactory()
    tags = [TagFactory(name=f"Topic {n}") for n in range(2)]
    article = ArticleFactory(tags=tags, conditions=[condition])
    ArticleFactory(tags=tags)
    with django_assert_max_num_queries(12) as few:
        reader.get(f"/articles/{article.slug}/")
    article.tags.add(*[TagFactory(name=f"More {n}") for n in range(5)])
    for _ in range(5):
        ArticleFactory(tags=tags, conditions=[condition])
    with django_assert_max_num_queries(len(few.captured_queries)):
        Client(HTTP_USER_AGENT=BROWSER_UA).get(f"/articles/{article.slug}/")


def test_articles_for_a_condition_are_the_newest_public_ones_about_it():
    condition = ConditionFactory()
    now = timezone.now()
    for day in range(4):
        ArticleFactory(title=f"About it {day}", conditions=[condition], published_at=now - dt.timedelta(days=day + 1))
    ArticleFactory(title="Draft about it", conditions=[condition], status=Article.Status.DRAFT, published_at=None)
    ArticleFactory(title="Not about it")
    titles = [article.title for article in articles_for_condition(condition=condition)]
    assert titles == ["About it 0", "About it 1", "About it 2"]
