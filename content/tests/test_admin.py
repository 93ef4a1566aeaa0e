import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from content.models import Article
from content.services import PublishNotAllowed, article_save
from content.tests.factories import ArticleFactory
from patients.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/content/article/add/"
LIST_URL = "/admin/content/article/"


@pytest.fixture
def writer(db):
    """Staff who may write articles but not publish them."""
    user = UserFactory(username="writer", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="content", codename__in=["view_article", "add_article", "change_article"]
        )
    )
    return user


def _form(**overrides):
    data = {
        "title": "Breathing and circulation",
        "slug": "",
        "summary": "How slow breathing changes your pulse.",
        "body": "## Slow breathing\n\nBreathe **out** longer than in.\n\n<script>alert(1)</script>",
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "source": "Acuflow Clinic",
        "source_url": "",
        "meta_description": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def _change_url(article):
    return f"/admin/content/article/{article.pk}/change/"


def test_editors_and_the_clinic_lead_may_publish_and_front_desk_may_not():
    for name in ["Editors", "Clinic lead"]:
        codes = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert {"add_article", "change_article", "publish_article", "add_tag"} <= codes
    front_desk = Group.objects.get(name="Front desk").permissions.values_list("codename", flat=True)
    assert "publish_article" not in front_desk


def test_an_editor_writes_a_draft_and_the_body_is_rendered_and_sanitised_on_save(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, _form())
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.slug == "breathing-and-circulation"
    assert article.author == editor and article.status == Article.Status.DRAFT
    assert '<h2 id="slow-breathing">' in article.body_html and "<strong>out</strong>" in article.body_html
    assert "<script" not in article.body_html


def test_an_editor_publishes_now_when_no_time_is_given(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, _form(status=Article.Status.PUBLISHED))
    article = Article.objects.get()
    assert article.is_public
    assert timezone.now() - article.published_at < dt.timedelta(minutes=1)
    assert client.get(f"/articles/{article.slug}/").status_code == 200


def test_a_future_publication_time_schedules_the_article(client, editor):
    client.force_login(editor)
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    client.post(
        ADD_URL,
        _form(
            status=Article.Status.PUBLISHED,
            published_at_0=tomorrow.strftime("%d/%m/%Y"),
            published_at_1=tomorrow.strftime("%H:%M:%S"),
        ),
    )
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED and article.is_scheduled
    client.logout()
    assert client.get(f"/articles/{article.slug}/").status_code == 404


def test_a_writer_without_publish_permission_is_not_offered_published(client, writer):
    client.force_login(writer)
    html = client.get(ADD_URL).content.decode()
    assert '<option value="in_review">In review</option>' in html
    assert '<option value="published">' not in html
    assert 'name="published_at_0"' not in html  # read-only for them


def test_a_writer_without_publish_permission_cannot_publish_by_posting(client, writer):
    client.force_login(writer)
    response = client.post(ADD_URL, _form(status=Article.Status.PUBLISHED))
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_a_writer_can_submit_for_review_and_an_editor_publishes_it(client, writer, editor):
    client.force_login(writer)
    client.post(ADD_URL, _form(status=Article.Status.IN_REVIEW))
    article = Article.objects.get()
    assert article.status == Article.Status.IN_REVIEW and article.author == writer
    assert client.get(f"/articles/{article.slug}/").status_code == 200  # staff preview
    client.logout()
    assert client.get(f"/articles/{article.slug}/").status_code == 404

    client.force_login(editor)
    client.post(LIST_URL, {"action": "publish", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.is_public and article.author == writer


def test_a_writer_has_no_publish_action_but_can_submit_drafts_for_review(client, writer):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    client.force_login(writer)
    html = client.get(LIST_URL).content.decode()
    assert 'value="submit_for_review"' in html and 'value="publish"' not in html
    client.post(LIST_URL, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    client.post(LIST_URL, {"action": "submit_for_review", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.IN_REVIEW


def test_a_writer_cannot_change_a_published_article(client, writer):
    article = ArticleFactory(title="Live one")
    client.force_login(writer)
    assert "Live one" in client.get(_change_url(article)).content.decode()  # may still view it
    response = client.post(_change_url(article), _form(title="Sneaky edit", status=Article.Status.IN_REVIEW))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.title == "Live one"


def test_the_service_refuses_to_publish_for_someone_without_permission(writer):
    article = Article(title="T", summary="S", body="B", status=Article.Status.PUBLISHED)
    with pytest.raises(PublishNotAllowed):
        article_save(article=article, by=writer)
    assert not Article.objects.exists()


def test_the_slug_follows_the_title_and_stays_fixed_once_published(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, _form(title="First title"))
    article = Article.objects.get()
    assert article.slug == "first-title"
    client.post(_change_url(article), _form(title="Second title", slug=""))
    article.refresh_from_db()
    assert article.slug == "second-title"

    client.post(_change_url(article), _form(title="Second title", slug="second-title", status="published"))
    client.post(_change_url(article), _form(title="A third title", slug="a-third-title", status="published"))
    article.refresh_from_db()
    assert article.title == "A third title" and article.slug == "second-title"
    assert 'name="slug"' not in client.get(_change_url(article)).content.decode()


def test_two_articles_with_the_same_title_get_different_slugs_and_page_names_are_refused(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, _form(title="Same"))
    client.post(ADD_URL, _form(title="Same"))
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["same", "same-2"]
    response = client.post(ADD_URL, _form(title="Search", slug="search"))
    assert "is the address of a page" in response.content.decode()
    client.post(ADD_URL, _form(title="Search"))
    assert Article.objects.filter(slug="search-2").exists()


def test_an_image_from_a_site_the_setting_does_not_list_is_refused_when_saving(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, _form(body="Hello\n\n![](https://tracker.example/pixel.gif)"))
    html = response.content.decode()
    assert "The image https://tracker.example/pixel.gif is on another site, so it is not shown" in html
    assert "ARTICLE_IMAGE_HOSTS setting (none are listed)" in html
    assert not Article.objects.exists()


def test_a_mistyped_embed_is_refused_on_publish_naming_the_valid_forms(client, editor):
    client.force_login(editor)
    body = "Intro\n\n[[cohort-outcome]]"
    response = client.post(ADD_URL, _form(body=body, status=Article.Status.PUBLISHED))
    html = response.content.decode()
    assert (
        "Line 3: “[[cohort-outcome]]” will not show: there is no such embed (did you mean [[cohort-outcomes]]?)" in html
    )
    assert "[[cohort-outcomes]] or [[cohort-outcomes sessions=N]] (sessions from 2 to 20)" in html
    assert not Article.objects.exists()


def test_a_draft_with_a_mistyped_embed_is_kept_with_a_warning(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, _form(body="Our figures: [[cohort-outcomes]] today."), follow=True)
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert "cannot be published until this is corrected" in response.content.decode()
    assert "an embed must stand alone on its line" in response.content.decode()


def test_the_publish_action_leaves_an_article_with_a_mistyped_embed_unpublished(client, editor):
    good = ArticleFactory(title="Good", body="[[cohort-outcomes]]", status=Article.Status.DRAFT, published_at=None)
    bad = ArticleFactory(title="Bad", body="[[Cohort-Outcomes]]", status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    response = client.post(LIST_URL, {"action": "publish", "_selected_action": [good.pk, bad.pk]}, follow=True)
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == Article.Status.PUBLISHED and bad.status == Article.Status.DRAFT
    assert "“Bad” was not published" in response.content.decode()


def test_the_service_refuses_to_publish_a_mistyped_embed(editor):
    from django.core.exceptions import ValidationError

    article = Article(title="Figures", summary="s", body="[[cohort-outcomes sessions=1]]")
    article.status = Article.Status.PUBLISHED
    with pytest.raises(ValidationError) as refused:
        article_save(article=article, by=editor)
    assert refused.value.error_list[0].code == "embed"
    assert not Article.objects.exists()


def test_the_article_form_labels_every_box_and_offers_tags_as_checkboxes(client, editor):
    from content.tests.factories import TagFactory

    tag = TagFactory(name="Circulation")
    client.force_login(editor)
    html = client.get(ADD_URL).content.decode()
    assert 'aria-label="Publication: date"' in html and 'aria-label="Publication: time"' in html
    assert f'type="checkbox" name="tags" value="{tag.pk}"' in html
    assert "admin-autocomplete" not in html
    client.post(ADD_URL, _form(tags=[tag.pk]))
    assert list(Article.objects.get().tags.all()) == [tag]


def test_earlier_versions_are_kept_and_shown_in_admin(client, editor):
    client.force_login(editor)
    client.post(ADD_URL, _form(body="Version one"))
    article = Article.objects.get()
    client.post(_change_url(article), _form(body="Version two", slug=article.slug))
    assert list(article.history.order_by("history_date").values_list("body", flat=True)) == [
        "Version one",
        "Version two",
    ]
    history = client.get(f"/admin/content/article/{article.pk}/history/")
    assert history.status_code == 200
    old = article.history.earliest()
    assert (
        "Version one" in client.get(f"/admin/content/article/{article.pk}/history/{old.history_id}/").content.decode()
    )


def test_the_live_preview_renders_and_sanitises_what_the_editor_typed(client, editor):
    client.force_login(editor)
    response = client.post(
        "/admin/content/article/preview/", {"body": "**Hi** <img src=x onerror=alert(1)> [x](javascript:alert(1))"}
    )
    assert response.status_code == 200
    html = response.json()["html"]
    assert "<strong>Hi</strong>" in html and "onerror" not in html and "javascript" not in html


def test_the_preview_is_for_writers_only(client, front_desk):
    assert client.post("/admin/content/article/preview/", {"body": "x"}).status_code == 302  # to login
    client.force_login(front_desk)
    assert client.post("/admin/content/article/preview/", {"body": "x"}).status_code == 403


def test_the_change_page_shows_the_preview_and_a_link_to_the_page(client, editor):
    article = ArticleFactory(body="Hello **there**", status=Article.Status.DRAFT, published_at=None)
    client.force_login(editor)
    html = client.get(_change_url(article)).content.decode()
    assert 'id="article-preview"' in html and "<strong>there</strong>" in html
    assert f'href="/articles/{article.slug}/"' in html
    assert "content/admin-article-preview.js" in html


def test_the_article_list_in_admin_runs_a_fixed_number_of_queries(client, editor, django_assert_max_num_queries):
    for _ in range(3):
        ArticleFactory()
    client.force_login(editor)
    client.get(LIST_URL)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST_URL)
    for _ in range(10):
        ArticleFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST_URL)
