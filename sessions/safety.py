"""Safety warnings from a patient's screen, shown before needling: they ask for an acknowledgement, never block."""

BLEEDING_RISKS = {
    "blood_thinners": "This patient takes blood-thinning medication",
    "bleeding_disorder": "This patient has a bleeding disorder",
}


def needling_warnings(*, patient, points):
    """Return the warnings that apply to needling `points` (Acupoint rows) on `patient`, as sentences.

    An empty list means nothing needs acknowledging. No points means no needling, so no warning.
    """
    points = list(points)
    if not points:
        return []
    warnings = pregnancy_warnings(patient=patient, points=points)
    for field, sentence in BLEEDING_RISKS.items():
        if getattr(patient, field):
            warnings.append(f"{sentence}: any needling carries a higher risk of bleeding and bruising.")
    return warnings


def pregnancy_warnings(*, patient, points):
    """Return the warning about `points` traditionally avoided in pregnancy, as a one-sentence list.

    Empty unless `patient` is flagged pregnant and some of `points` (Acupoint rows) carry the caution.
    """
    if not patient.pregnant:
        return []
    cautions = [point.code for point in sorted(points, key=lambda point: point.position) if point.pregnancy_caution]
    if not cautions:
        return []
    return [
        f"{', '.join(cautions)} {'is' if len(cautions) == 1 else 'are'} traditionally avoided in pregnancy, "
        "and this patient is flagged as pregnant or possibly pregnant."
    ]


def patient_needs_safety_check(patient):
    """True when some points or any needling on `patient` will ask for a safety acknowledgement."""
    return patient.pregnant or any(getattr(patient, field) for field in BLEEDING_RISKS)
