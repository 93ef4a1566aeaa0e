import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.replica import replica_reads
from protocols.models import Protocol
from protocols.selectors import patients_on_protocol
from sessions.outcome_table import DEFAULT_SESSIONS, SESSIONS_RANGE, outcome_table
from sessions.outcomes import cohort_outcomes

CSV_COLUMNS = [
    "condition",
    "patients",
    "excluded",
    "baseline_spo2",
    "followup_spo2",
    "delta_spo2",
    "delta_ci95_low",
    "delta_ci95_high",
    "improved_pct",
]


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is not a date: use YYYY-MM-DD.") from None


def _number(value):
    return "" if value is None else str(value)


class Command(BaseCommand):
    help = (
        "Print the cohort outcome table: per condition, baseline SpO₂ (session 1, before), SpO₂ at "
        "session N, Δ with its 95% CI, and the share reporting improvement. Internal figures: rows "
        "with fewer than 5 patients are shown in full."
    )

    def add_arguments(self, parser):
        low, high = SESSIONS_RANGE
        parser.add_argument(
            "--sessions",
            type=int,
            default=DEFAULT_SESSIONS,
            help=f"Session N to compare with session 1 ({low}–{high}, default {DEFAULT_SESSIONS}).",
        )
        parser.add_argument(
            "--reading",
            choices=["post", "pre"],
            default="post",
            help="Session N's reading after (post, default) or before (pre) treatment.",
        )
        parser.add_argument(
            "--from", dest="date_from", help="Only patients whose session 1 is on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--to", dest="date_to", help="Only patients whose session 1 is on or before this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--all-patients", action="store_true", help="Include patients without research consent (internal use only)."
        )
        parser.add_argument(
            "--protocol", metavar="SLUG", help="Only patients with a treatment plan based on this protocol."
        )
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, **options):
        # A read-only report: the read replica answers it when there is one (DATABASE_REPLICA_URL).
        with replica_reads():
            self._report(**options)

    def _report(self, *, sessions, reading, date_from, date_to, all_patients, protocol, format, **options):
        date_from = _date(date_from) if date_from else None
        date_to = _date(date_to) if date_to else None
        patients = None
        if protocol:
            found = Protocol.objects.filter(slug=protocol).first()
            if found is None:
                known = ", ".join(Protocol.objects.values_list("slug", flat=True)) or "none yet"
                raise CommandError(f"There is no protocol '{protocol}'. Protocols: {known}.")
            patients = patients_on_protocol(protocol=found)
        try:
            rows = cohort_outcomes(
                sessions=sessions,
                reading=reading,
                date_from=date_from,
                date_to=date_to,
                all_patients=all_patients,
                patients=patients,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        if format == "json":
            document = {
                "sessions": sessions,
                "reading": reading,
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None,
                "all_patients": all_patients,
                # Only with the filter, so the contract's document is unchanged without it.
                **({"protocol": protocol} if protocol else {}),
                "rows": rows,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False))
        elif format == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for row in rows:
                low, high = row["delta_ci95"] or (None, None)
                writer.writerow(
                    [
                        row["condition"],
                        row["patients"],
                        row["excluded"],
                        *map(_number, [row["baseline_spo2"], row["followup_spo2"], row["delta_spo2"], low, high]),
                        row["improved_pct"],
                    ]
                )
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
        ]
        # Internal figures: every row in full, read as on the dashboard.
        lines = [
            [row.condition, *row.figure_cells]
            for row in outcome_table(rows, all_patients=all_patients, published=False)
        ]
        widths = [max(len(line[i]) for line in [headings, *lines]) for i in range(len(headings))]
        for line in [headings, *lines]:
            cells = [line[0].ljust(widths[0])] + [
                cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)
            ]
            self.stdout.write("  ".join(cells))
