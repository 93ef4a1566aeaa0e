"""Fixtures shared by every app's tests: users in each role, and a real Chromium for browser tests."""

import importlib
import os
import threading
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User

from clinic.lib.chromium import CHROMIUM, CHROMIUM_ARGS

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# The data migrations that seed reference rows, as (module, function); each is idempotent.
REFERENCE_DATA = [
    ("patients.migrations.0002_seed_conditions", "seed_conditions"),
    ("sessions.migrations.0002_load_acupoints", "load_acupoints"),
    ("clinic.migrations.0001_roles", "create_roles"),
    ("content.migrations.0002_article_roles", "grant_article_permissions"),
    ("protocols.migrations.0002_roles", "grant"),
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


@pytest.fixture(autouse=True)
def _cache_cleared():
    """Each test starts with an empty cache: rate-limit counts and cached tables of one test (or of an
    earlier run, when CACHE_URL is a Redis server) must not leak into the next."""
    from django.core.cache import cache

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
