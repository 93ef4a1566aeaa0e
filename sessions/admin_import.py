"""The session import in Django admin: upload, follow the dry run, confirm, follow the import.

The upload streams into a private folder (sessions.import_files) and the request returns at once;
the dry run and the import are background jobs (sessions.import_jobs) whose page shows their
progress and outcome, and can be left and opened again.
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_protect

from clinic.lib.jobs import stores_jobs
from sessions import import_files as files
from sessions.admin_forms import SessionImportForm
from sessions.import_jobs import sessions_import_apply, sessions_import_check
from sessions.importing import postgresql

# A backend that runs jobs in the request (immediate, under `make run`) would run a file this long
# for longer than a web request should: it is sent to the command instead.
ADMIN_IMPORT_MAX_ROWS = postgresql.BULK_CHECK_FROM_ROWS
# About how long an import holds the patient and session tables on PostgreSQL (benchmarks/RESULTS.md).
SECONDS_PER_MILLION_ROWS = 50


def _context(request, model_admin, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "title": "Import sessions from CSV",
        "opts": model_admin.model._meta,
        "max_mb": settings.IMPORT_UPLOAD_MAX_MB,
        **extra,
    }


def _may_import(request):
    if not request.user.has_perm("treatment_sessions.import_sessions"):
        raise PermissionDenied


def sessions_import_view(request, model_admin):
    """Upload a CSV: it streams into the private folder and its dry run starts as a job."""
    _may_import(request)
    handler = files.PrivateUploadHandler(request, max_bytes=settings.IMPORT_UPLOAD_MAX_MB * 1024 * 1024)
    if request.content_type == "multipart/form-data":
        # Before anything reads the body: the CSRF check comes after. (A plain form body, which
        # holds no file, has been read already by the request guard, clinic.middleware.)
        request.upload_handlers = [handler]
    return csrf_protect(_upload)(request, model_admin, handler)


def _upload(request, model_admin, handler):
    files.sweep()
    form = SessionImportForm(request.POST, request.FILES) if request.method == "POST" else SessionImportForm()
    if request.method == "POST" and handler.too_large:
        form.is_valid()
        form.errors.pop("file", None)  # "required": the file was refused, not forgotten
        form.add_error(
            "file",
            f"This file is larger than {settings.IMPORT_UPLOAD_MAX_MB} MB, the most this page accepts. "
            "Import it from the command line on the server: python manage.py import_sessions FILE.csv",
        )
    elif request.method == "POST" and form.is_valid():
        state = files.job_start(upload=form.cleaned_data["file"], user=request.user)
        sessions_import_check.enqueue(token=state["token"])
        return redirect("admin:treatment_sessions_treatmentsession_import_job", token=state["token"])
    jobs = [{**job, "created": datetime.datetime.fromisoformat(job["created"])} for job in files.jobs_of(request.user)]
    context = _context(request, model_admin, form=form, jobs=jobs)
    return TemplateResponse(request, "admin/treatment_sessions/import.html", context)


def sessions_import_job_view(request, model_admin, token):
    """The page of one import job: its progress, then the dry run to confirm, then the outcome."""
    _may_import(request)
    state = files.job_load(token)
    if state is None or (state["user_pk"] != request.user.pk and not request.user.is_superuser):
        raise Http404("No such import")
    if request.method == "POST":
        return _decide(request, state)
    rows = state.get("rows") or 0
    context = _context(
        request,
        model_admin,
        job=state,
        refresh=state["stage"] in files.RUNNING,
        percent=_percent(state.get("progress")),
        too_long=rows >= ADMIN_IMPORT_MAX_ROWS and not stores_jobs(sessions_import_apply),
        max_rows=ADMIN_IMPORT_MAX_ROWS,
        holds_tables_seconds=max(1, round(rows * SECONDS_PER_MILLION_ROWS / 1_000_000))
        if rows >= postgresql.BULK_CHECK_FROM_ROWS
        else None,
        problems_hidden=max(0, state.get("problem_count", 0) - len(state.get("problems", []))),
    )
    return TemplateResponse(request, "admin/treatment_sessions/import_job.html", context)


def _decide(request, state):
    job_page = reverse("admin:treatment_sessions_treatmentsession_import_job", args=[state["token"]])
    if state["stage"] != files.CHECKED:
        messages.error(request, gettext("This import has already been confirmed or cancelled."))
        return redirect(job_page)
    if "cancel" in request.POST and files.job_claim(state, "decided"):
        files.job_finish(state, files.CANCELLED)
        messages.info(
            request,
            gettext("Cancelled: %(file_name)s was not imported and the uploaded copy is deleted.")
            % {"file_name": state["file_name"]},
        )
        return redirect("admin:treatment_sessions_treatmentsession_import")
    too_long = state["rows"] >= ADMIN_IMPORT_MAX_ROWS and not stores_jobs(sessions_import_apply)
    if "confirm" in request.POST and not too_long and files.job_claim(state, "decided"):
        files.job_save(state, stage=files.QUEUED_IMPORT)
        sessions_import_apply.enqueue(token=state["token"])
    return redirect(job_page)


def _percent(progress):
    if not progress:
        return None
    return min(100, round(100 * progress["done"] / progress["total"]))
