"""Time the cohort computation and the dashboard against one hand-written SQL query (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/acuflow_bench SECRET_KEY=x ALLOWED_HOSTS=testserver \\
        python benchmarks/outcomes_vs_sql.py

Runs each contender once to warm up, then `--repeat` times (default 7) interleaved, and reports
the median. Checks that the hand-written query (benchmarks/cohort_outcomes.sql) gives the same
numbers as cohort_outcomes().
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from scipy import stats  # noqa: E402

from sessions.models import TreatmentSession  # noqa: E402
from sessions.outcomes import cohort_outcomes  # noqa: E402

HAND_WRITTEN = (Path(__file__).parent / "cohort_outcomes.sql").read_text()


def hand_written_rows():
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN)
        rows = []
        for name, patients, excluded, baseline, followup, delta, mean, sd, improved in cursor.fetchall():
            ci = None
            if patients >= 2:
                half = stats.t.ppf(0.975, patients - 1) * float(sd) / math.sqrt(patients)
                ci = [float(mean) - half, float(mean) + half]
            rows.append([name, patients, excluded, float(baseline), float(followup), float(delta), ci, int(improved)])
        return rows


def round_ci(ci):
    from sessions.outcomes import round_half_away

    return None if ci is None else [round_half_away(ci[0]), round_half_away(ci[1])]


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    sessions = TreatmentSession.objects.count()
    print(f"{sessions:,} sessions, PostgreSQL {connection.pg_version if connection.vendor == 'postgresql' else '-'}")

    ours, theirs = cohort_outcomes(), hand_written_rows()
    mine = [
        [
            r["condition"],
            r["patients"],
            r["excluded"],
            r["baseline_spo2"],
            r["followup_spo2"],
            r["delta_spo2"],
            r["delta_ci95"],
            r["improved_pct"],
        ]
        for r in ours
    ]
    hand = [[*row[:6], round_ci(row[6]), row[7]] for row in theirs]
    assert mine == hand, f"different numbers:\n{mine}\n{hand}"
    print(f"Same numbers from both: {len(mine)} conditions, {sum(r[1] for r in mine):,} patients.")

    lead, _ = User.objects.get_or_create(username="benchmark-lead", defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(lead)
    assert client.get("/admin/outcomes/").status_code == 200

    times = {"cohort_outcomes()": [], "hand-written SQL": [], "dashboard page (GET /admin/outcomes/)": []}
    for _ in range(args.repeat):
        times["cohort_outcomes()"].append(timed(cohort_outcomes)[0])
        times["hand-written SQL"].append(timed(hand_written_rows)[0])
        elapsed, response = timed(lambda: client.get("/admin/outcomes/"))
        assert response.status_code == 200
        times["dashboard page (GET /admin/outcomes/)"].append(elapsed)
    for label, values in times.items():
        median, low, high = (statistics.median(values) * 1000, min(values) * 1000, max(values) * 1000)
        print(f"{label:<40} median {median:7.0f} ms   (min {low:.0f}, max {high:.0f})")
    ratio = statistics.median(times["cohort_outcomes()"]) / statistics.median(times["hand-written SQL"])
    print(f"cohort_outcomes() / hand-written SQL: {ratio:.2f}×")


if __name__ == "__main__":
    main()
