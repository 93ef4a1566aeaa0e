"""The deployment's gunicorn (README) keeps typed searches and referrers out of its access log."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local http:// URL built above
    try:
        # Generous: the first request waits for a worker to load the app, slow on a busy machine.
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_records_paths_without_query_strings_referrers_or_reset_tokens(tmp_path):
    port, log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # As behind a TLS-terminating proxy that redirects to HTTPS itself (README, deployment).
        "SECURE_SSL_REDIRECT": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # Started in the project directory, as the README does, so gunicorn reads gunicorn.conf.py there.
    server = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [str(gunicorn), "clinic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", str(log)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/admin/patients/patient/?q=Ada+Lovelace"
        headers = {"Referer": f"http://127.0.0.1:{port}/admin/patients/patient/?q=Grace+Hopper"}
        deadline = time.monotonic() + 20
        while True:
            try:
                status = _get(url, headers)
                _get(f"http://127.0.0.1:{port}/accounts/reset/zz/set-a-live-token/", {})
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert status == 200  # the admin sign-in page, whose ?next= repeats the search
    lines = log.read_text().splitlines()
    assert '"GET /admin/patients/patient/ HTTP/1.1" 302' in lines[0], lines
    assert '"GET /admin/login/ HTTP/1.1" 200' in lines[1], lines
    assert "Lovelace" not in log.read_text() and "Hopper" not in log.read_text()
    assert '"GET /accounts/reset/…/…/ HTTP/1.1" 200' in lines[2], lines
    assert "set-a-live-token" not in log.read_text()
