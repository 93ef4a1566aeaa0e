"""Test data spanning the apps, for tests of the whole site (the hostile-input sweep, backups)."""

from django.contrib.auth.models import User

from content.tests.factories import ArticleFactory, TagFactory
from patients.forms import INTAKE_FORM_VERSION, IntakeForm
from patients.models import Condition
from patients.services import intake_submit
from patients.tests.factories import intake_post_data
from protocols.services import plan_start
from protocols.tests.factories import ProtocolFactory
from sessions.models import Acupoint
from sessions.tests.factories import TreatmentSessionFactory


def clinic_with_one_of_everything():
    """Make a clinic with a row behind every page (a patient with an intake, sessions, a plan and their
    history, a protocol, an article with a tag) and return its superuser, `sweeper`."""
    lead = User.objects.create_superuser("sweeper", "sweeper@example.org", "correct-horse-battery")
    form = IntakeForm(intake_post_data())
    assert form.is_valid(), form.errors
    submission, _ = intake_submit(form_data=form.cleaned_data, form_version=INTAKE_FORM_VERSION)
    patient = submission.patient
    patient.practitioner = lead
    patient.save()
    for number in (1, 2):
        TreatmentSessionFactory(patient=patient, practitioner=lead, number=number)
    protocol = ProtocolFactory(conditions=[patient.condition])
    plan_start(
        patient=patient,
        protocol=protocol,
        confirmed_by=lead,
        points=list(Acupoint.objects.filter(code__in=["ST36", "PC6"])),
        planned_sessions=6,
        interval_days=7,
    )
    ArticleFactory(tags=[TagFactory(name="Circulation")], conditions=[Condition.objects.first()])
    return lead
