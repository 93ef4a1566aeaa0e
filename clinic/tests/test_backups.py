"""`make backup` and `make restore`: a backup restores into a fresh database with every row the same."""

import io
import os
import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from clinic.backups import BackupError, database_backup, database_restore
from clinic.tests.factories import clinic_with_one_of_everything

ROOT = Path(__file__).resolve().parents[2]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore")


def _url(name):
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"


def _make(target, backup, database_url, answer=None, **variables):
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": "test-only-not-a-secret"}
    arguments = [f"{name}={value}" for name, value in {"BACKUP": backup, **variables}.items()]
    return subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "--no-print-directory", "-s", target, *arguments],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        input=answer,
        text=True,
        check=False,
    )


def _fingerprint(database_url):
    """Return {table: (rows, md5 of its rows in order)} and {sequence: last value} for every one in public."""
    with psycopg.connect(database_url) as database:
        tables = [name for (name,) in database.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        rows = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
            ).format(sql.Identifier(table))
            rows[table] = database.execute(query).fetchone()
        sequences = dict(
            database.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        )
    return rows, sequences


@pytest.fixture
def fresh_database():
    """An empty database on the same server, dropped afterwards; yields its URL."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield _url(name)
    with psycopg.connect(_url("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_over_a_changed_one_with_every_row_the_same(
    tmp_path, fresh_database, capsys
):
    call_command("seed_demo", "--patients", "60", "--allow-production", stdout=io.StringIO())
    clinic_with_one_of_everything()
    source = _url(connection.settings_dict["NAME"])
    backup = tmp_path / "acuflow.dump"
    started = time.monotonic()

    made = _make("backup", backup, source)
    restored = _make("restore", backup, fresh_database, NOINPUT=1)

    elapsed = time.monotonic() - started
    assert made.returncode == 0, made.stderr
    assert restored.returncode == 0, restored.stderr
    assert backup.stat().st_mode & 0o777 == 0o600
    original, copy = _fingerprint(source), _fingerprint(fresh_database)
    tables, _ = original
    assert copy == original
    assert len(tables) >= 30 and tables["patients_patient"][0] == 61 and tables["patients_historicalpatient"][0] > 0
    assert f"Backed up {len(tables)} tables" in made.stdout
    with capsys.disabled():
        print(f"\nBackup round trip: {len(tables)} tables, {sum(n for n, _ in tables.values())} rows, {elapsed:.1f} s")

    # Restoring over a database in use replaces what changed there since.
    with psycopg.connect(fresh_database) as database:
        database.execute("DELETE FROM content_article_tags")
        database.execute("UPDATE patients_patient SET first_name = 'Changed'")
    assert _make("restore", backup, fresh_database, NOINPUT=1).returncode == 0
    assert _fingerprint(fresh_database) == original


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(tmp_path):
    clinic_with_one_of_everything()
    source = _url(connection.settings_dict["NAME"])
    before = _fingerprint(source)
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP but not really")

    result = _make("restore", broken, source, NOINPUT=1)

    assert result.returncode != 0
    assert "Nothing was changed." in result.stderr
    assert _fingerprint(source) == before


def test_make_backup_without_a_file_says_how_to_call_it():
    result = _make("backup", "", "sqlite:///unused.sqlite3")
    assert result.returncode != 0 and "usage: make backup BACKUP=FILE" in result.stderr


def test_an_sqlite_database_is_backed_up_and_restored_through_the_backup_api(tmp_path):
    live, backup = tmp_path / "db.sqlite3", tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(live)) as database, database:
        database.execute("CREATE TABLE patients_patient (id INTEGER PRIMARY KEY, first_name TEXT)")
        database.executemany("INSERT INTO patients_patient (first_name) VALUES (?)", [("Ada",), ("Bea",)])
    settings = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(live)}

    assert database_backup(database=settings, path=backup).tables == 1
    with closing(sqlite3.connect(live)) as database, database:
        database.execute("UPDATE patients_patient SET first_name = 'Changed'")
    database_restore(database=settings, path=backup)

    assert backup.stat().st_mode & 0o777 == 0o600
    with closing(sqlite3.connect(live)) as database:
        assert database.execute("SELECT first_name FROM patients_patient ORDER BY id").fetchall() == [
            ("Ada",),
            ("Bea",),
        ]


def test_a_backup_that_fails_leaves_no_file_behind(tmp_path):
    settings = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing-folder" / "db.sqlite3")}
    with pytest.raises((BackupError, sqlite3.Error)):
        database_backup(database=settings, path=tmp_path / "backup.sqlite3")
    assert list(tmp_path.iterdir()) == []


def test_restore_asks_first_and_a_no_changes_nothing(tmp_path):
    live, backup = tmp_path / "db.sqlite3", tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(backup)) as database, database:
        database.execute("CREATE TABLE patients_patient (id INTEGER PRIMARY KEY)")
    live.write_bytes(b"")

    result = _make("restore", backup, f"sqlite:///{live}", answer="no\n")

    assert "Restore 1 tables from" in result.stdout and "Type 'yes' to continue" in result.stdout
    assert result.returncode != 0 and "Restore cancelled; nothing was changed." in result.stderr
    assert live.read_bytes() == b""
