import re
from io import StringIO

import pytest
from django.core.management import call_command

from content.embeds import PLACEHOLDER
from content.models import Article, ArticleTranslation

pytestmark = pytest.mark.django_db


def _seed():
    out = StringIO()
    call_command("seed_demo", "--allow-production", "--patients", "0", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_publishes_a_few_demo_articles_and_says_so():
    out = _seed()
    assert "Demo articles: 4 created." in out
    articles = Article.objects.all()
    assert len(articles) == 4 and all(article.is_public for article in articles)
    assert {article.author.username for article in articles} == {"demo-editor"}
    assert all(article.tags.exists() for article in articles)


def test_seed_demo_twice_adds_no_articles():
    _seed()
    before = sorted(Article.objects.values_list("slug", "title", "body_html", "published_at"))
    assert "Demo articles: 0 created." in _seed()
    assert sorted(Article.objects.values_list("slug", "title", "body_html", "published_at")) == before


def test_demo_articles_use_headings_bold_tables_and_link_to_each_other():
    _seed()
    slugs = set(Article.objects.values_list("slug", flat=True))
    for article in Article.objects.all():
        html = article.body_html
        assert "<h2 " in html and "<strong>" in html, article.slug
        linked = set(re.findall(r'href="/articles/([a-z0-9-]+)/"', html)) - {"definitions"}
        assert linked and linked <= slugs, article.slug
    assert sum("<table>" in html for html in Article.objects.values_list("body_html", flat=True)) >= 2


def test_one_demo_article_embeds_the_live_outcome_table():
    _seed()
    embedding = [article.slug for article in Article.objects.all() if PLACEHOLDER.search(article.body_html)]
    assert embedding == ["our-outcome-figures"]


def test_the_demo_articles_without_the_table_render_for_readers(reader):
    _seed()
    for article in Article.objects.exclude(slug="our-outcome-figures"):
        assert reader.get(article.get_absolute_url()).status_code == 200
    html = reader.get("/articles/").content.decode()
    assert html.count('class="h5 card-title"') == 4


def test_two_demo_articles_have_a_published_chinese_translation_made_once(reader):
    _seed()
    _seed()
    translated = ArticleTranslation.objects.filter(language="zh-hans")
    assert sorted(translated.values_list("article__slug", flat=True)) == [
        "how-we-measure-circulation",
        "our-outcome-figures",
    ]
    assert all(translation.is_public for translation in translated)
    html = reader.get("/zh-hans/articles/how-we-measure-circulation/").content.decode()
    assert "我们如何在每次就诊时测量血液循环" in html and "<table>" in html
    assert "这篇文章还没有中文译文" in reader.get("/zh-hans/articles/your-first-visit/").content.decode()
