"""The public assessment pages as a patient (or a bot) meets them over HTTP."""

import re

import pytest
from django.core import mail
from django.test import Client

from patients.models import IntakeSubmission, Patient
from patients.tests.factories import PatientFactory, intake_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """Post the assessment like a browser would, running what waits for the commit (the email)."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/assessment/", intake_post_data(**overrides))

    return post


def test_the_form_shows_every_section(client):
    html = client.get("/assessment/").content.decode()
    for legend in ["About you", "Your concern", "Safety questions", "Acupuncture before", "Consent"]:
        assert f"<legend>{legend}</legend>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Raynaud&#x27;s Phenomenon" in html
    assert "Cold hands or feet" in html and "Leg pain when walking" in html


def test_each_visit_gets_its_own_submission_key(client):
    keys = [
        re.search(r'name="submission_key" value="([^"]+)"', client.get("/assessment/").content.decode()).group(1)
        for _ in range(2)
    ]
    assert keys[0] != keys[1]


def test_sending_the_form_leads_to_the_thanks_page_with_the_reference(client, send):
    response = send()
    patient, submission = Patient.objects.get(), IntakeSubmission.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/assessment/thanks/IN-6F1C3B1E0D/"
        == f"/assessment/thanks/{submission.public_reference}/"
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Thank you, Ana" in html and "IN-6F1C3B1E0D" in html
    assert patient.patient_ref not in html, "the record's own reference is never shown to the public"
    assert "What happens next" in html
    assert "Lopez" not in html and "ana.lopez@example.org" not in html and "1980" not in html
    assert "no-store" in page["Cache-Control"]


def test_the_thanks_page_of_an_unknown_reference_is_not_found(client):
    assert client.get("/assessment/thanks/AC-NOTREAL1/").status_code == 404


def test_the_thanks_page_is_only_shown_to_the_browser_that_sent_the_form(client, send):
    send()
    ref = IntakeSubmission.objects.get().public_reference
    assert client.get(f"/assessment/thanks/{ref}/").status_code == 200
    assert Client().get(f"/assessment/thanks/{ref}/").status_code == 404
    imported = PatientFactory(patient_ref="P-0001", first_name="Guessable")
    assert client.get(f"/assessment/thanks/{imported.patient_ref}/").status_code == 404


def test_a_mistake_shows_the_error_beside_the_field_and_keeps_everything_typed(client, send):
    response = send(email="ana.lopez@", first_name="Zoë 👩\u200d⚕️", pregnant="yes", symptoms=["fatigue"])
    html = response.content.decode()
    assert response.status_code == 200
    assert not Patient.objects.exists()
    assert 'role="alert"' in html and "Please check 1 answer" in html
    assert '<a class="alert-link" href="#id_email">Email address</a>' in html
    assert 'aria-invalid="true" aria-describedby="id_email_helptext id_email_error"' in html
    assert 'id="id_email_error"' in html and "Enter an email address like name@example.com." in html
    assert 'value="ana.lopez@"' in html
    assert 'value="Zoë 👩\u200d⚕️"' in html
    assert 'value="Lopez"' in html and 'value="1980-03-31"' in html
    assert 'value="+44 20 7946 0000"' in html
    assert "Fingers go white in the cold.</textarea>" in html
    assert re.search(r'name="pregnant" value="yes"[^>]*checked', html)
    assert re.search(r'name="symptoms" value="fatigue"[^>]*checked', html)
    assert re.search(r'<option value="raynauds-phenomenon" selected>', html)
    assert re.search(r'name="contact_consent"[^>]*checked', html)
    assert html.startswith("<!doctype html>") and "<title>Please check your answers" in html


def test_an_unanswered_safety_question_is_flagged_on_its_group(send):
    html = send(needle_phobia=None).content.decode()
    assert 'href="#id_needle_phobia_0"' in html
    assert 'id="id_needle_phobia_error"' in html and "Answer yes or no." in html


def test_a_ten_thousand_character_name_is_refused_cleanly(send):
    response = send(first_name="A" * 10_000, history="B" * 10_000)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value has at most 100 characters (it has 10000)." in html
    assert "Ensure this value has at most 2000 characters (it has 10000)." in html
    assert not Patient.objects.exists()


def test_a_nul_character_is_refused_not_crashed_on(send):
    response = send(last_name="Lo\x00pez")
    assert response.status_code == 200
    assert "invisible control characters" in response.content.decode()
    assert not Patient.objects.exists()


def test_right_to_left_and_zero_width_characters_reach_the_record_unchanged(client, send):
    send(first_name="\u200fعلي", last_name="Ha\u200bssan")
    patient = Patient.objects.get()
    assert patient.first_name == "\u200fعلي" and patient.last_name == "Ha\u200bssan"
    reference = IntakeSubmission.objects.get().public_reference
    assert "\u200fعلي" in client.get(f"/assessment/thanks/{reference}/").content.decode()


def test_a_script_tag_in_a_name_is_shown_escaped_on_the_thanks_page_and_in_the_email(client, send):
    response = send(first_name="<script>alert(1)</script>")
    html = client.get(response["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text, (html_body, _) = mail.outbox[0].body, mail.outbox[0].alternatives[0]
    assert "Dear <script>alert(1)</script>," in text
    assert "<script>" not in html_body and "&lt;script&gt;" in html_body


def test_a_script_tag_is_shown_escaped_when_the_form_comes_back_with_errors(send):
    html = send(first_name='"><script>alert(1)</script>', email="bad").content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_pressing_send_twice_stores_one_assessment_and_shows_the_same_thanks_page(send):
    first = send()
    second = send()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Patient.objects.count() == 1 and IntakeSubmission.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_again_after_the_back_button_stores_nothing_more_and_shows_the_same_thanks_page(client, send):
    """Back re-fetches the form, so the same answers come with a fresh key."""
    first = send(submission_key="11111111-1111-4111-8111-111111111111")
    again = send(submission_key="22222222-2222-4222-8222-222222222222")
    assert again["Location"] == first["Location"] == "/assessment/thanks/IN-1111111111/"
    assert client.get(again["Location"]).status_code == 200
    assert IntakeSubmission.objects.count() == 1 and len(mail.outbox) == 1


def test_the_same_answers_from_another_browser_never_show_the_patient_s_reference(send):
    send(submission_key="11111111-1111-4111-8111-111111111111")
    response = Client().post("/assessment/", intake_post_data(submission_key="22222222-2222-4222-8222-222222222222"))
    assert response["Location"] == "/assessment/thanks/IN-2222222222/"
    assert IntakeSubmission.objects.filter(matched_existing_patient=True).count() == 1


def test_sending_again_with_a_fresh_form_adds_a_submission_to_the_same_patient(send):
    first = send(submission_key="11111111-1111-4111-8111-111111111111")
    second = send(submission_key="22222222-2222-4222-8222-222222222222", email="Ana.Lopez@example.org")
    # Each assessment has a reference of its own; the record's reference is never shown.
    assert first["Location"] == "/assessment/thanks/IN-1111111111/"
    assert second["Location"] == "/assessment/thanks/IN-2222222222/"
    assert Patient.objects.count() == 1
    assert list(IntakeSubmission.objects.values_list("matched_existing_patient", flat=True)) == [True, False]


def test_a_confirmation_email_goes_out_as_text_and_html(send):
    send()
    ref = IntakeSubmission.objects.get().public_reference
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana.lopez@example.org"]
    assert ref in message.subject
    assert "Dear Ana," in message.body and ref in message.body and "What happens next" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Dear Ana," in html and f"<strong>{ref}</strong>" in html
    # An email is not a safe place for health details.
    for private in ["Raynaud", "Amlodipine", "Fingers", "Lopez"]:
        assert private not in message.body and private not in html


def test_a_failing_mail_server_does_not_cost_the_patient_their_assessment(settings, send, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens on the discard port here
    settings.EMAIL_TIMEOUT = 2
    response = send()
    assert response.status_code == 302 and Patient.objects.count() == 1
    assert "not sent" in caplog.text and "ana.lopez@example.org" not in caplog.text


def test_a_bot_filling_the_hidden_field_gets_a_plain_answer_and_stores_nothing(send):
    response = send(website="http://spam.example")
    assert response.status_code == 200
    assert "Your form has been received." in response.content.decode()
    assert not Patient.objects.exists() and not IntakeSubmission.objects.exists()
    assert mail.outbox == []


def test_the_hidden_field_is_out_of_sight_and_out_of_the_tab_order(client):
    html = client.get("/assessment/").content.decode()
    assert re.search(r'class="intake-extra"\s+aria-hidden="true"', html)
    assert re.search(r'name="website" autocomplete="off" tabindex="-1"', html)


def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/assessment/", intake_post_data())
    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_a_post_with_the_csrf_token_from_the_page_is_accepted():
    client = Client(enforce_csrf_checks=True)
    html = client.get("/assessment/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post("/assessment/", {**intake_post_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Patient.objects.count() == 1


def test_too_many_posts_from_one_address_get_a_friendly_429(settings, client):
    settings.INTAKE_RATE_LIMIT = "3/hour"
    for number in range(3):
        response = client.post(
            "/assessment/", intake_post_data(email=f"person{number}@example.org", submission_key=None)
        )
        assert response.status_code == 302
    response = client.post("/assessment/", intake_post_data(email="person4@example.org"))
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Patient.objects.count() == 3


def test_the_rate_limit_counts_each_address_on_its_own(settings, client):
    settings.INTAKE_RATE_LIMIT = "1/minute"
    assert client.post("/assessment/", intake_post_data(), REMOTE_ADDR="203.0.113.1").status_code == 302
    assert client.post("/assessment/", intake_post_data(), REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.post("/assessment/", intake_post_data(), REMOTE_ADDR="203.0.113.2").status_code == 302


def test_mistakes_and_bots_count_against_the_rate_limit_but_reading_the_form_does_not(settings, client):
    settings.INTAKE_RATE_LIMIT = "2/hour"
    for _ in range(5):
        assert client.get("/assessment/").status_code == 200
    assert client.post("/assessment/", intake_post_data(email="bad")).status_code == 200
    assert client.post("/assessment/", intake_post_data(website="spam")).status_code == 200
    assert client.post("/assessment/", intake_post_data()).status_code == 429


def test_a_waiting_room_behind_one_address_sends_forty_in_a_minute_and_a_flood_is_stopped(settings, monkeypatch):
    """The defaults: 40 a minute and 400 a day per address (a hospital network, a clinic's own Wi-Fi)."""
    monkeypatch.setattr("patients.ratelimit.time", type("Clock", (), {"time": staticmethod(lambda: 7_200_030.0)}))
    client = Client(REMOTE_ADDR="198.51.100.20")
    statuses = [
        client.post("/assessment/", intake_post_data(email=f"patient{n}@example.org", submission_key=None)).status_code
        for n in range(41)
    ]
    assert statuses == [302] * 40 + [429]
    assert Patient.objects.count() == 40


def test_one_email_address_may_send_five_an_hour_from_any_address(settings, client):
    for number in range(5):
        response = client.post("/assessment/", intake_post_data(submission_key=None), REMOTE_ADDR=f"203.0.113.{number}")
        assert response.status_code == 302
    response = client.post("/assessment/", intake_post_data(submission_key=None), REMOTE_ADDR="203.0.113.99")
    assert response.status_code == 429
    assert "for this email address" in response.content.decode()
    other = client.post("/assessment/", intake_post_data(email="someone.else@example.org"), REMOTE_ADDR="203.0.113.99")
    assert other.status_code == 302


def test_the_rate_limit_can_be_switched_off(settings, client):
    settings.INTAKE_RATE_LIMIT = "off"
    for number in range(15):
        response = client.post("/assessment/", intake_post_data(email=f"p{number}@example.org", submission_key=None))
        assert response.status_code == 302


def test_only_get_head_and_post_are_answered(client):
    assert client.put("/assessment/").status_code == 405
    assert client.post("/assessment/thanks/AC-XXXXXXXX/").status_code == 405


def test_uptime_monitors_asking_head_get_an_answer_without_a_body(client):
    response = client.head("/assessment/")
    assert response.status_code == 200
    assert response.content == b""


def test_home_page_and_menu_invite_the_assessment(client):
    html = client.get("/").content.decode()
    assert '<a class="btn btn-brand btn-lg" href="/assessment/">Book your free assessment</a>' in html
    assert '<a class="nav-link" href="/assessment/">Free assessment</a>' in html


def test_the_thanks_page_links_published_articles_about_the_condition(client, send):
    from content.tests.factories import ArticleFactory
    from patients.models import Condition

    raynaud = Condition.objects.get(slug="raynauds-phenomenon")
    ArticleFactory(title="Keeping hands warm", conditions=[raynaud])
    ArticleFactory(title="Migraine diaries", conditions=[Condition.objects.get(slug="chronic-migraine")])
    ArticleFactory(title="Draft about Raynaud", conditions=[raynaud], status="draft")
    html = client.get(send(condition="raynauds-phenomenon")["Location"]).content.decode()
    assert "Reading about Raynaud&#x27;s Phenomenon" in html
    assert "Keeping hands warm" in html
    assert "Migraine diaries" not in html and "Draft about Raynaud" not in html


def test_a_matched_submission_never_shows_the_existing_patient_s_reference_or_name(client, send):
    existing = PatientFactory(
        email="ana.lopez@example.org", date_of_birth="1980-03-31", first_name="Ana", patient_ref="AC-SECRET01"
    )
    response = send(first_name="Mallory")
    assert "AC-SECRET01" not in response["Location"]
    assert response["Location"].startswith("/assessment/thanks/IN-")
    html = client.get(response["Location"]).content.decode()
    assert "AC-SECRET01" not in html and "Thank you, Mallory" in html
    # The mailbox gets what anyone sending the form gets: the name typed and the assessment's reference.
    [message] = mail.outbox
    assert message.to == [existing.email]
    assert "AC-SECRET01" not in message.body and "Dear Mallory," in message.body and "Ana" not in message.body
