"""Reads of treatment sessions and the acupoint catalogue that span relations."""

from django.db.models import Count, Max

from sessions.models import PGIC, Acupoint, Instrument


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
