"""Write a synthetic historical-sessions CSV for the import benchmark (run by hand).

    python benchmarks/make_sessions_csv.py /tmp/sessions-1m.csv --patients 100000 --sessions 10

Every row is valid; patient i is always generated the same way, so the file is reproducible.
"""

import argparse
import csv
import datetime as dt
import random

CONDITIONS = [
    "Chronic Fatigue Syndrome",
    "peripheral-artery-disease-mild",
    "Post-COVID Microvascular Dysfunction",
    "Raynaud's Phenomenon",
    "chronic-migraine",
    "Post-Chemotherapy Fatigue",
    "Other",
]
POINTS = ["LI4", "ST36", "SP6", "KI3", "LR3", "PC6", "HT7", "GV20", "SJ5", "LV3", "Ren 6", "du 20"]
CHANGES = ["much_worse", "worse", "same", "better", "much_better", "-1", "0", "1", "2"]
HEADER = [
    "patient_ref",
    "condition",
    "session_number",
    "session_date",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "research_consent",
    "points",
    "needle_gauge_mm",
    "retention_minutes",
    "spo2_pre",
    "spo2_post",
    "pulse_pre",
    "pulse_post",
    "warmth_change",
    "clarity_change",
    "notes",
]


def rows(patients, sessions):
    for index in range(1, patients + 1):
        rng = random.Random(index)
        condition = rng.choice(CONDITIONS)
        first_day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365))
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 50 * 365))
        consent = rng.choice(["yes", "yes", "yes", "no", "1", "true"])
        sex = rng.choice(["female", "male", ""])
        baseline = rng.randint(88, 97)
        for number in range(1, sessions + 1):
            spo2_pre = min(100, baseline + rng.randint(0, 2) * (number > 3))
            yield [
                f"BENCH-{index:07d}",
                condition,
                number,
                (first_day + dt.timedelta(days=7 * (number - 1))).isoformat(),
                "Pat",
                f"Bench{index % 1000}",
                born.isoformat(),
                sex,
                consent,
                "; ".join(rng.sample(POINTS, 3)),
                rng.choice(["0.16", "0.18", "0.20", "0.25"]),
                rng.choice([20, 25, 30]),
                spo2_pre,
                min(100, spo2_pre + rng.randint(0, 2)),
                rng.randint(55, 95),
                rng.randint(50, 90),
                rng.choice(CHANGES),
                rng.choice(CHANGES),
                "Imported from the 2024 spreadsheet" if number == 1 else "",
            ]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    with open(args.path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows(args.patients, args.sessions))


if __name__ == "__main__":
    main()
