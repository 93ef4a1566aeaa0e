"""The safety rules: which of a patient's safety flags matter for which treatment, in one place.

`safety_warnings` judges a patient's flags against the points to be needled and whether
electro-stimulation is used, and returns structured warnings. The session form, the plan
suggestion and form, admin and the demo data all ask it; none of them words a rule of its own.
Needling warnings ask for an acknowledgement and never block; a rule about electro-stimulation
rules it out.
"""

from dataclasses import dataclass

# What a rule looks at in the treatment.
CAUTION_POINTS = "caution_points"  # only points that carry the flag's caution (Acupoint.pregnancy_caution)
ANY_NEEDLING = "any_needling"  # any point at all
ELECTROSTIMULATION = "electrostimulation"  # electro-acupuncture


@dataclass(frozen=True)
class SafetyRule:
    """One safety rule: a patient flag (a Patient field) and the part of a treatment it concerns."""

    code: str
    flag: str
    concerns: str
    what: str  # the flag as the warning names it
    why: str  # the risk, as a sentence without its full stop
    caution: str = ""  # for CAUTION_POINTS: what the points are ("traditionally avoided in pregnancy")
    advice: str = ""  # what to do about it, when there is more to say than the risk

    @property
    def reason(self):
        """Why the rule applies, as a clause without its full stop."""
        return f"{self.caution}, and {self.why}" if self.caution else self.why


BLEEDING_ADVICE = (
    "Use fine needles, shallow insertion and firm pressure after withdrawal, and watch for bruising or bleeding."
)

RULES = (
    SafetyRule(
        code="pregnancy_caution_points",
        flag="pregnant",
        concerns=CAUTION_POINTS,
        what="Pregnant or possibly pregnant",
        caution="traditionally avoided in pregnancy",
        why="this patient is flagged as pregnant or possibly pregnant",
    ),
    SafetyRule(
        code="blood_thinners",
        flag="blood_thinners",
        concerns=ANY_NEEDLING,
        what="Takes blood-thinning medication",
        why="This patient takes blood-thinning medication: any needling carries a higher risk of bleeding and bruising",
        advice=BLEEDING_ADVICE,
    ),
    SafetyRule(
        code="bleeding_disorder",
        flag="bleeding_disorder",
        concerns=ANY_NEEDLING,
        what="Bleeding disorder",
        why="This patient has a bleeding disorder: any needling carries a higher risk of bleeding and bruising",
        advice=BLEEDING_ADVICE,
    ),
    SafetyRule(
        code="implanted_device",
        flag="implanted_device",
        concerns=ELECTROSTIMULATION,
        what="Pacemaker or implanted electrical device",
        why="This patient has a pacemaker or implanted electrical device: electro-stimulation is ruled out",
    ),
)


@dataclass(frozen=True)
class SafetyWarning:
    """A rule that applies to this patient and this treatment.

    `points` are the codes it concerns, in catalogue order: the caution points chosen, or empty
    when it concerns any needling or electro-stimulation.
    """

    rule: SafetyRule
    points: tuple = ()

    @property
    def code(self):
        return self.rule.code

    @property
    def flag(self):
        return self.rule.flag

    @property
    def sentence(self):
        """The warning in one sentence, as the forms show it and the session stores it."""
        if self.rule.concerns != CAUTION_POINTS:
            return f"{self.rule.why}."
        verb = "is" if len(self.points) == 1 else "are"
        return f"{', '.join(self.points)} {verb} {self.rule.reason}."

    def __str__(self):
        return self.sentence


def rules_for(*, patient):
    """Return the rules whose flag is set on `patient`, in RULES order: what the safety screen asks about."""
    return [rule for rule in RULES if getattr(patient, rule.flag)]


def safety_warnings(*, patient, points, electrostimulation=False):
    """Return the SafetyWarnings for treating `patient` with `points` (Acupoint rows), electro-stimulation if asked.

    An empty list means nothing needs acknowledging. No points means no needling, so no needling
    warning; the electro-stimulation rule applies only when `electrostimulation` is true.
    """
    points = sorted(points, key=lambda point: point.position)
    warnings = []
    for rule in rules_for(patient=patient):
        if rule.concerns == CAUTION_POINTS:
            cautions = tuple(point.code for point in points if point.pregnancy_caution)
            if cautions:
                warnings.append(SafetyWarning(rule, cautions))
        elif rule.concerns == ANY_NEEDLING and points or rule.concerns == ELECTROSTIMULATION and electrostimulation:
            warnings.append(SafetyWarning(rule))
    return warnings


def needling_needs_acknowledgement(*, patient):
    """True when needling `patient` may ask for an acknowledgement: some rule about needling applies to them."""
    return any(rule.concerns in (CAUTION_POINTS, ANY_NEEDLING) for rule in rules_for(patient=patient))


def electrostimulation_ruled_out(*, patient):
    """True when a safety rule rules out electro-stimulation for `patient` (an implanted electrical device)."""
    return any(
        warning.rule.concerns == ELECTROSTIMULATION
        for warning in safety_warnings(patient=patient, points=(), electrostimulation=True)
    )
