"""The public intake neither reveals nor changes who is a patient."""

import re

import pytest
from django.core import mail
from django.test import Client

from patients.models import IntakeSubmission
from patients.tests.factories import PatientFactory, intake_post_data

pytestmark = pytest.mark.django_db

NEW_KEY = "11111111-1111-4111-8111-111111111111"
KNOWN_KEY = "22222222-2222-4222-8222-222222222222"


def _send(django_capture_on_commit_callbacks, **answers):
    """Send the form from a fresh browser; return what that browser sees and the email sent."""
    browser = Client()
    sent_before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post("/assessment/", intake_post_data(**answers))
    page = browser.get(response["Location"])
    [message] = mail.outbox[sent_before:]
    return response, page, message


def _without(reference, text):
    return text.replace(reference, "<REF>")


def test_a_stranger_and_a_known_patient_get_the_same_answer_page_and_email(django_capture_on_commit_callbacks):
    PatientFactory(email="known@example.org", date_of_birth="1980-03-31", first_name="Kim", patient_ref="AC-KNOWN001")
    common = {"first_name": "Ana", "date_of_birth": "1980-03-31"}
    new = _send(django_capture_on_commit_callbacks, email="new@example.org", submission_key=NEW_KEY, **common)
    known = _send(django_capture_on_commit_callbacks, email="known@example.org", submission_key=KNOWN_KEY, **common)
    assert [s.matched_existing_patient for s in IntakeSubmission.objects.order_by("submitted_at")] == [False, True]

    (new_response, new_page, new_mail), (known_response, known_page, known_mail) = new, known
    new_ref, known_ref = "IN-1111111111", "IN-2222222222"
    assert new_response.status_code == known_response.status_code == 302
    assert new_response["Location"] == f"/assessment/thanks/{new_ref}/"
    assert known_response["Location"] == f"/assessment/thanks/{known_ref}/"
    assert re.fullmatch(r"/assessment/thanks/IN-[0-9A-F]{10}/", known_response["Location"])
    assert new_page.status_code == known_page.status_code == 200
    page_text = [
        _without(new_ref, new_page.content.decode()),
        _without(known_ref, known_page.content.decode()),
    ]
    # The CSRF token differs per browser; the page is otherwise the same, word for word.
    page_text = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text) for text in page_text]
    assert page_text[0] == page_text[1]
    assert _without(new_ref, new_mail.subject) == _without(known_ref, known_mail.subject)
    assert _without(new_ref, new_mail.body) == _without(known_ref, known_mail.body)
    assert _without(new_ref, new_mail.alternatives[0][0]) == _without(known_ref, known_mail.alternatives[0][0])
    assert "AC-KNOWN001" not in known_mail.body and "Kim" not in known_mail.body


def test_a_post_with_safety_answers_changes_nothing_on_the_matching_patient(django_capture_on_commit_callbacks):
    existing = PatientFactory(
        email="ana.lopez@example.org", date_of_birth="1980-03-31", phone="+44 20 7946 0001", research_consent=False
    )
    before = existing.audit_log.count()
    _send(
        django_capture_on_commit_callbacks,
        pregnant="yes",
        blood_thinners="yes",
        medications="Warfarin",
        phone="+44 7700 900123",
        research_consent="on",
    )
    existing.refresh_from_db()
    assert (existing.pregnant, existing.blood_thinners, existing.research_consent) == (False, False, False)
    assert existing.phone == "+44 20 7946 0001" and existing.medications != "Warfarin"
    assert existing.audit_log.count() == before
    # Nothing typed is lost: the answers wait in the submission for staff.
    answers = IntakeSubmission.objects.get().answers
    assert answers["pregnant"] and answers["medications"] == "Warfarin" and answers["phone"] == "+44 7700 900123"


@pytest.fixture
def returning(django_capture_on_commit_callbacks):
    """A patient on the record, and an assessment from their address that says otherwise."""
    patient = PatientFactory(
        email="ana.lopez@example.org",
        date_of_birth="1980-03-31",
        first_name="Ana",
        phone="+44 20 7946 0001",
        medications="",
        research_consent=False,
        pregnant=False,
    )
    _send(
        django_capture_on_commit_callbacks,
        pregnant="yes",
        medications="Warfarin",
        phone="+44 7700 900123",
        email="ANA.LOPEZ@example.org",
    )
    return patient, IntakeSubmission.objects.get()


def test_staff_see_what_differs_beside_the_record(client, front_desk, returning):
    patient, submission = returning
    client.force_login(front_desk)
    html = client.get(f"/admin/patients/intakesubmission/{submission.pk}/change/").content.decode()
    table = html[html.index("acuflow-differences") :]
    for question, on_record, answered in [
        ("Pregnant or possibly pregnant", "No", "Yes"),
        ("Medications", "–", "Warfarin"),
        ("Phone", "+44 20 7946 0001", "+44 7700 900123"),
    ]:
        assert re.search(
            rf"<th scope=\"row\">{re.escape(question)}[^<]*</th><td>{re.escape(on_record)}</td>"
            rf"<td>{re.escape(answered)}</td>",
            table,
        ), question
    # The same address in other letters is no difference.
    assert 'value="email"' not in table


def test_staff_accept_answers_field_by_field_recorded_with_who_and_when(client, front_desk, returning):
    patient, submission = returning
    client.force_login(front_desk)
    url = f"/admin/patients/intakesubmission/{submission.pk}/change/"
    response = client.post(url, {"accept": ["pregnant", "medications"], "_accept_answers": "1"}, follow=True)
    assert "Copied onto" in response.content.decode()
    patient.refresh_from_db()
    assert patient.pregnant is True and patient.medications == "Warfarin"
    assert patient.phone == "+44 20 7946 0001", "an answer not ticked stays as the record had it"
    accepted = {row.field: row for row in submission.accepted_answers.all()}
    assert set(accepted) == {"pregnant", "medications"}
    assert accepted["pregnant"].accepted_by == front_desk and accepted["pregnant"].accepted_at is not None
    assert (accepted["pregnant"].before, accepted["pregnant"].after) == (False, True)
    latest = patient.audit_log.first()
    assert (
        latest.history_user == front_desk
        and latest.history_change_reason == f"Accepted from intake {submission.public_reference}"
    )
    page = client.get(url).content.decode()
    assert "Pregnant or possibly pregnant accepted by frontdesk on" in page
    assert 'value="pregnant"' not in page and 'value="phone"' in page


def test_someone_who_may_not_change_patients_cannot_accept_answers(client, editor, returning):
    patient, submission = returning
    client.force_login(editor)
    client.post(
        f"/admin/patients/intakesubmission/{submission.pk}/change/", {"accept": ["pregnant"], "_accept_answers": "1"}
    )
    patient.refresh_from_db()
    assert patient.pregnant is False


def test_accepting_an_answer_of_an_intake_that_created_its_patient_is_refused(practitioner):
    from django.core.exceptions import ValidationError

    from patients.services import intake_answers_accept

    submission = IntakeSubmission.objects.create(
        patient=PatientFactory(), answers={"pregnant": True}, form_version="x", matched_existing_patient=False
    )
    with pytest.raises(ValidationError) as refused:
        intake_answers_accept(submission=submission, fields=["pregnant"], accepted_by=practitioner)
    assert refused.value.code == "not_matched"
    with pytest.raises(ValidationError) as unknown:
        intake_answers_accept(submission=submission, fields=["practitioner"], accepted_by=practitioner)
    assert unknown.value.code == "unknown_field"


def test_practitioners_see_safety_answers_staff_have_not_confirmed_yet(client, practitioner, returning):
    patient, _ = returning
    patient.practitioner = practitioner
    patient.save()
    client.force_login(practitioner)
    html = client.get(f"/practice/patients/{patient.patient_ref}/").content.decode()
    assert "Not yet confirmed by staff" in html and "Pregnant or possibly pregnant" in html
