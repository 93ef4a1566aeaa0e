import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from clinic.backups import BackupError, backup_summary, database_restore


class Command(BaseCommand):
    help = (
        "Restore the backup in FILE (made by the backup command) into the database DATABASE_URL names, "
        "replacing every table the backup holds, in one transaction: all of it or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a backup made by `manage.py backup` (make backup)")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="do not ask for confirmation"
        )

    def handle(self, *args, **options):
        database = connections["default"].settings_dict
        where = f"database {database['NAME']}" + (f" on {database['HOST']}" if database.get("HOST") else "")
        try:
            summary = backup_summary(database=database, path=options["file"])
            if options["interactive"]:
                answer = input(
                    f"Restore {summary.tables} tables from {options['file']} into {where}? Every table the "
                    "backup holds is replaced with its copy. Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled; nothing was changed.")
            started = time.monotonic()
            connections.close_all()
            database_restore(database=database, path=options["file"])
        except (BackupError, OSError) as error:
            raise CommandError(f"{error} Nothing was changed.") from error
        self.stdout.write(
            f"Restored {summary.tables} tables from {options['file']} into {where} "
            f"in {time.monotonic() - started:.1f} s. Run `manage.py migrate` if this code is newer than the backup."
        )
