"""The live cohort-outcome tables inside an article, in their published form.

The stored body HTML keeps a placeholder paragraph for each `[[cohort-outcomes …]]` or
`[[pooled-outcomes …]]` line (see content.rendering); the page swaps it for the table when shown.
The figures come from the dashboard's own computation (pooled with the partner clinics' summaries
made the same way, for the pooled table), consenting patients only, read and suppressed as in every
published table (sessions.outcome_table), and are cached for a few minutes.
"""

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from content.rendering import EMBED_PLACEHOLDER
from sessions.outcome_table import SESSIONS_RANGE, outcome_table

CACHE_SECONDS = 300


def cohort_table_published(*, sessions):
    """Return {"sessions", "as_of", "rows"} for the published table after `sessions` sessions.

    `rows` are sessions.outcome_table.OutcomeRows in published form. Cached for CACHE_SECONDS;
    `as_of` is when the figures were computed.
    """

    def compute():
        # Imported here: the computation (and SciPy, about a second to load) is only needed when an
        # article actually embeds the table, not in every process that serves the site.
        from sessions.outcomes import cohort_outcomes

        rows = cohort_outcomes(sessions=sessions, reading="post", all_patients=False)
        return {
            "sessions": sessions,
            "as_of": timezone.now(),
            "rows": outcome_table(rows, all_patients=False, published=True),
        }

    return cache.get_or_set(f"content:cohort-outcomes:{sessions}", compute, CACHE_SECONDS)


def pooled_table_published(*, sessions):
    """Return {"sessions", "as_of", "sites", "rows"} for the table pooled with partner clinics.

    `rows` are OutcomeRows in published form, from this clinic's consenting patients and the partner
    summaries made with the same parameters (session N after treatment, no window, no protocol);
    `sites` names the clinics pooled (this one only while no partner summary matches). Cached.
    """

    def compute():
        from registry.selectors import pooled_outcomes
        from sessions.outcomes import CohortParams, cohort_row, cohort_totals

        params = CohortParams(sessions=sessions)
        totals = cohort_totals(params)
        found = pooled_outcomes(params=params, totals=totals)
        if found.pooled is None:
            sites, rows = [settings.CLINIC_NAME], [cohort_row(t) for t in totals]
        else:
            sites, rows = [summary.site for summary in found.pooled.sites], found.pooled.rows
        return {
            "sessions": sessions,
            "as_of": timezone.now(),
            "sites": sites,
            "rows": outcome_table(rows, all_patients=False, published=True),
        }

    return cache.get_or_set(f"content:pooled-outcomes:{sessions}", compute, CACHE_SECONDS)


TABLES = {
    "cohort-outcomes": (cohort_table_published, "content/embeds/cohort_outcomes.html"),
    "pooled-outcomes": (pooled_table_published, "content/embeds/pooled_outcomes.html"),
}


def body_with_embeds(body_html):
    """Return the stored, sanitised body HTML with each table placeholder replaced by the table."""

    def table(match):
        sessions = int(match["sessions"])
        low, high = SESSIONS_RANGE
        if not low <= sessions <= high:
            return match.group(0)  # the renderer never makes this; an author typed it: leave it as text
        published, template = TABLES[match["name"]]
        return render_to_string(template, published(sessions=sessions))

    # Safe: body_html was sanitised on save, and the table template escapes every value.
    return mark_safe(EMBED_PLACEHOLDER.sub(table, body_html))  # noqa: S308
