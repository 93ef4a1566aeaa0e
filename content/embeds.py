"""The live cohort-outcome table inside an article, in its published form.

The stored body HTML keeps a placeholder paragraph for each `[[cohort-outcomes …]]` line
(see content.rendering); the page swaps it for the table when shown. The figures come from
the dashboard's own computation, consenting patients only, read and suppressed as in every
published table (sessions.outcome_table), and are cached for a few minutes.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from content.rendering import EMBED_PLACEHOLDER
from patients.selectors import research_consent_last_withdrawn
from sessions.outcome_table import SESSIONS_RANGE, outcome_table

CACHE_SECONDS = 300


def cohort_table_published(*, sessions):
    """Return {"sessions", "as_of", "rows"} for the published table after `sessions` sessions.

    `rows` are sessions.outcome_table.OutcomeRows in published form. Cached for CACHE_SECONDS, but
    never past a withdrawal of research consent: from then on the patient is in no published figure.
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

    withdrawn = research_consent_last_withdrawn()
    key = f"content:cohort-outcomes:{sessions}:{withdrawn.timestamp() if withdrawn else 0}"
    return cache.get_or_set(key, compute, CACHE_SECONDS)


def body_with_embeds(body_html):
    """Return the stored, sanitised body HTML with each table placeholder replaced by the table."""

    def table(match):
        sessions = int(match["sessions"])
        low, high = SESSIONS_RANGE
        if not low <= sessions <= high:
            return match.group(0)  # the renderer never makes this; an author typed it: leave it as text
        context = cohort_table_published(sessions=sessions)
        return render_to_string("content/embeds/cohort_outcomes.html", context)

    # Safe: body_html was sanitised on save, and the table template escapes every value.
    return mark_safe(EMBED_PLACEHOLDER.sub(table, body_html))  # noqa: S308
