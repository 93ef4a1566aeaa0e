"""Articles in Simplified Chinese: translations written, reviewed and published like the original, and
the pages under /zh-hans/ that show them, or say there is none and show the original."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from content.models import Article, ArticleTranslation
from content.services import PublishNotAllowed, article_translation_save, article_translations_publish
from content.tests.factories import ArticleFactory, ArticleTranslationFactory, TagFactory
from patients.models import Condition
from patients.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/content/articletranslation/add/"


@pytest.fixture
def writer(db):
    """Staff who may write articles and translations but not publish them."""
    user = UserFactory(username="writer", is_staff=True)
    codenames = ["view_article", "add_article", "change_article", "view_articletranslation"]
    codenames += ["add_articletranslation", "change_articletranslation"]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="content", codename__in=codenames))
    return user


def _chinese_date(moment):
    day = timezone.localtime(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def _form(article, **overrides):
    data = {
        "article": article.pk,
        "language": "zh-hans",
        "title": "雷诺现象：针灸能做什么",
        "summary": "针灸可能有帮助的地方，以及什么时候应该先去看医生。",
        "body": "## 针灸可能有帮助的地方\n\n很多患者说治疗后**手更暖**。\n\n<script>alert(1)</script>",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "meta_description": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


# Writing, reviewing and publishing


def test_an_editor_writes_a_translation_in_admin_and_its_body_is_rendered_and_sanitised(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    assert client.post(ADD_URL, _form(article)).status_code == 302
    translation = ArticleTranslation.objects.get()
    assert translation.article == article and translation.translator == editor
    assert translation.status == Article.Status.DRAFT
    assert "<strong>手更暖</strong>" in translation.body_html and "<script" not in translation.body_html


def test_a_writer_without_the_publish_permission_cannot_publish_a_translation(client, writer):
    article = ArticleFactory()
    client.force_login(writer)
    response = client.post(ADD_URL, _form(article, status=Article.Status.PUBLISHED))
    assert response.status_code == 200 and not ArticleTranslation.objects.exists()
    assert client.post(ADD_URL, _form(article, status=Article.Status.IN_REVIEW)).status_code == 302
    translation = ArticleTranslation.objects.get()
    translation.status = Article.Status.PUBLISHED
    with pytest.raises(PublishNotAllowed):
        article_translation_save(translation=translation, by=writer)
    with pytest.raises(PublishNotAllowed):
        article_translations_publish(translations=ArticleTranslation.objects.all(), by=writer)
    assert ArticleTranslation.objects.get().status == Article.Status.IN_REVIEW


def test_a_writer_cannot_change_a_published_translation(client, writer):
    translation = ArticleTranslationFactory()
    client.force_login(writer)
    url = f"/admin/content/articletranslation/{translation.pk}/change/"
    client.post(url, _form(translation.article, title="改过的标题", status=Article.Status.IN_REVIEW))
    assert ArticleTranslation.objects.get().title == translation.title
    translation.title = "改过的标题"
    with pytest.raises(PublishNotAllowed):
        article_translation_save(translation=translation, by=writer)


def test_an_editor_publishes_translations_in_review_from_the_list(client, editor):
    translation = ArticleTranslationFactory(status=Article.Status.IN_REVIEW, published_at=None)
    client.force_login(editor)
    client.post("/admin/content/articletranslation/", {"action": "publish", "_selected_action": [translation.pk]})
    translation.refresh_from_db()
    assert translation.status == Article.Status.PUBLISHED and translation.is_public


def test_a_translation_with_a_mistyped_embed_is_not_published(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    form = _form(article, body="我们的数据：\n\n[[cohort-outcome]]", status=Article.Status.PUBLISHED)
    response = client.post(ADD_URL, form)
    assert "did you mean [[cohort-outcomes]]?" in response.content.decode()
    assert not ArticleTranslation.objects.exists()
    draft = ArticleTranslation(article=article, language="zh-hans", title="草稿", summary="摘要")
    draft.body, draft.status = "[[cohort-outcome]]", Article.Status.PUBLISHED
    with pytest.raises(ValidationError):
        article_translation_save(translation=draft, by=editor)


def test_the_article_admin_page_links_its_translation(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    html = client.get(f"/admin/content/article/{article.pk}/change/").content.decode()
    assert f"/admin/content/articletranslation/add/?article={article.pk}&amp;language=zh-hans" in html
    add_page = client.get(f"{ADD_URL}?article={article.pk}&language=zh-hans").content.decode()
    assert f'<option value="{article.pk}" selected>' in add_page
    translation = ArticleTranslationFactory(article=article, status=Article.Status.IN_REVIEW)
    html = client.get(f"/admin/content/article/{article.pk}/change/").content.decode()
    assert f"/admin/content/articletranslation/{translation.pk}/change/" in html and "In review" in html


# What readers see


def test_a_chinese_reader_gets_the_translation_with_time_views_and_source_in_chinese(reader):
    article = ArticleFactory(title="Warm hands", source="Acuflow Clinic", view_count=41)
    ArticleTranslationFactory(article=article, title="温暖的双手", body="## 为什么\n\n因为**血液循环**。")
    html = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "<title>温暖的双手 ·" in html and '<h1 class="h2">温暖的双手</h1>' in html
    assert '<div class="article-body" lang="zh-hans">' in html and "<strong>血液循环</strong>" in html
    meta = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.split('class="article-meta', 1)[1].split("</p>", 1)[0]))
    assert f"时间：{_chinese_date(article.published_at)}" in meta
    assert "浏览：42" in meta and "来源：Acuflow Clinic" in meta
    assert f'href="/articles/{article.slug}/"' in html and "阅读英文原文" in html
    assert "Warm hands" not in html


def test_a_chinese_page_without_a_translation_says_so_links_the_original_and_shows_it_in_english(reader):
    article = ArticleFactory(title="Warm hands", body="Because **circulation**.")
    ArticleTranslationFactory(article=article, status=Article.Status.DRAFT, published_at=None, title="草稿标题")
    html = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    notice = html.split('class="alert alert-info article-untranslated"', 1)[1].split("</div>", 1)[0]
    assert "这篇文章还没有中文译文，下面是英文原文。" in notice
    assert f'<a href="/articles/{article.slug}/" hreflang="en-gb">打开英文原文页面</a>' in notice
    assert '<h1 class="h2" lang="en-gb">Warm hands</h1>' in html
    assert '<div class="article-body" lang="en-gb"><p>Because <strong>circulation</strong>.</p></div>' in html
    assert f'<link rel="canonical" href="http://testserver/articles/{article.slug}/">' in html
    assert "草稿标题" not in html and "时间：" in html


def test_the_english_page_links_the_chinese_translation_in_chinese(reader):
    untranslated = ArticleFactory(title="Cold feet")
    assert "阅读本文" not in reader.get(f"/articles/{untranslated.slug}/").content.decode()
    article = ArticleTranslationFactory().article
    html = reader.get(f"/articles/{article.slug}/").content.decode()
    link = f'<a href="/zh-hans/articles/{article.slug}/" lang="zh-hans" hreflang="zh-hans">阅读本文的简体中文版</a>'
    assert link in html and '<div class="article-body" lang="en-gb">' in html


def test_hreflang_alternates_are_given_only_for_an_article_in_both_languages(reader):
    def alternates(path):
        html = reader.get(path).content.decode()
        return re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="http://testserver([^"]+)">', html)

    untranslated = ArticleFactory(title="Cold feet")
    assert alternates(f"/articles/{untranslated.slug}/") == []
    assert alternates(f"/zh-hans/articles/{untranslated.slug}/") == []  # a notice over the English text
    article = ArticleTranslationFactory().article
    both = [
        ("en", f"/articles/{article.slug}/"),
        ("zh-Hans", f"/zh-hans/articles/{article.slug}/"),
        ("x-default", f"/articles/{article.slug}/"),
    ]
    assert alternates(f"/articles/{article.slug}/") == alternates(f"/zh-hans/articles/{article.slug}/") == both


def test_a_scheduled_translation_is_not_shown_until_its_time(reader):
    article = ArticleFactory()
    ArticleTranslationFactory(
        article=article, title="以后再看", published_at=timezone.now() + timezone.timedelta(days=1)
    )
    html = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "以后再看" not in html and "这篇文章还没有中文译文" in html


def test_staff_preview_a_draft_translation_on_its_chinese_page(client, editor):
    article = ArticleFactory()
    ArticleTranslationFactory(article=article, title="草稿标题", status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    html = client.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "草稿标题" in html and "这篇译文的状态是“草稿”：公众看不到。" in html


def test_chinese_lists_show_translated_titles_and_mark_the_articles_still_in_english(reader):
    tag = TagFactory(name="Circulation")
    translated = ArticleFactory(title="Warm hands", tags=[tag])
    ArticleTranslationFactory(article=translated, title="温暖的双手", summary="为什么手会变暖。")
    ArticleFactory(title="Cold feet", tags=[tag])
    for path in ["/zh-hans/articles/", f"/zh-hans/articles/tag/{tag.slug}/"]:
        html = reader.get(path).content.decode()
        assert f'<a href="/zh-hans/articles/{translated.slug}/">温暖的双手</a>' in html and "为什么手会变暖。" in html
        assert 'lang="en-gb">Cold feet</a>' in html and "英文文章，暂无中文译文。" in html
        assert "Warm hands" not in html
    english = reader.get("/articles/").content.decode()
    assert "Warm hands" in english and "温暖的双手" not in english and "暂无中文译文" not in english


def test_the_chinese_feed_has_the_translated_titles(reader):
    article = ArticleFactory(title="Warm hands")
    ArticleTranslationFactory(article=article, title="温暖的双手")
    feed = reader.get("/zh-hans/articles/feed/").content.decode()
    assert "<title>温暖的双手</title>" in feed and 'xml:lang="zh-hans"' in feed
    assert f"/zh-hans/articles/{article.slug}/" in feed
    assert "<title>Warm hands</title>" in reader.get("/articles/feed/").content.decode()


def test_the_definitions_page_and_the_outcome_table_speak_chinese(reader):
    html = reader.get("/zh-hans/articles/definitions/").content.decode()
    assert "我们的疗效数据是如何计算的" in html and "95% 置信区间" in html and "血氧饱和度" in html
    article = ArticleFactory(body="[[cohort-outcomes]]")
    ArticleTranslationFactory(article=article, body="我们的数据：\n\n[[cohort-outcomes]]")
    english = reader.get(f"/articles/{article.slug}/").content.decode()  # the table's figures are now cached
    assert "Avg. SpO₂ after 6 sessions" in english
    chinese = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert "第 6 次治疗后血氧饱和度均值" in chinese and "血氧饱和度变化 Δ（95% 置信区间）" in chinese
    assert "Avg. SpO₂" not in chinese


def test_a_chinese_condition_page_names_the_condition_in_chinese(reader):
    raynauds = Condition.objects.get(slug="raynauds-phenomenon")
    article = ArticleFactory(title="Cold hands", conditions=[raynauds])
    ArticleTranslationFactory(article=article, title="手冷")
    html = reader.get(f"/zh-hans/articles/condition/{raynauds.slug}/").content.decode()
    assert '<h1 class="h3">关于雷诺现象的文章</h1>' in html and ">手冷</a>" in html
    detail = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()
    assert f'相关病症： <a href="/zh-hans/articles/condition/{raynauds.slug}/">雷诺现象</a>' in detail


def test_the_chinese_home_page_lists_the_latest_articles_in_chinese(reader):
    article = ArticleFactory(title="Warm hands")
    ArticleTranslationFactory(article=article, title="温暖的双手")
    html = reader.get("/zh-hans/").content.decode()
    assert f'<a href="/zh-hans/articles/{article.slug}/">温暖的双手</a>' in html and "Warm hands" not in html
