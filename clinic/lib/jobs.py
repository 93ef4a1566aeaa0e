"""Background jobs on Django's task API (the django-tasks backport; TASKS_BACKEND in settings).

With the database backend a job is a row that `manage.py db_worker` picks up; with the immediate
backend (make run) it runs at once, in the process that enqueued it.
"""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)

# A job that failed for a reason that may pass (a mail server down) is tried this many times in all,
# waiting RETRY_DELAYS between tries: about 40 minutes from the first try to the last.
RETRY_DELAYS = [datetime.timedelta(minutes=minutes) for minutes in (1, 4, 10, 25)]
ATTEMPTS = len(RETRY_DELAYS) + 1


def stores_jobs(task):
    """Whether `task`'s backend keeps jobs in our database for a worker (rather than running them at once)."""
    return isinstance(task.get_backend(), DatabaseBackend)


def job_enqueue_with_transaction(task, **kwargs):
    """Enqueue `task` so that it runs only if the current transaction commits.

    With the database backend the job's row is written in the transaction itself: it commits with
    the data it is about, or not at all, and a crash right after the commit loses nothing. A
    backend that runs jobs at once runs it after the commit instead.
    """
    if stores_jobs(task):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


def job_retry_later(task, *, attempt, **kwargs):
    """Enqueue `task` again with `attempt` + 1 after the next delay; return False when the attempts are used up.

    A backend that cannot wait (immediate) does not retry: it would hold up the request that runs it.
    """
    backend = task.get_backend()
    if attempt >= ATTEMPTS or not backend.supports_defer:
        return False
    task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(attempt=attempt + 1, **kwargs)
    return True


def queue_status(*, now=None):
    """Return {"ready": jobs waiting to run now, "oldest_ready_seconds": how long the oldest has waited
    (None when none waits), "running": jobs being run, "failed_last_day": jobs that failed in 24 hours}."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    # A job waits from when it was enqueued; a retry only from the time it was told to wait for.
    waiting_since = [
        ready.filter(run_after=get_date_max()).order_by("enqueued_at").values_list("enqueued_at", flat=True).first(),
        ready.exclude(run_after=get_date_max()).order_by("run_after").values_list("run_after", flat=True).first(),
    ]
    waiting_since = [since for since in waiting_since if since is not None]
    waited = max(0, round((now - min(waiting_since)).total_seconds())) if waiting_since else None
    return {
        "ready": ready.count(),
        "oldest_ready_seconds": waited,
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "failed_last_day": DBTaskResult.objects.filter(
            status=TaskResultStatus.FAILED, finished_at__gte=now - datetime.timedelta(days=1)
        ).count(),
    }
