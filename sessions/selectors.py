"""Reads of treatment sessions and the acupoint catalogue that span relations."""

import datetime as dt

from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from django.utils import timezone

from patients.models import Patient
from sessions.models import PGIC, Acupoint, Instrument, TreatmentSession


def patient_sessions(*, patient):
    """Return `patient`'s sessions, newest (highest number) first, with points and amendment counts."""
    return (
        patient.sessions.select_related("practitioner")
        .prefetch_related("points")
        .annotate(amendment_count=Count("amendments"))
        .order_by("-number")
    )


def next_session_number(*, patient):
    """Return the number the next session will most likely get (the service assigns it for real on save)."""
    highest = patient.sessions.aggregate(highest=Max("number"))["highest"]
    return (highest or 0) + 1


def pregnancy_caution_codes():
    """Return the codes of points traditionally avoided in pregnancy, in catalogue order."""
    return list(Acupoint.objects.filter(pregnancy_caution=True).values_list("code", flat=True))


def sessions_with_answers_shown(*, sessions):
    """Give each of `sessions` `answers_shown`, [(instrument name, "2: Much improved"), …] in form order,
    and `pgic_shown` (the PGIC answer's label, or None). One query for the instruments, whatever the count.
    """
    instruments = list(Instrument.objects.all())
    for session in sessions:
        answers = session.instrument_answers or {}
        session.answers_shown = [
            (instrument.name, instrument.label(answers[instrument.code]))
            for instrument in instruments
            if answers.get(instrument.code) in instrument.values
        ]
        session.pgic_shown = next((answer for name, answer in _pgic_answers(instruments, answers)), None)
    return sessions


def _pgic_answers(instruments, answers):
    return [(i.name, i.label(answers[PGIC])) for i in instruments if i.code == PGIC and answers.get(PGIC) in i.values]


def _local_day_start(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def research_sessions(*, date_from=None, date_to=None, patients=None):
    """Return the sessions of patients with research consent, each with `first_started_at` (the
    patient's first session), patient and condition joined and points in catalogue order.

    `date_from`/`date_to` (inclusive) keep patients whose first session's clinic-local date is in
    the window; `patients` (a queryset) keeps only those. A fixed number of queries.
    """
    first = TreatmentSession.objects.filter(patient=OuterRef("patient")).order_by("started_at").values("started_at")
    sessions = (
        TreatmentSession.objects.filter(patient__research_consent=True)
        .annotate(first_started_at=Subquery(first[:1]))
        .select_related("patient__condition")
        .prefetch_related(Prefetch("points", queryset=Acupoint.objects.order_by("position")))
        .order_by("patient_id", "number")
    )
    if date_from:
        sessions = sessions.filter(first_started_at__gte=_local_day_start(date_from))
    if date_to:
        sessions = sessions.filter(first_started_at__lt=_local_day_start(date_to + dt.timedelta(days=1)))
    if patients is not None:
        sessions = sessions.filter(patient__in=patients)
    return sessions


def fhir_patients(*, patient_ref=None, research=False):
    """Return patients (ordered by reference) with condition, sessions (by number) and their points loaded.

    `patient_ref` keeps that one patient; `research` only patients with research consent. A fixed
    number of queries.
    """
    patients = Patient.objects.select_related("condition").order_by("patient_ref")
    if patient_ref is not None:
        patients = patients.filter(patient_ref=patient_ref)
    if research:
        patients = patients.filter(research_consent=True)
    sessions = TreatmentSession.objects.order_by("number").prefetch_related(
        Prefetch("points", queryset=Acupoint.objects.order_by("position"))
    )
    return patients.prefetch_related(Prefetch("sessions", queryset=sessions))
