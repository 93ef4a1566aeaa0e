"""Front desk reviews the free assessments in admin."""

import datetime
import re
import uuid

import pytest
from django.contrib.admin import helpers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from patients.forms import INTAKE_FORM_VERSION
from patients.models import IntakeSubmission, Patient
from patients.tests.factories import PatientFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/patients/intakesubmission/"


def _intake(patient=None, *, minutes_ago=0, reviewed_by=None, matched=False, key=None, **patient_fields):
    patient = patient or PatientFactory(**{"status": Patient.Status.NEW, **patient_fields})
    submission = IntakeSubmission.objects.create(
        patient=patient,
        answers={"first_name": patient.first_name, "last_name": patient.last_name, "pregnant": patient.pregnant},
        form_version=INTAKE_FORM_VERSION,
        submission_key=key or uuid.uuid4(),
        matched_existing_patient=matched,
        reviewed_by=reviewed_by,
        reviewed_at=timezone.now() if reviewed_by else None,
    )
    IntakeSubmission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )
    return submission


@pytest.fixture
def desk_client(client, front_desk):
    client.force_login(front_desk)
    return client


def _refs_in_order(html):
    """Return the patient references in the list's "patient reference" column, top to bottom."""
    return re.findall(r'class="field-reference"><a href="[^"]*">(T-\d{5})<', html)


def _search(client, term, **filters):
    """Return the patient references the intake list shows for `term`, and the page."""
    html = client.get(LIST, {"q": term, **filters}).content.decode()
    return _refs_in_order(html), html


def test_intakes_awaiting_review_come_first_newest_first(desk_client, front_desk):
    old_waiting = _intake(minutes_ago=90)
    reviewed = _intake(minutes_ago=1, reviewed_by=front_desk)
    new_waiting = _intake(minutes_ago=5)
    html = desk_client.get(LIST).content.decode()
    assert _refs_in_order(html) == [
        new_waiting.patient.patient_ref,
        old_waiting.patient.patient_ref,
        reviewed.patient.patient_ref,
    ]


def test_safety_flags_and_review_state_show_as_badges(desk_client, front_desk):
    _intake(pregnant=True, blood_thinners=True, matched=True)
    _intake(reviewed_by=front_desk)
    html = desk_client.get(LIST).content.decode()
    # Compact badges, with the full words for screen readers and on hover.
    assert (
        '<span class="acuflow-badge acuflow-badge-danger" title="Pregnant or possibly pregnant">'
        '<span aria-hidden="true">Pregnant?</span><span class="visually-hidden">Pregnant or possibly pregnant</span>'
        "</span>"
    ) in html
    assert 'title="Takes blood-thinning medication"><span aria-hidden="true">Blood thinners</span>' in html
    assert '<span class="acuflow-badge acuflow-badge-danger">New</span>' in html
    assert "Existing patient: check details" in html
    assert "Reviewed by frontdesk on" in html


def test_filters_by_review_state_patient_status_and_safety_flag(desk_client, front_desk):
    waiting_pregnant = _intake(pregnant=True)
    reviewed = _intake(reviewed_by=front_desk)
    active = _intake(status=Patient.Status.ACTIVE)
    cases = {
        "review=awaiting": {waiting_pregnant, active},
        "review=done": {reviewed},
        "patient__status__exact=active": {active},
        "safety_flag=pregnant": {waiting_pregnant},
        "matched_existing_patient__exact=0": {waiting_pregnant, reviewed, active},
    }
    for query, expected in cases.items():
        html = desk_client.get(f"{LIST}?{query}").content.decode()
        assert set(_refs_in_order(html)) == {s.patient.patient_ref for s in expected}, query


def test_the_review_list_does_not_slow_down_as_intakes_arrive(desk_client, front_desk):
    practitioner = PractitionerFactory()
    for _ in range(2):
        _intake(practitioner=practitioner, reviewed_by=front_desk)
    desk_client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        desk_client.get(LIST)
    for _ in range(20):
        _intake(practitioner=practitioner, reviewed_by=front_desk, pregnant=True)
    with CaptureQueriesContext(connection) as many:
        desk_client.get(LIST)
    assert len(many) == len(few)


def test_an_intake_is_found_by_the_reference_its_sender_was_given(desk_client):
    returning = _intake(matched=True, key=uuid.UUID("5b80cec3-37a1-4c39-9a35-2f4a3c1b8e11"))
    _intake(matched=True, key=uuid.UUID("5b80cec3-3800-4c39-9a35-2f4a3c1b8e11"))
    _intake(matched=True, key=uuid.UUID("ffffffff-ffff-4fff-bfff-ffffffffffff"))
    assert returning.public_reference == "IN-5B80CEC337"
    for term in ["IN-5B80CEC337", "in-5b80cec337", "5B80CEC337", " 5b80cec337 ", "IN-5B80CEC337A1"]:
        assert _search(desk_client, term)[0] == [returning.patient.patient_ref], term
    assert len(_search(desk_client, "IN-5B80CEC3")[0]) == 2
    assert len(_search(desk_client, "IN-FFFFFFFFFF")[0]) == 1, "the highest key is inside its range"


def test_the_intake_list_shows_the_sender_s_reference_beside_the_patient_s(desk_client):
    new_patient = _intake()
    returning = _intake(new_patient.patient, matched=True)
    html = desk_client.get(LIST).content.decode()
    ref = new_patient.patient.patient_ref
    # One column: the patient's reference, and under it what each sender was given, in one format.
    for submission in (returning, new_patient):
        sent_as = f'<span class="acuflow-quiet">sent as {submission.public_reference}</span>'
        assert re.search(rf'class="field-reference"><a [^>]*>{ref}<br>{sent_as}</a>', html)
    assert new_patient.public_reference.startswith("IN-"), "one format for new and returning patients alike"
    assert _refs_in_order(html) == [ref] * 2
    page = desk_client.get(f"{LIST}{returning.pk}/change/").content.decode()
    assert returning.public_reference in page


def test_a_new_patient_s_intake_is_found_by_its_reference_and_by_the_patient_s(desk_client):
    submission = _intake(key=uuid.UUID("5b80cec3-37a1-4c39-9a35-2f4a3c1b8e11"))
    assert _search(desk_client, "IN-5B80CEC337")[0] == [submission.patient.patient_ref]
    assert _search(desk_client, submission.patient.patient_ref)[0] == [submission.patient.patient_ref]


def test_a_short_name_made_of_hex_letters_is_not_read_as_a_reference(desk_client):
    abe = _intake(first_name="Abe", last_name="Smith")
    _intake(matched=True, key=uuid.UUID("abe00000-0000-4000-8000-000000000000"), first_name="Sara")
    assert _search(desk_client, "Abe")[0] == [abe.patient.patient_ref]
    assert len(_search(desk_client, "IN-ABE")[0]) == 1


def test_searching_by_reference_keeps_the_chosen_filters(desk_client, front_desk):
    waiting = _intake(matched=True, key=uuid.UUID("5b80cec3-37a1-4c39-9a35-2f4a3c1b8e11"))
    assert _search(desk_client, waiting.public_reference, review="awaiting")[0] == [waiting.patient.patient_ref]
    assert _search(desk_client, waiting.public_reference, review="done")[0] == []


def test_mark_reviewed_records_who_and_when(desk_client, front_desk):
    first, second, untouched = _intake(), _intake(), _intake()
    response = desk_client.post(
        LIST, {"action": "mark_reviewed", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]}, follow=True
    )
    assert "2 intakes marked as reviewed." in response.content.decode()
    for submission in (first, second):
        submission.refresh_from_db()
        assert submission.reviewed_by == front_desk
        assert timezone.now() - submission.reviewed_at < datetime.timedelta(minutes=1)
    untouched.refresh_from_db()
    assert untouched.reviewed_at is None


def test_assign_practitioner_asks_which_one_on_an_intermediate_page(desk_client, practitioner, front_desk):
    first, second = _intake(), _intake()
    response = desk_client.post(
        LIST, {"action": "assign_practitioner", helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Assign a practitioner" in html
    assert f'<option value="{practitioner.pk}">Mei Lin</option>' in html
    assert f'<option value="{front_desk.pk}">' not in html, "only practitioners are offered"
    assert first.patient.patient_ref in html and second.patient.patient_ref in html
    assert Patient.objects.filter(practitioner__isnull=False).count() == 0


def test_assign_practitioner_sets_them_on_the_selected_patients(desk_client, practitioner, front_desk):
    first, second, other = _intake(), _intake(), _intake()
    response = desk_client.post(
        LIST,
        {
            "action": "assign_practitioner",
            helpers.ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "practitioner": practitioner.pk,
            "apply": "Assign practitioner",
        },
        follow=True,
    )
    assert "Mei Lin now treats 2 more patients." in response.content.decode()
    assert set(Patient.objects.filter(practitioner=practitioner)) == {first.patient, second.patient}
    other.patient.refresh_from_db()
    assert other.patient.practitioner is None
    change = first.patient.audit_log.first()
    assert change.history_user == front_desk and change.practitioner_id == practitioner.pk


def test_assign_practitioner_without_a_choice_asks_again(desk_client):
    submission = _intake()
    response = desk_client.post(
        LIST,
        {"action": "assign_practitioner", helpers.ACTION_CHECKBOX_NAME: [submission.pk], "apply": "Assign"},
    )
    assert response.status_code == 200
    assert "Please choose a practitioner." in response.content.decode()


def test_someone_who_may_only_view_intakes_gets_no_review_actions(client, editor):
    from django.contrib.auth.models import Permission

    editor.user_permissions.add(Permission.objects.get(codename="view_intakesubmission"))
    client.force_login(editor)
    html = client.get(LIST).content.decode()
    assert "mark_reviewed" not in html and "assign_practitioner" not in html


def test_the_answers_are_shown_read_only_with_the_questions(desk_client):
    submission = _intake(pregnant=True)
    submission.answers = {"first_name": "Ana", "pregnant": True, "symptoms": ["fatigue", "brain_fog"]}
    submission.save()
    html = desk_client.get(f"{LIST}{submission.pk}/change/").content.decode()
    assert '<th scope="row">Are you pregnant, or could you be pregnant?</th><td>Yes</td>' in html
    assert "<td>Fatigue, Brain fog</td>" in html
    assert 'name="answers"' not in html


def test_a_script_tag_in_a_name_is_shown_escaped_in_admin(desk_client):
    evil = "<script>alert(1)</script>"
    submission = _intake(first_name=evil, last_name=evil)
    submission.answers = {"first_name": evil, "history": f"<img src=x onerror=alert(1)>{evil}"}
    submission.save()
    for url in [
        LIST,
        f"{LIST}{submission.pk}/change/",
        "/admin/patients/patient/",
        f"/admin/patients/patient/{submission.patient.pk}/change/",
    ]:
        html = desk_client.get(url).content.decode()
        assert evil not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_the_patient_page_lists_their_assessments_with_links(desk_client):
    first = _intake(minutes_ago=60)
    second = _intake(first.patient, matched=True)
    html = desk_client.get(f"/admin/patients/patient/{first.patient.pk}/change/").content.decode()
    assert "Free assessments" in html
    for submission in (first, second):
        assert f"/admin/patients/intakesubmission/{submission.pk}/change/" in html


def test_the_patient_page_does_not_slow_down_with_many_assessments(desk_client):
    patient = _intake().patient
    url = f"/admin/patients/patient/{patient.pk}/change/"
    desk_client.get(url)
    with CaptureQueriesContext(connection) as few:
        desk_client.get(url)
    for _ in range(10):
        _intake(patient, reviewed_by=PractitionerFactory())
    with CaptureQueriesContext(connection) as many:
        desk_client.get(url)
    assert len(many) == len(few)


def test_an_intake_can_be_marked_reviewed_from_its_own_page(desk_client, front_desk):
    submission = _intake()
    url = f"{LIST}{submission.pk}/change/"
    html = desk_client.get(url).content.decode()
    assert 'name="_mark_reviewed"' in html and 'name="_save"' not in html
    response = desk_client.post(url, {"_mark_reviewed": "Mark as reviewed"})
    assert response.status_code == 302 and response["Location"] == LIST
    submission.refresh_from_db()
    assert submission.reviewed_by == front_desk and submission.reviewed_at is not None
    assert "Reviewed by frontdesk on" in desk_client.get(url).content.decode()


def test_posting_the_intake_page_never_changes_the_answers(desk_client):
    submission = _intake()
    before = dict(submission.answers)
    desk_client.post(f"{LIST}{submission.pk}/change/", {"answers": '{"first_name": "Changed"}', "_save": "Save"})
    submission.refresh_from_db()
    assert submission.answers == before and submission.reviewed_at is None


def test_consent_changed_in_admin_records_when_and_withdrawal_clears_it(client, front_desk):
    import datetime as dt

    from django.utils import timezone

    from patients.tests.factories import PatientFactory

    patient = PatientFactory(research_consent=False, contact_consent=True)
    client.force_login(front_desk)
    page = client.get(f"/admin/patients/patient/{patient.pk}/change/")
    data = {**page.context["adminform"].form.initial}
    form_data = {
        key: ("on" if value is True else value)
        for key, value in data.items()
        if value not in (None, False) and not isinstance(value, (list, dict))
    }
    form_data.update(research_consent="on", contact_consent="", condition=patient.condition_id)
    for prefix in ("sessions", "intake_submissions"):
        form_data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(f"/admin/patients/patient/{patient.pk}/change/", form_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    patient.refresh_from_db()
    assert patient.research_consent and timezone.now() - patient.research_consent_at < dt.timedelta(seconds=5)
    assert not patient.contact_consent and patient.contact_consent_at is None


def test_the_intake_page_says_in_words_whether_it_matched_an_existing_patient(desk_client):
    new = _intake()
    matched = _intake(new.patient, matched=True)
    assert "No: a new patient record was made" in desk_client.get(f"{LIST}{new.pk}/change/").content.decode()
    page = desk_client.get(f"{LIST}{matched.pk}/change/").content.decode()
    assert "Yes: attached to a patient who already had a record" in page
    assert "icon-no.svg" not in page and "icon-yes.svg" not in page


def test_the_patient_page_uses_the_words_the_patient_chose(client, front_desk):
    from patients.tests.factories import PatientFactory

    patient = PatientFactory(symptoms=["cold_extremities", "old_code"], previous_acupuncture=None)
    client.force_login(front_desk)
    page = client.get(f"/admin/patients/patient/{patient.pk}/change/").content.decode()
    # Symptoms as the intake's checklist, "Not sure" as the patient said it: no JSON box, no "Unknown".
    assert re.search(r'type="checkbox" name="symptoms" value="cold_extremities"[^>]*checked', page)
    assert "Cold hands or feet" in page and '<textarea name="symptoms"' not in page
    assert re.search(r'type="radio" name="previous_acupuncture" value="unsure"[^>]*checked', page)
    assert "Not sure" in page and ">Unknown<" not in page
