"""The outcome table as people read it, built once for every place that shows it.

`cohort_outcomes` (sessions.outcomes) returns numbers; this module decides how they read and
what may be published: the dashboard, its CSV download, `cohort_table` and the article embed
all call `outcome_table`, so a figure reads the same everywhere (one minus sign, "-", so that
spreadsheets and screen readers take it for a number) and small cells are suppressed by one rule.
`csv_rows` lays the same table out for spreadsheets: every figure in a column of its own as a
plain number (CSV_COLUMNS).
"""

from dataclasses import dataclass

from django.db import models

# Session N of the table, compared with session 1: the default and the range every entry point accepts.
DEFAULT_SESSIONS = 6
SESSIONS_RANGE = (2, 20)
# A published table (an article embed, an export) shows no figures for a smaller group than this,
# so that nobody can be recognised from them (docs/design.md, "Published").
PUBLISH_MIN_PATIENTS = 5
SUPPRESSED_TEXT = f"fewer than {PUBLISH_MIN_PATIENTS}"
MISSING = "–"
# The figures of a row after its condition, in the order tables show them (keys of the cohort row).
FIGURES = (
    "patients",
    "excluded",
    "baseline_spo2",
    "followup_spo2",
    "delta_spo2",
    "delta_ci95",
    "improved_pct",
    "pgic_responder_pct",
    "lost_to_followup",
)


class Publication(models.TextChoices):
    """Whether a row's figures may be published, and if not, why. The label is the table's wording."""

    PUBLISHABLE = "publishable", "yes"
    TOO_SMALL = "too_small", f"no: fewer than {PUBLISH_MIN_PATIENTS} patients"
    INTERNAL = "internal", "no: includes patients without research consent"


def signed(value, places=1):
    """Return `value` with its sign, "+2.6", "-1.2", "+0.0"; the dash MISSING for None."""
    # `or 0.0` turns a -0.0 into 0.0, so "-0.0" never appears.
    return MISSING if value is None else f"{float(value) or 0.0:+.{places}f}"


def plain(value):
    """Return a mean to one decimal, "94.2"; MISSING for None."""
    return MISSING if value is None else f"{value:.1f}"


def interval(ci, places=1):
    """Return a confidence interval as "+1.7 to +3.4"; MISSING for None."""
    return MISSING if ci is None else f"{signed(ci[0], places)} to {signed(ci[1], places)}"


def percent(value):
    """Return a whole percentage as "78%"; MISSING for None."""
    return MISSING if value is None else f"{value}%"


def number(value, places=1):
    """Return a figure for a spreadsheet cell, "94.2", "-1.2", "0.0": no sign for positives, no unit;
    "" for None, so that the column stays numeric."""
    return "" if value is None else f"{float(value) or 0.0:.{places}f}"


@dataclass(frozen=True)
class OutcomeRow:
    """One condition's row. `cells` are its figures as text, keyed like the cohort row; all
    SUPPRESSED_TEXT when `suppressed`. `values` is the cohort row itself (empty when suppressed)."""

    condition: str
    publication: Publication
    suppressed: bool
    cells: dict
    values: dict

    @property
    def figure_cells(self):
        """The cells in FIGURES order."""
        return [self.cells[key] for key in FIGURES]


def row_publication(row, *, all_patients):
    """Return the Publication of a cohort row: internal when it counts patients without consent."""
    if all_patients:
        return Publication.INTERNAL
    return Publication.PUBLISHABLE if row["patients"] >= PUBLISH_MIN_PATIENTS else Publication.TOO_SMALL


def outcome_table(rows, *, all_patients, published):
    """Return an OutcomeRow for each cohort row (cohort_outcomes), in order.

    `all_patients` says whether the rows count patients without research consent. With
    `published`, a row that may not be published keeps its condition and shows SUPPRESSED_TEXT
    instead of every figure; without it (the dashboard, `cohort_table`) every figure shows.
    """
    table = []
    for row in rows:
        publication = row_publication(row, all_patients=all_patients)
        suppressed = published and row["patients"] < PUBLISH_MIN_PATIENTS
        if suppressed:
            cells, values = dict.fromkeys(FIGURES, SUPPRESSED_TEXT), {}
        else:
            values = row
            cells = {
                "patients": str(row["patients"]),
                "excluded": str(row["excluded"]),
                "baseline_spo2": plain(row["baseline_spo2"]),
                "followup_spo2": plain(row["followup_spo2"]),
                "delta_spo2": signed(row["delta_spo2"]),
                "delta_ci95": interval(row["delta_ci95"]),
                "improved_pct": percent(row["improved_pct"]),
                "pgic_responder_pct": percent(row.get("pgic_responder_pct")),
                "lost_to_followup": str(row.get("lost_to_followup", 0)),
            }
        table.append(OutcomeRow(row["condition"], publication, suppressed, cells, values))
    return table


# The CSV layout (the dashboard's download, `cohort_table --format csv`): one figure per column, as a number.
# The outcome CSV (the dashboard's download, cohort_table --format csv, cohort_pool): plain numbers, the
# CI's bounds in columns of their own, the figures in CSV_FIGURES between the condition and whether
# the row is publishable.
CSV_FIGURES = (
    "patients",
    "excluded",
    "baseline_spo2",
    "followup_spo2",
    "delta_spo2",
    "ci_low",
    "ci_high",
    "improved_pct",
    "pgic_responder_pct",
    "lost_to_followup",
)
CSV_COLUMNS = ("condition", *CSV_FIGURES, "publishable")


def csv_figures(values):
    """Return a cohort row's figures (a dict of cohort_outcomes) in CSV_FIGURES order, as spreadsheet cells:
    means and Δ to one decimal, whole numbers as they are, "" where there is no figure."""
    low, high = values["delta_ci95"] or (None, None)

    def whole(value):
        return "" if value is None else str(value)

    return [
        whole(values["patients"]),
        whole(values["excluded"]),
        number(values["baseline_spo2"]),
        number(values["followup_spo2"]),
        number(values["delta_spo2"]),
        number(low),
        number(high),
        whole(values["improved_pct"]),
        whole(values.get("pgic_responder_pct")),
        whole(values.get("lost_to_followup")),
    ]


def csv_rows(table):
    """Return the CSV rows (CSV_COLUMNS) of OutcomeRows.

    A suppressed row keeps its condition and reads SUPPRESSED_TEXT under patients, with no figure.
    """
    suppressed = [SUPPRESSED_TEXT, *[""] * (len(CSV_FIGURES) - 1)]
    return [
        [row.condition, *(suppressed if row.suppressed else csv_figures(row.values)), row.publication.label]
        for row in table
    ]
