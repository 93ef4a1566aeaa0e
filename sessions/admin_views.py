"""Staff pages inside Django admin: the cohort outcomes dashboard and the session import."""

import csv
import logging
import secrets
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from sessions.admin_forms import OutcomeFilterForm, SessionImportForm
from sessions.importing import ImportBusy, ImportRejected, sessions_import
from sessions.outcomes import PUBLISH_MIN_PATIENTS, SUPPRESSED_TEXT, cohort_report

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# The outcomes dashboard


def _signed(value):
    return "–" if value is None else f"{value:+.1f}".replace("-", "−")


def _percent_points(value):
    return "–" if value is None else f"{value:.1f}"


def _publishable(report, row):
    if report.params.all_patients:
        return "no: includes patients without research consent"
    return "yes" if row["patients"] >= PUBLISH_MIN_PATIENTS else "no: fewer than 5 patients"


def _table(report, exported=False):
    """Return (headings, rows of cells): what the dashboard shows, or (`exported`) what the CSV holds.

    An export is a published table (DESIGN.md): a row under 5 patients keeps its condition and
    shows "fewer than 5" instead of its figures.
    """
    n = report.params.sessions
    when = "after" if report.params.reading == "post" else "before"
    headings = [
        "Condition",
        "Patients",
        "Excluded",
        "Baseline SpO₂ (session 1, before)",
        f"SpO₂ at session {n} ({when})",
        "Δ SpO₂ (points)",
        "95% CI of Δ",
        "Improved warmth/clarity",
        "Publishable",
    ]
    rows = []
    for row in report.rows:
        if exported and row["patients"] < PUBLISH_MIN_PATIENTS:
            rows.append([row["condition"], *[SUPPRESSED_TEXT] * 7, _publishable(report, row)])
            continue
        ci = row["delta_ci95"]
        rows.append(
            [
                row["condition"],
                str(row["patients"]),
                str(row["excluded"]),
                _percent_points(row["baseline_spo2"]),
                _percent_points(row["followup_spo2"]),
                _signed(row["delta_spo2"]),
                f"{_signed(ci[0])} to {_signed(ci[1])}" if ci else "– (fewer than 2 patients)",
                f"{row['improved_pct']}%",
                _publishable(report, row),
            ]
        )
    return headings, rows


def _correlation_rows(report):
    def mean(value, count):
        return f"{_signed(float(value))} (n={count})" if value is not None else f"– (n={count})"

    return [
        {
            "label": row["label"],
            "n": row["n"],
            "r": "–" if row["r"] is None else f"{row['r']:+.2f}".replace("-", "−"),
            "r_ci95": (
                f"{row['r_ci95'][0]:+.2f} to {row['r_ci95'][1]:+.2f}".replace("-", "−")
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


def _csv_response(report, headings, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-outcomes-{report.params.sessions}-sessions.csv"'
    writer = csv.writer(response)
    writer.writerow(headings)
    writer.writerows(rows)
    return response


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
    headings, rows = _table(report) if report else ([], [])
    if report and request.GET.get("download") == "csv":
        return _csv_response(report, *_table(report, exported=True))
    download = request.GET.copy()
    download["download"] = "csv"
    context = {
        **site.each_context(request),
        "title": "Cohort outcomes",
        "form": form,
        "report": report,
        "headings": headings,
        "rows": rows,
        "correlation": _correlation_rows(report) if report else [],
        "chart_data": _chart_data(report) if report else None,
        "download_query": download.urlencode(),
    }
    return TemplateResponse(request, "admin/outcomes/dashboard.html", context)


# ---------------------------------------------------------------------------------------------
# Importing sessions from admin: upload, see the dry run, confirm.

UPLOAD_DIR = Path(tempfile.gettempdir()) / "acuflow-imports"
UPLOAD_MAX_AGE = 3600  # seconds an upload that was neither confirmed nor cancelled is kept
SESSION_KEY = "session_import"
PROBLEMS_SHOWN = 1000  # a page with a million problems helps nobody; the count says how many
# A file this long is imported with the command instead: in a web request it would outlast the server's
# timeout, and on PostgreSQL it would hold the session tables (importing.postgresql.BULK_CHECK_FROM_ROWS).
ADMIN_IMPORT_MAX_ROWS = 100_000


def _upload_path(token):
    return UPLOAD_DIR / f"{token}.csv"


def _drop_old_uploads():
    """Delete uploads older than UPLOAD_MAX_AGE: files of patients' data left by a dry run nobody confirmed."""
    for old in UPLOAD_DIR.glob("*.csv"):
        if time.time() - old.stat().st_mtime > UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)


def _keep_upload(upload):
    """Store the uploaded file until it is confirmed or cancelled; return its token."""
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    token = secrets.token_hex(16)
    with open(_upload_path(token), "wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)
    return token


def sessions_import_view(request, model_admin):
    """Upload a CSV, show the dry run (counts or every problem), then import it on confirmation."""
    if not request.user.has_perm("treatment_sessions.import_sessions"):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import sessions from CSV",
        "opts": model_admin.model._meta,
    }
    if UPLOAD_DIR.exists():
        _drop_old_uploads()
    pending = request.session.get(SESSION_KEY)
    if request.method == "POST" and "cancel" in request.POST:
        if pending and request.POST.get("token") == pending["token"]:
            _upload_path(pending["token"]).unlink(missing_ok=True)
            del request.session[SESSION_KEY]
            messages.info(request, f"Cancelled: {pending['name']} was not imported and the uploaded copy is deleted.")
        return redirect("admin:treatment_sessions_treatmentsession_import")
    if request.method == "POST" and "confirm" in request.POST:
        if not pending or request.POST.get("token") != pending["token"]:
            messages.error(request, "That upload has expired or was already imported: upload the file again.")
            return redirect("admin:treatment_sessions_treatmentsession_import")
        return _import_confirmed(request, pending, context)
    form = SessionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = _keep_upload(upload)
        context.update(file_name=upload.name)
        try:
            with open(_upload_path(token), "rb") as source:
                context["summary"] = sessions_import(source=source, dry_run=True, imported_by=request.user)
        except ImportRejected as rejected:
            _upload_path(token).unlink(missing_ok=True)
            context.update(_problems_context(rejected.problems))
        else:
            if context["summary"].rows >= ADMIN_IMPORT_MAX_ROWS:
                _upload_path(token).unlink(missing_ok=True)
                context["too_long"] = ADMIN_IMPORT_MAX_ROWS
            else:
                request.session[SESSION_KEY] = {"token": token, "name": upload.name}
                context["token"] = token
    context["form"] = form
    return TemplateResponse(request, "admin/treatment_sessions/import.html", context)


def _problems_context(problems):
    return {
        "problems": problems[:PROBLEMS_SHOWN],
        "problem_count": len(problems),
        "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
    }


def _import_confirmed(request, pending, context):
    path = _upload_path(pending["token"])
    del request.session[SESSION_KEY]
    try:
        with open(path, "rb") as source:
            summary = sessions_import(source=source, imported_by=request.user)
    except FileNotFoundError:
        messages.error(request, "That upload has expired: upload the file again.")
        return redirect("admin:treatment_sessions_treatmentsession_import")
    except ImportRejected as rejected:
        context.update(form=SessionImportForm(), file_name=pending["name"], **_problems_context(rejected.problems))
        return TemplateResponse(request, "admin/treatment_sessions/import.html", context)
    except ImportBusy as busy:
        messages.error(request, f"{busy} Upload {pending['name']} again in a few minutes.")
        return redirect("admin:treatment_sessions_treatmentsession_import")
    finally:
        path.unlink(missing_ok=True)
    logger.info("Admin user %s imported a sessions file: %s", request.user.username, summary)
    messages.success(request, f"Imported {pending['name']} as {request.user.username}. {summary}")
    return redirect(reverse("admin:treatment_sessions_treatmentsession_changelist"))
