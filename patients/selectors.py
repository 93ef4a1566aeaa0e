"""Reads about patients that other apps ask for."""

from django.db.models import Max

from patients.models import Patient


def research_consent_last_withdrawn():
    """Return when any patient last withdrew research consent, or None if nobody has.

    Published figures computed before then may count that patient; a cache of them must not outlive it.
    """
    return Patient.objects.aggregate(latest=Max("research_consent_withdrawn_at"))["latest"]
