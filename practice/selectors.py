"""Reads for the workspace's lists."""

from django.db.models import Count, F, Max, OuterRef, Q, Subquery

from patients.selectors import with_family_first_name
from practice.access import patients_visible_to
from sessions.models import TreatmentSession


def workspace_patient_list(*, user, search="", condition=None, status=""):
    """Return the patients `user` sees, annotated for the "my patients" list, latest visit first.

    Annotations: `session_count`, `last_visit` (None before the first session), `latest_spo2_pre`
    and `latest_spo2_post` (the highest-numbered session's readings, None when missing). One query
    whatever the number of rows. `search` matches any word against first name, last name, both run
    together family name first (a Chinese name: 李小龙) or reference.
    """
    patients = with_family_first_name(patients_visible_to(user=user).select_related("condition", "practitioner"))
    for word in search.split():
        patients = patients.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(family_first_name__icontains=word)
            | Q(patient_ref__icontains=word)
        )
    if condition is not None:
        patients = patients.filter(condition=condition)
    if status:
        patients = patients.filter(status=status)

    # Counts and last visit by one GROUP BY join (the sort needs last visit for every row: measured
    # ~2.7x faster on PostgreSQL than a correlated subquery); the latest readings only for the page.
    latest = TreatmentSession.objects.filter(patient=OuterRef("pk")).order_by("-number")
    return patients.annotate(
        session_count=Count("sessions"),
        last_visit=Max("sessions__started_at"),
        latest_spo2_pre=Subquery(latest.values("spo2_pre")[:1]),
        latest_spo2_post=Subquery(latest.values("spo2_post")[:1]),
    ).order_by(F("last_visit").desc(nulls_last=True), "last_name", "first_name", "pk")
