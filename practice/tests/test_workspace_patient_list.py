"""The "my patients" list at /practice/."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.models import Condition, Patient
from patients.tests.factories import PatientFactory
from practice.views import PATIENTS_PER_PAGE
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


def _names(response):
    return [patient.full_name for patient in response.context["page"].object_list]


def _days_ago(days):
    return timezone.now() - dt.timedelta(days=days)


def test_a_practitioner_sees_only_the_patients_assigned_to_them(client, practitioner, other_practitioner):
    PatientFactory(practitioner=practitioner, first_name="Ada", last_name="Mine")
    PatientFactory(practitioner=other_practitioner, first_name="Bea", last_name="Theirs")
    PatientFactory(practitioner=None, first_name="Cy", last_name="Nobody")
    client.force_login(practitioner)
    response = client.get("/practice/")
    assert _names(response) == ["Ada Mine"]
    assert b"Theirs" not in response.content and b"Nobody" not in response.content


def test_a_clinic_lead_sees_every_patient_with_their_practitioner(client, clinic_lead, practitioner):
    PatientFactory(practitioner=practitioner, first_name="Ada", last_name="Mine")
    PatientFactory(practitioner=None, first_name="Cy", last_name="Nobody")
    client.force_login(clinic_lead)
    response = client.get("/practice/")
    assert sorted(_names(response)) == ["Ada Mine", "Cy Nobody"]
    assert b"Mei Lin" in response.content and b"Unassigned" in response.content


def test_the_list_shows_sessions_so_far_last_visit_and_the_latest_spo2(client, practitioner):
    patient = PatientFactory(practitioner=practitioner)
    TreatmentSessionFactory(patient=patient, number=1, started_at=_days_ago(14), spo2_pre=91, spo2_post=93)
    TreatmentSessionFactory(patient=patient, number=2, started_at=_days_ago(7), spo2_pre=88, spo2_post=96)
    client.force_login(practitioner)
    response = client.get("/practice/")
    row = response.context["page"].object_list[0]
    assert (row.session_count, row.latest_spo2_pre, row.latest_spo2_post) == (2, 88, 96)
    assert row.last_visit == patient.sessions.get(number=2).started_at
    html = response.content.decode()
    assert f"{timezone.localtime(row.last_visit):%-d %b %Y}" in html
    assert 'class="text-danger fw-bold">88<' in html


def test_a_patient_with_a_safety_flag_is_marked(client, practitioner):
    PatientFactory(practitioner=practitioner, last_name="Flagged", blood_thinners=True)
    PatientFactory(practitioner=practitioner, last_name="Clear")
    client.force_login(practitioner)
    html = client.get("/practice/").content.decode()
    assert html.count("⚠ Safety") == 1
    assert "Takes blood-thinning medication" in html


def test_patients_are_sorted_by_last_visit_newest_first_and_unseen_last(client, practitioner):
    for name, days in [("Older", 20), ("Newest", 1), ("Middle", 5)]:
        TreatmentSessionFactory(
            patient=PatientFactory(practitioner=practitioner, last_name=name), started_at=_days_ago(days)
        )
    PatientFactory(practitioner=practitioner, last_name="Unseen")
    client.force_login(practitioner)
    assert [n.split()[-1] for n in _names(client.get("/practice/"))] == ["Newest", "Middle", "Older", "Unseen"]


def _search(client, q, **filters):
    return client.post("/practice/", {"q": q, **filters}, follow=True)


def test_search_matches_name_or_reference(client, practitioner):
    PatientFactory(practitioner=practitioner, first_name="Alma", last_name="Stone", patient_ref="AC-AAAA1111")
    PatientFactory(practitioner=practitioner, first_name="Bruno", last_name="Field", patient_ref="AC-BBBB2222")
    client.force_login(practitioner)
    assert _names(_search(client, "stone")) == ["Alma Stone"]
    assert _names(_search(client, "alma stone")) == ["Alma Stone"]
    assert _names(_search(client, "bbbb2222")) == ["Bruno Field"]
    response = _search(client, "nobody")
    assert _names(response) == []
    assert b"No patients match these filters" in response.content


def test_search_never_reaches_another_practitioners_patients(client, practitioner, other_practitioner):
    PatientFactory(practitioner=other_practitioner, last_name="Stone")
    client.force_login(practitioner)
    assert _names(_search(client, "stone")) == []


def test_filters_by_condition_and_status(client, practitioner):
    raynaud = Condition.objects.get(slug="raynauds-phenomenon")
    PatientFactory(practitioner=practitioner, last_name="Cold", condition=raynaud, status=Patient.Status.ACTIVE)
    PatientFactory(practitioner=practitioner, last_name="Tired", status=Patient.Status.ACTIVE)
    PatientFactory(practitioner=practitioner, last_name="Done", condition=raynaud, status=Patient.Status.DISCHARGED)
    client.force_login(practitioner)
    last = lambda response: sorted(n.split()[-1] for n in _names(response))  # noqa: E731
    assert last(client.get("/practice/", {"condition": raynaud.slug})) == ["Cold", "Done"]
    assert last(client.get("/practice/", {"status": "discharged"})) == ["Done"]
    assert last(client.get("/practice/", {"condition": raynaud.slug, "status": "active"})) == ["Cold"]
    # Unknown filter values are ignored rather than an error.
    assert len(last(client.get("/practice/", {"condition": "nope", "status": "nope"}))) == 3


def test_the_list_is_paginated_and_keeps_the_filters_across_pages(client, practitioner):
    for i in range(PATIENTS_PER_PAGE + 3):
        PatientFactory(practitioner=practitioner, last_name=f"Stone{i:02d}")
    client.force_login(practitioner)
    first = _search(client, "stone", status="new")
    assert len(_names(first)) == PATIENTS_PER_PAGE
    assert "?status=new&amp;page=2" in first.content.decode()
    second = client.get("/practice/", {"status": "new", "page": 2})
    assert len(_names(second)) == 3
    # A page number out of range shows the last page rather than an error.
    assert client.get("/practice/", {"page": 99}).status_code == 200


def test_an_empty_list_says_what_to_do(client, practitioner):
    client.force_login(practitioner)
    assert b"No patients are assigned to you yet" in client.get("/practice/").content


def _queries_for_list(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/practice/")
    assert response.status_code == 200
    return len(queries)


def _add_patients(practitioner, count):
    for _ in range(count):
        patient = PatientFactory(practitioner=practitioner, pregnant=True)
        for number in (1, 2, 3):
            TreatmentSessionFactory(patient=patient, number=number)


@pytest.mark.parametrize("role", ["practitioner", "clinic_lead"])
def test_the_list_runs_the_same_number_of_queries_for_2_or_20_patients(client, request, practitioner, role):
    client.force_login(request.getfixturevalue(role))
    _add_patients(practitioner, 2)
    _queries_for_list(client)  # the first request after signing in also starts the idle timer (a session write)
    few = _queries_for_list(client)
    _add_patients(practitioner, 18)
    many = _queries_for_list(client)
    assert few == many, f"{few} queries for a few patients, {many} for more"
    # Session, user, second-factor device, groups; conditions, count, page; the access-trail entry.
    assert many <= 8


def test_a_name_search_never_appears_in_a_url(client, practitioner):
    PatientFactory(practitioner=practitioner, first_name="Alma", last_name="Stone")
    PatientFactory(practitioner=practitioner, first_name="Bruno", last_name="Field")
    client.force_login(practitioner)
    response = _search(client, "stone", status="new")
    assert response.redirect_chain == [("/practice/?status=new", 302)]
    html = response.content.decode()
    assert "stone" not in "".join(re.findall(r'href="([^"]*)"', html)).lower()
    assert "Showing patients matching “stone”" in html
    # A name typed into the address bar is ignored, and clearing the search shows everyone again.
    assert _names(client.get("/practice/", {"q": "field"})) == ["Alma Stone"]
    assert len(_names(_search(client, ""))) == 2


def test_a_search_with_a_nul_byte_is_refused_and_the_list_still_works(client, practitioner):
    PatientFactory(practitioner=practitioner, first_name="Alma", last_name="Stone")
    client.force_login(practitioner)
    _search(client, "stone")
    response = _search(client, "a\x00b")
    assert response.status_code == 200
    assert "Search not changed: This contains invisible control characters" in response.content.decode()
    assert _names(response) == ["Alma Stone"]  # the search before it still applies
    assert client.get("/practice/").status_code == 200


def test_a_search_kept_in_the_session_before_searches_were_checked_is_dropped(client, practitioner):
    PatientFactory(practitioner=practitioner, first_name="Alma", last_name="Stone")
    client.force_login(practitioner)
    session = client.session
    session["practice_search"] = "a\x00b"
    session.save()
    response = client.get("/practice/")
    assert response.status_code == 200
    assert _names(response) == ["Alma Stone"]
