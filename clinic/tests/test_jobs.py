"""The job helpers: enqueueing with the transaction, retries, and the queue's depth and age for monitoring."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clinic.lib.jobs import ATTEMPTS, job_enqueue_with_transaction, job_retry_later, queue_status
from patients.emails import intake_confirmation_send


@pytest.fixture
def jobs_in_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_a_job_enqueued_in_a_transaction_that_rolls_back_is_gone_with_it(jobs_in_database):
    with pytest.raises(RuntimeError), transaction.atomic():
        job_enqueue_with_transaction(intake_confirmation_send, submission_pk=1)
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the intake failed")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_retry_waits_longer_each_time_and_stops_after_the_last_attempt(jobs_in_database):
    before = timezone.now()
    assert job_retry_later(intake_confirmation_send, attempt=1, submission_pk=1)
    assert job_retry_later(intake_confirmation_send, attempt=2, submission_pk=1)
    assert not job_retry_later(intake_confirmation_send, attempt=ATTEMPTS, submission_pk=1)
    first, second = DBTaskResult.objects.order_by("run_after")
    assert first.args_kwargs["kwargs"] == {"attempt": 2, "submission_pk": 1}
    assert (first.run_after - before) >= datetime.timedelta(minutes=1)
    assert (second.run_after - before) >= datetime.timedelta(minutes=4)


@pytest.mark.django_db
def test_a_backend_that_runs_jobs_at_once_does_not_retry():
    assert not job_retry_later(intake_confirmation_send, attempt=1, submission_pk=1)


@pytest.mark.django_db
def test_the_queue_status_counts_ready_jobs_and_the_oldest_wait(jobs_in_database):
    assert queue_status() == {"ready": 0, "oldest_ready_seconds": None, "running": 0, "failed_last_day": 0}
    intake_confirmation_send.enqueue(submission_pk=1)
    intake_confirmation_send.using(run_after=timezone.now() + datetime.timedelta(hours=1)).enqueue(submission_pk=2)
    ten_minutes_ago = timezone.now() - datetime.timedelta(minutes=10)
    DBTaskResult.objects.filter(run_after__year=9999).update(enqueued_at=ten_minutes_ago)
    status = queue_status()
    assert status["ready"] == 1  # the retry waiting for its time is not late
    assert 599 <= status["oldest_ready_seconds"] <= 605


@pytest.mark.django_db
def test_jobs_status_alerts_when_the_oldest_job_waits_too_long(jobs_in_database):
    out = StringIO()
    call_command("jobs_status", stdout=out)
    assert '"ready": 0' in out.getvalue()
    intake_confirmation_send.enqueue(submission_pk=1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=10))
    with pytest.raises(CommandError, match="is db_worker running"):
        call_command("jobs_status", "--max-wait", "300", stdout=StringIO())
