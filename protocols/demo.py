"""Demo protocols: one standard course per condition, for seed_demo."""

from decimal import Decimal

from patients.models import Condition
from protocols.models import Protocol
from sessions.models import Acupoint

# slug -> (name, condition slugs, sessions, interval days, points, public description)
DEMO_PROTOCOLS = {
    "fatigue-restore": (
        "Fatigue restore course",
        ["chronic-fatigue-syndrome", "post-chemotherapy-fatigue"],
        8,
        7,
        ["ST36", "SP6", "KI3", "CV6", "LI4", "GV20"],
        "Usually eight weekly sessions of about 45 minutes. Fine needles rest for 20–25 minutes while you lie "
        "comfortably; we measure your oxygen saturation and pulse before and after each visit.",
    ),
    "circulation-lower-limb": (
        "Lower-limb circulation course",
        ["peripheral-artery-disease-mild"],
        6,
        7,
        ["ST36", "SP6", "BL57", "GB34", "LR3"],
        "Usually six weekly sessions focused on the legs and feet, alongside the walking programme your "
        "doctor recommends.",
    ),
    "post-covid-recovery": (
        "Post-COVID recovery course",
        ["post-covid-microvascular-dysfunction"],
        8,
        7,
        ["LU7", "LU9", "ST36", "PC6", "CV17"],
        "Usually eight weekly sessions of about 45 minutes, paced to your energy on the day.",
    ),
    "warm-hands": (
        "Warm hands course",
        ["raynauds-phenomenon"],
        6,
        7,
        ["LI4", "LR3", "PC6", "TE5", "ST36"],
        "Usually six weekly sessions, best started before the cold season.",
    ),
    "migraine-prevention": (
        "Migraine prevention course",
        ["chronic-migraine"],
        6,
        7,
        ["GB20", "LI4", "LR3", "TE5", "GV20"],
        "Usually six weekly sessions, then monthly; keep your headache diary so we can see what changes.",
    ),
}


def demo_protocols_create():
    """Create the demo protocols that are missing; return how many were created."""
    created = 0
    for slug, (name, condition_slugs, sessions, interval, codes, description) in DEMO_PROTOCOLS.items():
        if Protocol.objects.filter(slug=slug).exists():
            continue
        protocol = Protocol.objects.create(
            slug=slug,
            name=name,
            planned_sessions=sessions,
            interval_days=interval,
            needle_gauge_mm=Decimal("0.20"),
            retention_minutes=25,
            public_description=description,
            practitioner_notes="Demo protocol (synthetic).",
        )
        protocol.conditions.set(Condition.objects.filter(slug__in=condition_slugs))
        protocol.points.set(Acupoint.objects.filter(code__in=codes))
        created += 1
    return created
