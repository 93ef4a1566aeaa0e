"""The session import in Django admin: upload, see the dry run, confirm."""

import logging
import secrets
import tempfile
import time
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from sessions.admin_forms import SessionImportForm
from sessions.importing import ImportBusy, ImportRejected, sessions_import

logger = logging.getLogger(__name__)

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
