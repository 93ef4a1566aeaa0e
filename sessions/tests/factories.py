import datetime as dt

import factory
from django.utils import timezone

from patients.tests.factories import PatientFactory
from sessions.models import Change, TreatmentSession


class TreatmentSessionFactory(factory.django.DjangoModelFactory):
    """A session; pass `number` when a test makes several for one patient."""

    class Meta:
        model = TreatmentSession

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.LazyAttribute(lambda s: s.patient.practitioner)
    number = 1
    started_at = factory.LazyAttribute(lambda s: timezone.now() - dt.timedelta(days=7 * (10 - s.number)))
    spo2_pre = 94
    spo2_post = 95
    pulse_pre = 72
    pulse_post = 68
    warmth_change = Change.SAME
    clarity_change = Change.SAME
