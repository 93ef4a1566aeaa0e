"""Writes to the registry: uploading a partner clinic's summary."""

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from registry.models import PartnerSummary
from sessions.pooling import SummaryInvalid, summary_read

# A summary is a few kilobytes per condition; anything far larger is not one.
SUMMARY_MAX_BYTES = 1_000_000


def partner_summary_upload(*, file, user):
    """Store the cohort summary in the uploaded `file` for its site, replacing that site's previous one.

    Return (PartnerSummary, created). Raise ValidationError (nothing stored) when the file is not a
    summary cohort_summary could have made, or names this clinic itself.
    """
    if file.size > SUMMARY_MAX_BYTES:
        raise ValidationError("This file is too large to be a cohort summary.", code="too_large")
    try:
        document = json.loads(file.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(
            "This is not a JSON file: upload the file cohort_summary wrote.", code="not_json"
        ) from None
    try:
        summary = summary_read(document)
    except SummaryInvalid as error:
        raise ValidationError(str(error), code="invalid_summary") from None
    if summary.site.casefold() == settings.CLINIC_NAME.casefold():
        raise ValidationError(
            "This summary names this clinic (%(site)s): the pooled table counts this clinic's own patients, live.",
            code="own_site",
            params={"site": summary.site},
        )
    document["site"] = summary.site
    with transaction.atomic():
        return PartnerSummary.objects.update_or_create(
            site=summary.site,
            defaults={
                "document": document,
                "generated_at": dt.datetime.fromisoformat(summary.generated_at),
                "uploaded_by": user,
            },
        )
