"""Fixtures shared by every app's tests: users in each role, and a real Chromium for browser tests."""

import importlib
import os
import re
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from clinic.lib.chromium import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# axe-core, vendored from the npm registry for the tests only (clinic/tests/vendor/, with its licence).
AXE_SOURCE = Path(__file__).resolve().parent / "clinic" / "tests" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# The standard the pages are held to, and the violations that fail a test.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = ["serious", "critical"]
_AXE_RUN = """async ([tags, impacts]) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => impacts.includes(v.impact)).map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + ": "
      + (n.failureSummary || "").split("\\n").slice(1).join(" ").trim()),
  }));
}"""

# The data migrations that seed reference rows, as (module, function); each is idempotent.
REFERENCE_DATA = [
    ("patients.migrations.0002_seed_conditions", "seed_conditions"),
    ("sessions.migrations.0002_load_acupoints", "load_acupoints"),
    ("sessions.migrations.0006_seed_pgic", "seed_pgic"),
    ("clinic.migrations.0001_roles", "create_roles"),
    ("content.migrations.0002_article_roles", "grant_article_permissions"),
    ("protocols.migrations.0002_roles", "grant"),
    ("registry.migrations.0002_roles", "grant"),
    ("audit.migrations.0002_clinic_lead_reads_the_trail", "grant"),
    ("patients.migrations.0006_erasure_roles", "grant"),
]


def pytest_collection_modifyitems(items):
    """With a read replica configured (make test on PostgreSQL: Django's test mirror of the test
    database), tests whose data is committed may read through it: let them reach both aliases."""
    from django.db import connections

    if "replica" not in connections.settings:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = {"transactional_db", "live_server"} & set(item.fixturenames) or (
            marker and marker.kwargs.get("transaction")
        )
        if transactional and not (marker and marker.kwargs.get("databases")):
            kwargs = {**(marker.kwargs if marker else {}), "transaction": True, "databases": ["default", "replica"]}
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def _restore_reference_data():
    """Put back what the data migrations seed (conditions, acupoints, roles and their permissions).

    A test that runs with real transactions (live server, threads) ends with every table
    emptied; the next such test needs the seeded rows again.
    """
    for module, function in REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        if not Group.objects.exists():
            _restore_reference_data()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests sign in hundreds of times: a fast hasher keeps that cheap. Production keeps Django's PBKDF2."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _plain_http():
    """The test client and the live server speak plain HTTP. The redirect to HTTPS that production
    gets with DEBUG off is tested on its own (clinic/tests/test_transport.py)."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False


def confirmed_device(user):
    """Return `user`'s confirmed authenticator (django-otp TOTP), creating one if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Test phone", confirmed=True
    )


def totp_code(device):
    """Return the code `device`'s authenticator app shows now, as a person would type it.

    A code is accepted once: when this time step's code was used already (a second sign-in within
    30 seconds), the next step's, which django-otp accepts by its one-step tolerance.
    """
    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return f"{totp.token():0{device.digits}d}"


class VerifiedClient(Client):
    """Django's test client, whose force_login also passes the second factor with the user's confirmed
    authenticator, as signing in with a code does. Tests of a password-only session use Client()."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
        session.save()


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture
def admin_client(db, admin_user):
    verified = VerifiedClient()
    verified.force_login(admin_user)
    return verified


@pytest.fixture
def enter_code():
    """Return enter(page, user): the second step of signing in, after the password, as a person does it.

    A user with an authenticator types its current code. A user without one sets one up as the page
    asks: the "app" reads the key and the test types the code it shows, then keeps the recovery codes.
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def enter(page, user):
        page.wait_for_url(re.compile(r"/accounts/two-factor/(setup|verify)/"))
        # The form is on the page once the redirects have settled (verify sends a user without a device on to setup).
        page.locator("input[name=code]").wait_for()
        if "/setup/" in page.url:
            page.get_by_label("Code from the app").fill(totp_code(TOTPDevice.objects.get(user=user, confirmed=False)))
            page.get_by_role("button", name="Confirm").click()
            page.get_by_role("link", name="I have kept them: continue").click()
        else:
            page.locator("input[name=code]").fill(totp_code(confirmed_device(user)))
            page.get_by_role("button", name="Verify").click()

    return enter


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: rate-limit counts and cached tables of one test (or of an
    earlier run, when CACHE_URL is a Redis server) must not leak into the next."""

    cache.clear()


@pytest.fixture(autouse=True)
def _imports_upload_to_a_test_folder(settings, tmp_path_factory):
    settings.IMPORT_UPLOAD_DIR = tmp_path_factory.getbasetemp() / "imports"


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    """Jobs run in the test's own process, as under `make run`; the tests of the worker itself
    (clinic/tests/test_worker.py) switch to the database backend and start a real db_worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _user_in(group_name, username, **extra):
    user = User.objects.create_user(username=username, password="correct-horse-battery", **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def practitioner(db):
    return _user_in("Practitioners", "practitioner", first_name="Mei", last_name="Lin")


@pytest.fixture
def other_practitioner(db):
    return _user_in("Practitioners", "other-practitioner", first_name="Tom", last_name="Hardy")


@pytest.fixture
def front_desk(db):
    return _user_in("Front desk", "frontdesk", is_staff=True)


@pytest.fixture
def editor(db):
    return _user_in("Editors", "editor", is_staff=True)


@pytest.fixture
def clinic_lead(db):
    return _user_in("Clinic lead", "lead", is_staff=True)


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the tests still talk to the
    # database synchronously, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_settings(settings):
    """The live server speaks plain HTTP, so cookies must not be HTTPS-only during browser tests."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return settings


def _new_page(browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def phone_page(browser, browser_settings, live_server):
    """A page in a 390×844 phone-sized window."""
    context, page = _new_page(browser, 390, 844)
    yield page
    context.close()


@pytest.fixture
def tablet_page(browser, browser_settings, live_server):
    """A page in an 820×1180 tablet-sized window."""
    context, page = _new_page(browser, 820, 1180)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    """Return check(page): the serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now.

    Each is {"rule", "impact", "help", "nodes"}. axe is evaluated through the DevTools protocol, so the
    pages' Content-Security-Policy stays as strict as in production.
    """
    source = AXE_SOURCE.read_text(encoding="utf-8")

    def check(page):
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(source)
        return page.evaluate(_AXE_RUN, [AXE_TAGS, AXE_FAILING_IMPACTS])

    return check


@pytest.fixture
def screenshot():
    """Return a function that saves a full-page screenshot under screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def table_held():
    """Return hold(table, mode): another connection locks `table` in `mode` until release() or the test ends.

    Stands in for other work holding a table, such as a large import (PostgreSQL's lock modes).
    """
    from django.db import connection, connections, transaction

    releases, holders = [], []

    def hold(table, mode):
        locked, release = threading.Event(), threading.Event()

        def run():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN {mode} MODE")
                    locked.set()
                    release.wait(timeout=30)
            finally:
                connections.close_all()

        holder = threading.Thread(target=run)
        holder.start()
        releases.append(release)
        holders.append(holder)
        assert locked.wait(timeout=10), f"could not lock {table}"
        return release.set

    yield hold
    for release in releases:
        release.set()
    for holder in holders:
        holder.join()


@pytest.fixture
def database_outage(transactional_db):
    """Return an outage switch for the test database, on the real PostgreSQL server (no mock).

    `outage.stop()` makes the database refuse new connections and ends every open one, as a stopped
    server would; `outage.drop(pid)` ends one connection (a connection lost mid-transaction);
    `outage.start()` lets connections in again. Work is done through a connection to the `postgres`
    database, as a superuser (as CI connects).
    """
    import psycopg
    from django.db import connection
    from psycopg import sql

    settings = connection.settings_dict
    admin = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    database = sql.Identifier(settings["NAME"])

    class Outage:
        def stop(self):
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(database))
            pids = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [settings["NAME"]])
            for (pid,) in pids.fetchall():
                self.drop(pid)

        def drop(self, pid):
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                assert time.monotonic() < deadline, f"backend {pid} did not end"
                time.sleep(0.05)

        def start(self):
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(database))
            # The test's own connection was ended too; a request would reconnect by itself
            # (CONN_HEALTH_CHECKS), but the test client skips that step.
            connection.close()

    outage = Outage()
    yield outage
    outage.start()
    admin.close()
