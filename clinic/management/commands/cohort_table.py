import json

from django.core.management.base import BaseCommand

from clinic.lib.csvsafe import csv_write
from clinic.lib.replica import replica_reads
from clinic.management.cohort_cli import cohort_arguments_add, cohort_params_from_options, text_table
from sessions.outcome_table import CSV_COLUMNS, csv_rows, outcome_table
from sessions.outcomes import cohort_row, cohort_totals


class Command(BaseCommand):
    help = (
        "Print the cohort outcome table: per condition, baseline SpO₂ (session 1, before), SpO₂ at "
        "session N, Δ with its 95% CI, the share reporting improvement, the share of PGIC responders and "
        "the patients lost to follow-up. Internal figures: rows "
        "with fewer than 5 patients are shown in full."
    )

    def add_arguments(self, parser):
        cohort_arguments_add(parser)
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        # A read-only report: the read replica answers it when there is one (DATABASE_REPLICA_URL).
        with replica_reads():
            self._report(**options)

    def _report(self, *, sessions, reading, date_from, date_to, all_patients, protocol, format, **options):
        params, recorded = cohort_params_from_options(
            sessions=sessions,
            reading=reading,
            date_from=date_from,
            date_to=date_to,
            all_patients=all_patients,
            protocol=protocol,
        )
        rows = [cohort_row(totals) for totals in cohort_totals(params)]
        if format == "json":
            document = {
                **{key: recorded[key] for key in ("sessions", "reading", "from", "to", "all_patients")},
                # Only with the filter, so the contract's document is unchanged without it.
                **({"protocol": protocol} if protocol else {}),
                "rows": rows,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        elif format == "csv":
            # The dashboard's CSV layout, with every row in full (internal figures).
            table = outcome_table(rows, all_patients=all_patients, published=False)
            csv_write(self.stdout, [CSV_COLUMNS, *csv_rows(table)], lineterminator="\n")
        else:
            self._table(rows, sessions, reading, all_patients)

    def _table(self, rows, sessions, reading, all_patients):
        if not rows:
            self.stdout.write(f"No patients match: nobody has both session 1 and session {sessions} in this window.")
            return
        headings = [
            "Condition",
            "Patients",
            "Excluded",
            "Baseline",
            f"After {sessions}" if reading == "post" else f"Before {sessions}",
            "Δ SpO₂",
            "95% CI",
            "Improved",
            "PGIC 1–2",
            "Lost",
        ]
        # Internal figures: every row in full, read as on the dashboard.
        lines = [
            [row.condition, *row.figure_cells]
            for row in outcome_table(rows, all_patients=all_patients, published=False)
        ]
        for line in text_table(headings, lines):
            self.stdout.write(line)
