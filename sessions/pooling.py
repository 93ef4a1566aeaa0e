"""A registry across clinics that never moves patient rows (docs/design.md, "Beyond one clinic").

Each clinic writes a *summary*: per condition, the integer sums its cohort table is computed from
(sessions.outcomes.CohortTotals). Sums add up, so the pooled table is `cohort_row` of the summed
totals: to the rounding, exactly what one clinic holding every site's patients would compute. On top
of that, the per-site means of Δ are combined by a fixed-effect (inverse-variance) and a
DerSimonian–Laird random-effects meta-analysis, with Cochran's Q and I².

Pure functions: no database, so every figure can be checked by hand.
"""

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from scipy import stats

from sessions.outcome_table import DEFAULT_SESSIONS, PUBLISH_MIN_PATIENTS, SESSIONS_RANGE
from sessions.outcomes import READINGS, CohortTotals, cohort_row, round_half_away

SUMMARY_FORMAT = "acuflow-cohort-summary"
SUMMARY_VERSION = 1
DEFAULT_MIN_CELL = PUBLISH_MIN_PATIENTS
# The cohort parameters a summary records; pooled summaries must agree on every one.
PARAMETER_KEYS = ("sessions", "reading", "from", "to", "all_patients", "protocol")
# A condition's sufficient statistics in a summary, as (key, CohortTotals field).
SUM_KEYS = (
    ("patients", "patients"),
    ("excluded", None),
    ("lost_to_followup", "lost_to_followup"),
    ("sum_baseline", "sum_baseline"),
    ("sum_followup", "sum_followup"),
    ("sum_delta", "sum_delta"),
    ("sum_delta_squared", "sum_delta_squared"),
    ("improved", "improved"),
    ("pgic_answered", "pgic_answered"),
    ("pgic_responders", "pgic_responders"),
)
SITE_NAME_LENGTH = 100
Z_975 = stats.norm.ppf(0.975)


class SummaryInvalid(ValueError):
    """A summary document that cannot be pooled; the message says what is wrong, naming the site."""


# ---------------------------------------------------------------------------------------------
# Writing and reading summaries


def summary_document(*, totals, parameters, site, min_cell, generated_at):
    """Return the summary (a JSON-ready dict) of one clinic's CohortTotals.

    `parameters` has PARAMETER_KEYS (dates as ISO text or None; protocol None when not filtered).
    A condition with fewer than `min_cell` patients is withheld: its name with `"withheld": true`
    and no numbers.
    """
    conditions = []
    for t in totals:
        if t.patients < min_cell:
            conditions.append({"condition": t.condition, "withheld": True})
            continue
        sums = {key: (getattr(t, field) if field else t.cohort - t.patients) for key, field in SUM_KEYS}
        conditions.append({"condition": t.condition, "withheld": False, **sums})
    return {
        "format": SUMMARY_FORMAT,
        "version": SUMMARY_VERSION,
        "site": site,
        "generated_at": generated_at.isoformat(),
        "parameters": {key: parameters.get(key) for key in PARAMETER_KEYS},
        "min_cell": min_cell,
        "conditions": conditions,
    }


@dataclass(frozen=True)
class SiteSummary:
    """A summary as read: `totals` are the conditions shared, `withheld` the names of those withheld."""

    site: str
    generated_at: str
    parameters: dict
    min_cell: int
    totals: tuple
    withheld: tuple


def _whole(value, what, *, signed=False):
    if isinstance(value, bool) or not isinstance(value, int):
        raise SummaryInvalid(f"{what} must be a whole number.")
    if value < 0 and not signed:
        raise SummaryInvalid(f"{what} must be a whole number, 0 or more.")
    return value


def _parameters(given, site):
    if not isinstance(given, dict) or set(given) - set(PARAMETER_KEYS):
        raise SummaryInvalid(f"{site}: parameters must be an object with {', '.join(PARAMETER_KEYS)}.")
    parameters = {key: given.get(key) for key in PARAMETER_KEYS}
    low, high = SESSIONS_RANGE
    sessions = parameters["sessions"] if parameters["sessions"] is not None else DEFAULT_SESSIONS
    if isinstance(sessions, bool) or not isinstance(sessions, int) or not low <= sessions <= high:
        raise SummaryInvalid(f"{site}: sessions must be a whole number from {low} to {high}.")
    parameters["sessions"] = sessions
    parameters["reading"] = parameters["reading"] or "post"
    if parameters["reading"] not in READINGS:
        raise SummaryInvalid(f"{site}: reading must be 'post' or 'pre'.")
    for key in ("from", "to"):
        if parameters[key] is not None:
            try:
                dt.date.fromisoformat(parameters[key])
            except (TypeError, ValueError):
                raise SummaryInvalid(f"{site}: {key} must be a date (YYYY-MM-DD) or null.") from None
    if not isinstance(parameters["all_patients"] or False, bool):
        raise SummaryInvalid(f"{site}: all_patients must be true or false.")
    parameters["all_patients"] = bool(parameters["all_patients"])
    if parameters["protocol"] is not None and not isinstance(parameters["protocol"], str):
        raise SummaryInvalid(f"{site}: protocol must be text or null.")
    return parameters


def _condition_totals(entry, site, min_cell):
    name = entry.get("condition")
    where = f"{site}, {name}"
    # Δ falls as often as it rises: its sum is the one figure that may be negative.
    values = {key: _whole(entry.get(key), f"{where}: {key}", signed=key == "sum_delta") for key, _ in SUM_KEYS}
    n = values["patients"]
    if n < max(min_cell, 1):
        raise SummaryInvalid(f"{where}: {n} patients is below the summary's own minimum cell ({min_cell}).")
    # Readings are whole percentages from 50 to 100: anything else was not made by cohort_summary.
    for key in ("sum_baseline", "sum_followup"):
        if not 50 * n <= values[key] <= 100 * n:
            raise SummaryInvalid(f"{where}: {key} is not possible for {n} readings of 50–100%.")
    if values["sum_delta"] != values["sum_followup"] - values["sum_baseline"]:
        raise SummaryInvalid(f"{where}: sum_delta must be sum_followup - sum_baseline.")
    if values["sum_delta_squared"] * n < values["sum_delta"] ** 2:
        raise SummaryInvalid(f"{where}: sum_delta_squared is too small for sum_delta (not possible).")
    if values["improved"] > n or values["pgic_answered"] > n or values["pgic_responders"] > values["pgic_answered"]:
        raise SummaryInvalid(f"{where}: improved and PGIC counts cannot exceed the patients (or answers) counted.")
    return CohortTotals(
        condition=name,
        cohort=n + values["excluded"],
        patients=n,
        sum_baseline=values["sum_baseline"],
        sum_followup=values["sum_followup"],
        sum_delta=values["sum_delta"],
        sum_delta_squared=values["sum_delta_squared"],
        improved=values["improved"],
        sum_delta_improved=0,  # not shared: only the point-biserial r needs it
        lost_to_followup=values["lost_to_followup"],
        pgic_answered=values["pgic_answered"],
        pgic_responders=values["pgic_responders"],
    )


def summary_read(document):
    """Return the SiteSummary of a parsed summary document. Raise SummaryInvalid saying what is wrong."""
    if not isinstance(document, dict) or document.get("format") != SUMMARY_FORMAT:
        raise SummaryInvalid(f'This is not a cohort summary (expected "format": "{SUMMARY_FORMAT}").')
    if document.get("version") != SUMMARY_VERSION:
        raise SummaryInvalid(
            f"Summary version {document.get('version')!r} is not supported (expected {SUMMARY_VERSION})."
        )
    site = document.get("site")
    if not isinstance(site, str) or not site.strip() or len(site) > SITE_NAME_LENGTH:
        raise SummaryInvalid(f"The summary's site must be a name of 1 to {SITE_NAME_LENGTH} characters.")
    site = site.strip()
    min_cell = document.get("min_cell")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise SummaryInvalid(f"{site}: min_cell must be a whole number, 1 or more.")
    generated_at = document.get("generated_at")
    try:
        dt.datetime.fromisoformat(generated_at)
    except (TypeError, ValueError):
        raise SummaryInvalid(f"{site}: generated_at must be an ISO date-time.") from None
    parameters = _parameters(document.get("parameters"), site)
    entries = document.get("conditions")
    if not isinstance(entries, list):
        raise SummaryInvalid(f"{site}: conditions must be a list.")
    totals, withheld, seen = [], [], set()
    for entry in entries:
        name = entry.get("condition") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise SummaryInvalid(f"{site}: every condition needs a name.")
        if name in seen:
            raise SummaryInvalid(f"{site}: {name} appears twice.")
        seen.add(name)
        if entry.get("withheld") is True:
            withheld.append(name)
        else:
            totals.append(_condition_totals(entry, site, min_cell))
    return SiteSummary(site, generated_at, parameters, min_cell, tuple(totals), tuple(withheld))


def parameter_differences(summaries):
    """Return one message per cohort parameter on which `summaries` disagree (empty when they agree)."""
    differences = []
    for key in PARAMETER_KEYS:
        values = {}
        for summary in summaries:
            values.setdefault(summary.parameters[key], []).append(summary.site)
        if len(values) > 1:
            shown = "; ".join(
                f"{', '.join(sites)}: {value if value is not None else 'none'}" for value, sites in values.items()
            )
            differences.append(f"{key} differs ({shown})")
    return differences


# ---------------------------------------------------------------------------------------------
# Meta-analysis of Δ


def site_effect(totals):
    """Return (mean Δ, variance of that mean) for one site's condition, or None when it cannot be weighted.

    The variance of the mean is s² / n with the sample variance s² from the sums; a site needs at
    least 2 patients and some spread (a zero variance would get an infinite weight).
    """
    n = totals.patients
    if n < 2:
        return None
    variance = Fraction(totals.sum_delta_squared * n - totals.sum_delta**2, n * (n - 1))
    if variance <= 0:
        return None
    return Fraction(totals.sum_delta, n), variance / n


@dataclass(frozen=True)
class MetaAnalysis:
    """Fixed-effect and DerSimonian–Laird random-effects estimates of Δ, unrounded floats.

    None where not computable: every estimate needs a site; tau², Q, I² and the random-effects
    estimate need two.
    """

    sites: int
    fixed: float | None = None
    fixed_ci95: tuple | None = None
    random: float | None = None
    random_ci95: tuple | None = None
    tau2: float | None = None
    q: float | None = None
    i2: float | None = None


def meta_analysis(effects):
    """Return the MetaAnalysis of `effects`, a list of (mean, variance of the mean) per site.

    Fixed effect: weights w = 1/v, estimate Σwd/Σw, SE √(1/Σw). Cochran's Q = Σw(d - fixed)²,
    df = k - 1. DerSimonian–Laird: τ² = max(0, (Q - df) / (Σw - Σw²/Σw)), weights w* = 1/(v + τ²),
    estimate Σw*d/Σw*, SE √(1/Σw*). I² = max(0, (Q - df) / Q), 0 when Q = 0. Intervals: ± 1.96 SE.
    """
    k = len(effects)
    if k == 0:
        return MetaAnalysis(sites=0)
    weights = [1 / float(v) for _, v in effects]
    means = [float(d) for d, _ in effects]
    total_weight = sum(weights)
    fixed = sum(w * d for w, d in zip(weights, means, strict=True)) / total_weight
    fixed_se = math.sqrt(1 / total_weight)
    result = {"sites": k, "fixed": fixed, "fixed_ci95": (fixed - Z_975 * fixed_se, fixed + Z_975 * fixed_se)}
    if k < 2:
        return MetaAnalysis(**result)
    q = sum(w * (d - fixed) ** 2 for w, d in zip(weights, means, strict=True))
    df = k - 1
    c = total_weight - sum(w * w for w in weights) / total_weight
    tau2 = max(0.0, (q - df) / c)
    random_weights = [1 / (float(v) + tau2) for _, v in effects]
    random = sum(w * d for w, d in zip(random_weights, means, strict=True)) / sum(random_weights)
    random_se = math.sqrt(1 / sum(random_weights))
    return MetaAnalysis(
        **result,
        random=random,
        random_ci95=(random - Z_975 * random_se, random + Z_975 * random_se),
        tau2=tau2,
        q=q,
        i2=max(0.0, (q - df) / q) if q > 0 else 0.0,
    )


# ---------------------------------------------------------------------------------------------
# Pooling


@dataclass(frozen=True)
class PooledTable:
    """The pooled cohort rows (cohort_table's keys), the per-site rows, and per condition the
    meta-analysis with the number of sites that shared it and of those that withheld it."""

    parameters: dict
    sites: tuple
    rows: list
    site_rows: list
    conditions: list


def _summed(name, parts):
    fields = [f for f in CohortTotals.__dataclass_fields__ if f != "condition"]
    return CohortTotals(name, *(sum(getattr(part, f) for part in parts) for f in fields))


def _order(name):
    return (name.lower(), name)


def pool(summaries):
    """Return the PooledTable of SiteSummaries. Raise SummaryInvalid when they cannot be pooled:
    none given, two with the same site name, or different cohort parameters (naming each difference)."""
    if not summaries:
        raise SummaryInvalid("Give at least one summary.")
    names = [summary.site for summary in summaries]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise SummaryInvalid(f"Each site may be pooled once: {', '.join(repeated)} appears more than once.")
    differences = parameter_differences(summaries)
    if differences:
        raise SummaryInvalid("The summaries were made with different parameters: " + "; ".join(differences) + ".")
    shared, withheld = {}, {}
    for summary in summaries:
        for totals in summary.totals:
            shared.setdefault(totals.condition, []).append((summary.site, totals))
        for name in summary.withheld:
            withheld[name] = withheld.get(name, 0) + 1
    rows, site_rows, conditions = [], [], []
    for name in sorted(set(shared) | set(withheld), key=_order):
        parts = shared.get(name, [])
        if parts:
            rows.append(cohort_row(_summed(name, [totals for _, totals in parts])))
            site_rows += [{"site": site, **cohort_row(totals)} for site, totals in parts]
        effects = [effect for effect in (site_effect(totals) for _, totals in parts) if effect is not None]
        conditions.append(
            {"condition": name, "sites": len(parts), "withheld": withheld.get(name, 0), "meta": meta_analysis(effects)}
        )
    return PooledTable(
        parameters=summaries[0].parameters,
        sites=tuple(summaries),
        rows=rows,
        site_rows=site_rows,
        conditions=conditions,
    )


def _rounded_ci(ci):
    return [round_half_away(ci[0]), round_half_away(ci[1])] if ci else None


def meta_row(condition):
    """Return a pooled condition's meta-analysis as JSON-ready, rounded values (Δ and CIs to 1 decimal,
    τ² and Q to 2, I² to a whole percent)."""
    meta = condition["meta"]
    return {
        "condition": condition["condition"],
        "sites": condition["sites"],
        "withheld": condition["withheld"],
        "sites_in_meta_analysis": meta.sites,
        "fixed_effect": {"delta_spo2": round_half_away(meta.fixed), "ci95": _rounded_ci(meta.fixed_ci95)},
        "random_effects": {"delta_spo2": round_half_away(meta.random), "ci95": _rounded_ci(meta.random_ci95)},
        "tau2": round_half_away(meta.tau2, places=2),
        "q": round_half_away(meta.q, places=2),
        "i2_pct": round_half_away(100 * meta.i2, places=0) if meta.i2 is not None else None,
    }
