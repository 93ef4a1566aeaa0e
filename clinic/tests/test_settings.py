import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _start_django(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"} and not k.startswith("EMAIL_")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _start_django(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "started" not in result.stdout


def test_it_starts_with_a_dev_key_when_debug_is_on():
    result = _start_django(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_it_refuses_a_debug_value_that_is_not_a_boolean():
    result = _start_django(DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


LONG_KEY = "k" * 60


def test_with_debug_off_it_refuses_to_start_without_a_mail_configuration():
    result = _start_django(DEBUG="0", SECRET_KEY=LONG_KEY)
    assert result.returncode != 0
    assert "No mail configuration. Set EMAIL_HOST" in result.stderr
    assert "started" not in result.stdout


def test_with_debug_off_it_refuses_the_console_backend_that_would_print_mail_into_the_logs():
    result = _start_django(
        DEBUG="0", SECRET_KEY=LONG_KEY, EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"
    )
    assert result.returncode != 0
    assert "writes every email" in result.stderr


def test_with_debug_off_it_starts_with_smtp_or_an_explicit_file_backend(tmp_path):
    assert _start_django(DEBUG="0", SECRET_KEY=LONG_KEY, EMAIL_HOST="smtp.example.org").returncode == 0
    file_backend = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    result = _start_django(DEBUG="0", SECRET_KEY=LONG_KEY, **file_backend)
    assert result.returncode == 0, result.stderr


def test_deployment_checks_pass_with_the_readmes_settings():
    # The browser tests' fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    dropped = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("EMAIL_")}
    env = {
        **clean,
        "DEBUG": "0",
        "SECRET_KEY": "b8Vq-" + "x7Rk2mWp9Lz" * 5,
        "ALLOWED_HOSTS": "clinic.example.org",
        "EMAIL_HOST": "smtp.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_former_intake_proxies_setting_still_sets_the_trusted_proxies():
    def trusted(**env):
        clean = {k: v for k, v in os.environ.items() if k not in {"TRUSTED_PROXIES", "INTAKE_RATE_LIMIT_PROXIES"}}
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)",
            ],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "clinic.settings", "DEBUG": "1", **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip()

    assert trusted() == "0"
    assert trusted(INTAKE_RATE_LIMIT_PROXIES="1") == "1"
    assert trusted(INTAKE_RATE_LIMIT_PROXIES="1", TRUSTED_PROXIES="2") == "2"


def _setting(name, **env):
    result = subprocess.run(  # noqa: S603 - our own interpreter and a setting name from this file
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print(settings.{name})",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "SECRET_KEY": "x" * 50,
            "EMAIL_HOST": "smtp.example.org",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_jobs_go_to_the_worker_with_debug_off_and_run_at_once_under_make_run():
    assert _setting("TASKS_BACKEND", DEBUG="0") == "database"
    assert _setting("TASKS_BACKEND", DEBUG="1") == "immediate"


def test_it_refuses_a_tasks_backend_it_does_not_know():
    result = _start_django(DEBUG="0", SECRET_KEY="x" * 50, EMAIL_HOST="smtp.example.org", TASKS_BACKEND="celery")
    assert result.returncode != 0 and "TASKS_BACKEND='celery'" in result.stderr


def test_a_database_pool_turns_persistent_connections_off():
    options = _setting("DATABASES['default']", DEBUG="0", DATABASE_URL="postgres://u@db/acuflow", DATABASE_POOL="4")
    assert "'pool': {'min_size': 2, 'max_size': 4, 'timeout': 10}" in options and "'CONN_MAX_AGE': 0" in options


def test_behind_pgbouncer_there_are_no_server_side_cursors_or_prepared_statements():
    options = _setting(
        "DATABASES['default']", DEBUG="0", DATABASE_URL="postgres://u@db/acuflow", DATABASE_PGBOUNCER="1"
    )
    assert "'DISABLE_SERVER_SIDE_CURSORS': True" in options and "'prepare_threshold': None" in options


def test_a_replica_url_adds_the_replica_as_a_test_mirror_with_its_router():
    assert "'MIRROR': 'default'" in _setting(
        "DATABASES['replica']", DEBUG="0", DATABASE_REPLICA_URL="postgres://ro@replica/acuflow"
    )
    assert _setting("DATABASE_ROUTERS", DEBUG="0", DATABASE_REPLICA_URL="postgres://ro@replica/acuflow") == (
        "['clinic.lib.replica.ReplicaRouter']"
    )
