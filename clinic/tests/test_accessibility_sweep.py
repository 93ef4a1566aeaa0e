"""Every page, once, at phone and desktop width: axe-core finds no serious or critical WCAG 2.1 A/AA
violation, nothing the page loads fails, and the page never scrolls sideways.

One sweep per audience (the public, a practitioner, the clinic lead in admin) over the same small
clinic. The journeys' own browser tests check behaviour; this is where every page is checked for
accessibility, so the pages are not checked again in each journey.
"""

import time

import pytest
from django.contrib.auth.models import User

from clinic.demo import demo_patients_create, demo_users_create
from content.demo import demo_articles_create
from content.models import Article
from patients.forms import INTAKE_FORM_VERSION
from patients.models import Condition, IntakeSubmission, Patient
from patients.services import intake_submit
from patients.tests.test_intake_browser import _fill_about_you, _fill_the_rest
from protocols.demo import demo_protocols_create
from protocols.models import Protocol
from sessions.models import TreatmentSession
from sessions.services import session_correct
from sessions.tests.factories import TreatmentSessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": (390, 844), "desktop": (1440, 900)}
DEMO_PASSWORD = "acuflow-demo"  # noqa: S105 - the published demo password (clinic/demo.py)


@pytest.fixture
def clinic():
    """A small clinic: the demo users, articles and protocols, 60 demo patients, a flagged patient of the
    demo practitioner with a reading below 90 % and an amended session, and two intakes."""
    demo_users_create()
    demo_protocols_create()
    demo_articles_create()
    demo_patients_create(count=60)
    practitioner = User.objects.get(username="demo-practitioner")
    patient = Patient.objects.create(
        patient_ref="AC-SWEEP001",
        first_name="Ada",
        last_name="Lovelace",
        condition=Condition.objects.get(slug="raynauds-phenomenon"),
        practitioner=practitioner,
        status=Patient.Status.ACTIVE,
        pregnant=True,
        blood_thinners=True,
        symptoms=["cold_extremities"],
        research_consent=True,
    )
    for number, (pre, post) in enumerate([(93, 95), (88, 91), (94, 96)], start=1):
        TreatmentSessionFactory(
            patient=patient, number=number, spo2_pre=pre, spo2_post=post, adverse_events=["bruising"]
        )
    session_correct(
        session=patient.sessions.get(number=1), user=practitioner, reason="Read again.", spo2_post=96, points=None
    )
    for email, pregnant in [("ana@example.org", True), ("ben@example.org", False)]:
        intake_submit(form_data=_intake_answers(email, pregnant), form_version=INTAKE_FORM_VERSION)
    return {
        "patient": patient,
        "session": patient.sessions.get(number=2),
        "article": Article.objects.filter(body__contains="[[cohort-outcomes").first(),
        "intake": IntakeSubmission.objects.first(),
        "protocol": Protocol.objects.first(),
    }


def _intake_answers(email, pregnant):
    import datetime as dt

    return {
        "first_name": "Ana",
        "last_name": "Lopez Fernández de la Vega",
        "date_of_birth": dt.date(1985, 3, 1),
        "sex": "female",
        "email": email,
        "phone": "",
        "condition": Condition.objects.get(slug="raynauds-phenomenon"),
        "complaint_duration": "1 to 5 years",
        "symptoms": ["cold_extremities"],
        "medications": "",
        "history": "",
        "pregnant": pregnant,
        "blood_thinners": True,
        "bleeding_disorder": False,
        "implanted_device": False,
        "metal_allergy": True,
        "needle_phobia": False,
        "reduced_sensation": False,
        "immunocompromised": False,
        "previous_acupuncture": None,
        "contact_consent": True,
        "research_consent": True,
    }


class Sweep:
    """Visit pages in one browser context and collect what is wrong with each."""

    def __init__(self, browser, base_url, axe, width):
        phone_or_desktop_width, height = WIDTHS[width]
        self.context = browser.new_context(viewport={"width": phone_or_desktop_width, "height": height}, locale="en-GB")
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.base_url, self.axe, self.width = base_url, axe, width
        self.problems, self.checked = [], 0
        self.failed = []
        self.page.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.status} {response.url}")
                if response.status >= 400 and response.request.resource_type != "document"
                else None
            ),
        )

    def sign_in(self, username, enter_code):
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        enter_code(self.page, User.objects.get(username=username))
        self.page.wait_for_load_state()

    def visit(self, path, expect_status=200):
        response = self.page.goto(self.base_url + path)
        assert response.status == expect_status, f"{path}: HTTP {response.status}"
        self.check(path)

    def check(self, name):
        """Check the page as it is now (after a visit, or after a form was sent)."""
        self.page.wait_for_load_state("load")
        self.checked += 1
        where = f"{name} at {self.width} width"
        for violation in self.axe(self.page):
            nodes = "\n      ".join(violation["nodes"][:5])
            rule = f"{violation['impact']} {violation['rule']} ({violation['help']})"
            self.problems.append(f"{where}: {rule}\n      {nodes}")
        scroll = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll[0] > scroll[1] + 1:
            self.problems.append(f"{where}: the page scrolls sideways ({scroll[0]} px wide in {scroll[1]} px)")
        self.problems.extend(f"{where}: {failure}" for failure in self.failed)
        self.failed.clear()

    def report(self):
        self.context.close()
        return "\n".join(self.problems)


def _sweep(browser, live_server, axe, pages):
    started, checked, problems = time.monotonic(), 0, []
    for width in WIDTHS:
        sweep = Sweep(browser, live_server.url, axe, width)
        pages(sweep)
        checked += sweep.checked
        problems.append(sweep.report())
    print(f"\naxe sweep: {checked} page views checked in {time.monotonic() - started:.1f} s")
    problems = "\n".join(problem for problem in problems if problem)
    assert not problems, "\n" + problems


def test_every_public_page_passes_the_accessibility_check(browser, browser_settings, live_server, axe, clinic):
    article = clinic["article"]
    tag = article.tags.first()
    condition = article.conditions.first()

    def pages(sweep):
        for path in [
            "/",
            "/privacy/",
            "/articles/",
            f"/articles/{article.slug}/",
            "/articles/definitions/",
            f"/articles/tag/{tag.slug}/",
            f"/articles/condition/{condition.slug}/",
            "/articles/search/?q=circulation",
            "/accounts/login/",
            "/accounts/password_reset/",
            "/zh-hans/",
            "/zh-hans/assessment/",
        ]:
            sweep.visit(path)
        sweep.visit("/no-such-page/", expect_status=404)
        sweep.visit("/assessment/")
        sweep.page.get_by_role("button", name="Send my assessment").click()
        sweep.check("/assessment/ with every answer missing")
        _fill_about_you(sweep.page, email=f"sweep.{sweep.width}@example.org")
        _fill_the_rest(sweep.page)
        sweep.page.get_by_role("button", name="Send my assessment").click()
        sweep.page.wait_for_url("**/assessment/thanks/**")
        sweep.check("/assessment/thanks/")

    _sweep(browser, live_server, axe, pages)


def test_every_workspace_page_passes_the_accessibility_check(
    browser, browser_settings, live_server, axe, clinic, enter_code
):
    ref = clinic["patient"].patient_ref

    def pages(sweep):
        sweep.sign_in("demo-practitioner", enter_code)
        for path in [
            "/practice/",
            f"/practice/patients/{ref}/",
            f"/practice/patients/{ref}/sessions/2/",
            f"/practice/patients/{ref}/sessions/1/",
            f"/practice/patients/{ref}/sessions/1/edit/",
            f"/practice/patients/{ref}/plan/new/",
            f"/practice/patients/{ref}/sessions/new/",
        ]:
            sweep.visit(path)
        sweep.page.get_by_label("Points", exact=True).fill("li4 st36")
        sweep.page.get_by_label("SpO₂ before (%)").fill("880")
        sweep.page.get_by_role("button", name="Save session").click()
        sweep.check("the session form with mistakes")

    _sweep(browser, live_server, axe, pages)
    assert TreatmentSession.objects.filter(patient=clinic["patient"]).count() == 3


def test_the_main_admin_pages_pass_the_accessibility_check(
    browser, browser_settings, live_server, axe, clinic, enter_code
):
    patient, session, article = clinic["patient"], clinic["session"], clinic["article"]

    def pages(sweep):
        sweep.visit("/admin/login/")
        sweep.sign_in("demo-lead", enter_code)
        for path in [
            "/admin/",
            "/admin/outcomes/",
            "/admin/patients/intakesubmission/",
            f"/admin/patients/intakesubmission/{clinic['intake'].pk}/change/",
            "/admin/patients/patient/",
            f"/admin/patients/patient/{patient.pk}/change/",
            f"/admin/patients/patient/{patient.pk}/history/",
            "/admin/treatment_sessions/treatmentsession/",
            f"/admin/treatment_sessions/treatmentsession/{session.pk}/change/",
            f"/admin/treatment_sessions/treatmentsession/{session.pk}/history/",
            "/admin/treatment_sessions/treatmentsession/import/",
            "/admin/content/article/",
            "/admin/content/article/add/",
            f"/admin/content/article/{article.pk}/change/",
            "/admin/protocols/protocol/",
            f"/admin/protocols/protocol/{clinic['protocol'].pk}/change/",
            "/admin/protocols/treatmentplan/",
        ]:
            sweep.visit(path)

    _sweep(browser, live_server, axe, pages)
