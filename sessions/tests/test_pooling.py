"""Pooling summaries: exact sums, a hand-computed random-effects example, summaries refused (no database)."""

import copy
import datetime as dt
import math
from fractions import Fraction

import pytest

from sessions.outcomes import CohortTotals, cohort_row
from sessions.pooling import (
    MetaAnalysis,
    SummaryInvalid,
    meta_analysis,
    meta_row,
    pool,
    site_effect,
    summary_document,
    summary_read,
)

PARAMETERS = {"sessions": 6, "reading": "post", "from": None, "to": None, "all_patients": False, "protocol": None}
GENERATED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _totals(condition, deltas, *, baseline=92, excluded=0, lost=0, improved=0, pgic=()):
    """CohortTotals of patients with these Δs, each from `baseline`; `pgic` the session-N answers given."""
    return CohortTotals(
        condition=condition,
        cohort=len(deltas) + excluded,
        patients=len(deltas),
        sum_baseline=baseline * len(deltas),
        sum_followup=sum(baseline + d for d in deltas),
        sum_delta=sum(deltas),
        sum_delta_squared=sum(d * d for d in deltas),
        improved=improved,
        sum_delta_improved=0,
        lost_to_followup=lost,
        pgic_answered=len(pgic),
        pgic_responders=sum(1 for answer in pgic if answer in (1, 2)),
    )


def _summary(site, totals, *, min_cell=5, **parameters):
    document = summary_document(
        totals=totals, parameters={**PARAMETERS, **parameters}, site=site, min_cell=min_cell, generated_at=GENERATED
    )
    return document


def test_a_summary_holds_sums_only_and_withholds_small_conditions():
    document = _summary(
        "North",
        [
            _totals("Chronic Migraine", [1, 2, 3, 0, 4], excluded=2, lost=3, improved=2, pgic=[1, 2, 5]),
            _totals("Other", [1]),
        ],
    )
    assert document["site"] == "North" and document["parameters"] == PARAMETERS and document["min_cell"] == 5
    migraine, other = document["conditions"]
    assert migraine == {
        "condition": "Chronic Migraine",
        "withheld": False,
        "patients": 5,
        "excluded": 2,
        "lost_to_followup": 3,
        "sum_baseline": 460,
        "sum_followup": 470,
        "sum_delta": 10,
        "sum_delta_squared": 30,
        "improved": 2,
        "pgic_answered": 3,
        "pgic_responders": 2,
    }
    assert other == {"condition": "Other", "withheld": True}


def test_pooled_sums_give_the_row_of_one_clinic_holding_every_patient():
    north = [1, 2, 3, 0, 4]
    south = [2, 2, 5, -1, 3, 1]
    pooled = pool(
        [
            summary_read(
                _summary("North", [_totals("Chronic Migraine", north, excluded=1, lost=2, improved=3, pgic=[1, 3])])
            ),
            summary_read(_summary("South", [_totals("Chronic Migraine", south, lost=1, improved=4, pgic=[2, 2, 7])])),
        ]
    )
    one_clinic = cohort_row(
        _totals("Chronic Migraine", north + south, excluded=1, lost=3, improved=7, pgic=[1, 3, 2, 2, 7])
    )
    assert pooled.rows == [one_clinic]
    assert one_clinic["pgic_responder_pct"] == 60 and one_clinic["lost_to_followup"] == 3
    assert [row["site"] for row in pooled.site_rows] == ["North", "South"]
    assert pooled.site_rows[0]["patients"] == 5


def test_the_fixed_and_random_effects_estimates_match_a_hand_computed_example():
    # Sites with mean Δ 1, 2, 4 and variances of the mean 0.5, 0.25, 1.
    # Fixed: w = 2, 4, 1; Σw = 7; estimate (2 + 8 + 4) / 7 = 2; SE √(1/7) = 0.37796.
    # Q = 2(1-2)² + 4(0)² + 1(4-2)² = 6, df = 2; C = 7 - (4 + 16 + 1)/7 = 4; τ² = (6 - 2)/4 = 1.
    # Random: w* = 1/1.5, 1/1.25, 1/2 = 2/3, 4/5, 1/2; Σw* = 59/30; Σw*d = 64/15; estimate 128/59 = 2.16949;
    # SE √(30/59) = 0.71307. I² = (6 - 2)/6 = 66.7%.
    meta = meta_analysis([(1, Fraction(1, 2)), (2, Fraction(1, 4)), (4, 1)])
    assert meta.sites == 3
    assert meta.fixed == pytest.approx(2.0)
    assert meta.fixed_ci95 == pytest.approx((2 - 1.959964 * 0.377964, 2 + 1.959964 * 0.377964), abs=1e-5)
    assert meta.q == pytest.approx(6.0)
    assert meta.tau2 == pytest.approx(1.0)
    assert meta.random == pytest.approx(128 / 59)
    assert meta.random_ci95 == pytest.approx((128 / 59 - 1.959964 * 0.713074, 128 / 59 + 1.959964 * 0.713074), abs=1e-5)
    assert meta.i2 == pytest.approx(2 / 3)


def test_homogeneous_sites_have_no_between_site_variance():
    meta = meta_analysis([(2, Fraction(1, 2)), (2, Fraction(1, 4))])
    assert meta.tau2 == 0 and meta.i2 == 0 and meta.random == pytest.approx(meta.fixed) == pytest.approx(2)


def test_one_site_gives_a_fixed_effect_only_and_none_gives_nothing():
    assert meta_analysis([(3, Fraction(1, 2))]) == MetaAnalysis(
        sites=1, fixed=3.0, fixed_ci95=pytest.approx((3 - 1.959964 * math.sqrt(0.5), 3 + 1.959964 * math.sqrt(0.5)))
    )
    assert meta_analysis([]) == MetaAnalysis(sites=0)


def test_a_sites_effect_is_its_mean_and_the_variance_of_that_mean_from_the_sums():
    # Δ 1, 2, 3, 0, 4: mean 2, sample variance 10/4 = 2.5, variance of the mean 0.5.
    assert site_effect(_totals("X", [1, 2, 3, 0, 4])) == (2, Fraction(1, 2))
    assert site_effect(_totals("X", [3])) is None
    assert site_effect(_totals("X", [2, 2, 2])) is None  # no spread: no finite weight


def test_the_meta_analysis_counts_sites_and_withheld_cells_per_condition():
    pooled = pool(
        [
            summary_read(_summary("North", [_totals("Chronic Migraine", [1, 2, 3, 0, 4]), _totals("Other", [1])])),
            summary_read(_summary("South", [_totals("Chronic Migraine", [2, 2, 5, -1, 3, 1])])),
            summary_read(_summary("East", [_totals("Chronic Migraine", [1, 2])])),
        ]
    )
    migraine, other = (meta_row(condition) for condition in pooled.conditions)
    assert (migraine["sites"], migraine["withheld"], migraine["sites_in_meta_analysis"]) == (2, 1, 2)
    assert migraine["i2_pct"] is not None and migraine["random_effects"]["ci95"] is not None
    assert (other["sites"], other["withheld"], other["sites_in_meta_analysis"]) == (0, 1, 0)
    assert other["fixed_effect"] == {"delta_spo2": None, "ci95": None}
    assert [row["condition"] for row in pooled.rows] == ["Chronic Migraine"]


def test_summaries_made_with_different_parameters_are_refused_naming_each_difference():
    with pytest.raises(SummaryInvalid) as refused:
        pool(
            [
                summary_read(_summary("North", [], sessions=6)),
                summary_read(_summary("South", [], sessions=8, reading="pre")),
                summary_read(_summary("East", [], sessions=6)),
            ]
        )
    message = str(refused.value)
    assert "sessions differs (North, East: 6; South: 8)" in message
    assert "reading differs (North, East: post; South: pre)" in message


def test_the_same_site_twice_is_refused():
    summary = summary_read(_summary("North", []))
    with pytest.raises(SummaryInvalid, match="North appears more than once"):
        pool([summary, summary])


def _tampered(change):
    document = _summary("North", [_totals("Chronic Migraine", [1, 2, 3, 0, 4], improved=2, pgic=[1, 2])])
    document = copy.deepcopy(document)
    change(document)
    return document


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(format="something-else"), "not a cohort summary"),
        (lambda d: d.update(version=2), "version 2 is not supported"),
        (lambda d: d.update(site=""), "site must be a name"),
        (lambda d: d.update(min_cell=0), "min_cell must be a whole number"),
        (lambda d: d["parameters"].update(sessions=40), "sessions must be a whole number from 2 to 20"),
        (lambda d: d["parameters"].update(reading="during"), "reading must be 'post' or 'pre'"),
        (lambda d: d["parameters"].update(**{"from": "yesterday"}), "from must be a date"),
        (lambda d: d["conditions"][0].update(patients=3), "3 patients is below the summary's own minimum cell"),
        (lambda d: d["conditions"][0].update(patients="5"), "patients must be a whole number"),
        (lambda d: d["conditions"][0].update(sum_baseline=-1), "sum_baseline must be a whole number"),
        (lambda d: d["conditions"][0].update(sum_delta=11), "sum_delta must be sum_followup - sum_baseline"),
        (lambda d: d["conditions"][0].update(sum_delta_squared=1), "sum_delta_squared is too small"),
        (lambda d: d["conditions"][0].update(pgic_responders=3), "cannot exceed"),
        (lambda d: d["conditions"].append(dict(d["conditions"][0])), "Chronic Migraine appears twice"),
        (lambda d: d.update(conditions="all"), "conditions must be a list"),
    ],
)
def test_a_summary_that_could_not_have_been_made_by_cohort_summary_is_refused(change, message):
    with pytest.raises(SummaryInvalid, match=message):
        summary_read(_tampered(change))


def test_a_summary_of_falling_readings_is_read_back_as_written():
    document = _summary("North", [_totals("Chronic Migraine", [-1, -2, 0, -3, 1])])
    [totals] = summary_read(document).totals
    assert totals.sum_delta == -5 and cohort_row(totals)["delta_spo2"] == -1.0
