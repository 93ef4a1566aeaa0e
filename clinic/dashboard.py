"""The cohort outcomes dashboard in admin (/admin/outcomes/), for the clinic lead.

It composes the apps: the filters name a protocol, the figures come from sessions.outcomes, and
the table reads as everywhere else through sessions.outcome_table.
"""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse

from clinic.forms import OutcomeFilterForm
from clinic.lib.replica import reads_from_replica
from sessions.outcome_table import interval, outcome_table, signed
from sessions.outcomes import cohort_report


def _headings(params):
    when = "after" if params.reading == "post" else "before"
    return [
        "Condition",
        "Patients",
        "Excluded",
        "Baseline SpO₂ (session 1, before)",
        f"SpO₂ at session {params.sessions} ({when})",
        "Δ SpO₂ (points)",
        "95% CI of Δ",
        "Improved warmth/clarity",
        "Publishable",
    ]


def _csv_response(report):
    """The table in its published form (docs/design.md: exports are published): small rows show "fewer than 5"."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-outcomes-{report.params.sessions}-sessions.csv"'
    writer = csv.writer(response)
    writer.writerow(_headings(report.params))
    for row in outcome_table(report.rows, all_patients=report.params.all_patients, published=True):
        writer.writerow([row.condition, *row.figure_cells, row.publication.label])
    return response


def _correlation_rows(report):
    def mean(value, count):
        return f"{signed(value)} (n={count})" if value is not None else f"– (n={count})"

    return [
        {
            "label": row["label"],
            "n": row["n"],
            "r": signed(row["r"], places=2),
            "r_ci95": (
                interval(row["r_ci95"], places=2)
                if row["r_ci95"]
                else "– (needs at least 4 patients and some variation)"
            ),
            "improved": mean(row["mean_delta_improved"], row["improved"]),
            "not_improved": mean(row["mean_delta_not_improved"], row["not_improved"]),
            "overall": row["label"] == "All conditions",
        }
        for row in report.correlation
    ]


def _chart_data(report):
    n = report.params.sessions
    conditions = []
    for name, points in report.chart.items():
        by_number = {number: (before, after) for number, before, after in points}
        before = [by_number.get(number, (None, None))[0] for number in range(1, n + 1)]
        after = [by_number.get(number, (None, None))[1] for number in range(1, n + 1)]
        conditions.append(
            {
                "name": name,
                "before": [None if v is None else round(v, 2) for v in before],
                "after": [None if v is None else round(v, 2) for v in after],
            }
        )
    return {"sessions": list(range(1, n + 1)), "conditions": conditions}


@reads_from_replica
def outcomes_dashboard(request, site):
    """The cohort table, its chart and the SpO₂-vs-reported-improvement check, for the clinic lead."""
    if not request.user.has_perm("treatment_sessions.view_cohort_outcomes"):
        raise PermissionDenied
    filters = {key: value for key, value in request.GET.items() if key != "download"}
    if filters:
        # A link naming only some filters (a bookmark, a shared link) gets the defaults for the others.
        for name in ("sessions", "reading"):
            filters.setdefault(name, OutcomeFilterForm.base_fields[name].initial)
    form = OutcomeFilterForm(filters or None)
    report = cohort_report(form.params()) if not form.is_bound or form.is_valid() else None
    if report and request.GET.get("download") == "csv":
        return _csv_response(report)
    download = request.GET.copy()
    download["download"] = "csv"
    context = {
        **site.each_context(request),
        "title": "Cohort outcomes",
        "form": form,
        "report": report,
        "protocol": form.cleaned_data.get("protocol") if report and form.is_bound else None,
        "headings": _headings(report.params) if report else [],
        "rows": outcome_table(report.rows, all_patients=report.params.all_patients, published=False) if report else [],
        "correlation": _correlation_rows(report) if report else [],
        "chart_data": _chart_data(report) if report else None,
        "download_query": download.urlencode(),
    }
    return TemplateResponse(request, "admin/outcomes/dashboard.html", context)
