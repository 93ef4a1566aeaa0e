"""Reads of the registry: this clinic's cohort pooled with the partner summaries made the same way."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from registry.models import PartnerSummary
from sessions.outcomes import cohort_totals
from sessions.pooling import SummaryInvalid, meta_row, parameter_differences, pool, summary_document, summary_read


@dataclass(frozen=True)
class PooledOutcomes:
    """`pooled` (a sessions.pooling.PooledTable, None without partners) with its meta-analysis rows;
    `left_out` lists (site, reason) for partner summaries made with other parameters."""

    pooled: object
    meta: list
    left_out: list


def cohort_parameters(params, *, protocol=None):
    """Return the summary parameters (as cohort_summary records them) of CohortParams `params`."""
    return {
        "sessions": params.sessions,
        "reading": params.reading,
        "from": params.date_from.isoformat() if params.date_from else None,
        "to": params.date_to.isoformat() if params.date_to else None,
        "all_patients": params.all_patients,
        "protocol": protocol,
    }


def pooled_outcomes(*, params, protocol=None, totals=None):
    """Return the PooledOutcomes of this clinic's cohort for CohortParams `params` (its `totals` when
    already computed) and every partner summary made with the same parameters. `protocol` is the slug
    `params.patients` was filtered by. Two queries at most (the partner summaries, this clinic's totals).
    """
    own = summary_read(
        summary_document(
            totals=cohort_totals(params) if totals is None else totals,
            parameters=cohort_parameters(params, protocol=protocol),
            site=settings.CLINIC_NAME,
            min_cell=1,  # this clinic's own figures, in full
            generated_at=timezone.now(),
        )
    )
    matching, left_out = [], []
    for stored in PartnerSummary.objects.all():
        try:
            summary = stored.summary()
        except SummaryInvalid as error:  # stored before a stricter check: say so rather than fail
            left_out.append((stored.site, str(error)))
            continue
        differences = parameter_differences([own, summary])
        if summary.site.casefold() == own.site.casefold():
            left_out.append((summary.site, "has this clinic's own name"))
        elif differences:
            left_out.append((summary.site, "; ".join(differences)))
        else:
            matching.append(summary)
    if not matching:
        return PooledOutcomes(pooled=None, meta=[], left_out=left_out)
    pooled = pool([own, *matching])
    return PooledOutcomes(pooled=pooled, meta=[meta_row(c) for c in pooled.conditions], left_out=left_out)
