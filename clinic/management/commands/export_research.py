from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.csvsafe import csv_write
from clinic.lib.replica import replica_reads
from clinic.management.cohort_cli import window_dates
from sessions.research import COLUMNS, ResearchKeyMissing, research_key, research_rows


class Command(BaseCommand):
    help = (
        "Write the de-identified research export (CSV): one row per session of the patients with research "
        "consent, each patient as a keyed pseudonym with an age band and sex, each session by its number and "
        "the days since the first session. No names, contact details, dates of birth, references, notes or "
        "dates. Needs RESEARCH_EXPORT_KEY."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.csv")
        parser.add_argument(
            "--from", dest="date_from", help="Only patients whose first session is on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--to", dest="date_to", help="Only patients whose first session is on or before this date (YYYY-MM-DD)."
        )

    def handle(self, *args, **options):
        # Reads only: the read replica answers them when there is one (DATABASE_REPLICA_URL).
        with replica_reads():
            self._export(**options)

    def _export(self, *, file, date_from, date_to, **options):
        try:
            key = research_key()
        except ResearchKeyMissing as error:
            raise CommandError(str(error)) from None
        date_from, date_to = window_dates(date_from, date_to)
        rows = research_rows(key=key, date_from=date_from, date_to=date_to)
        try:
            with Path(file).open("w", encoding="utf-8", newline="") as stream:
                csv_write(stream, [COLUMNS, *rows])
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        patients = len({row[0] for row in rows})
        self.stdout.write(f"Wrote {file}: {len(rows)} sessions of {patients} patients with research consent.")
