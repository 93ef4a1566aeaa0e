"""The cohort outcomes dashboard in admin: who may see it, what it shows, and its CSV."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.tests.test_outcomes import _patient, clinic_data  # noqa: F401 - the hand-computed dataset

URL = "/admin/outcomes/"


@pytest.mark.django_db
def test_the_clinic_lead_and_superusers_see_the_dashboard_and_others_get_403(
    client, clinic_lead, front_desk, editor, admin_user
):
    for user, status in [(clinic_lead, 200), (admin_user, 200), (front_desk, 403), (editor, 403)]:
        client.force_login(user)
        assert client.get(URL).status_code == status, user.username


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_admin_index_links_to_the_dashboard_only_for_those_who_may_see_it(client, clinic_lead, front_desk):
    client.force_login(clinic_lead)
    assert 'href="/admin/outcomes/"' in client.get("/admin/").content.decode()
    client.force_login(front_desk)
    assert 'href="/admin/outcomes/"' not in client.get("/admin/").content.decode()


def _table_rows(html, table_id="outcomes-table"):
    body = html.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]


def test_the_table_shows_the_cohort_figures_and_marks_small_rows(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    html = client.get(URL).content.decode()
    assert _table_rows(html) == [
        [
            *["Chronic Fatigue Syndrome", "3", "1", "93.0", "94.7", "+1.7", "-2.1 to +5.5", "67%", "–", "1"],
            "Too small to publish",
        ],
        [
            "Raynaud&#x27;s Phenomenon",
            "1",
            "0",
            "95.0",
            "96.0",
            "+1.0",
            "– (fewer than 2 patients)",
            "0%",
            "–",
            "0",
            "Too small to publish",
        ],
    ]
    assert "±2 percentage points" in html and "ISO 80601-2-61" in html


def test_the_filters_change_the_figures(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    html = client.get(URL, {"sessions": 6, "reading": "pre", "all_patients": "on"}).content.decode()
    # With the non-consenting patient (diff 97 - 90 = 7): diffs 2, 1, 0, 7.
    assert _table_rows(html)[0][:6] == ["Chronic Fatigue Syndrome", "4", "1", "92.3", "94.8", "+2.5"]
    assert "for internal use only, never publish" in html
    html = client.get(URL, {"sessions": 6, "reading": "post", "date_from": "2026-03-03"}).content.decode()
    assert "No patient has both session 1 and session 6 in this window" in html


def test_a_link_naming_only_some_filters_uses_the_defaults_for_the_others(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    html = client.get(URL, {"all_patients": "on"}).content.decode()
    assert "This field is required" not in html
    assert _table_rows(html)[0][:6] == ["Chronic Fatigue Syndrome", "4", "1", "92.3", "95.8", "+3.5"]
    html = client.get(URL, {"date_from": "2026-03-03"}).content.decode()
    assert "This field is required" not in html
    assert "No patient has both session 1 and session 6 in this window" in html
    # A field sent empty from the form itself is still a mistake to point out.
    assert "This field is required" in client.get(URL, {"sessions": "", "reading": "post"}).content.decode()


def test_invalid_filters_show_an_error_not_a_500(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    response = client.get(URL, {"sessions": 40, "reading": "post", "date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 20" in html
    assert "outcomes-table" not in html


def test_the_chart_data_reach_the_page_as_json_not_inline_script(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    html = client.get(URL).content.decode()
    data = json.loads(
        re.search(r'<script id="outcomes-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["sessions"] == [1, 2, 3, 4, 5, 6]
    cfs = data["conditions"][0]
    assert cfs["name"] == "Chronic Fatigue Syndrome"
    assert cfs["before"] == [93.0, None, None, None, None, 94.5] and cfs["after"][5] == 95.25
    assert "js/outcomes-chart.js" in html


def test_the_correlation_section_shows_r_and_mean_change_by_reported_improvement(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    rows = _table_rows(client.get(URL).content.decode(), "correlation-table")
    assert rows[0][:3] == ["Chronic Fatigue Syndrome", "3", "-0.19"]
    assert rows[0][4:6] == ["+1.5 (n=2)", "+2.0 (n=1)"]
    # Nobody answered PGIC in this data.
    assert rows[0][6:] == ["0", "–", "– (needs at least 4 answers and some variation)"]
    assert rows[-1][:2] == ["All conditions", "4"]


def _csv(client, **params):
    response = client.get(URL, {**params, "download": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    # A byte-order mark, so that Excel reads SpO₂, Δ and accented condition names as written.
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_download_is_the_table_shown_in_its_published_form(client, clinic_lead, clinic_data):  # noqa: F811
    client.force_login(clinic_lead)
    shown = _table_rows(client.get(URL, {"sessions": 6, "reading": "post"}).content.decode())
    header, *rows = _csv(client, sessions=6, reading="post")
    assert header == [
        "condition",
        "patients",
        "excluded",
        "baseline_spo2",
        "followup_spo2",
        "delta_spo2",
        "ci_low",
        "ci_high",
        "improved_pct",
        "pgic_responder_pct",
        "lost_to_followup",
        "publishable",
    ]
    assert [row[0] for row in rows] == [row[0].replace("&#x27;", "'") for row in shown]
    # Both rows are under 5 patients: the export shows the condition and "fewer than 5", no figure.
    assert shown[0][1] == "3"
    assert rows[0] == ["Chronic Fatigue Syndrome", "fewer than 5", *[""] * 9, "no: fewer than 5 patients"]


def test_the_csv_download_gives_every_figure_as_a_number_in_a_column_of_its_own(client, clinic_lead):
    for pre, gain in [(95, -1), (95, -1), (95, -1), (95, -2), (95, -1)]:
        _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": pre}, 6: {"spo2_post": pre + gain}})
    client.force_login(clinic_lead)
    shown = _table_rows(client.get(URL).content.decode())
    _, row = _csv(client)
    assert shown[0][1:8] == ["5", "0", "95.0", "93.8", "-1.2", "-1.8 to -0.6", "0%"]
    assert row == ["Chronic Fatigue Syndrome", "5", "0", "95.0", "93.8", "-1.2", "-1.8", "-0.6", "0", "", "0", "yes"]
    for cell in row[1:9]:
        float(cell)  # a spreadsheet reads each as a number: one ASCII minus sign, no "%", no "to", no "+"


def test_figures_including_patients_without_consent_are_never_marked_publishable(client, clinic_lead):
    for pre in (92, 93, 94, 95, 96):
        _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": pre}, 6: {"spo2_post": pre + 2}}, consent=False)
    client.force_login(clinic_lead)
    params = {"sessions": 6, "reading": "post", "all_patients": "on"}
    html = client.get(URL, params).content.decode()
    assert _table_rows(html)[0][-1] == "Internal only: includes patients without consent"
    _, row = _csv(client, **params)
    assert row[-1] == "no: includes patients without research consent"


def test_every_chart_panel_shares_one_spo2_scale(client, clinic_lead):
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 94}, 6: {"spo2_post": 97}})
    _patient("raynauds-phenomenon", {1: {"spo2_pre": 92}, 6: {"spo2_post": 93}})
    client.force_login(clinic_lead)
    html = client.get(URL).content.decode()
    data = json.loads(
        re.search(r'<script id="outcomes-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert len(data["conditions"]) == 2
    assert data["scale"] == {"min": 90, "max": 98}


@pytest.mark.django_db
def test_the_dashboard_takes_the_same_queries_however_many_patients(client, clinic_lead):
    client.force_login(clinic_lead)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(URL).status_code == 200
        return len(context)

    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    count()
    few = count()
    for _ in range(12):
        _patient("raynauds-phenomenon", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    assert count() == few


@pytest.mark.django_db
def test_an_implausible_window_date_is_a_form_error_not_a_crash(client, clinic_lead):
    client.force_login(clinic_lead)
    response = client.get(URL, {"sessions": 6, "reading": "post", "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "Enter a date from 1900 to 2199." in response.content.decode()
