"""cohort_summary and cohort_pool: clinics share sums, never patient rows; the pool is the one-clinic table."""

import io
import json
import random
import re

import pytest
from django.core.management import CommandError, call_command

from patients.models import Patient
from sessions.models import Change, TreatmentSession
from sessions.tests.test_outcomes import _patient

pytestmark = pytest.mark.django_db

CONDITIONS = ["chronic-fatigue-syndrome", "raynauds-phenomenon", "chronic-migraine"]
CHANGES = [Change.WORSE, Change.SAME, Change.BETTER, Change.MUCH_BETTER]


def _site_patients(seed, *, small=None):
    """A site's patients, the same for the same seed, per condition: 8 complete courses, one without a
    follow-up reading (excluded), two stopping before session 6 (lost) and one without consent, with
    readings, reported change and PGIC (answered or not) drawn at random. `small` (a condition slug)
    gets 3 complete courses only."""
    rng = random.Random(seed)
    for slug in CONDITIONS:
        kinds = ["complete"] * 3 if slug == small else ["complete"] * 8 + ["excluded", "lost", "lost", "no consent"]
        for kind in kinds:
            baseline = rng.randint(88, 97)
            last = {
                "spo2_post": None if kind == "excluded" else min(100, baseline + rng.randint(-2, 5)),
                "warmth_change": rng.choice(CHANGES),
                "clarity_change": rng.choice(CHANGES),
                "instrument_answers": {"pgic": rng.randint(1, 7)} if rng.random() > 0.3 else {},
            }
            last_number = 3 if kind == "lost" else 6
            _patient(slug, {1: {"spo2_pre": baseline}, last_number: last}, consent=kind != "no consent")


def _clear():
    TreatmentSession.objects.all().delete()
    Patient.objects.all().delete()


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _summaries(tmp_path, sites, **site_options):
    """Write each site's summary as that site would (only its own patients in the database); return the paths."""
    paths = []
    for seed, site in enumerate(sites):
        _site_patients(seed, **site_options.get(site, {}))
        path = tmp_path / f"{site}.json"
        _run("cohort_summary", str(path), "--site", site)
        paths.append(str(path))
        _clear()
    return paths


def test_three_sites_pooled_give_the_table_of_one_database_holding_all_three(tmp_path):
    paths = _summaries(tmp_path, ["North", "South", "East"])
    pooled = json.loads(_run("cohort_pool", *paths, "--format", "json"))
    # Every site shares every condition (nothing withheld), so nothing is missing from the pool.
    assert all(site["withheld"] == [] for site in pooled["sites"])

    for seed in range(3):
        _site_patients(seed)
    one_database = json.loads(_run("cohort_table", "--format", "json"))

    assert len(one_database["rows"]) == 3
    assert pooled["rows"] == one_database["rows"]
    assert {key: pooled[key] for key in ("sessions", "reading", "from", "to", "all_patients")} == {
        key: one_database[key] for key in ("sessions", "reading", "from", "to", "all_patients")
    }
    # The figures are really there: excluded, lost and PGIC responders all occur in this data.
    assert sum(row["excluded"] for row in pooled["rows"]) > 0
    assert sum(row["lost_to_followup"] for row in pooled["rows"]) > 0
    assert all(row["pgic_responder_pct"] is not None for row in pooled["rows"])
    assert [meta["sites"] for meta in pooled["meta_analysis"]] == [3, 3, 3]
    assert len(pooled["site_rows"]) == 9


def test_a_summary_shares_sums_and_never_a_patients_row(tmp_path):
    _site_patients(0)
    path = tmp_path / "north.json"
    out = _run("cohort_summary", str(path), "--site", "North")
    assert "3 conditions shared, 0 withheld" in out
    document = json.loads(path.read_text())
    assert list(document) == ["format", "version", "site", "generated_at", "parameters", "min_cell", "conditions"]
    text = path.read_text()
    words = set(re.findall(r"[\w-]+", text))  # whole words: a surname such as "Ray" is inside "Raynaud's"
    for patient in Patient.objects.all():
        assert patient.patient_ref not in words and patient.last_name not in words


def test_a_condition_under_the_minimum_cell_is_withheld_and_counted_as_such_when_pooled(tmp_path):
    paths = _summaries(tmp_path, ["North", "South"], South={"small": "raynauds-phenomenon"})
    south = json.loads((tmp_path / "South.json").read_text())
    assert {"condition": "Raynaud's Phenomenon", "withheld": True} in south["conditions"]
    pooled = json.loads(_run("cohort_pool", *paths, "--format", "json"))
    raynaud = next(meta for meta in pooled["meta_analysis"] if meta["condition"] == "Raynaud's Phenomenon")
    assert (raynaud["sites"], raynaud["withheld"]) == (1, 1)
    assert pooled["sites"][1]["withheld"] == ["Raynaud's Phenomenon"]


def test_a_lower_minimum_cell_shares_the_small_condition(tmp_path):
    _site_patients(1, small="raynauds-phenomenon")
    path = tmp_path / "s.json"
    _run("cohort_summary", str(path), "--site", "South", "--min-cell", "1")
    assert not any(entry["withheld"] for entry in json.loads(path.read_text())["conditions"])


def test_pooling_refuses_summaries_made_with_different_parameters(tmp_path):
    _site_patients(0)
    _run("cohort_summary", str(tmp_path / "a.json"), "--site", "North")
    _run("cohort_summary", str(tmp_path / "b.json"), "--site", "South", "--sessions", "3")
    with pytest.raises(CommandError, match=r"sessions differs \(North: 6; South: 3\)"):
        _run("cohort_pool", str(tmp_path / "a.json"), str(tmp_path / "b.json"))


def test_pooling_names_a_file_that_is_not_a_summary(tmp_path):
    (tmp_path / "notes.json").write_text("not json")
    (tmp_path / "other.json").write_text('{"format": "something"}')
    with pytest.raises(CommandError, match="notes.json is not a JSON file"):
        _run("cohort_pool", str(tmp_path / "notes.json"))
    with pytest.raises(CommandError, match="other.json: This is not a cohort summary"):
        _run("cohort_pool", str(tmp_path / "other.json"))
    with pytest.raises(CommandError, match="Cannot read"):
        _run("cohort_pool", str(tmp_path / "missing.json"))


def test_the_summary_refuses_bad_options(tmp_path):
    with pytest.raises(CommandError, match="--min-cell must be 1 or more"):
        _run("cohort_summary", str(tmp_path / "a.json"), "--min-cell", "0")
    with pytest.raises(CommandError, match="not a date"):
        _run("cohort_summary", str(tmp_path / "a.json"), "--from", "last year")
    with pytest.raises(CommandError, match="--site must be a name"):
        _run("cohort_summary", str(tmp_path / "a.json"), "--site", " ")


def test_the_pooled_table_and_csv_read_like_cohort_tables(tmp_path):
    paths = _summaries(tmp_path, ["North", "South"])
    table = _run("cohort_pool", *paths)
    assert table.startswith("Pooled from 2 sites: North, South.")
    assert "Meta-analysis of Δ SpO₂" in table and "North: Chronic Fatigue Syndrome" in table
    lines = _run("cohort_pool", *paths, "--format", "csv").splitlines()
    assert lines[0].startswith("site,condition,patients,excluded,") and lines[0].endswith(",tau2,q,i2_pct")
    # Pooled rows first, then each condition's site rows in the order the files were given.
    assert [line.split(",")[0] for line in lines[1:]] == ["pooled"] * 3 + ["North", "South"] * 3
