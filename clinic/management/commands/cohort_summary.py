import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinic.lib.replica import replica_reads
from clinic.management.cohort_cli import cohort_arguments_add, cohort_params_from_options
from sessions.outcomes import cohort_totals
from sessions.pooling import DEFAULT_MIN_CELL, SITE_NAME_LENGTH, summary_document


class Command(BaseCommand):
    help = (
        "Write this clinic's cohort summary (JSON) for a registry across clinics: per condition, the "
        "sums the cohort table is computed from (patients, excluded, lost to follow-up, sums of baseline, "
        "follow-up, Δ and Δ², improved, PGIC answers and responders) and never a patient's row. A "
        "condition with fewer than K patients is withheld: its name only, marked withheld."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json", help="Where to write the summary.")
        parser.add_argument(
            "--site", help=f"This clinic's name in the registry (default: CLINIC_NAME, now “{settings.CLINIC_NAME}”)."
        )
        parser.add_argument(
            "--min-cell",
            type=int,
            default=DEFAULT_MIN_CELL,
            metavar="K",
            help=f"Withhold conditions with fewer than K patients (default {DEFAULT_MIN_CELL}).",
        )
        cohort_arguments_add(parser)

    def handle(self, *args, **options):
        # Reads only: the read replica answers them when there is one (DATABASE_REPLICA_URL).
        with replica_reads():
            self._export(**options)

    def _export(self, *, file, site, min_cell, **options):
        site = (site if site is not None else settings.CLINIC_NAME).strip()
        if not site or len(site) > SITE_NAME_LENGTH:
            raise CommandError(f"--site must be a name of 1 to {SITE_NAME_LENGTH} characters.")
        if min_cell < 1:
            raise CommandError("--min-cell must be 1 or more.")
        params, recorded = cohort_params_from_options(
            **{key: options[key] for key in ("sessions", "reading", "date_from", "date_to", "all_patients", "protocol")}
        )
        document = summary_document(
            totals=cohort_totals(params),
            parameters=recorded,
            site=site,
            min_cell=min_cell,
            generated_at=timezone.now().replace(microsecond=0),
        )
        try:
            Path(file).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        shared = sum(1 for entry in document["conditions"] if not entry["withheld"])
        withheld = len(document["conditions"]) - shared
        self.stdout.write(
            f"Wrote {file}: {shared} condition{'s' if shared != 1 else ''} shared, {withheld} withheld "
            f"(fewer than {min_cell} patients), as “{site}”."
        )
        if recorded["all_patients"]:
            self.stderr.write("Includes patients without research consent: internal figures, do not share them.")
