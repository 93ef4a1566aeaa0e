"""Run the app the production way, under the deployment's gunicorn (README), for tests that need a real server."""

import contextlib
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


@contextlib.contextmanager
def gunicorn_serving(*, database_url, access_log=os.devnull, **env):
    """Start gunicorn with DEBUG off on `database_url` and yield its base URL once its worker answers
    (a GET of /healthz, which the access log shows first); stop it after.

    `env` adds or overrides environment variables of the server.
    """
    port = _free_port()
    server_env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "test-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        # Mail is required with DEBUG off; the tests read none of it.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # As behind a TLS-terminating proxy that redirects to HTTPS itself (README, deployment): plain HTTP here.
        "SECURE_SSL_REDIRECT": "0",
        **env,
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # Started in the project directory, as the README does, so gunicorn reads gunicorn.conf.py there.
    server = subprocess.Popen(  # noqa: S603 - our own virtualenv's gunicorn
        [str(gunicorn), "clinic.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", access_log],
        cwd=ROOT,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        # Booting the worker and loading Django can take a while on a busy machine.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/healthz", timeout=30).close()  # noqa: S310 - local http
                break
            except urllib.error.HTTPError:
                break  # it answered (503 when the database is down)
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
