import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.csvsafe import csv_write
from clinic.management.cohort_cli import text_table
from sessions.outcome_table import CSV_FIGURES, csv_figures, interval, outcome_table, signed
from sessions.pooling import SummaryInvalid, meta_row, pool, summary_read

META_COLUMNS = [
    "sites",
    "withheld",
    "sites_in_meta_analysis",
    "fixed_effect_delta",
    "fixed_effect_ci95_low",
    "fixed_effect_ci95_high",
    "random_effects_delta",
    "random_effects_ci95_low",
    "random_effects_ci95_high",
    "tau2",
    "q",
    "i2_pct",
]


def summary_load(path):
    """Return the SiteSummary in the file at `path`. Raise CommandError naming the file and the problem."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CommandError(f"{path} is not a JSON file.") from None
    try:
        return summary_read(document)
    except SummaryInvalid as error:
        raise CommandError(f"{path}: {error}") from None


def _meta_cells(meta):
    fixed, random = meta["fixed_effect"], meta["random_effects"]
    return [
        meta["sites"],
        meta["withheld"],
        meta["sites_in_meta_analysis"],
        fixed["delta_spo2"],
        *(fixed["ci95"] or (None, None)),
        random["delta_spo2"],
        *(random["ci95"] or (None, None)),
        meta["tau2"],
        meta["q"],
        meta["i2_pct"],
    ]


class Command(BaseCommand):
    help = (
        "Pool several clinics' cohort summaries (from cohort_summary) into one table, computed from the "
        "pooled sums exactly as if one clinic held every patient, with per-site rows, and fixed-effect "
        "and DerSimonian–Laird random-effects estimates of Δ with I². Refuses summaries made with "
        "different parameters."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="SUMMARY.json")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, files, format, **options):
        try:
            pooled = pool([summary_load(path) for path in files])
        except SummaryInvalid as error:
            raise CommandError(str(error)) from None
        meta = [meta_row(condition) for condition in pooled.conditions]
        if format == "json":
            self.stdout.write(json.dumps(pooled_document(pooled, meta), ensure_ascii=False))
        elif format == "csv":
            by_condition = {row["condition"]: row for row in meta}
            lines = [["site", "condition", *CSV_FIGURES, *META_COLUMNS]]
            lines += [
                ["pooled", row["condition"], *csv_figures(row), *_meta_cells(by_condition[row["condition"]])]
                for row in pooled.rows
            ]
            lines += [[row["site"], row["condition"], *csv_figures(row)] for row in pooled.site_rows]
            csv_write(self.stdout, lines, lineterminator="\n")
        else:
            self._tables(pooled, meta)

    def _tables(self, pooled, meta):
        parameters = pooled.parameters
        sites = ", ".join(summary.site for summary in pooled.sites)
        self.stdout.write(f"Pooled from {len(pooled.sites)} site{'s' if len(pooled.sites) != 1 else ''}: {sites}.")
        if parameters["all_patients"]:
            self.stdout.write("Includes patients without research consent: internal figures, never publish them.")
        sessions = parameters["sessions"]
        headings = [
            "Condition",
            "Patients",
            "Excluded",
            "Baseline",
            f"After {sessions}" if parameters["reading"] == "post" else f"Before {sessions}",
            "Δ SpO₂",
            "95% CI",
            "Improved",
            "PGIC 1–2",
            "Lost",
        ]
        tables = [
            ("Pooled", [[row.condition, *row.figure_cells] for row in _table(pooled.rows, parameters)]),
            (
                "By site",
                [
                    [f"{site['site']}: {row.condition}", *row.figure_cells]
                    for site, row in zip(pooled.site_rows, _table(pooled.site_rows, parameters), strict=True)
                ],
            ),
        ]
        for title, lines in tables:
            self.stdout.write(f"\n{title}")
            for line in text_table(headings, lines) if lines else ["No condition was shared by any site."]:
                self.stdout.write(line)
        self.stdout.write("\nMeta-analysis of Δ SpO₂ (sites with 2 or more patients and some spread)")
        lines = [
            [
                row["condition"],
                str(row["sites"]),
                str(row["withheld"]),
                _estimate(row["fixed_effect"]),
                _estimate(row["random_effects"]),
                "–" if row["tau2"] is None else f"{row['tau2']:.2f}",
                "–" if row["i2_pct"] is None else f"{row['i2_pct']}%",
            ]
            for row in meta
        ]
        headings = ["Condition", "Sites", "Withheld", "Fixed effect (95% CI)", "Random effects (95% CI)", "τ²", "I²"]
        for line in text_table(headings, lines):
            self.stdout.write(line)


def _table(rows, parameters):
    # Internal figures, as cohort_table prints them: every row in full.
    return outcome_table(rows, all_patients=parameters["all_patients"], published=False)


def _estimate(estimate):
    if estimate["delta_spo2"] is None:
        return "–"
    return f"{signed(estimate['delta_spo2'])} ({interval(estimate['ci95'])})"


def pooled_document(pooled, meta):
    """The JSON document of a pooled table: cohort_table's parameters and rows, then the sites, the
    meta-analysis per condition and the per-site rows."""
    parameters = pooled.parameters
    return {
        **{key: parameters[key] for key in ("sessions", "reading", "from", "to", "all_patients")},
        **({"protocol": parameters["protocol"]} if parameters["protocol"] else {}),
        "rows": pooled.rows,
        "sites": [
            {"site": s.site, "generated_at": s.generated_at, "min_cell": s.min_cell, "withheld": list(s.withheld)}
            for s in pooled.sites
        ],
        "meta_analysis": meta,
        "site_rows": pooled.site_rows,
    }
