"""The live cohort-outcome table inside an article, in its published form.

The stored body HTML keeps a placeholder paragraph for each `[[cohort-outcomes …]]` line
(see content.rendering); the page swaps it for the table when shown. The figures come from
the dashboard's own computation, consenting patients only, and are cached for a few minutes.
"""

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from content.rendering import EMBED_PLACEHOLDER, EMBED_SESSIONS_RANGE

CACHE_SECONDS = 300
# A published row with fewer patients than this shows "fewer than 5" instead of figures.
SMALL_CELL = 5


def _signed(value):
    # `or 0.0` turns a rounded -0.0 into 0.0, so "−0.0" never appears.
    return "–" if value is None else f"{round(value, 1) or 0.0:+.1f}"


def _plain(value):
    return "–" if value is None else f"{value:.1f}"


def published_row(row):
    """Return a cohort row as the public sees it: display strings, or only the condition when small."""
    if row["patients"] < SMALL_CELL:
        return {"condition": row["condition"], "suppressed": True}
    ci = row["delta_ci95"]
    return {
        "condition": row["condition"],
        "suppressed": False,
        "patients": row["patients"],
        "baseline_spo2": _plain(row["baseline_spo2"]),
        "followup_spo2": _plain(row["followup_spo2"]),
        "delta_spo2": _signed(row["delta_spo2"]),
        "delta_ci95": f"{_signed(ci[0])} to {_signed(ci[1])}" if ci else "",
        "improved_pct": "–" if row["improved_pct"] is None else f"{row['improved_pct']}%",
    }


def cohort_table_published(*, sessions):
    """Return {"sessions", "as_of", "rows"} for the published table after `sessions` sessions.

    Cached for CACHE_SECONDS; `as_of` is when the figures were computed.
    """

    def compute():
        # Imported here: the computation lives with the sessions app and is only needed when an
        # article actually embeds the table.
        from sessions.outcomes import cohort_outcomes

        rows = cohort_outcomes(sessions=sessions, reading="post", all_patients=False)
        return {"sessions": sessions, "as_of": timezone.now(), "rows": [published_row(row) for row in rows]}

    return cache.get_or_set(f"content:cohort-outcomes:{sessions}", compute, CACHE_SECONDS)


def body_with_embeds(body_html):
    """Return the stored, sanitised body HTML with each table placeholder replaced by the table."""

    def table(match):
        sessions = int(match["sessions"])
        low, high = EMBED_SESSIONS_RANGE
        if not low <= sessions <= high:
            return match.group(0)  # the renderer never makes this; an author typed it: leave it as text
        context = cohort_table_published(sessions=sessions)
        return render_to_string("content/embeds/cohort_outcomes.html", context)

    # Safe: body_html was sanitised on save, and the table template escapes every value.
    return mark_safe(EMBED_PLACEHOLDER.sub(table, body_html))  # noqa: S308
