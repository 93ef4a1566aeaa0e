"""The cohort table, checked number by number against a small dataset computed by hand."""

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from patients.tests.factories import ConditionFactory, PatientFactory
from sessions.models import Change
from sessions.outcome_table import outcome_table
from sessions.outcomes import (
    CohortParams,
    cohort_outcomes,
    cohort_report,
    mean_ci95,
    point_biserial,
    round_half_away,
    spearman,
)
from sessions.tests.factories import TreatmentSessionFactory

CFS = "Chronic Fatigue Syndrome"
RAYNAUD = "Raynaud's Phenomenon"
FIRST_DAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _patient(condition_slug, sessions, *, consent=True, first_day=FIRST_DAY):
    """Make a patient with the given sessions: {number: field overrides}."""
    patient = PatientFactory(condition=ConditionFactory(slug=condition_slug), research_consent=consent)
    for number, fields in sessions.items():
        defaults = {"spo2_pre": None, "spo2_post": None, "warmth_change": Change.SAME, "clarity_change": Change.SAME}
        TreatmentSessionFactory(
            patient=patient,
            number=number,
            started_at=first_day + dt.timedelta(days=7 * (number - 1)),
            **{**defaults, **fields},
        )
    return patient


@pytest.fixture
def clinic_data(db):
    """Chronic fatigue: three complete pairs, one without a baseline, one too short, one without consent.

    Raynaud's: one complete pair.
    """
    cfs = "chronic-fatigue-syndrome"
    _patient(cfs, {1: {"spo2_pre": 92}, 6: {"spo2_pre": 94, "spo2_post": 95, "warmth_change": Change.BETTER}})
    _patient(cfs, {1: {"spo2_pre": 94}, 6: {"spo2_pre": 95, "spo2_post": 96}})
    _patient(cfs, {1: {"spo2_pre": 93}, 6: {"spo2_pre": 93, "spo2_post": 93, "clarity_change": Change.MUCH_BETTER}})
    _patient(cfs, {1: {"spo2_pre": None}, 6: {"spo2_pre": 96, "spo2_post": 97}})
    _patient(cfs, {1: {"spo2_pre": 91}, 2: {"spo2_pre": 92, "spo2_post": 93}})
    _patient(cfs, {1: {"spo2_pre": 90}, 6: {"spo2_pre": 97, "spo2_post": 99}}, consent=False)
    _patient("raynauds-phenomenon", {1: {"spo2_pre": 95}, 6: {"spo2_pre": 95, "spo2_post": 96}})


def _row(rows, condition):
    return next(row for row in rows if row["condition"] == condition)


def test_the_cohort_table_matches_the_hand_computed_figures(clinic_data):
    rows = cohort_outcomes()
    # Diffs 3, 2, 0: mean 5/3, variance 7/3, t(0.975, 2) = 4.3027 -> 5/3 ± 3.7946.
    assert rows == [
        {
            "condition": CFS,
            "patients": 3,
            "excluded": 1,
            "baseline_spo2": 93.0,
            "followup_spo2": 94.7,
            "delta_spo2": 1.7,
            "delta_ci95": [-2.1, 5.5],
            "improved_pct": 67,
            # two of three improved
            "pgic_responder_pct": None,
            # the patient whose course stopped at session 2
            "lost_to_followup": 1,
        },
        {
            "condition": RAYNAUD,
            "patients": 1,
            "excluded": 0,
            "baseline_spo2": 95.0,
            "followup_spo2": 96.0,
            "delta_spo2": 1.0,
            "delta_ci95": None,
            "improved_pct": 0,
            "pgic_responder_pct": None,
            "lost_to_followup": 0,
        },
    ]


def test_the_pre_reading_compares_resting_readings_of_session_one_and_n(clinic_data):
    row = _row(cohort_outcomes(reading="pre"), CFS)
    # Diffs 2, 1, 0: mean 1, variance 1, 1 ± 4.3027 / sqrt(3) = 1 ± 2.484.
    assert (row["baseline_spo2"], row["followup_spo2"], row["delta_spo2"]) == (93.0, 94.0, 1.0)
    assert row["delta_ci95"] == [-1.5, 3.5]
    # The patient without a baseline is still excluded.
    assert (row["patients"], row["excluded"]) == (3, 1)


def test_the_cohort_excludes_patients_without_consent_unless_all_patients(clinic_data):
    assert _row(cohort_outcomes(), CFS)["patients"] == 3
    row = _row(cohort_outcomes(all_patients=True), CFS)
    # Adds the diff 99 - 90 = 9: diffs 3, 2, 0, 9.
    assert row["patients"] == 4
    assert row["delta_spo2"] == 3.5
    assert row["baseline_spo2"] == 92.3  # (92 + 94 + 93 + 90) / 4 = 92.25, half away from zero


def test_the_number_of_sessions_chooses_which_session_is_the_follow_up(clinic_data):
    rows = cohort_outcomes(sessions=2)
    # Only the patient whose course stopped at session 2 has one: 93 - 91.
    assert rows == [
        {
            "condition": CFS,
            "patients": 1,
            "excluded": 0,
            "baseline_spo2": 91.0,
            "followup_spo2": 93.0,
            "delta_spo2": 2.0,
            "delta_ci95": None,
            "improved_pct": 0,
            "pgic_responder_pct": None,
            # The four other consenting patients have no session 2 (the one without consent is not counted).
            "lost_to_followup": 4,
        }
    ]


def test_the_date_window_applies_to_session_one_inclusively(clinic_data):
    _patient("raynauds-phenomenon", {1: {"spo2_pre": 90}, 6: {"spo2_post": 94}}, first_day=FIRST_DAY.replace(month=5))
    assert _row(cohort_outcomes(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 2)), RAYNAUD)["patients"] == 1
    assert _row(cohort_outcomes(date_from=dt.date(2026, 5, 2)), RAYNAUD)["patients"] == 1
    assert _row(cohort_outcomes(date_to=dt.date(2026, 5, 1)), RAYNAUD)["patients"] == 1
    assert cohort_outcomes(date_from=dt.date(2026, 3, 3), date_to=dt.date(2026, 5, 1)) == []


def test_the_date_window_uses_the_clinics_local_date(db, settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
    late = dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC)
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}}, first_day=late)
    with timezone.override("Europe/London"):
        assert cohort_outcomes(date_from=dt.date(2026, 7, 1))[0]["patients"] == 1
        assert cohort_outcomes(date_to=dt.date(2026, 6, 30)) == []


def test_rows_are_ordered_by_condition_name_ignoring_case(clinic_data):
    _patient(ConditionFactory(slug="aardvark", name="aardvark fever").slug, {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    _patient(ConditionFactory(slug="zeta", name="Zeta syndrome").slug, {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    assert [row["condition"] for row in cohort_outcomes()] == ["aardvark fever", CFS, RAYNAUD, "Zeta syndrome"]


def test_a_condition_whose_cohort_has_no_complete_pair_has_no_row(db):
    _patient("raynauds-phenomenon", {1: {"spo2_pre": None}, 6: {"spo2_post": 95}})
    assert cohort_outcomes() == []


def test_invalid_parameters_are_refused():
    for bad in [{"sessions": 1}, {"sessions": 21}, {"reading": "during"}]:
        with pytest.raises(ValueError):
            cohort_outcomes(**bad)
    with pytest.raises(ValueError):
        cohort_outcomes(date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 4, 1))


def test_the_computation_takes_the_same_queries_however_many_patients(db, django_assert_num_queries):
    def add(count):
        for _ in range(count):
            _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 3: {"spo2_post": 95}, 6: {"spo2_post": 96}})

    add(2)
    with django_assert_num_queries(1):
        cohort_outcomes()
    with django_assert_num_queries(3):
        cohort_report(CohortParams())
    add(25)
    with django_assert_num_queries(1):
        assert cohort_outcomes()[0]["patients"] == 27
    with django_assert_num_queries(3):
        cohort_report(CohortParams())


def test_published_rows_hide_the_figures_of_rows_with_fewer_than_five_patients(db):
    for _ in range(5):
        _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    for _ in range(4):
        _patient("raynauds-phenomenon", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    cfs, raynaud = outcome_table(cohort_outcomes(), all_patients=False, published=True)
    assert not cfs.suppressed and cfs.cells["patients"] == "5" and cfs.cells["delta_spo2"] == "+3.0"
    assert raynaud.suppressed and raynaud.condition == RAYNAUD and raynaud.values == {}
    assert set(raynaud.figure_cells) == {"fewer than 5"}


def test_the_report_charts_mean_spo2_by_session_for_cohort_patients(clinic_data):
    chart = cohort_report(CohortParams()).chart
    assert list(chart) == [CFS, RAYNAUD]
    session_one, session_six = chart[CFS][0], chart[CFS][-1]
    assert session_one == (1, 93.0, None)  # three baselines; the fourth patient has none
    assert session_six == (6, 94.5, 95.25)  # (94+95+93+96)/4 and (95+96+93+97)/4


def test_the_report_relates_the_change_in_spo2_to_reported_improvement(clinic_data):
    correlation = cohort_report(CohortParams()).correlation
    cfs, raynaud, overall = correlation
    # CFS diffs 3 (improved), 2 (not), 0 (improved): r = -0.189, n = 3 (too few for an interval).
    assert (cfs["label"], cfs["n"], cfs["r_ci95"]) == (CFS, 3, None)
    assert cfs["r"] == pytest.approx(-0.18898, abs=1e-4)
    assert (cfs["mean_delta_improved"], cfs["mean_delta_not_improved"]) == (Fraction(3, 2), Fraction(2))
    assert raynaud["r"] is None  # nobody improved: no correlation to speak of
    assert (overall["label"], overall["n"], overall["improved"]) == ("All conditions", 4, 2)
    assert overall["mean_delta_not_improved"] == Fraction(3, 2)  # diffs 2 and 1


def test_rounding_is_half_away_from_zero_from_the_exact_value():
    assert round_half_away(Fraction(18825, 200)) == 94.1  # 94.125
    assert round_half_away(Fraction(377, 4)) == 94.3  # 94.25, which float rounding makes 94.2
    assert round_half_away(Fraction(-1, 4)) == -0.3
    assert round_half_away(Fraction(25, 2), places=0) == 13
    assert round_half_away(Fraction(200, 3), places=0) == 67


def test_the_confidence_interval_uses_the_t_distribution():
    mean, (low, high) = mean_ci95(count=3, total=5, total_of_squares=13)
    assert mean == Fraction(5, 3)
    assert (low, high) == pytest.approx((-2.1279, 5.4613), abs=1e-4)
    assert mean_ci95(count=1, total=3, total_of_squares=9) == (3, None)


def test_the_point_biserial_interval_uses_fishers_z():
    # x = 1, 2, 3, 4, 5, 6 with y = 0, 0, 0, 1, 1, 1: r = 0.8783, z = atanh(r) ± 1.96 / sqrt(6 - 3).
    r, (low, high) = point_biserial(count=6, sum_x=21, sum_xx=91, sum_y=3, sum_xy=15)
    assert r == pytest.approx(0.87831, abs=1e-4)
    assert (low, high) == pytest.approx((0.2324, 0.9866), abs=1e-4)
    assert point_biserial(count=3, sum_x=3, sum_xx=5, sum_y=0, sum_xy=0) == (None, None)


def _pgic_patient(delta, pgic, *, condition="chronic-fatigue-syndrome", baseline=92):
    return _patient(
        condition,
        {1: {"spo2_pre": baseline}, 6: {"spo2_post": baseline + delta, "instrument_answers": pgic}},
    )


def test_pgic_responders_are_those_answering_1_or_2_among_patients_who_answered(db):
    for delta, answers in [(3, {"pgic": 1}), (2, {"pgic": 2}), (1, {"pgic": 3}), (0, {"pgic": 6}), (0, {})]:
        _pgic_patient(delta, answers)
    # A PGIC at session N of a patient without a baseline counts for nothing: they are excluded.
    _patient("chronic-fatigue-syndrome", {1: {}, 6: {"spo2_post": 95, "instrument_answers": {"pgic": 1}}})
    row = cohort_outcomes()[0]
    assert (row["patients"], row["excluded"]) == (5, 1)
    # 2 of the 4 who answered.
    assert row["pgic_responder_pct"] == 50


def test_a_pgic_answer_at_another_session_than_n_does_not_count(db):
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92, "instrument_answers": {"pgic": 1}}, 6: {"spo2_post": 95}})
    assert cohort_outcomes()[0]["pgic_responder_pct"] is None


def test_loss_to_follow_up_counts_eligible_patients_without_session_n_inside_the_window(db):
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 6: {"spo2_post": 95}})
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}, 2: {"spo2_post": 95}})
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}})
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}}, consent=False)
    _patient("chronic-fatigue-syndrome", {1: {"spo2_pre": 92}}, first_day=FIRST_DAY - dt.timedelta(days=400))
    # A patient with session N but no session 1 is in no cohort, lost or not.
    _patient("chronic-fatigue-syndrome", {6: {"spo2_post": 95}})
    window = {"date_from": FIRST_DAY.date() - dt.timedelta(days=30)}
    assert cohort_outcomes(**window)[0]["lost_to_followup"] == 2
    assert cohort_outcomes(**window, all_patients=True)[0]["lost_to_followup"] == 3


def test_spearmans_rho_relates_the_change_in_spo2_to_pgic_with_ties_given_their_mean_rank(db):
    # Δ 4, 3, 3, 1, 0 and PGIC 1, 2, 1, 4, 3.
    # Ranks of Δ (ascending): 5, 3.5, 3.5, 2, 1; of PGIC: 1.5, 3, 1.5, 5, 4; ρ is Pearson's r of the ranks.
    for delta, pgic in [(4, 1), (3, 2), (3, 1), (1, 4), (0, 3)]:
        _pgic_patient(delta, {"pgic": pgic})
    _pgic_patient(2, {})  # no answer: not in ρ
    report = cohort_report(CohortParams())
    cfs, overall = report.correlation
    x = [5, 3.5, 3.5, 2, 1]
    y = [1.5, 3, 1.5, 5, 4]
    mx, my = sum(x) / 5, sum(y) / 5
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx, syy = sum((a - mx) ** 2 for a in x), sum((b - my) ** 2 for b in y)
    # Both means 3; deviations 2, .5, .5, -1, -2 and -1.5, 0, -1.5, 2, 1: ρ = -7.75 / 9.5 = -0.81579.
    assert (sxy, sxx, syy) == (-7.75, 9.5, 9.5)
    assert cfs["pgic_n"] == 5
    assert cfs["rho"] == pytest.approx(-7.75 / 9.5)
    # z = atanh(-0.81579) = -1.14410; half-width 1.95996 * sqrt(1.06 / 2) = 1.42688.
    assert cfs["rho_ci95"] == pytest.approx((-0.98838, 0.27547), abs=1e-4)
    assert overall["label"] == "All conditions" and overall["rho"] == pytest.approx(cfs["rho"])


def test_overall_rho_ranks_patients_across_conditions(db):
    for delta, pgic in [(4, 1), (1, 3), (0, 4), (2, 2)]:
        _pgic_patient(delta, {"pgic": pgic})
    for delta, pgic in [(5, 2), (3, 5), (1, 6), (2, 7)]:
        _pgic_patient(delta, {"pgic": pgic}, condition="raynauds-phenomenon")
    *_, overall = cohort_report(CohortParams()).correlation
    deltas = [4, 1, 0, 2, 5, 3, 1, 2]
    pgics = [1, 3, 4, 2, 2, 5, 6, 7]
    assert overall["pgic_n"] == 8
    assert overall["rho"] == pytest.approx(_spearman_by_hand(deltas, pgics), abs=1e-9)


def _spearman_by_hand(xs, ys):
    def ranks(values):
        ordered = sorted(values)
        return [ordered.index(v) + 1 + (ordered.count(v) - 1) / 2 for v in values]

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    return cov / (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5


def test_spearman_is_none_without_variation_and_has_no_interval_below_four_patients():
    assert spearman(count=3, sum_x=12, sum_xx=56, sum_y=12, sum_yy=48, sum_xy=48) == (None, None)
    rho, ci = spearman(count=3, sum_x=12, sum_xx=56, sum_y=12, sum_yy=56, sum_xy=56)
    assert rho == pytest.approx(1.0) and ci is None
