"""Background jobs run by a real `manage.py db_worker` process, on the test database (PostgreSQL).

The emails go to a real SMTP server (a small one this test runs), so what the worker sends is
what a mail server would receive.
"""

import email
import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic.lib.jobs import queue_status
from conftest import VerifiedClient
from patients.models import IntakeSubmission
from patients.tests.factories import intake_post_data
from sessions.models import TreatmentSession
from sessions.tests.test_import import GOOD_FILE

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a database it can reach"),
    pytest.mark.django_db(transaction=True),
]


class _SMTPSink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPSession)
        self.messages = []


class _SMTPSession(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321) for Django's SMTP backend: greet, take one message at a time, say OK."""

    def handle(self):
        self._say("220 sink ready")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO" or verb == b"HELO":
                self._say("250 sink")
            elif verb == b"DATA":
                self._say("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append(email.message_from_bytes(data))
                self._say("250 queued")
            elif verb == b"QUIT":
                self._say("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._say("250 ok")

    def _say(self, text):
        self.wfile.write(text.encode() + b"\r\n")


@pytest.fixture
def smtp():
    sink = _SMTPSink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    yield sink
    sink.shutdown()
    sink.server_close()


@pytest.fixture
def jobs_in_database(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_worker(*, mail_port, upload_dir):
    """Run `manage.py db_worker --batch` on the test database until no job is ready; return its output."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "0",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",  # not the locmem one `make test` sets
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_port),
        "EMAIL_USE_TLS": "0",
        "IMPORT_UPLOAD_DIR": str(upload_dir),
    }
    env.pop("DATABASE_REPLICA_URL", None)
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    return worker.stdout + worker.stderr


def test_the_worker_sends_the_intake_confirmation_the_request_only_enqueued(jobs_in_database, smtp):
    response = Client().post("/assessment/", intake_post_data())
    assert response.status_code == 302
    ref = IntakeSubmission.objects.get().public_reference
    assert smtp.messages == []  # the request sent nothing itself
    assert queue_status()["ready"] == 1

    run_worker(mail_port=smtp.server_address[1], upload_dir=jobs_in_database.IMPORT_UPLOAD_DIR)

    [message] = smtp.messages
    assert message["To"] == "ana.lopez@example.org" and ref in message["Subject"]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    assert queue_status()["ready"] == 0


def test_a_failing_mail_server_is_tried_again_later_and_never_fails_the_request(jobs_in_database):
    assert Client().post("/assessment/", intake_post_data()).status_code == 302

    output = run_worker(mail_port=_closed_port(), upload_dir=jobs_in_database.IMPORT_UPLOAD_DIR)

    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.FAILED
    assert "attempt 1 of 5" in first.traceback and "ana.lopez" not in first.traceback
    assert retry.status == TaskResultStatus.READY and retry.args_kwargs["kwargs"]["attempt"] == 2
    assert (retry.run_after - first.enqueued_at).total_seconds() >= 60
    assert "trying again later" in output and "ana.lopez" not in output


def test_the_worker_sends_a_password_reset_link_that_works(jobs_in_database, smtp, practitioner):
    practitioner.email = "mei@example.org"
    practitioner.save()
    client = Client()
    assert client.post("/accounts/password_reset/", {"email": "mei@example.org"}).status_code == 302
    assert "mei@example.org" not in str(DBTaskResult.objects.get().args_kwargs)  # the worker looks the address up

    run_worker(mail_port=smtp.server_address[1], upload_dir=jobs_in_database.IMPORT_UPLOAD_DIR)

    [message] = smtp.messages
    assert message["To"] == "mei@example.org"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", body).group(1)
    assert b"Choose a new password" in client.get(link, follow=True).content


def test_an_admin_import_runs_in_the_worker_from_upload_to_imported(jobs_in_database, smtp, clinic_lead):
    client = VerifiedClient()  # admin asks for both factors
    client.force_login(clinic_lead)
    url = "/admin/treatment_sessions/treatmentsession/import/"
    response = client.post(url, {"file": SimpleUploadedFile("history.csv", GOOD_FILE.encode())}, follow=True)
    job_page = response.redirect_chain[-1][0]
    html = response.content.decode()
    assert "Waiting for the worker to start the check." in html and '<meta http-equiv="refresh"' in html

    run_worker(mail_port=smtp.server_address[1], upload_dir=jobs_in_database.IMPORT_UPLOAD_DIR)
    html = client.get(job_page).content.decode()
    assert "3 rows: 3 new sessions and 0 existing sessions would be written" in html
    assert not TreatmentSession.objects.exists()

    html = client.post(job_page, {"confirm": "1"}, follow=True).content.decode()
    assert "Waiting for the worker to start the import." in html

    run_worker(mail_port=smtp.server_address[1], upload_dir=jobs_in_database.IMPORT_UPLOAD_DIR)
    html = client.get(job_page).content.decode()
    assert "Imported history.csv as lead." in html and '<meta http-equiv="refresh"' not in html
    assert TreatmentSession.objects.count() == 3
    assert [path.suffix for path in Path(jobs_in_database.IMPORT_UPLOAD_DIR).iterdir() if path.suffix == ".csv"] == []
