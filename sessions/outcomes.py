"""The cohort outcome computation (docs/design.md, "Cohort outcomes: exact definitions").

The database does the counting: one query per table, whatever the number of sessions, built
from sums of integers (SpO₂ readings are whole percentages), so the means, the variance of the
paired differences and the correlation are computed exactly from those sums. The small pure
functions below do the arithmetic and can be tested without a database.

Rounding rule: means, Δ and the CI bounds are rounded to 1 decimal, and `improved_pct` to a
whole percent, half away from zero (94.25 -> 94.3, -0.25 -> -0.3, 12.5% -> 13%), always from
the unrounded value.
"""

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from django.db import connection, connections, router
from django.utils import timezone
from scipy import stats

from patients.models import Condition, Patient
from sessions.models import IMPROVED, PGIC, PGIC_RESPONDER, TreatmentSession
from sessions.outcome_table import DEFAULT_SESSIONS, SESSIONS_RANGE

# Window dates outside these are typing mistakes (and would overflow the date arithmetic).
WINDOW_DATES = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))
READINGS = {"post": "spo2_post", "pre": "spo2_pre"}
ROW_KEYS = (
    "condition",
    "patients",
    "excluded",
    "baseline_spo2",
    "followup_spo2",
    "delta_spo2",
    "delta_ci95",
    "improved_pct",
    # Added with PGIC; the keys above keep their meaning and order.
    "pgic_responder_pct",
    "lost_to_followup",
)


@dataclass(frozen=True)
class CohortParams:
    """The dashboard's and the command's parameters. Raise ValueError for invalid ones."""

    sessions: int = DEFAULT_SESSIONS
    reading: str = "post"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    all_patients: bool = False
    # A queryset of patients to keep (e.g. those with a plan based on one protocol); None keeps everyone.
    patients: object = None

    def __post_init__(self):
        low, high = SESSIONS_RANGE
        if not isinstance(self.sessions, int) or not low <= self.sessions <= high:
            raise ValueError(f"sessions must be a whole number from {low} to {high}.")
        if self.reading not in READINGS:
            raise ValueError("reading must be 'post' or 'pre'.")
        for day in (self.date_from, self.date_to):
            if day and not WINDOW_DATES[0] <= day <= WINDOW_DATES[1]:
                raise ValueError(f"{day.isoformat()} is not a plausible date: use one from 1900 to 2199.")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("The window's start is after its end.")


# ---------------------------------------------------------------------------------------------
# Pure arithmetic


def round_half_away(value, places=1):
    """Return `value` (int, Fraction or float) rounded half away from zero to `places` decimals."""
    if value is None:
        return None
    exact = Fraction(value)
    scale = 10**places
    magnitude = math.floor(abs(exact) * scale + Fraction(1, 2))
    rounded = Fraction(magnitude if exact >= 0 else -magnitude, scale)
    return int(rounded) if places == 0 else float(rounded)


def mean_ci95(*, count, total, total_of_squares):
    """Return (mean, (low, high)) of `count` values from their sum and sum of squares, unrounded.

    The interval is the two-sided 95% t interval for the mean; it is None when count < 2.
    Integer sums give an exact variance (no cancellation error).
    """
    mean = Fraction(total, count)
    if count < 2:
        return mean, None
    variance = Fraction(total_of_squares * count - total * total, count * (count - 1))
    half_width = stats.t.ppf(0.975, count - 1) * math.sqrt(variance / count)
    return mean, (float(mean) - half_width, float(mean) + half_width)


def point_biserial(*, count, sum_x, sum_xx, sum_y, sum_xy):
    """Return (r, (low, high)) between values x and a 0/1 flag y, from their sums.

    r is Pearson's r (the point-biserial correlation); the 95% interval uses Fisher's z and
    needs count >= 4. r is None when either variable does not vary; the interval is None when
    r is None, |r| = 1 or count < 4.
    """
    spread_x = count * sum_xx - sum_x * sum_x
    spread_y = count * sum_y - sum_y * sum_y
    if count < 2 or spread_x <= 0 or spread_y <= 0:
        return None, None
    r = (count * sum_xy - sum_x * sum_y) / math.sqrt(spread_x * spread_y)
    r = max(-1.0, min(1.0, r))
    if count < 4 or abs(r) == 1.0:
        return r, None
    z, z_half_width = math.atanh(r), stats.norm.ppf(0.975) / math.sqrt(count - 3)
    return r, (math.tanh(z - z_half_width), math.tanh(z + z_half_width))


def spearman(*, count, sum_x, sum_xx, sum_y, sum_yy, sum_xy):
    """Return (rho, (low, high)) from the sums of two variables' ranks (ties given their mean rank).

    rho is Pearson's r of the ranks, i.e. Spearman's rank correlation; the sums may be of doubled
    ranks (whole numbers), which leaves rho unchanged. The 95% interval uses Fisher's z with the
    standard error sqrt(1.06 / (n - 3)) (Fieller, Hartley and Pearson, 1957) and needs count >= 4.
    rho is None when either variable does not vary; the interval is None when rho is None,
    |rho| = 1 or count < 4.
    """
    spread_x = count * sum_xx - sum_x * sum_x
    spread_y = count * sum_yy - sum_y * sum_y
    if count < 2 or spread_x <= 0 or spread_y <= 0:
        return None, None
    rho = max(-1.0, min(1.0, (count * sum_xy - sum_x * sum_y) / math.sqrt(spread_x * spread_y)))
    if count < 4 or abs(rho) == 1.0:
        return rho, None
    z, z_half_width = math.atanh(rho), stats.norm.ppf(0.975) * math.sqrt(1.06 / (count - 3))
    return rho, (math.tanh(z - z_half_width), math.tanh(z + z_half_width))


def cohort_row(totals):
    """Return the cohort row (ROW_KEYS, rounded) for one condition's `CohortTotals`."""
    n = totals.patients
    mean_delta, ci = mean_ci95(count=n, total=totals.sum_delta, total_of_squares=totals.sum_delta_squared)
    responders = totals.pgic_responders
    return {
        "condition": totals.condition,
        "patients": n,
        "excluded": totals.cohort - n,
        "baseline_spo2": round_half_away(Fraction(totals.sum_baseline, n)),
        "followup_spo2": round_half_away(Fraction(totals.sum_followup, n)),
        "delta_spo2": round_half_away(mean_delta),
        "delta_ci95": [round_half_away(ci[0]), round_half_away(ci[1])] if ci else None,
        "improved_pct": round_half_away(Fraction(100 * totals.improved, n), places=0),
        "pgic_responder_pct": (
            round_half_away(Fraction(100 * responders, totals.pgic_answered), places=0)
            if totals.pgic_answered
            else None
        ),
        "lost_to_followup": totals.lost_to_followup,
    }


# ---------------------------------------------------------------------------------------------
# Database


@dataclass(frozen=True)
class CohortTotals:
    """Integer sums over one condition's cohort; `patients` are those with both readings.

    `cohort` counts patients with sessions 1 and N; `lost_to_followup` those eligible with session
    1 in the window but no session N. `pgic_answered` and `pgic_responders` (PGIC 1 or 2) are among
    `patients`, at session N. Sums over several sites add up to the sums of their union.
    """

    condition: str
    cohort: int
    patients: int
    sum_baseline: int
    sum_followup: int
    sum_delta: int
    sum_delta_squared: int
    improved: int
    sum_delta_improved: int
    lost_to_followup: int = 0
    pgic_answered: int = 0
    pgic_responders: int = 0


def _reading_cursor():
    """A cursor on the database Django's router picks for reading sessions: the read replica inside
    clinic.lib.replica.replica_reads() (the dashboard, cohort_table), else the primary."""
    return connections[router.db_for_read(TreatmentSession)].cursor()


def _window(date_from, date_to):
    """Return SQL conditions and parameters keeping session 1 inside the local-date window."""
    conditions, params = [], []
    tz = timezone.get_default_timezone()
    if date_from:
        start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), tz)
        conditions.append("s1.started_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(start))
    if date_to:
        end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), tz)
        conditions.append("s1.started_at < %s")
        params.append(connection.ops.adapt_datetimefield_value(end))
    return conditions, params


def _cohort_pairs_sql(params, extra_join="", *, with_lost=False):
    """Return (FROM … WHERE … SQL, parameters) joining each cohort patient's sessions 1 and N.

    Aliases: s1 (session 1), sn (session N), p (patient), c (condition); `extra_join` is added
    after them. With `with_lost`, patients without a session N are kept too, with sn's columns NULL.
    """
    q = connection.ops.quote_name
    where = ["s1.number = 1"]
    values = [params.sessions]
    if not params.all_patients:
        where.append(f"p.{q('research_consent')} = %s")
        values.append(True)
    window, window_values = _window(params.date_from, params.date_to)
    where += window
    values += window_values
    if params.patients is not None:
        kept, kept_values = params.patients.order_by().values("pk").query.get_compiler(connection=connection).as_sql()
        where.append(f"p.id IN ({kept})")
        values += kept_values
    sql = f"""
        FROM {q(TreatmentSession._meta.db_table)} s1
        {"LEFT JOIN" if with_lost else "JOIN"} {q(TreatmentSession._meta.db_table)} sn
            ON sn.patient_id = s1.patient_id AND sn.number = %s
        JOIN {q(Patient._meta.db_table)} p ON p.id = s1.patient_id
        JOIN {q(Condition._meta.db_table)} c ON c.id = p.condition_id
        {extra_join}
        WHERE {" AND ".join(where)}
    """
    return sql, values


def pgic_sql(session_alias):
    """SQL for the PGIC answer (an integer, NULL when not asked) of the session aliased `session_alias`."""
    column = f"{session_alias}.instrument_answers"
    if connection.vendor == "postgresql":
        return f"CAST({column} ->> '{PGIC}' AS integer)"
    return f"json_extract({column}, '$.{PGIC}')"


def cohort_totals(params):
    """Return a CohortTotals per condition with at least one patient, ordered by condition name.

    One query whatever the data size.
    """
    followup = READINGS[params.reading]
    pairs_sql, values = _cohort_pairs_sql(params, with_lost=True)
    improved = ", ".join(["%s"] * len(IMPROVED))
    responder = ", ".join(["%s"] * len(PGIC_RESPONDER))
    # Only column names from READINGS and the instrument code are formatted in; every value is a
    # query parameter.
    sql = f"""
        SELECT name, COUNT(followed_up), COUNT(delta), SUM(baseline), SUM(followup), SUM(delta), SUM(delta * delta),
               SUM(improved), SUM(delta * improved), COUNT(*) - COUNT(followed_up), COUNT(pgic),
               SUM(CASE WHEN pgic IN ({responder}) THEN 1 ELSE 0 END)
        FROM (
            SELECT c.id AS condition_id, c.name AS name, sn.id AS followed_up,
                   CASE WHEN sn.{followup} IS NOT NULL THEN s1.spo2_pre END AS baseline,
                   CASE WHEN s1.spo2_pre IS NOT NULL THEN sn.{followup} END AS followup,
                   sn.{followup} - s1.spo2_pre AS delta,
                   CASE WHEN s1.spo2_pre IS NULL OR sn.{followup} IS NULL THEN NULL
                        WHEN sn.warmth_change IN ({improved}) OR sn.clarity_change IN ({improved}) THEN 1
                        ELSE 0 END AS improved,
                   CASE WHEN s1.spo2_pre IS NOT NULL AND sn.{followup} IS NOT NULL THEN {pgic_sql("sn")} END AS pgic
            {pairs_sql}
        ) pairs
        GROUP BY condition_id, name
        HAVING COUNT(delta) > 0
        ORDER BY LOWER(name), name
    """  # noqa: S608
    with _reading_cursor() as cursor:
        cursor.execute(sql, [*PGIC_RESPONDER, *IMPROVED, *IMPROVED, *values])
        return [CohortTotals(name, *(int(value or 0) for value in sums)) for name, *sums in cursor.fetchall()]


@dataclass(frozen=True)
class RankSums:
    """Sums of doubled mid-ranks of Δ SpO₂ (x) and session-N PGIC (y) over one condition's patients
    with both: `within` ranked inside the condition, `overall` ranked among every condition's patients."""

    condition: str
    count: int
    within: tuple
    overall: tuple


def pgic_rank_sums(params):
    """Return RankSums per condition (ordered by name) for the patients with Δ and a PGIC answer. One query."""
    followup = READINGS[params.reading]
    pairs_sql, values = _cohort_pairs_sql(params)

    def doubled_rank(column, partition):
        # Twice the mean rank of tied values: 2 * RANK + (ties - 1), a whole number.
        by = f"PARTITION BY {partition} " if partition else ""
        ties = f"PARTITION BY {partition + ', ' if partition else ''}{column}"
        return f"(2 * RANK() OVER ({by}ORDER BY {column}) + COUNT(*) OVER ({ties}) - 1)"

    def sums(x, y):
        return f"SUM({x}), SUM({x} * {x}), SUM({y}), SUM({y} * {y}), SUM({x} * {y})"

    sql = f"""
        SELECT name, COUNT(*), {sums("dx", "dy")}, {sums("ax", "ay")}
        FROM (
            SELECT condition_id, name,
                   {doubled_rank("delta", "condition_id")} AS dx, {doubled_rank("pgic", "condition_id")} AS dy,
                   {doubled_rank("delta", "")} AS ax, {doubled_rank("pgic", "")} AS ay
            FROM (
                SELECT c.id AS condition_id, c.name AS name, sn.{followup} - s1.spo2_pre AS delta,
                       {pgic_sql("sn")} AS pgic
                {pairs_sql}
            ) answered
            WHERE delta IS NOT NULL AND pgic IS NOT NULL
        ) ranked
        GROUP BY condition_id, name
        ORDER BY LOWER(name), name
    """  # noqa: S608
    with _reading_cursor() as cursor:
        cursor.execute(sql, values)
        return [
            RankSums(name, count, tuple(int(v) for v in rest[:5]), tuple(int(v) for v in rest[5:]))
            for name, count, *rest in cursor.fetchall()
        ]


def cohort_outcomes(
    *, sessions=DEFAULT_SESSIONS, reading="post", date_from=None, date_to=None, all_patients=False, patients=None
):
    """Return the cohort rows, one dict per condition with patients, ordered by condition name.

    Keys (in this order): condition, patients, excluded, baseline_spo2, followup_spo2, delta_spo2,
    delta_ci95 ([low, high], None when fewer than 2 patients), improved_pct (whole percent),
    pgic_responder_pct (whole percent of patients with a session-N PGIC answer who answered 1 or 2;
    None when none answered), lost_to_followup (eligible patients with session 1 but no session N).
    SpO₂ figures are percentages and Δ is in percentage points, rounded to 1 decimal.
    `date_from`/`date_to` (inclusive) apply to the clinic-local date of session 1. `patients`
    (a Patient queryset) keeps only those patients, e.g. the ones with a plan based on a protocol.
    Raise ValueError for invalid parameters. One database query.
    """
    params = CohortParams(sessions, reading, date_from, date_to, all_patients, patients)
    return [cohort_row(totals) for totals in cohort_totals(params)]


def symptom_correlation(totals, rank_sums=()):
    """Return per-condition and overall rows relating Δ SpO₂ to reported improvement and to PGIC.

    Each row: label, n, r (point-biserial, unrounded), r_ci95, mean_delta_improved,
    mean_delta_not_improved (None when that group is empty), and pgic_n, rho (Spearman's ρ between
    Δ and the session-N PGIC, None when not computable) and rho_ci95, from `rank_sums`
    (pgic_rank_sums). The last row is "All conditions".
    """
    by_condition = {sums.condition: sums for sums in rank_sums}

    def with_rho(row, count, sums):
        rho, rho_ci = spearman(count=count, **dict(zip(RANK_SUM_NAMES, sums, strict=True))) if count else (None, None)
        return {**row, "pgic_n": count, "rho": rho, "rho_ci95": rho_ci}

    def row(label, n, sum_delta, sum_squares, improved, sum_delta_improved):
        r, r_ci = point_biserial(
            count=n, sum_x=sum_delta, sum_xx=sum_squares, sum_y=improved, sum_xy=sum_delta_improved
        )
        not_improved = n - improved
        return {
            "label": label,
            "n": n,
            "r": r,
            "r_ci95": r_ci,
            "improved": improved,
            "not_improved": not_improved,
            "mean_delta_improved": Fraction(sum_delta_improved, improved) if improved else None,
            "mean_delta_not_improved": (
                Fraction(sum_delta - sum_delta_improved, not_improved) if not_improved else None
            ),
        }

    rows = []
    for t in totals:
        sums = by_condition.get(t.condition)
        rows.append(
            with_rho(
                row(t.condition, t.patients, t.sum_delta, t.sum_delta_squared, t.improved, t.sum_delta_improved),
                sums.count if sums else 0,
                sums.within if sums else (),
            )
        )
    if totals:
        shown = [by_condition[t.condition] for t in totals if t.condition in by_condition]
        overall = row(
            "All conditions",
            *(
                sum(getattr(t, name) for t in totals)
                for name in ("patients", "sum_delta", "sum_delta_squared", "improved", "sum_delta_improved")
            ),
        )
        # Sums of the ranks among all conditions add up across conditions.
        overall_sums = tuple(sum(values) for values in zip(*(s.overall for s in shown), strict=True)) if shown else ()
        rows.append(with_rho(overall, sum(s.count for s in shown), overall_sums))
    return rows


RANK_SUM_NAMES = ("sum_x", "sum_xx", "sum_y", "sum_yy", "sum_xy")


def spo2_by_session(params):
    """Return {condition name: [(number, mean before, mean after), … for 1…N]} over cohort patients.

    Means are unrounded floats, None where no reading was taken. One query.
    """
    q = connection.ops.quote_name
    pairs_sql, values = _cohort_pairs_sql(
        params, extra_join=f"JOIN {q(TreatmentSession._meta.db_table)} s ON s.patient_id = s1.patient_id"
    )
    sql = f"""
        SELECT c.name, s.number, SUM(s.spo2_pre), COUNT(s.spo2_pre), SUM(s.spo2_post), COUNT(s.spo2_post)
        {pairs_sql}
          AND s.number <= %s
        GROUP BY c.id, c.name, s.number
        ORDER BY LOWER(c.name), c.name, s.number
    """
    series = {}
    with _reading_cursor() as cursor:
        cursor.execute(sql, [*values, params.sessions])
        # Integer sums and counts: cheaper for the database than AVG over numeric.
        for name, number, sum_before, n_before, sum_after, n_after in cursor.fetchall():
            series.setdefault(name, []).append(
                (number, sum_before / n_before if n_before else None, sum_after / n_after if n_after else None)
            )
    return series


@dataclass(frozen=True)
class CohortReport:
    """Everything the dashboard shows, from four queries."""

    params: CohortParams
    rows: list
    correlation: list
    chart: dict
    # The CohortTotals behind `rows`, for pooling with other clinics' summaries.
    totals: tuple = ()


def cohort_report(params):
    """Return the CohortReport for `params`: table rows, Δ vs reported improvement, SpO₂ by session."""
    totals = cohort_totals(params)
    rows = [cohort_row(t) for t in totals]
    shown = {row["condition"] for row in rows}
    chart = {name: points for name, points in spo2_by_session(params).items() if name in shown}
    correlation = symptom_correlation(totals, pgic_rank_sums(params))
    return CohortReport(params=params, rows=rows, correlation=correlation, chart=chart, totals=tuple(totals))
