"""The deployment's gunicorn (README) keeps typed searches and referrers out of its access log."""

import urllib.error
import urllib.request

from clinic.tests.gunicorn_server import gunicorn_serving


def _get(url, headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local http:// URL built above
    try:
        # Generous: the first request waits for a worker to load the app, slow on a busy machine.
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_access_log_records_paths_without_query_strings_referrers_or_reset_tokens(tmp_path):
    log = tmp_path / "access.log"
    with gunicorn_serving(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", access_log=str(log)) as base_url:
        url = f"{base_url}/admin/patients/patient/?q=Ada+Lovelace"
        status = _get(url, {"Referer": f"{base_url}/admin/patients/patient/?q=Grace+Hopper"})
        _get(f"{base_url}/accounts/reset/zz/set-a-live-token/", {})

    assert status == 200  # the admin sign-in page, whose ?next= repeats the search
    lines = [line for line in log.read_text().splitlines() if "GET /healthz" not in line]  # the start-up probe
    assert '"GET /admin/patients/patient/ HTTP/1.1" 302' in lines[0], lines
    assert '"GET /admin/login/ HTTP/1.1" 200' in lines[1], lines
    assert "Lovelace" not in log.read_text() and "Hopper" not in log.read_text()
    assert '"GET /accounts/reset/…/…/ HTTP/1.1" 200' in lines[2], lines
    assert "set-a-live-token" not in log.read_text()
