"""The admin import's two background jobs: the dry run of an uploaded file, then its confirmed import.

Both call the same service as the command (sessions.importing.sessions_import) and record what
happened in the job's state (sessions.import_files), which the import page reads.
"""

import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from sessions import import_files as files
from sessions.importing import ImportBusy, ImportRejected, sessions_import

logger = logging.getLogger(__name__)


@task()
def sessions_import_check(*, token):
    """The dry run: check and count the uploaded file. A file with problems is deleted at once;
    a good one waits for the user's confirmation (or the sweep)."""
    state = files.job_load(token)
    if state is None or state["stage"] != files.QUEUED_CHECK:
        return "nothing to do"  # cancelled or swept before the worker got to it
    return _run(state, dry_run=True)


@task()
def sessions_import_apply(*, token):
    """The confirmed import. The upload is deleted when it ends, whatever the outcome."""
    state = files.job_load(token)
    if state is None or state["stage"] != files.QUEUED_IMPORT:
        return "nothing to do"
    return _run(state, dry_run=False)


def _run(state, *, dry_run):
    files.sweep()
    user = get_user_model().objects.filter(pk=state["user_pk"], is_active=True).first()
    path = files.upload_path(state["token"])
    stage = files.CHECKING if dry_run else files.IMPORTING
    files.job_save(state, stage=stage)
    try:
        if user is None or not user.has_perm("treatment_sessions.import_sessions"):
            files.job_finish(state, files.FAILED, message="The user who uploaded the file may no longer import.")
            return files.FAILED
        with open(path, "rb") as source:
            progress = files.JobProgress(state, total=state["size"], step="Reading and checking each row")
            summary = sessions_import(source=source, dry_run=dry_run, imported_by=user, progress=progress)
    except FileNotFoundError:
        files.job_finish(state, files.FAILED, message="The uploaded file is gone: upload it again.")
        return files.FAILED
    except ImportRejected as rejected:
        files.job_finish(
            state,
            files.REJECTED,
            problems=rejected.problems[: files.PROBLEMS_KEPT],
            problem_count=len(rejected.problems),
        )
        return files.REJECTED
    except ImportBusy as busy:
        files.job_finish(state, files.BUSY, message=str(busy))
        return files.BUSY
    except BaseException:
        # Nothing was written (the import is one transaction); the page says so and the worker logs why.
        files.job_finish(state, files.FAILED, message="The import stopped on an unexpected error.")
        raise
    outcome = {"summary": str(summary), "rows": summary.rows}
    if dry_run:
        files.job_save(state, stage=files.CHECKED, progress=None, **outcome)
        return files.CHECKED
    logger.info("Admin user %s imported a sessions file: %s", user.get_username(), summary)
    files.job_finish(state, files.IMPORTED, **outcome)
    return files.IMPORTED
