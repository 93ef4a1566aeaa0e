"""Partner summaries: uploaded by the clinic lead, checked, pooled beside this clinic's own table."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.models import PartnerSummary
from registry.selectors import pooled_outcomes
from registry.services import partner_summary_upload
from sessions.outcomes import CohortParams, CohortTotals
from sessions.pooling import summary_document
from sessions.tests.test_outcomes import _patient

pytestmark = pytest.mark.django_db

PARAMETERS = {"sessions": 6, "reading": "post", "from": None, "to": None, "all_patients": False, "protocol": None}
CFS = "Chronic Fatigue Syndrome"


def _partner_file(site="North Centre", *, deltas=(1, 2, 3, 0, 4), baseline=92, **parameters):
    totals = CohortTotals(
        condition=CFS,
        cohort=len(deltas),
        patients=len(deltas),
        sum_baseline=baseline * len(deltas),
        sum_followup=sum(baseline + d for d in deltas),
        sum_delta=sum(deltas),
        sum_delta_squared=sum(d * d for d in deltas),
        improved=2,
        sum_delta_improved=0,
        lost_to_followup=1,
        pgic_answered=2,
        pgic_responders=1,
    )
    document = summary_document(
        totals=[totals],
        parameters={**PARAMETERS, **parameters},
        site=site,
        min_cell=5,
        generated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    return SimpleUploadedFile(f"{site}.json", json.dumps(document).encode(), content_type="application/json")


def _own_patients(count=5):
    for pre in range(90, 90 + count):
        _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": pre}, 6: {"spo2_post": pre + 2}})


def test_an_upload_stores_the_summary_and_a_second_from_the_same_site_replaces_it(clinic_lead):
    summary, created = partner_summary_upload(file=_partner_file(), user=clinic_lead)
    assert created and summary.site == "North Centre" and summary.uploaded_by == clinic_lead
    again, created = partner_summary_upload(file=_partner_file(deltas=(5, 5, 5, 5, 6)), user=clinic_lead)
    assert not created and again.pk == summary.pk
    assert PartnerSummary.objects.get().document["conditions"][0]["sum_delta"] == 26


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\xff\xfe not text", "not a JSON file"),
        (b'{"format": "acuflow-cohort-summary", "version": 1, "site": "X"}', "min_cell must be a whole number"),
        (b"[]", "not a cohort summary"),
    ],
)
def test_a_file_that_is_not_a_summary_is_refused_and_nothing_stored(clinic_lead, content, message):
    with pytest.raises(ValidationError, match=message):
        partner_summary_upload(file=SimpleUploadedFile("x.json", content), user=clinic_lead)
    assert not PartnerSummary.objects.exists()


def test_a_summary_naming_this_clinic_is_refused(clinic_lead, settings):
    settings.CLINIC_NAME = "North Centre"
    with pytest.raises(ValidationError, match="names this clinic"):
        partner_summary_upload(file=_partner_file(), user=clinic_lead)


def test_own_patients_are_pooled_with_partners_made_the_same_way_and_others_are_named(clinic_lead):
    _own_patients()
    partner_summary_upload(file=_partner_file(), user=clinic_lead)
    partner_summary_upload(file=_partner_file("South Centre", sessions=8), user=clinic_lead)
    found = pooled_outcomes(params=CohortParams())
    [row] = found.pooled.rows
    # 5 own patients (Δ +2 each from 90…94) and North's 5 (Δ 1, 2, 3, 0, 4 from 92).
    assert row["patients"] == 10 and row["delta_spo2"] == 2.0 and row["baseline_spo2"] == 92.0
    assert [s.site for s in found.pooled.sites] == ["Acuflow Clinic", "North Centre"]
    assert found.left_out == [("South Centre", "sessions differs (Acuflow Clinic: 6; South Centre: 8)")]


def test_the_clinic_lead_uploads_in_admin_and_sees_the_pooled_table_on_the_dashboard(client, clinic_lead):
    _own_patients()
    client.force_login(clinic_lead)
    add = reverse("admin:registry_partnersummary_add")
    assert "cohort_summary" in client.get(add).content.decode()
    response = client.post(add, {"file": _partner_file()}, follow=True)
    assert "Stored the summary of North Centre" in response.content.decode()
    dashboard = client.get(reverse("admin:outcomes")).content.decode()
    pooled = dashboard.split('id="pooled-table"', 1)[1].split("</table>", 1)[0]
    assert ">10<" in pooled and "+2.0" in pooled
    assert 'id="pooled-meta-table"' in dashboard


def test_a_bad_upload_in_admin_says_why_and_stores_nothing(client, clinic_lead):
    client.force_login(clinic_lead)
    response = client.post(reverse("admin:registry_partnersummary_add"), {"file": SimpleUploadedFile("a.json", b"{")})
    assert response.status_code == 200
    assert "Nothing was stored" in response.content.decode() and "not a JSON file" in response.content.decode()
    assert not PartnerSummary.objects.exists()


def test_only_the_clinic_lead_may_upload(client, front_desk):
    client.force_login(front_desk)
    assert client.get(reverse("admin:registry_partnersummary_add")).status_code == 403


def test_without_partners_the_dashboard_says_how_to_add_one(client, clinic_lead):
    _own_patients()
    client.force_login(clinic_lead)
    page = client.get(reverse("admin:outcomes")).content.decode()
    assert "No partner summary made with these filters yet." in page
    assert reverse("admin:registry_partnersummary_add") in page
