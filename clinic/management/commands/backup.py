import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from clinic.backups import BackupError, database_backup


class Command(BaseCommand):
    help = (
        "Back up the whole database DATABASE_URL names to FILE: pg_dump's custom format on PostgreSQL, "
        "a copy through the backup API on SQLite. The file is readable by its owner only and is read "
        "back through before the command reports success."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the backup; an existing file is replaced")

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            summary = database_backup(database=connections["default"].settings_dict, path=options["file"])
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {summary.tables} tables ({summary.size_bytes / 1e6:.1f} MB) to {options['file']} "
            f"in {time.monotonic() - started:.1f} s."
        )
