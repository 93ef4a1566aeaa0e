"""How one cohort row is shown in public, without the database (the full embed is in test_cohort_embed.py)."""

from content.embeds import published_row


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
    }
    return row | overrides


def test_a_row_of_five_or_more_patients_shows_its_figures_with_signs_and_a_percent():
    assert published_row(_row(patients=5)) == {
        "condition": "Chronic Fatigue Syndrome",
        "suppressed": False,
        "patients": 5,
        "baseline_spo2": "94.2",
        "followup_spo2": "96.8",
        "delta_spo2": "+2.6",
        "delta_ci95": "+2.1 to +3.1",
        "improved_pct": "78%",
    }


def test_a_row_under_five_patients_keeps_only_its_condition():
    for patients in [1, 2, 3, 4]:
        assert published_row(_row(patients=patients)) == {"condition": "Chronic Fatigue Syndrome", "suppressed": True}


def test_a_falling_delta_and_a_missing_interval_read_naturally():
    shown = published_row(_row(delta_spo2=-1.25, delta_ci95=None))
    assert shown["delta_spo2"] == "-1.2" and shown["delta_ci95"] == ""
    assert published_row(_row(delta_ci95=[-0.04, 1.9]))["delta_ci95"] == "+0.0 to +1.9"
