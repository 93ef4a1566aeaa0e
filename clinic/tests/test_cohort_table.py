"""`cohort_table` prints the cohort rows in the contract's three formats."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sessions.tests.test_outcomes import clinic_data  # noqa: F401 - the hand-computed dataset


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("cohort_table", *args, stdout=out)
    return out.getvalue()


def test_json_is_one_object_with_the_contracts_keys_in_order(clinic_data):  # noqa: F811
    document = json.loads(_run("--format", "json"))
    assert list(document) == ["sessions", "reading", "from", "to", "all_patients", "rows"]
    assert (document["sessions"], document["reading"], document["from"], document["to"]) == (6, "post", None, None)
    assert document["all_patients"] is False
    first = document["rows"][0]
    assert list(first) == [
        "condition",
        "patients",
        "excluded",
        "baseline_spo2",
        "followup_spo2",
        "delta_spo2",
        "delta_ci95",
        "improved_pct",
        "pgic_responder_pct",
        "lost_to_followup",
    ]
    assert first == {
        "condition": "Chronic Fatigue Syndrome",
        "patients": 3,
        "excluded": 1,
        "baseline_spo2": 93.0,
        "followup_spo2": 94.7,
        "delta_spo2": 1.7,
        "delta_ci95": [-2.1, 5.5],
        "improved_pct": 67,
        "pgic_responder_pct": None,
        "lost_to_followup": 1,
    }
    assert document["rows"][1]["delta_ci95"] is None


def test_json_echoes_the_options_given(clinic_data):  # noqa: F811
    args = ["--format", "json", "--sessions", "2", "--reading", "pre", "--from", "2026-01-01", "--to", "2026-12-31"]
    document = json.loads(_run(*args, "--all-patients"))
    assert {key: document[key] for key in ["sessions", "reading", "from", "to", "all_patients"]} == {
        "sessions": 2,
        "reading": "pre",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "all_patients": True,
    }


def test_csv_has_a_header_and_one_line_per_condition(clinic_data):  # noqa: F811
    # The dashboard's CSV layout, every row in full: small rows are internal figures here.
    assert _run("--format", "csv").splitlines() == [
        "condition,patients,excluded,baseline_spo2,followup_spo2,delta_spo2,ci_low,ci_high,improved_pct,"
        "pgic_responder_pct,lost_to_followup,publishable",
        "Chronic Fatigue Syndrome,3,1,93.0,94.7,1.7,-2.1,5.5,67,,1,no: fewer than 5 patients",
        "Raynaud's Phenomenon,1,0,95.0,96.0,1.0,,,0,,0,no: fewer than 5 patients",
    ]


def test_the_table_is_readable_in_a_terminal(clinic_data):  # noqa: F811
    lines = _run().splitlines()
    assert lines[0].split() == [
        "Condition",
        "Patients",
        "Excluded",
        "Baseline",
        "After",
        "6",
        "Δ",
        "SpO₂",
        "95%",
        "CI",
        "Improved",
        "PGIC",
        "1–2",
        "Lost",
    ]
    assert lines[1].startswith("Chronic Fatigue Syndrome")
    assert lines[1].endswith("+1.7  -2.1 to +5.5       67%         –     1")


@pytest.mark.django_db
def test_the_table_says_so_when_nobody_matches():
    assert "No patients match" in _run()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sessions", "1"], "sessions must be a whole number from 2 to 20"),
        (["--from", "2026-13-01"], "'2026-13-01' is not a date"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], "start is after its end"),
    ],
)
def test_bad_options_are_refused_with_a_message(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


@pytest.mark.django_db
def test_an_implausible_date_is_a_clear_error_not_a_traceback():
    with pytest.raises(CommandError, match="9999-12-31 is not a plausible date"):
        call_command("cohort_table", "--to", "9999-12-31", stdout=StringIO())
