"""The cohort outcomes dashboard in admin (/admin/outcomes/), for the clinic lead.

It composes the apps: the filters name a protocol, the figures come from sessions.outcomes, and
the table reads as everywhere else through sessions.outcome_table.
"""

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext

from clinic.forms import OutcomeFilterForm, ResearchExportForm
from clinic.lib.access_audit import access_record
from clinic.lib.csvsafe import csv_write
from clinic.lib.replica import reads_from_replica
from patients.models import Patient
from registry.selectors import pooled_outcomes
from sessions.outcome_table import CSV_COLUMNS, csv_rows, interval, outcome_table, signed
from sessions.outcomes import cohort_report
from sessions.research import COLUMNS, ResearchKeyMissing, research_key, research_rows


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
        "PGIC responders (1–2)",
        "Lost to follow-up",
        "Publishable",
    ]


def _csv_response(report):
    """The table in its published form (docs/design.md: exports are published): small rows show "fewer than 5".

    UTF-8 with a byte-order mark, so that Excel reads condition names as written; figures as numbers.
    """
    params = report.params
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="cohort-outcomes-{params.sessions}-sessions-{params.reading}.csv"'
    )
    response.write("\ufeff")
    table = outcome_table(report.rows, all_patients=params.all_patients, published=True)
    csv_write(response, [CSV_COLUMNS, *csv_rows(table)])
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
            "pgic_n": row["pgic_n"],
            "rho": signed(row["rho"], places=2),
            "rho_ci95": (
                interval(row["rho_ci95"], places=2)
                if row["rho_ci95"]
                else "– (needs at least 4 answers and some variation)"
            ),
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
    # One SpO₂ scale for every panel, so that +0.4 and +2.5 look as different as they are: whole even
    # percentages around every mean shown, so the axis is labelled 90, 92, 94 …
    readings = [v for condition in conditions for v in condition["before"] + condition["after"] if v is not None]
    scale = None
    if readings:
        low, high = math.floor(min(readings)) - 1, math.ceil(max(readings)) + 1
        scale = {"min": low - low % 2, "max": min(100, high + high % 2)}
    return {"sessions": list(range(1, n + 1)), "conditions": conditions, "scale": scale}


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
    wants_csv = request.GET.get("download") == "csv"
    if report and (wants_csv or report.params.all_patients):
        # Figures counting patients without research consent, and every download, are in the access trail.
        access_record(request, record=Patient, all_patients=report.params.all_patients, download=wants_csv)
    if report and wants_csv:
        return _csv_response(report)
    download = request.GET.copy()
    download["download"] = "csv"
    protocol = form.cleaned_data.get("protocol") if report and form.is_bound else None
    context = {
        **site.each_context(request),
        "title": "Cohort outcomes",
        "form": form,
        "report": report,
        "protocol": protocol,
        "headings": _headings(report.params) if report else [],
        "rows": outcome_table(report.rows, all_patients=report.params.all_patients, published=False) if report else [],
        "correlation": _correlation_rows(report) if report else [],
        "chart_data": _chart_data(report) if report else None,
        "download_query": download.urlencode(),
        "pooled": _pooled_context(report, protocol) if report else None,
        "research_form": ResearchExportForm(),
        "research_key_set": _research_key_set(),
    }
    return TemplateResponse(request, "admin/outcomes/dashboard.html", context)


def _pooled_context(report, protocol):
    """This clinic's cohort pooled with the partner summaries made with the same filters, as the page shows it."""
    found = pooled_outcomes(params=report.params, protocol=protocol.slug if protocol else None, totals=report.totals)
    if found.pooled is None:
        return {"sites": [], "left_out": found.left_out}
    all_patients = report.params.all_patients
    return {
        "sites": [summary.site for summary in found.pooled.sites],
        "left_out": found.left_out,
        "rows": outcome_table(found.pooled.rows, all_patients=all_patients, published=False),
        "meta": [
            {
                **row,
                "fixed": _estimate(row["fixed_effect"]),
                "random": _estimate(row["random_effects"]),
                "tau2_shown": "–" if row["tau2"] is None else f"{row['tau2']:.2f}",
                "i2_shown": "–" if row["i2_pct"] is None else f"{row['i2_pct']}%",
            }
            for row in found.meta
        ],
    }


def _estimate(estimate):
    if estimate["delta_spo2"] is None:
        return "–"
    return f"{signed(estimate['delta_spo2'])} ({interval(estimate['ci95'])})"


def _research_key_set():
    try:
        research_key()
    except ResearchKeyMissing:
        return False
    return True


@reads_from_replica
def research_export_download(request):
    """The de-identified research export (sessions.research) as a CSV download, for the clinic lead."""
    if not request.user.has_perm("treatment_sessions.view_cohort_outcomes"):
        raise PermissionDenied
    form = ResearchExportForm(request.GET)
    try:
        key = research_key()
    except ResearchKeyMissing as error:
        messages.error(request, str(error))
        return redirect("admin:outcomes")
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, gettext("Research export: %(errors)s") % {"errors": " ".join(error)})
        return redirect("admin:outcomes")
    rows = research_rows(key=key, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"])
    # A download of patients' (pseudonymised) sessions is in the access trail like any other.
    access_record(request, record=Patient, download="research-export", rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="research-export-{timezone.localdate():%Y-%m-%d}.csv"'
    csv_write(response, [COLUMNS, *rows])
    return response
