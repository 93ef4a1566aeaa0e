"""How the outcome table reads wherever it is shown, and what a published table hides (no database)."""

from sessions.outcome_table import (
    CSV_COLUMNS,
    SUPPRESSED_TEXT,
    Publication,
    csv_rows,
    interval,
    number,
    outcome_table,
    percent,
    plain,
    signed,
)


def _row(**overrides):
    row = {
        "condition": "Chronic Fatigue Syndrome",
        "patients": 41,
        "excluded": 3,
        "baseline_spo2": 94.2,
        "followup_spo2": 96.8,
        "delta_spo2": 2.6,
        "delta_ci95": [2.1, 3.1],
        "improved_pct": 78,
        "pgic_responder_pct": 61,
        "lost_to_followup": 4,
    }
    return row | overrides


def test_a_row_of_five_or_more_patients_shows_its_figures_with_signs_and_a_percent():
    [row] = outcome_table([_row(patients=5)], all_patients=False, published=True)
    assert row.publication == Publication.PUBLISHABLE and not row.suppressed
    assert row.figure_cells == ["5", "3", "94.2", "96.8", "+2.6", "+2.1 to +3.1", "78%", "61%", "4"]


def test_a_published_row_under_five_patients_keeps_only_its_condition():
    for patients in [1, 2, 3, 4]:
        [row] = outcome_table([_row(patients=patients)], all_patients=False, published=True)
        assert row.condition == "Chronic Fatigue Syndrome" and row.suppressed and row.values == {}
        assert row.figure_cells == [SUPPRESSED_TEXT] * 9
        assert row.publication == Publication.TOO_SMALL


def test_an_internal_table_shows_a_small_row_in_full_and_says_it_is_too_small_to_publish():
    [row] = outcome_table([_row(patients=3)], all_patients=False, published=False)
    assert not row.suppressed and row.cells["patients"] == "3"
    assert row.publication.label == "no: fewer than 5 patients"


def test_figures_that_count_patients_without_consent_are_never_publishable():
    [row] = outcome_table([_row()], all_patients=True, published=False)
    assert row.publication == Publication.INTERNAL
    assert row.publication.label == "no: includes patients without research consent"


def test_every_figure_uses_one_minus_sign_and_no_negative_zero():
    assert signed(-1.2) == "-1.2" and signed(2.6) == "+2.6" and signed(-0.0) == "+0.0"
    assert interval([-0.4, 1.9]) == "-0.4 to +1.9"
    assert signed(-0.189, places=2) == "-0.19"
    [row] = outcome_table([_row(delta_spo2=-1.2, delta_ci95=[-2.0, -0.4])], all_patients=False, published=False)
    assert row.cells["delta_spo2"] == "-1.2" and row.cells["delta_ci95"] == "-2.0 to -0.4"
    assert "−" not in "".join(row.figure_cells)


def test_a_missing_figure_reads_as_a_dash():
    assert signed(None) == plain(None) == interval(None) == percent(None) == "–"
    [row] = outcome_table([_row(patients=1, delta_ci95=None)], all_patients=False, published=False)
    assert row.cells["delta_ci95"] == "–"


def test_the_csv_gives_each_figure_its_own_column_as_a_plain_number():
    table = outcome_table([_row(delta_spo2=-1.2, delta_ci95=[-2.0, -0.4])], all_patients=False, published=True)
    assert dict(zip(CSV_COLUMNS, csv_rows(table)[0], strict=True)) == {
        "condition": "Chronic Fatigue Syndrome",
        "patients": "41",
        "excluded": "3",
        "baseline_spo2": "94.2",
        "followup_spo2": "96.8",
        "delta_spo2": "-1.2",
        "ci_low": "-2.0",
        "ci_high": "-0.4",
        "improved_pct": "78",
        "pgic_responder_pct": "61",
        "lost_to_followup": "4",
        "publishable": "yes",
    }
    assert number(-0.0) == "0.0" and number(None) == "" and number(2.6) == "2.6"


def test_a_suppressed_csv_row_says_fewer_than_5_and_holds_no_figure():
    [row] = csv_rows(outcome_table([_row(patients=4)], all_patients=False, published=True))
    assert row == ["Chronic Fatigue Syndrome", SUPPRESSED_TEXT, *[""] * 9, "no: fewer than 5 patients"]


def test_a_csv_row_without_an_interval_leaves_its_bounds_empty():
    [row] = csv_rows(outcome_table([_row(patients=1, delta_ci95=None)], all_patients=False, published=False))
    assert row[6:8] == ["", ""]
