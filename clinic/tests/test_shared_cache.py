"""With CACHE_URL=redis://…, the intake rate limit and the article table embed hold across app servers.

Another app server is another process: it counts posts in the same Redis database, and what one
process caches the other reads. The Redis server is a real one (.ci/run starts Debian's
redis-server); REDIS_TEST_URL names the database these tests may use (default db 6 on localhost).
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory

from clinic.env import cache_from_url
from patients.models import Patient
from patients.ratelimit import rate_limit_hit
from patients.tests.factories import intake_post_data

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": cache_from_url(REDIS_URL)}
    try:
        cache.clear()
    except Exception as error:  # noqa: BLE001 - whichever way the server is missing
        message = f"no Redis server at {REDIS_URL} ({type(error).__name__}): .ci/run starts Debian's redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield settings
    cache.clear()


def _other_app_server(code):
    """Run `code` in a separate Django process configured with the same Redis cache; return its stdout."""
    env = {**os.environ, "DEBUG": "0", "CACHE_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    env.setdefault("SECRET_KEY", "test-only-not-a-secret")
    script = f"import django\ndjango.setup()\n{code}"
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_cache_url_names_django_s_redis_cache_with_one_client_per_pool():
    assert cache_from_url("redis://cache-host:6379/2") == {
        "BACKEND": "clinic.lib.rediscache.SharedClientRedisCache",
        "LOCATION": "redis://cache-host:6379/2",
    }
    assert cache_from_url("rediss://:secret@cache-host:6380/0")["LOCATION"] == "rediss://:secret@cache-host:6380/0"


def test_posts_counted_by_another_app_server_count_here_too(redis_cache):
    scope = f"test-{uuid.uuid4().hex[:8]}"
    _other_app_server(
        "from django.test import RequestFactory\n"
        "from patients.ratelimit import rate_limit_hit\n"
        "for _ in range(3):\n"
        f"    assert rate_limit_hit(RequestFactory().post('/', REMOTE_ADDR='198.51.100.30'), scope={scope!r},"
        " rate='3/hour') is None\n"
    )
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.30")
    assert rate_limit_hit(request, scope=scope, rate="3/hour") is not None


@pytest.mark.django_db
def test_the_intake_limit_answers_429_from_the_shared_count(redis_cache):
    redis_cache.INTAKE_RATE_LIMIT = "2/hour"
    client = Client(REMOTE_ADDR="198.51.100.31")
    statuses = [
        client.post("/assessment/", intake_post_data(email=f"p{n}@example.org", submission_key=None)).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Patient.objects.count() == 2
    # The other app server sees the same address over its limit.
    waits = _other_app_server(
        "from django.test import RequestFactory\n"
        "from patients.ratelimit import rate_limit_hit\n"
        "print(rate_limit_hit(RequestFactory().post('/', REMOTE_ADDR='198.51.100.31'), scope='intake', rate='2/hour'))"
    )
    assert int(waits) > 0


@pytest.mark.django_db
def test_a_table_one_app_server_computed_is_read_by_another(redis_cache):
    # The key names the last consent withdrawal (content.embeds): none yet, so 0.
    _other_app_server(
        "from django.core.cache import cache\n"
        "cache.set('content:cohort-outcomes:6:0', {'sessions': 6, 'as_of': None, 'rows': ['from the other server']})\n"
    )
    from content.embeds import cohort_table_published

    assert cohort_table_published(sessions=6)["rows"] == ["from the other server"]
