"""The live outcome table in an article.

These tests build real patients and sessions and call the real `sessions.outcomes.cohort_outcomes`
(the dashboard's computation), so they need that module to be present.
"""

import re

import pytest
from django.utils import timezone

from content.embeds import body_with_embeds
from content.rendering import render_markdown
from content.tests.factories import ArticleFactory, ArticleTranslationFactory
from patients.tests.factories import ConditionFactory, PatientFactory
from sessions.models import Change
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def _course(condition, *, consent=True, baseline=94, followup=97, last=6, improved=True):
    """A patient of `condition` with session 1 and session `last`, and the readings that matter."""
    patient = PatientFactory(condition=condition, research_consent=consent)
    TreatmentSessionFactory(patient=patient, number=1, spo2_pre=baseline, spo2_post=baseline + 1)
    TreatmentSessionFactory(
        patient=patient,
        number=last,
        spo2_pre=followup - 1,
        spo2_post=followup,
        warmth_change=Change.BETTER if improved else Change.SAME,
        clarity_change=Change.SAME,
    )
    return patient


@pytest.fixture
def fatigue():
    return ConditionFactory(slug="chronic-fatigue-syndrome", name="Chronic Fatigue Syndrome")


@pytest.fixture
def raynauds():
    return ConditionFactory(slug="raynauds-phenomenon", name="Raynaud's Phenomenon")


def _row(html, condition_name):
    match = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(condition_name)}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {condition_name}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def _page(reader, body):
    article = ArticleFactory(body=body)
    response = reader.get(f"/articles/{article.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_embed_shows_the_published_table_for_consenting_patients(reader, fatigue):
    for _ in range(5):
        _course(fatigue)
    for _ in range(3):
        _course(fatigue, consent=False, baseline=85, followup=99)  # would change every figure if counted

    html = _page(reader, "Our figures:\n\n[[cohort-outcomes]]\n\nThanks.")

    # Nobody answered PGIC: "–".
    assert _row(html, "Chronic Fatigue Syndrome") == "5 94.0 97.0 +3.0 (+3.0 to +3.0) 100% –"
    assert "Avg. SpO₂ after 6 sessions" in html
    assert "[[cohort-outcomes" not in html


def test_a_row_under_five_patients_shows_fewer_than_5_instead_of_numbers(reader, fatigue, raynauds):
    for _ in range(5):
        _course(fatigue)
    for _ in range(4):
        _course(raynauds, baseline=90, followup=99)

    html = _page(reader, "[[cohort-outcomes]]")

    assert _row(html, "Raynaud&#x27;s Phenomenon") == "fewer than 5 patients"
    assert "99.0" not in html and "90.0" not in html and "+9.0" not in html
    assert _row(html, "Chronic Fatigue Syndrome").startswith("5 ")


def test_the_embed_says_as_of_when_and_links_to_the_definitions(reader, fatigue):
    _course(fatigue)
    html = _page(reader, "[[cohort-outcomes]]")
    assert f"Figures as of {timezone.localdate().strftime('%-d %B %Y')}" in html
    assert 'href="/articles/definitions/"' in html


def test_the_session_count_can_be_chosen(reader, fatigue):
    for _ in range(5):
        _course(fatigue, last=8, followup=96)
    html = _page(reader, "[[cohort-outcomes sessions=8]]")
    assert "Avg. SpO₂ after 8 sessions" in html
    assert _row(html, "Chronic Fatigue Syndrome").startswith("5 94.0 96.0 +2.0")


def test_condition_names_are_escaped_in_the_table(reader):
    odd = ConditionFactory(slug="odd", name='<img src=x onerror="alert(1)">Odd')
    for _ in range(5):
        _course(odd)
    html = _page(reader, "[[cohort-outcomes]]")
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Odd" in html
    assert "<img src=x" not in html


def test_the_table_is_cached_so_readers_do_not_recompute_it(reader, fatigue, django_assert_max_num_queries):
    for _ in range(5):
        _course(fatigue)
    article = ArticleFactory(body="[[cohort-outcomes]]")
    reader.get(f"/articles/{article.slug}/")
    for _ in range(5):
        _course(fatigue, baseline=90, followup=90)

    with django_assert_max_num_queries(8):
        html = reader.get(f"/articles/{article.slug}/").content.decode()
    assert _row(html, "Chronic Fatigue Syndrome").startswith("5 94.0 97.0")


def test_a_page_without_the_shortcode_never_computes_the_table(fatigue):
    body_html = render_markdown("Plain article, no table.")
    assert body_with_embeds(body_html) == body_html


def test_the_embed_with_no_cohort_yet_says_so(reader):
    html = _page(reader, "[[cohort-outcomes]]")
    assert "No condition has patients with 6 sessions yet." in html


def test_the_demo_article_with_the_table_renders_after_seeding(reader):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--allow-production", "--patients", "60", stdout=StringIO(), stderr=StringIO())
    html = reader.get("/articles/our-outcome-figures/").content.decode()
    assert "Avg. SpO₂ after 6 sessions" in html and "Figures as of" in html
    assert re.search(r"fewer than 5 patients|\d+ \d+\.\d", re.sub(r"<[^>]+>", " ", html))


def test_the_admin_preview_shows_the_table(client, editor, fatigue):
    for _ in range(5):
        _course(fatigue)
    client.force_login(editor)
    html = client.post("/admin/content/article/preview/", {"body": "[[cohort-outcomes]]"}).json()["html"]
    assert _row(html, "Chronic Fatigue Syndrome").startswith("5 94.0 97.0")


def test_the_pooled_embed_shows_this_clinic_with_its_partners_in_published_form(reader, fatigue, raynauds, clinic_lead):
    from registry.services import partner_summary_upload
    from registry.tests.test_partner_summaries import _partner_file

    for _ in range(3):
        _course(fatigue)  # 3 here, under 5 alone; 8 with the partner's 5
    _course(raynauds)
    partner_summary_upload(file=_partner_file(), user=clinic_lead)
    html = _page(reader, "Across clinics:\n\n[[pooled-outcomes]]\n")
    assert "pooled across 2 clinics: Acuflow Clinic, North Centre" in html
    # Own: 3 × (94 → 97); North: 5 from 92 with Δ 1, 2, 3, 0, 4. Baseline (282 + 460) / 8 = 92.75.
    assert _row(html, "Chronic Fatigue Syndrome").startswith("8 92.8 ")
    assert _row(html, "Raynaud&#x27;s Phenomenon") == "fewer than 5 patients"
    assert "[[pooled-outcomes" not in html


def test_the_pooled_embed_without_partners_shows_this_clinic_alone(reader, fatigue):
    for _ in range(5):
        _course(fatigue)
    html = _page(reader, "[[pooled-outcomes sessions=6]]")
    assert "pooled across 1 clinic: Acuflow Clinic" in html
    assert _row(html, "Chronic Fatigue Syndrome").startswith("5 94.0 97.0")


def test_a_patient_who_withdraws_research_consent_leaves_the_cached_table_at_once(reader, fatigue):
    from patients.services import patient_save

    patients = [_course(fatigue) for _ in range(5)] + [_course(fatigue, baseline=88, followup=99)]
    article = ArticleFactory(body="[[cohort-outcomes]]")
    assert _row(reader.get(f"/articles/{article.slug}/").content.decode(), "Chronic Fatigue Syndrome").startswith("6 ")

    withdrawing = patients[-1]
    withdrawing.research_consent_at = timezone.now()  # given at some point, as the consent rule keeps it
    withdrawing.research_consent = False
    patient_save(patient=withdrawing)

    html = reader.get(f"/articles/{article.slug}/").content.decode()
    assert _row(html, "Chronic Fatigue Syndrome") == "5 94.0 97.0 +3.0 (+3.0 to +3.0) 100% –"


def test_a_chinese_reader_gets_the_same_figures_in_chinese_after_an_english_reader(reader, fatigue, raynauds):
    for _ in range(5):
        _course(fatigue)
    for _ in range(4):
        _course(raynauds)
    article = ArticleFactory(body="[[cohort-outcomes]]")
    ArticleTranslationFactory(article=article, body="我们的数据：\n\n[[cohort-outcomes]]")
    english = reader.get(f"/articles/{article.slug}/").content.decode()
    assert _row(english, "Chronic Fatigue Syndrome") == "5 94.0 97.0 +3.0 (+3.0 to +3.0) 100% –"

    chinese = reader.get(f"/zh-hans/articles/{article.slug}/").content.decode()  # the figures come from the cache
    assert _row(chinese, "慢性疲劳综合征") == "5 94.0 97.0 +3.0 (+3.0 至 +3.0) 100% –"
    assert _row(chinese, "雷诺现象") == "患者少于 5 名"
    today = timezone.localdate()
    assert f"数据截至 {today.year}年{today.month}月{today.day}日。" in chinese
    assert 'href="/zh-hans/articles/definitions/"' in chinese and "这些数据是如何计算的" in chinese
    assert "Chronic Fatigue Syndrome" not in chinese and "fewer than" not in chinese
