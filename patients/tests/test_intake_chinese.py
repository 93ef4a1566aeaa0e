"""The free assessment sent in Simplified Chinese: the same answers stored, the language kept for staff, the
confirmation email in Chinese, and names written in Chinese characters accepted and found."""

import pytest
from django.core import mail

from patients.forms import IntakeForm
from patients.models import IntakeSubmission, Patient
from patients.tests.factories import PatientFactory, intake_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post the assessment from the English or the Chinese page, running what waits for the commit (the email)."""

    def post(path="/zh-hans/assessment/", **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, intake_post_data(**overrides))

    return post


def test_an_intake_in_chinese_stores_the_same_answers_as_in_english(send):
    send("/assessment/", email="ana@example.org", submission_key=None)
    send("/zh-hans/assessment/", email="wang@example.org", submission_key=None)
    english, chinese = IntakeSubmission.objects.order_by("submitted_at", "pk")
    assert {**chinese.answers, "email": "ana@example.org"} == english.answers
    assert chinese.answers["complaint_duration"] == "1 to 5 years"
    assert (english.language, chinese.language) == ("en-gb", "zh-hans")
    assert chinese.patient.symptoms == english.patient.symptoms == ["cold_extremities", "numbness"]


def test_the_thanks_page_of_a_chinese_intake_is_chinese(client, send):
    response = send(first_name="小龙", last_name="李")
    assert response["Location"].startswith("/zh-hans/assessment/thanks/")
    html = client.get(response["Location"]).content.decode()
    assert "谢谢您，小龙" in html and "接下来会怎样" in html


def test_the_confirmation_email_of_a_chinese_intake_is_in_chinese(send):
    send(first_name="芳", last_name="王")
    ref = IntakeSubmission.objects.get().public_reference
    message = mail.outbox[0]
    assert message.subject == f"您在 Acuflow Clinic 的免费评估：参考编号 {ref}"
    assert "芳，您好：" in message.body and ref in message.body and "接下来会怎样" in message.body
    assert "Dear" not in message.body and "What happens next" not in message.body
    html, _ = message.alternatives[0]
    assert '<html lang="zh-Hans">' in html and f"<strong>{ref}</strong>" in html


def test_the_confirmation_email_of_an_english_intake_stays_english(send):
    send("/assessment/")
    message = mail.outbox[0]
    assert "Dear Ana," in message.body
    assert '<html lang="en-GB">' in message.alternatives[0][0]


@pytest.mark.parametrize("first_name, last_name", [("小龙", "李"), ("芳", "王"), ("李小龙", "李"), ("Wang", "王芳")])
def test_names_in_chinese_characters_are_accepted_and_kept_exactly(first_name, last_name):
    form = IntakeForm(intake_post_data(first_name=first_name, last_name=last_name))
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["first_name"], form.cleaned_data["last_name"]) == (first_name, last_name)


def test_a_chinese_name_reaches_the_record_unchanged(send):
    send(first_name="小龙", last_name="李")
    patient = Patient.objects.get()
    assert (patient.first_name, patient.last_name, patient.full_name) == ("小龙", "李", "小龙 李")


def test_staff_see_the_language_the_patient_used(client, front_desk, send):
    send()
    client.force_login(front_desk)
    submission = IntakeSubmission.objects.get()
    html = client.get(f"/admin/patients/intakesubmission/{submission.pk}/change/").content.decode()
    assert "简体中文" in html
    listed = client.get("/admin/patients/intakesubmission/", {"language__exact": "zh-hans"}).content.decode()
    assert submission.patient.patient_ref in listed


def test_staff_find_a_patient_by_a_whole_chinese_name(client, front_desk, send):
    send(first_name="小龙", last_name="李", email="li@example.org", submission_key=None)
    PatientFactory(first_name="芳", last_name="王")
    client.force_login(front_desk)
    patients = client.get("/admin/patients/patient/", {"q": "李小龙"}).content.decode()
    assert "小龙 李" in patients and "芳 王" not in patients
    assert "芳 王" in client.get("/admin/patients/patient/", {"q": "王芳"}).content.decode()
    intakes = client.get("/admin/patients/intakesubmission/", {"q": "李小龙"}).content.decode()
    assert Patient.objects.get(last_name="李").patient_ref in intakes


def test_a_practitioner_finds_their_patient_by_a_whole_chinese_name(client, practitioner):
    PatientFactory(practitioner=practitioner, first_name="小龙", last_name="李")
    PatientFactory(practitioner=practitioner, first_name="芳", last_name="王")
    client.force_login(practitioner)
    response = client.post("/practice/", {"q": "李小龙"}, follow=True)
    html = response.content.decode()
    assert "小龙 李" in html and "芳 王" not in html
    html = client.post("/practice/", {"q": "王"}, follow=True).content.decode()
    assert "芳 王" in html and "小龙 李" not in html
