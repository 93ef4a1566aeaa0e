"""Logging a session from the workspace form: validation, safety acknowledgements, follow-up warnings."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.models import Acupoint, TreatmentSession
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(practitioner):
    return PatientFactory(practitioner=practitioner)


@pytest.fixture
def signed_in(client, practitioner):
    client.force_login(practitioner)
    return client


def _url(patient):
    return reverse("practice:session_new", args=[patient.patient_ref])


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _entry(**overrides):
    data = {
        "started_at": _local(timezone.now() - dt.timedelta(minutes=30)),
        "points": "li4 st36",
        "needle_gauge": "0.20",
        "needle_gauge_other": "",
        "retention_minutes": "25",
        "spo2_pre": "94",
        "spo2_post": "96",
        "pulse_pre": "72",
        "pulse_post": "66",
        "warmth_change": "better",
        "clarity_change": "same",
        "adverse_events": ["none"],
        "notes": "Felt warmer in the hands.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _errors(response):
    return response.context["form"].errors


def test_the_form_shows_the_next_session_number_and_defaults_to_now(signed_in, patient):
    TreatmentSessionFactory(patient=patient, number=1)
    TreatmentSessionFactory(patient=patient, number=2)
    response = signed_in.get(_url(patient))
    html = response.content.decode()
    assert re.search(r'Log session <span id="next-number">3</span>', html)
    assert f'value="{_local(timezone.now())[:-1]}' in html or f'value="{_local(timezone.now())}"' in html
    assert 'type="datetime-local"' in html
    # The catalogue is offered as a searchable list.
    assert '<option value="LI4">LI4 Hegu (Large Intestine)</option>' in html


# The form's queries, once signed in: session, user, groups, second factor, patient, access record,
# plan and its points, instruments, next number, the point catalogue.
SESSION_FORM_QUERIES = 11


def test_the_form_takes_a_fixed_number_of_queries_however_many_sessions_and_points(signed_in, patient):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = signed_in.get(_url(patient))
        assert response.status_code == 200
        return len(captured), response.content.decode().count("<option value=")

    queries()  # the first request after signing in also starts the idle timer (a session write)
    few, options = queries()
    assert few <= SESSION_FORM_QUERIES
    assert options == Acupoint.objects.count()  # every point of the catalogue is offered
    for number in range(1, 11):
        TreatmentSessionFactory(patient=patient, number=number).points.set(Acupoint.objects.filter(code="ST36"))
    assert queries() == (few, options)


def test_a_valid_session_is_saved_with_every_value_and_shows_on_the_patient_page(signed_in, patient, practitioner):
    response = signed_in.post(_url(patient), _entry(points="li 4, sj5;LV3"))
    assert response.status_code == 302
    assert response["Location"] == reverse("practice:patient_detail", args=[patient.patient_ref])
    session = TreatmentSession.objects.get(patient=patient)
    assert session.number == 1
    assert session.practitioner == practitioner
    assert sorted(session.points.values_list("code", flat=True)) == ["LI4", "LR3", "TE5"]
    assert session.needle_gauge_mm == Decimal("0.20")
    assert (session.retention_minutes, session.spo2_pre, session.spo2_post) == (25, 94, 96)
    assert (session.pulse_pre, session.pulse_post) == (72, 66)
    assert (session.warmth_change, session.clarity_change) == ("better", "same")
    assert session.adverse_events == []
    assert session.safety_acknowledgement == ""
    page = signed_in.get(response["Location"])
    assert "Session 1 saved." in page.content.decode()


def test_a_second_session_gets_the_next_number(signed_in, patient):
    TreatmentSessionFactory(patient=patient, number=1)
    signed_in.post(_url(patient), _entry())
    assert sorted(patient.sessions.values_list("number", flat=True)) == [1, 2]


def test_only_the_date_and_time_are_required(signed_in, patient):
    response = signed_in.post(
        _url(patient),
        {"started_at": _local(timezone.now()), "points": "", "adverse_events": []},
    )
    assert response.status_code == 302
    session = patient.sessions.get()
    assert session.spo2_pre is None and session.needle_gauge_mm is None and not session.points.exists()


def test_a_session_in_the_future_is_refused(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(started_at=_local(timezone.now() + dt.timedelta(hours=2))))
    assert _errors(response)["started_at"] == ["The session cannot be in the future."]
    assert not patient.sessions.exists()


def test_a_session_dated_before_the_latest_one_is_confirmed_before_it_is_numbered(signed_in, patient, practitioner):
    latest = timezone.now() - dt.timedelta(days=2)
    TreatmentSessionFactory(patient=patient, practitioner=practitioner, number=1, started_at=latest)
    late_entry = _entry(started_at=_local(latest - dt.timedelta(days=30)))
    response = signed_in.post(_url(patient), late_entry)
    assert _errors(response)["confirm_earlier_date"] == [
        "This date is before the patient's latest session. Tick to log it anyway, or correct the date."
    ]
    html = response.content.decode()
    assert f"it becomes session 2, after session 1 of {timezone.localtime(latest):%d %b %Y}" in html
    assert patient.sessions.count() == 1

    response = signed_in.post(_url(patient), {**late_entry, "confirm_earlier_date": "on"})
    assert response.status_code == 302
    assert patient.sessions.get(number=2).started_at < patient.sessions.get(number=1).started_at


def test_the_confirmation_names_the_number_the_session_will_really_get(signed_in, patient, practitioner):
    # Session 2 was itself entered late, so the latest by date (session 1) is not the highest number.
    TreatmentSessionFactory(patient=patient, practitioner=practitioner, number=1, started_at=timezone.now())
    earlier = timezone.now() - dt.timedelta(days=20)
    TreatmentSessionFactory(patient=patient, practitioner=practitioner, number=2, started_at=earlier)
    html = signed_in.post(_url(patient), _entry(started_at=_local(earlier))).content.decode()
    assert "it becomes session 3, after session 1 of" in html


def test_a_session_after_the_latest_one_needs_no_confirmation(signed_in, patient, practitioner):
    TreatmentSessionFactory(
        patient=patient, practitioner=practitioner, number=1, started_at=timezone.now() - dt.timedelta(days=9)
    )
    assert signed_in.post(_url(patient), _entry()).status_code == 302
    assert patient.sessions.count() == 2


def test_a_mistyped_year_is_refused(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(started_at="1025-03-04T10:00"))
    assert _errors(response)["started_at"] == ["The session date is before 1950: check the year."]
    assert not patient.sessions.exists()


def test_a_session_before_the_patients_birth_is_refused(signed_in, practitioner):
    patient = PatientFactory(practitioner=practitioner, date_of_birth=dt.date(1990, 5, 17))
    response = signed_in.post(_url(patient), _entry(started_at="1990-05-16T10:00"))
    assert _errors(response)["started_at"] == [
        "The session is before the patient's date of birth (17 May 1990): check the date."
    ]
    response = signed_in.post(_url(patient), _entry(started_at="1990-05-17T10:00"))
    assert response.status_code == 302
    assert patient.sessions.count() == 1


def test_a_missing_or_garbled_date_is_refused(signed_in, patient):
    assert _errors(signed_in.post(_url(patient), _entry(started_at="")))["started_at"] == [
        "Enter when the session took place."
    ]
    assert _errors(signed_in.post(_url(patient), _entry(started_at="yesterday")))["started_at"] == [
        "Enter a valid date and time."
    ]


def test_unknown_point_codes_are_all_named(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(points="li4 xx9 st99 sp6"))
    assert _errors(response)["points"] == ["Unknown acupoint codes: xx9, st99."]
    assert not patient.sessions.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("spo2_pre", "49", "SpO₂ before must be a whole number from 50 to 100."),
        ("spo2_post", "101", "SpO₂ after must be a whole number from 50 to 100."),
        ("spo2_pre", "95.5", "SpO₂ before must be a whole number from 50 to 100."),
        ("pulse_pre", "24", "Pulse before must be a whole number from 25 to 250 beats per minute."),
        ("pulse_post", "251", "Pulse after must be a whole number from 25 to 250 beats per minute."),
        ("retention_minutes", "0", "Retention must be a whole number from 1 to 180 minutes."),
        ("retention_minutes", "181", "Retention must be a whole number from 1 to 180 minutes."),
    ],
)
def test_readings_out_of_range_are_refused(signed_in, patient, field, value, message):
    response = signed_in.post(_url(patient), _entry(**{field: value}))
    assert _errors(response)[field] == [message]
    assert not patient.sessions.exists()


@pytest.mark.parametrize("gauge", ["0.16", "0.18", "0.20", "0.22", "0.25"])
def test_each_standard_gauge_is_stored(signed_in, patient, gauge):
    signed_in.post(_url(patient), _entry(needle_gauge=gauge))
    assert patient.sessions.get().needle_gauge_mm == Decimal(gauge)


def test_another_gauge_within_range_is_stored(signed_in, patient):
    signed_in.post(_url(patient), _entry(needle_gauge="other", needle_gauge_other="0.30"))
    assert patient.sessions.get().needle_gauge_mm == Decimal("0.30")


@pytest.mark.parametrize(
    ("gauge", "other", "message"),
    [
        ("other", "", "Enter the other gauge, 0.12 to 0.40 mm."),
        ("other", "0.11", "A needle gauge is from 0.12 to 0.40 mm."),
        ("other", "0.41", "A needle gauge is from 0.12 to 0.40 mm."),
        ("other", "0.155", "Give the gauge to two decimal places, e.g. 0.30."),
        ("0.20", "0.30", "You chose 0.20 mm and typed 0.30 mm: choose Other or clear this box."),
    ],
)
def test_an_other_gauge_must_be_given_and_within_range(signed_in, patient, gauge, other, message):
    response = signed_in.post(_url(patient), _entry(needle_gauge=gauge, needle_gauge_other=other))
    assert _errors(response)["needle_gauge_other"] == [message]


def test_an_unlisted_gauge_choice_is_refused(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(needle_gauge="0.50"))
    assert "needle_gauge" in _errors(response)


def test_adverse_events_are_stored_as_codes(signed_in, patient):
    signed_in.post(_url(patient), _entry(adverse_events=["bruising", "dizziness"]))
    assert patient.sessions.get().adverse_events == ["bruising", "dizziness"]


def test_none_and_an_adverse_event_together_are_refused(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(adverse_events=["none", "pain"]))
    assert _errors(response)["adverse_events"] == ["Tick either None or the events that happened, not both."]


def test_an_other_adverse_event_needs_a_note(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(adverse_events=["other"], notes=""))
    assert _errors(response)["notes"] == ["Describe the other adverse event in the notes."]


def test_warmth_and_clarity_take_only_the_five_answers(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(warmth_change="hot"))
    assert "warmth_change" in _errors(response)


def test_an_error_keeps_everything_entered(signed_in, patient):
    entry = _entry(spo2_pre="150", points="li4 sp6 sj5", notes="Kept note", adverse_events=["pain"])
    html = signed_in.post(_url(patient), entry).content.decode()
    assert "Nothing was saved yet." in html
    assert 'value="li4 sp6 sj5"' in html
    assert 'name="spo2_pre" value="150"' in html
    assert 'name="pulse_post" value="66"' in html
    assert "Kept note</textarea>" in html
    assert re.search(r'value="0\.20" autocomplete="off" checked', html)
    assert re.search(r'value="better" autocomplete="off" checked', html)
    assert re.search(r'value="pain" autocomplete="off" checked', html)
    assert f'value="{entry["started_at"]}"' in html


def test_the_summary_lists_every_problem_with_a_link_to_its_field(signed_in, practitioner):
    patient = PatientFactory(practitioner=practitioner, pregnant=True)
    html = signed_in.post(_url(patient), _entry(points="li4 st36", spo2_pre="880", needle_gauge="")).content.decode()
    summary = re.search(r'<div class="alert alert-danger" role="alert" id="error-summary".*?</div>', html, re.S).group(
        0
    )
    assert "Nothing was saved yet. Correct 2 fields" in summary
    assert (
        '<a class="alert-link" href="#id_spo2_pre">SpO₂ before (%)</a>: SpO₂ before must be a whole number' in summary
    )
    # The forgotten acknowledgement, far down the form, is one link away.
    assert 'href="#id_acknowledge_safety">I have read the safety warnings' in summary
    assert "Tick to confirm you have read the safety warnings." in summary
    assert "js/error-summary.js" in html


def test_a_reading_below_90_saves_with_one_follow_up_warning(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(spo2_pre="87"), follow=True)
    assert patient.sessions.get().spo2_pre == 87
    html = response.content.decode()
    assert "Session 1 saved." in html
    warning = re.search(r'id="follow-up-warning">(.*?)</div>', html, re.S).group(1)
    assert "SpO₂ below 90% in session" in warning and ">1</a>" in warning
    # One banner says it: no second message repeating the same follow-up above it.
    assert html.count("below 90%") == 1


def test_a_reading_of_90_needs_no_follow_up(signed_in, patient):
    html = signed_in.post(_url(patient), _entry(spo2_pre="90", spo2_post="90"), follow=True).content.decode()
    assert "below 90%" not in html and 'id="follow-up-warning"' not in html


class TestSafetyAcknowledgements:
    def test_a_patient_without_relevant_flags_is_not_asked(self, signed_in, practitioner):
        patient = PatientFactory(practitioner=practitioner, metal_allergy=True)
        html = signed_in.get(_url(patient)).content.decode()
        assert "acknowledge_safety" not in html
        assert signed_in.post(_url(patient), _entry(points="li4 sp6")).status_code == 302

    def test_the_form_explains_up_front_why_a_pregnant_patient_may_need_an_acknowledgement(
        self, signed_in, practitioner
    ):
        patient = PatientFactory(practitioner=practitioner, pregnant=True)
        html = signed_in.get(_url(patient)).content.decode()
        assert "Pregnant or possibly pregnant: points traditionally avoided in pregnancy (" in html
        for code in ["LI4", "SP6", "BL60", "BL67", "GB21"]:
            assert code in html
        assert 'name="acknowledge_safety"' in html

    def test_pregnancy_caution_points_for_a_pregnant_patient_need_an_acknowledgement(self, signed_in, practitioner):
        patient = PatientFactory(practitioner=practitioner, pregnant=True)
        response = signed_in.post(_url(patient), _entry(points="li4 st36 sp6"))
        assert _errors(response)["acknowledge_safety"] == ["Tick to confirm you have read the safety warnings."]
        html = response.content.decode()
        assert "LI4, SP6 are traditionally avoided in pregnancy" in html
        assert not patient.sessions.exists()

        signed_in.post(_url(patient), _entry(points="li4 st36 sp6", acknowledge_safety="on"))
        assert patient.sessions.get().safety_acknowledgement == (
            "LI4, SP6 are traditionally avoided in pregnancy, and this patient is flagged as pregnant or possibly "
            "pregnant."
        )

    def test_points_without_a_pregnancy_caution_need_no_acknowledgement(self, signed_in, practitioner):
        patient = PatientFactory(practitioner=practitioner, pregnant=True)
        assert signed_in.post(_url(patient), _entry(points="st36 pc6")).status_code == 302
        assert patient.sessions.get().safety_acknowledgement == ""

    @pytest.mark.parametrize(
        ("flag", "sentence"),
        [
            ("blood_thinners", "This patient takes blood-thinning medication"),
            ("bleeding_disorder", "This patient has a bleeding disorder"),
        ],
    )
    def test_any_needling_with_a_bleeding_risk_needs_an_acknowledgement(self, signed_in, practitioner, flag, sentence):
        patient = PatientFactory(practitioner=practitioner, **{flag: True})
        response = signed_in.post(_url(patient), _entry(points="st36"))
        assert "acknowledge_safety" in _errors(response)
        assert sentence in response.content.decode()

        signed_in.post(_url(patient), _entry(points="st36", acknowledge_safety="on"))
        assert patient.sessions.get().safety_acknowledgement == (
            f"{sentence}: any needling carries a higher risk of bleeding and bruising."
        )

    def test_no_points_means_no_needling_and_nothing_to_acknowledge(self, signed_in, practitioner):
        patient = PatientFactory(practitioner=practitioner, blood_thinners=True)
        assert signed_in.post(_url(patient), _entry(points="")).status_code == 302

    def test_every_warning_that_applies_is_stored(self, signed_in, practitioner):
        patient = PatientFactory(practitioner=practitioner, pregnant=True, blood_thinners=True, bleeding_disorder=True)
        signed_in.post(_url(patient), _entry(points="gb21", acknowledge_safety="on"))
        risk = "any needling carries a higher risk of bleeding and bruising."
        assert patient.sessions.get().safety_acknowledgement.splitlines() == [
            "GB21 is traditionally avoided in pregnancy, and this patient is flagged as pregnant or possibly pregnant.",
            f"This patient takes blood-thinning medication: {risk}",
            f"This patient has a bleeding disorder: {risk}",
        ]


def test_the_session_form_asks_pgic_and_the_chart_shows_the_answer(signed_in, patient):
    page = signed_in.get(_url(patient)).content.decode()
    assert "Since the start of treatment, how would you describe the change in your condition?" in page
    assert "2: Much improved" in page
    response = signed_in.post(_url(patient), _entry(answer_pgic="2"))
    assert response.status_code == 302
    assert TreatmentSession.objects.get(patient=patient).instrument_answers == {"pgic": 2}
    chart_page = signed_in.get(reverse("practice:patient_detail", args=[patient.patient_ref]))
    assert chart_page.context["chart"]["pgic"] == [2]
    assert 'title="2: Much improved">2</span>' in chart_page.content.decode()


def test_pgic_not_asked_is_stored_as_no_answer(signed_in, patient):
    signed_in.post(_url(patient), _entry(answer_pgic=""))
    assert TreatmentSession.objects.get(patient=patient).instrument_answers == {}


def test_a_pgic_answer_off_the_scale_is_refused_and_the_form_keeps_the_entries(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(answer_pgic="9"))
    assert response.status_code == 200
    assert "answer_pgic" in _errors(response)
    assert response.context["form"]["notes"].value() == "Felt warmer in the hands."
    assert not TreatmentSession.objects.exists()


def test_notes_with_a_control_character_are_refused_as_the_import_refuses_them(signed_in, patient):
    response = signed_in.post(_url(patient), _entry(notes="Felt \x07warmer"))
    assert response.status_code == 200
    assert _errors(response)["notes"] == [
        "This contains invisible control characters (often from copying and pasting). Please type it again."
    ]
    assert not TreatmentSession.objects.exists()


def test_notes_keep_line_breaks_and_tabs(signed_in, patient):
    signed_in.post(_url(patient), _entry(notes="Hands warmer.\n\tFeet the same."))
    assert TreatmentSession.objects.get().notes == "Hands warmer.\n\tFeet the same."
