"""Whole-database backups and restores: pg_dump/pg_restore in custom format on PostgreSQL, the
backup API on SQLite. `make backup BACKUP=FILE` and `make restore BACKUP=FILE` call these through
the `backup` and `restore` commands, on the database DATABASE_URL names.

A backup holds every patient's record, so it is written readable by its owner only, under a
temporary name first and renamed once complete: a backup that failed half way never looks like
one. A restore is one transaction: it replaces every table the backup holds, or changes nothing.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup or restore could not be made; nothing was written or replaced."""


@dataclass(frozen=True)
class BackupSummary:
    tables: int
    size_bytes: int


def database_backup(*, database, path):
    """Write a backup of `database` (a Django DATABASES entry) to `path`; return its BackupSummary."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        # Created here, owner-only, before any patient data is in it.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            if _is_postgresql(database):
                _run(["pg_dump", "--format=custom", *_connection_arguments(database)], database, stdout=file)
            else:
                file.close()
                with closing(_sqlite(database)) as source, closing(sqlite3.connect(partial)) as target:
                    source.backup(target)
        summary = backup_summary(database=database, path=partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return summary


def database_restore(*, database, path):
    """Replace the tables of `database` with those in the backup at `path`; return its BackupSummary.

    Raise BackupError, with nothing changed, when the file is not a readable backup or the
    restore fails.
    """
    summary = backup_summary(database=database, path=path)
    if _is_postgresql(database):
        # Owned by whoever restores (the app's user on a new server), whoever owned them before.
        options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        _run(["pg_restore", *options, *_connection_arguments(database), str(path)], database)
    else:
        with closing(_read_only(path)) as source, closing(_sqlite(database)) as target:
            source.backup(target)
    return summary


def backup_summary(*, database, path):
    """Return the BackupSummary of the backup at `path`, reading it through; BackupError if it is not one."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    if _is_postgresql(database):
        listing = _run(["pg_restore", "--list", str(path)], database).stdout.decode()
        tables = sum(" TABLE DATA " in line for line in listing.splitlines())
    else:
        try:
            with closing(_read_only(path)) as backup:
                if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError(f"{path} is a damaged SQLite database.")
                tables = backup.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not an SQLite backup: {error}") from error
    return BackupSummary(tables=tables, size_bytes=path.stat().st_size)


def _is_postgresql(database):
    return database["ENGINE"] == "django.db.backends.postgresql"


def _sqlite(database):
    if str(database["NAME"]) == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return sqlite3.connect(database["NAME"])


def _read_only(path):
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def _connection_arguments(database):
    arguments = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments += [flag, str(database[key])]
    return [*arguments, "--dbname", database["NAME"]]


def _run(command, database, **kwargs):
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} was not found: install the PostgreSQL client programs (Debian: postgresql-client), "
            "of the server's major version or newer."
        )
    # The password travels in the environment, never on a command line other users can read.
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    kwargs.setdefault("stdout", subprocess.PIPE)
    result = subprocess.run(command, env=env, stderr=subprocess.PIPE, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.decode(errors='replace').strip()}")
    return result
