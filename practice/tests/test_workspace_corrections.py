"""Correcting a logged session: free edits for 24 hours, then amendments with a reason; the originals stay visible."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.importing import sessions_import
from sessions.models import Acupoint, SessionAmendment, TreatmentSession
from sessions.services import session_correct, session_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(practitioner):
    patient = PatientFactory(practitioner=practitioner)
    return session_log(
        patient=patient,
        practitioner=practitioner,
        started_at=timezone.now() - dt.timedelta(hours=1),
        points=Acupoint.objects.filter(code__in=["LI4", "ST36"]),
        spo2_pre=85,
        spo2_post=96,
        pulse_pre=70,
        needle_gauge_mm=Decimal("0.20"),
        warmth_change="better",
    )


def _logged_hours_ago(session, hours):
    TreatmentSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    session.refresh_from_db()
    return session


def _edit_url(session):
    return reverse("practice:session_edit", args=[session.patient.patient_ref, session.number])


def _form_values(session, **overrides):
    data = {
        "started_at": timezone.localtime(session.started_at).strftime("%Y-%m-%dT%H:%M"),
        "points": "li4 st36",
        "needle_gauge": "0.20",
        "spo2_pre": "85",
        "spo2_post": "96",
        "pulse_pre": "70",
        "warmth_change": "better",
        "adverse_events": ["none"],
    }
    data.update(overrides)
    return data


def test_within_24_hours_the_practitioner_edits_their_session_without_a_reason(client, practitioner, session):
    client.force_login(practitioner)
    page = client.get(_edit_url(session)).content.decode()
    assert "Edit session 1" in page
    assert 'value="85"' in page and 'value="li4 st36"' not in page and 'value="LI4 ST36"' in page
    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.spo2_pre == 95
    amendment = session.amendments.get()
    assert amendment.reason == ""
    assert amendment.changes == {"spo2_pre": {"before": 85, "after": 95}}


def test_resubmitting_the_form_unchanged_records_nothing(client, practitioner, session):
    client.force_login(practitioner)
    response = client.post(_edit_url(session), _form_values(session), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert not SessionAmendment.objects.exists()


def test_after_24_hours_an_amendment_needs_a_reason(client, practitioner, session):
    _logged_hours_ago(session, 25)
    client.force_login(practitioner)
    page = client.get(_edit_url(session)).content.decode()
    assert "Amend session 1" in page and "more than 24 hours ago" in page

    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95", reason="  "))
    assert response.context["form"].errors["reason"] == ["Say why this session is being amended."]
    session.refresh_from_db()
    assert session.spo2_pre == 85

    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95", reason="Typo: read 95 not 85."))
    assert response.status_code == 302
    assert session.amendments.get().reason == "Typo: read 95 not 85."


def test_at_23_hours_the_edit_is_still_free(client, practitioner, session):
    _logged_hours_ago(session, 23)
    client.force_login(practitioner)
    assert client.post(_edit_url(session), _form_values(session, spo2_pre="95")).status_code == 302


def test_someone_elses_session_always_needs_a_reason_even_within_24_hours(client, clinic_lead, session):
    client.force_login(clinic_lead)
    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95"))
    assert "reason" in response.context["form"].errors


def test_an_imported_session_always_needs_a_reason_even_for_its_own_practitioner(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    header = "patient_ref,condition,session_number,session_date,practitioner,spo2_pre"
    sessions_import(
        source=io.BytesIO(f"{header}\n{patient.patient_ref},other,1,2025-01-06,{practitioner.username},85\n".encode())
    )
    session = patient.sessions.get()
    assert session.practitioner == practitioner and timezone.now() - session.created_at < dt.timedelta(minutes=5)
    client.force_login(practitioner)
    page = client.get(_edit_url(session)).content.decode()
    assert "Amend session 1" in page and "came from an import" in page
    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95", points=""))
    assert "reason" in response.context["form"].errors
    session.refresh_from_db()
    assert session.spo2_pre == 85


def test_the_original_values_stay_visible_in_the_session_history(client, practitioner, session):
    _logged_hours_ago(session, 48)
    client.force_login(practitioner)
    client.post(
        _edit_url(session),
        _form_values(
            session,
            spo2_pre="95",
            points="li4 pc6",
            needle_gauge="other",
            needle_gauge_other="0.30",
            warmth_change="much_better",
            reason="Wrong patient sheet",
        ),
    )
    page = client.get(reverse("practice:session_detail", args=[session.patient.patient_ref, 1])).content.decode()
    assert "Reason: <strong>Wrong patient sheet</strong>" in page
    assert '<td class="original-value">85</td><td>95</td>' in page
    assert '<td class="original-value">LI4 ST36</td><td>LI4 PC6</td>' in page
    assert '<td class="original-value">0.20</td><td>0.30</td>' in page
    assert '<td class="original-value">Better</td><td>Much better</td>' in page
    # The patient page marks the session as amended.
    patient_page = client.get(reverse("practice:patient_detail", args=[session.patient.patient_ref])).content.decode()
    assert "Amended" in patient_page


def test_an_invalid_correction_keeps_the_entries_and_changes_nothing(client, practitioner, session):
    client.force_login(practitioner)
    response = client.post(_edit_url(session), _form_values(session, spo2_pre="30", notes="kept"))
    assert "spo2_pre" in response.context["form"].errors
    assert 'name="spo2_pre" value="30"' in response.content.decode()
    session.refresh_from_db()
    assert session.spo2_pre == 85 and not session.amendments.exists()


def test_the_session_page_shows_the_follow_up_warning(client, practitioner, session):
    client.force_login(practitioner)
    page = client.get(reverse("practice:session_detail", args=[session.patient.patient_ref, 1])).content.decode()
    assert 'id="follow-up-warning"' in page
    assert "Edit session" in page


def test_the_session_page_offers_an_amendment_after_24_hours(client, practitioner, session):
    _logged_hours_ago(session, 30)
    client.force_login(practitioner)
    page = client.get(reverse("practice:session_detail", args=[session.patient.patient_ref, 1])).content.decode()
    assert "Amend session" in page


class TestSessionCorrectService:
    def test_it_records_before_and_after_for_each_changed_field(self, practitioner, session):
        amendment = session_correct(
            session=session,
            user=practitioner,
            spo2_post=97,
            notes="Added later",
            points=list(Acupoint.objects.filter(code__in=["SP6", "LI4"])),
        )
        assert amendment.changes == {
            "spo2_post": {"before": 96, "after": 97},
            "notes": {"before": "", "after": "Added later"},
            "points": {"before": ["LI4", "ST36"], "after": ["LI4", "SP6"]},
        }
        assert sorted(session.points.values_list("code", flat=True)) == ["LI4", "SP6"]
        assert session.history.first().history_change_reason == "Corrected within 24 hours"

    def test_it_refuses_a_late_correction_without_a_reason(self, practitioner, session):
        _logged_hours_ago(session, 24.5)
        with pytest.raises(ValidationError) as error:
            session_correct(session=session, user=practitioner, spo2_post=97)
        assert "reason" in error.value.message_dict
        assert TreatmentSession.objects.get(pk=session.pk).spo2_post == 96

    def test_it_keeps_the_reason_in_the_simple_history_too(self, practitioner, session):
        _logged_hours_ago(session, 30)
        session_correct(session=session, user=practitioner, reason="Oximeter re-read", spo2_post=97)
        assert session.history.first().history_change_reason == "Oximeter re-read"

    def test_an_out_of_range_value_saves_nothing(self, practitioner, session):
        with pytest.raises(ValidationError):
            session_correct(session=session, user=practitioner, spo2_pre=20, notes="x")
        session.refresh_from_db()
        assert (session.spo2_pre, session.notes) == (85, "")
        assert not SessionAmendment.objects.exists()

    def test_the_number_patient_and_practitioner_cannot_be_corrected(self, practitioner, session):
        for field in ("number", "patient", "practitioner", "created_at"):
            with pytest.raises(TypeError):
                session_correct(session=session, user=practitioner, **{field: None})


def test_a_window_that_closes_between_opening_and_saving_the_form_asks_for_a_reason(client, practitioner, session):
    client.force_login(practitioner)
    assert "Edit session 1" in client.get(_edit_url(session)).content.decode()
    _logged_hours_ago(session, 24.1)
    response = client.post(_edit_url(session), _form_values(session, spo2_pre="95"))
    assert response.context["form"].errors["reason"] == ["Say why this session is being amended."]
    session.refresh_from_db()
    assert session.spo2_pre == 85


def test_staff_see_a_session_s_amendments_with_the_original_values_in_admin(admin_client, practitioner):
    import datetime as dt

    from django.utils import timezone

    from patients.tests.factories import PatientFactory
    from sessions.services import session_correct
    from sessions.tests.factories import TreatmentSessionFactory

    session = TreatmentSessionFactory(
        patient=PatientFactory(practitioner=practitioner), practitioner=practitioner, spo2_pre=88
    )
    session.created_at = timezone.now() - dt.timedelta(days=3)
    session.save(update_fields=["created_at"])
    session_correct(session=session, user=practitioner, reason="Typo: the oximeter read 93", spo2_pre=93)
    html = admin_client.get(f"/admin/treatment_sessions/treatmentsession/{session.pk}/change/").content.decode()
    assert "Typo: the oximeter read 93" in html
    assert "88 → 93" in html
