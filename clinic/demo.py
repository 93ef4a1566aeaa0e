"""Synthetic demo data: one user per role and patients whose outcomes look like a real clinic's.

Everything made here is marked: patients have `is_demo` set and references `DEMO-000001`…,
users are called `demo-…`. Patient number i is always generated the same way, so running the
command again, or with a larger count, adds only what is missing.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import reset_queries, transaction
from django.utils import timezone

from clinic.lib.roles import CLINIC_LEAD, EDITORS, FRONT_DESK, PRACTITIONERS
from patients.models import Condition, Patient
from protocols.models import Protocol, TreatmentPlan
from protocols.selectors import suggestion_for
from sessions.models import PGIC, PGIC_RANGE, Acupoint, Change, TreatmentSession
from sessions.safety import safety_warnings

DEMO_PASSWORD = "acuflow-demo"  # noqa: S105 - published on purpose, demo users only

# username -> (group, is_staff, display name)
DEMO_USERS = {
    "demo-practitioner": (PRACTITIONERS, False, "Mei Lin"),
    "demo-practitioner-2": (PRACTITIONERS, False, "Tom Hardy"),
    "demo-frontdesk": (FRONT_DESK, True, "Ana Silva"),
    "demo-editor": (EDITORS, True, "Ravi Patel"),
    "demo-lead": (CLINIC_LEAD, True, "Dr Grace Okafor"),
}

# condition slug -> (mean resting baseline SpO₂, mean gain after 6 sessions, typical points)
CONDITION_PROFILES = {
    "chronic-fatigue-syndrome": (94.2, 2.3, ["ST36", "SP6", "KI3", "CV6", "LI4", "HT7", "GV20"]),
    "peripheral-artery-disease-mild": (93.0, 1.5, ["ST36", "SP6", "BL57", "GB34", "LR3", "KI3"]),
    "post-covid-microvascular-dysfunction": (92.8, 2.2, ["LU7", "LU9", "ST36", "PC6", "BL13", "CV17"]),
    "raynauds-phenomenon": (95.0, 1.0, ["LI4", "LR3", "PC6", "TE5", "ST36", "HT7"]),
    "chronic-migraine": (95.0, 0.5, ["GB20", "LI4", "LR3", "TE5", "GV20", "GB41"]),
    "post-chemotherapy-fatigue": (93.5, 1.8, ["ST36", "SP6", "CV4", "KI3", "PC6", "LI11"]),
    "other": (94.5, 0.8, ["ST36", "LI4", "LR3", "PC6"]),
}
CONDITION_WEIGHTS = {
    "chronic-fatigue-syndrome": 22,
    "peripheral-artery-disease-mild": 15,
    "post-covid-microvascular-dysfunction": 20,
    "raynauds-phenomenon": 15,
    "chronic-migraine": 14,
    "post-chemotherapy-fatigue": 10,
    "other": 4,
}
FEMALE_FIRST_NAMES = ["Priya", "Fatima", "Olga", "Lucia", "Aisha", "Hana", "Zara", "Emma", "Mia", "Grace"]
MALE_FIRST_NAMES = ["Kwame", "Noah", "Mateo", "Liam", "Ivan", "Yusuf", "Kenji", "Omar", "Tom", "Ravi"]
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jordan",
    "Priya",
    "Chen",
    "Fatima",
    "Olga",
    "Kwame",
    "Lucia",
    "Noah",
    "Aisha",
    "Mateo",
    "Hana",
    "Liam",
    "Zara",
    "Ivan",
    "Emma",
    "Yusuf",
    "Mia",
    "Kenji",
]
LAST_NAMES = [
    "Demo-Smith",
    "Demo-Jones",
    "Demo-Nguyen",
    "Demo-Garcia",
    "Demo-Kowalski",
    "Demo-Okoro",
    "Demo-Tanaka",
    "Demo-Rossi",
    "Demo-Haddad",
    "Demo-Murphy",
    "Demo-Novak",
    "Demo-Silva",
]
FIRST_NAMES_BY_SEX = {
    Patient.Sex.FEMALE: FEMALE_FIRST_NAMES,
    Patient.Sex.MALE: MALE_FIRST_NAMES,
    Patient.Sex.UNDISCLOSED: FIRST_NAMES,
}
CHANGES_BY_SCORE = [Change.MUCH_WORSE, Change.WORSE, Change.SAME, Change.BETTER, Change.MUCH_BETTER]
SESSION_COUNT_WEIGHTS = [5, 5, 6, 7, 8, 10, 12, 14, 15, 18]  # for 1..10 sessions
# Each safety flag's rate by age: (up to this age, share of patients), in rising order. Pregnancy is
# drawn for women only and only in the years it is plausible; blood thinners and pacemakers rise with
# age. The rates are a little above a general population's, so that the default 120 show each flag.
FLAG_RATES = {
    "pregnant": [(17, 0.0), (45, 0.10), (200, 0.0)],
    "blood_thinners": [(39, 0.01), (59, 0.04), (74, 0.12), (200, 0.20)],
    "bleeding_disorder": [(200, 0.01)],
    "implanted_device": [(59, 0.003), (74, 0.03), (200, 0.07)],
    "metal_allergy": [(200, 0.04)],
    "needle_phobia": [(39, 0.08), (200, 0.04)],
    "reduced_sensation": [(59, 0.02), (200, 0.06)],
    "immunocompromised": [(200, 0.03)],
}
# Of the patients whose condition has a demo protocol, the share on a plan made from it.
PLANNED_SHARE = 0.6
GAUGES = [Decimal("0.16"), Decimal("0.18"), Decimal("0.20"), Decimal("0.22"), Decimal("0.25")]


def demo_ref(index):
    return f"DEMO-{index:06d}"


def demo_users_create():
    """Create the demo users that are missing; return their usernames, role and whether new."""
    created = []
    for username, (group_name, is_staff, display_name) in DEMO_USERS.items():
        first_name, _, last_name = display_name.rpartition(" ")
        user, is_new = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": is_staff,
                "email": f"{username}@example.org",
            },
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=group_name))
        created.append((username, group_name, is_new))
    return created


def _clip(value, low, high):
    return max(low, min(high, value))


def _demo_pgic(rng, chance_better):
    """A PGIC answer, better (lower) for patients likelier to report improvement; not asked one time in five."""
    if rng.random() < 0.2:
        return {}
    return {PGIC: round(_clip(rng.gauss(5.2 - 3.5 * chance_better, 1.0), *PGIC_RANGE))}


def _change(rng, chance_better):
    if rng.random() < chance_better:
        return CHANGES_BY_SCORE[4] if rng.random() < 0.3 else CHANGES_BY_SCORE[3]
    return CHANGES_BY_SCORE[1] if rng.random() < 0.1 else CHANGES_BY_SCORE[2]


def _age(date_of_birth, today):
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


def _by_age(age, rates):
    """Return the rate for `age` from `rates`, (upper age, rate) pairs in rising order."""
    return next(rate for upper, rate in rates if age <= upper)


def _safety_flags(rng, sex, age, condition_slug):
    """Draw the safety screen of a person of `sex` and `age` with `condition_slug`, at plausible rates.

    Every flag is drawn for everyone, whether it can apply or not, so that later draws (and so every
    demo patient) stay the same whatever the earlier ones gave.
    """
    draws = {flag: rng.random() for flag in FLAG_RATES}
    rates = {flag: _by_age(age, by_age) for flag, by_age in FLAG_RATES.items()}
    if sex != Patient.Sex.FEMALE:
        rates["pregnant"] = 0.0
    if condition_slug == "peripheral-artery-disease-mild":
        rates["reduced_sensation"] = 0.3
    return {flag: draws[flag] < rates[flag] for flag in FLAG_RATES}


def _demo_patient(index, conditions, practitioners, now, course, sessions_each=None):
    """Return (Patient, plan fields or None, [session field dicts]) for demo patient `index`; points are Acupoints.

    `course` is a DemoCourse: the catalogue and each condition's protocol. `sessions_each` fixes the
    number of sessions (for scale tests); by default it is drawn 1–10. A patient whose condition has
    a protocol is usually on a plan suggested for them by it (the same safety rules as the workspace);
    their sessions follow the plan, now and then with a point more or less. Points the safety rules
    caution against for this patient are mostly left out; kept, the session stores the acknowledgement
    the session form would have asked for, as it does for a bleeding risk.
    """
    rng = random.Random(f"acuflow-demo-{index}")
    slug = rng.choices(list(CONDITION_WEIGHTS), weights=list(CONDITION_WEIGHTS.values()))[0]
    baseline_mean, gain_mean, point_pool = CONDITION_PROFILES[slug]
    session_count = rng.choices(range(1, 11), weights=SESSION_COUNT_WEIGHTS)[0]
    session_count = sessions_each or session_count
    first_day = now - timedelta(days=rng.randint(10 * session_count + 5, 720), hours=rng.randint(0, 8))
    consent = rng.random() < 0.85
    date_of_birth = (now - timedelta(days=rng.randint(25 * 365, 80 * 365))).date()
    sex = rng.choice([Patient.Sex.FEMALE, Patient.Sex.FEMALE, Patient.Sex.MALE, Patient.Sex.UNDISCLOSED])
    patient = Patient(
        patient_ref=demo_ref(index),
        first_name=rng.choice(FIRST_NAMES_BY_SEX[sex]),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=date_of_birth,
        sex=sex,
        email=f"demo.patient{index}@example.org",
        phone=f"+44 7700 9{index % 100000:05d}",
        condition=conditions[slug],
        practitioner=practitioners[index % len(practitioners)] if practitioners else None,
        status=Patient.Status.DISCHARGED if session_count >= 9 else Patient.Status.ACTIVE,
        **_safety_flags(rng, sex, _age(date_of_birth, first_day.date()), slug),
        contact_consent=True,
        contact_consent_at=first_day - timedelta(days=3),
        research_consent=consent,
        research_consent_at=first_day - timedelta(days=3) if consent else None,
        is_demo=True,
    )
    protocol = course.protocols.get(slug)
    suggestion = None
    if protocol is not None and rng.random() < PLANNED_SHARE:
        suggestion = suggestion_for(patient=patient, protocol=protocol, points=course.protocol_points[protocol.pk])
    baseline = rng.gauss(baseline_mean, 1.1)
    # The cohort Δ compares session N after treatment with session 1 before it, so part of the
    # gain is the acute effect within a session (0–1 point) and part builds up over the course.
    course_gain = rng.gauss(gain_mean - 0.5, 1.0)
    chance_better = _clip(0.35 + 0.15 * course_gain, 0.05, 0.95)
    # PGIC from a generator of its own, so the draws above (and every existing demo figure) stay the same.
    pgic_rng = random.Random(f"pgic-{patient.patient_ref}")
    sessions = []
    for number in range(1, session_count + 1):
        # Resting readings below 90 % are rare, and shown for follow-up like real ones.
        spo2_pre = round(_clip(baseline + course_gain * min(number - 1, 5) / 5 + rng.gauss(0, 0.6), 87, 100))
        spo2_post = min(100, spo2_pre + rng.choice([0, 0, 1, 1]))
        pulse_pre = round(_clip(rng.gauss(74, 9), 45, 120))
        if suggestion is not None:
            points = _as_planned(rng, suggestion.points, course.points(point_pool))
            gauge, retention = protocol.needle_gauge_mm, protocol.retention_minutes
        else:
            points = rng.sample(course.points(point_pool), k=min(len(point_pool), rng.randint(3, 5)))
            gauge, retention = rng.choice(GAUGES), rng.choice([20, 20, 25, 30])
        points, acknowledged = _points_as_the_safety_rules_allow(rng, patient, points)
        sessions.append(
            {
                "number": number,
                "started_at": first_day + timedelta(days=7 * (number - 1) + rng.randint(-1, 2)),
                "needle_gauge_mm": gauge,
                "retention_minutes": retention,
                # A few readings were never taken: these patients show up as exclusions.
                "spo2_pre": None if rng.random() < 0.02 else spo2_pre,
                "spo2_post": None if rng.random() < 0.02 else spo2_post,
                "pulse_pre": pulse_pre,
                "pulse_post": pulse_pre - rng.randint(0, 6),
                "warmth_change": _change(rng, chance_better) if number > 1 else Change.SAME,
                "clarity_change": _change(rng, chance_better) if number > 1 else Change.SAME,
                "adverse_events": ["bruising"] if rng.random() < 0.04 else [],
                "safety_acknowledgement": acknowledged,
                "instrument_answers": _demo_pgic(pgic_rng, chance_better) if number > 1 else {},
                "notes": "Demo session (synthetic data).",
                "points": points,
            }
        )
    plan = None
    if suggestion is not None:
        plan = {
            "protocol": protocol,
            "protocol_version": protocol.version,
            "planned_sessions": protocol.planned_sessions,
            "interval_days": protocol.interval_days,
            "needle_gauge_mm": protocol.needle_gauge_mm,
            "retention_minutes": protocol.retention_minutes,
            "electrostimulation": suggestion.electrostimulation,
            "first_session_number": 1,
            "removed_points": suggestion.removed_points,
            "cautions": suggestion.cautions,
            "confirmed_at": first_day - timedelta(hours=1),
            "points": suggestion.points,
        }
    return patient, plan, sessions


def _as_planned(rng, planned, pool):
    """Return the plan's points for one session: usually as planned, now and then one more or one less."""
    points = list(planned)
    roll = rng.random()
    if roll < 0.1 and len(points) > 2:
        points.remove(rng.choice(points))
    elif roll < 0.2:
        extra = [point for point in pool if point not in points]
        if extra:
            points.append(rng.choice(extra))
    return points


def _points_as_the_safety_rules_allow(rng, patient, points):
    """Return (points, acknowledgement) for needling `patient`, as a careful practitioner logs it.

    Points the safety rules caution against for this patient are left out four times in five;
    otherwise (and for a warning about any needling) the session stores the acknowledgement, the
    warnings' sentences, that the session form asks for.
    """
    warnings = safety_warnings(patient=patient, points=points)
    cautioned = {code for warning in warnings for code in warning.points}
    if cautioned and rng.random() < 0.8:
        points = [point for point in points if point.code not in cautioned]
        warnings = safety_warnings(patient=patient, points=points)
    return points, "\n".join(warning.sentence for warning in warnings)


class DemoCourse:
    """What demo sessions are made of, read once per run: the catalogue and each condition's protocol."""

    def __init__(self):
        self.by_code = {point.code: point for point in Acupoint.objects.all()}
        self.protocols = {}
        self.protocol_points = {}
        for protocol in Protocol.objects.filter(is_active=True).prefetch_related("conditions", "points"):
            self.protocol_points[protocol.pk] = sorted(protocol.points.all(), key=lambda point: point.position)
            for condition in protocol.conditions.all():
                self.protocols.setdefault(condition.slug, protocol)

    def points(self, codes):
        return [self.by_code[code] for code in codes]


def demo_patients_create(*, count, sessions_each=None, batch_size=1000, progress=None):
    """Create demo patients 1…`count` that do not exist yet, with their plans and sessions.

    Each has 1–10 sessions, or exactly `sessions_each`. Return (patients created, sessions created).
    Each batch is written in one transaction with bulk inserts; `progress` (a clinic.lib.progress.Progress)
    is advanced per patient.
    """
    conditions = {condition.slug: condition for condition in Condition.objects.all()}
    practitioners = list(
        User.objects.filter(username__in=["demo-practitioner", "demo-practitioner-2"]).order_by("username")
    )
    course = DemoCourse()
    SessionPoint, PlanPoint = TreatmentSession.points.through, TreatmentPlan.points.through
    now = timezone.now()
    made_patients = made_sessions = 0
    for start in range(1, count + 1, batch_size):
        indexes = range(start, min(start + batch_size, count + 1))
        existing = set(
            Patient.objects.filter(patient_ref__in=[demo_ref(i) for i in indexes]).values_list("patient_ref", flat=True)
        )
        generated = [
            _demo_patient(i, conditions, practitioners, now, course, sessions_each)
            for i in indexes
            if demo_ref(i) not in existing
        ]
        with transaction.atomic():
            Patient.objects.bulk_create([patient for patient, _, _ in generated])
            plans, plan_points, sessions, session_points = [], [], [], []
            for patient, plan, session_rows in generated:
                if plan is not None and patient.practitioner is not None:
                    plan_points.append(plan.pop("points"))
                    plans.append(TreatmentPlan(patient=patient, confirmed_by=patient.practitioner, **plan))
                for row in session_rows:
                    session_points.append(row.pop("points"))
                    sessions.append(TreatmentSession(patient=patient, practitioner=patient.practitioner, **row))
            TreatmentPlan.objects.bulk_create(plans, batch_size=5000)
            TreatmentSession.objects.bulk_create(sessions, batch_size=5000)
            PlanPoint.objects.bulk_create(
                [
                    PlanPoint(treatmentplan_id=plan.pk, acupoint_id=point.pk)
                    for plan, points in zip(plans, plan_points, strict=True)
                    for point in points
                ],
                batch_size=10000,
            )
            SessionPoint.objects.bulk_create(
                [
                    SessionPoint(treatmentsession_id=session.pk, acupoint_id=point.pk)
                    for session, points in zip(sessions, session_points, strict=True)
                    for point in points
                ],
                batch_size=10000,
            )
        # With DEBUG on, Django keeps every query's SQL: drop it, or memory grows with the batches.
        reset_queries()
        made_patients += len(generated)
        made_sessions += len(sessions)
        if progress:
            progress.advance(len(indexes))
    return made_patients, made_sessions
