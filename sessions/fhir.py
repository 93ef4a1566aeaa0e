"""The FHIR R4 export: patients and their sessions as one Bundle of type `collection`.

Per patient: a Patient and a Condition (their primary condition). Per session: a Procedure
(SNOMED CT 44868003, acupuncture; the points in `bodySite` text), an Observation per reading taken
(SpO₂: LOINC 59408-5 and 2708-6 in UCUM `%`; heart rate: LOINC 8867-4 in `/min`; category
vital-signs; before and after treatment told apart by `code.text` and the reading-time extension),
and a QuestionnaireResponse per measure answered (PGIC …), whose Questionnaire is in the Bundle too.
Every reference is a `urn:uuid:` fullUrl of an entry of the same Bundle.

With `research_key`, the export is de-identified as the research CSV is (sessions.research): the
Patient carries only the pseudonym, sex and age band; no names, contacts, birth date, reference,
notes or dates: sessions are placed by the days since the patient's first session instead.
"""

import uuid

from django.utils import timezone

from sessions.models import AdverseEvent, Instrument
from sessions.research import age_band, research_pseudonym

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# Acuflow's own identifiers and extensions: URNs, since they name nothing on the web.
PATIENT_REF_SYSTEM = "urn:acuflow:patient-ref"
PSEUDONYM_SYSTEM = "urn:acuflow:research-pseudonym"
READING_TIME_URL = "urn:acuflow:fhir:reading-time"
DAYS_SINCE_FIRST_URL = "urn:acuflow:fhir:days-since-first-session"
SESSION_NUMBER_URL = "urn:acuflow:fhir:session-number"
AGE_BAND_URL = "urn:acuflow:fhir:age-band"
QUESTIONNAIRE_URL = "urn:acuflow:questionnaire:{}"
ANSWER_SYSTEM = "urn:acuflow:questionnaire:{}:answer"
# uuid5 namespace of Acuflow's FHIR ids: the same patient and session give the same fullUrl again.
NAMESPACE = uuid.UUID("6f1d3c2e-3b0a-5c7e-9a41-2d8e4b6f0c15")

ACUPUNCTURE = {"system": SNOMED, "code": "44868003", "display": "Acupuncture"}
SPO2_CODES = [
    {"system": LOINC, "code": "59408-5", "display": "Oxygen saturation in Arterial blood by Pulse oximetry"},
    {"system": LOINC, "code": "2708-6", "display": "Oxygen saturation in Arterial blood"},
]
HEART_RATE_CODES = [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]
# (session field, codes, what it is, when, UCUM unit code, unit as read)
READINGS = [
    ("spo2_pre", SPO2_CODES, "SpO₂", "before", "%", "%"),
    ("spo2_post", SPO2_CODES, "SpO₂", "after", "%", "%"),
    ("pulse_pre", HEART_RATE_CODES, "Heart rate", "before", "/min", "beats/minute"),
    ("pulse_post", HEART_RATE_CODES, "Heart rate", "after", "/min", "beats/minute"),
]
GENDER = {"female": "female", "male": "male", "intersex": "other", "undisclosed": "unknown"}
VITAL_SIGNS = [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}]


def _urn(*parts):
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, ':'.join(str(part) for part in parts))}"


def _reference(full_url):
    return {"reference": full_url}


def _entry(full_url, resource):
    return {"fullUrl": full_url, "resource": {**resource, "id": full_url.removeprefix("urn:uuid:")}}


def _questionnaire(code, instruments):
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE_URL.format(code),
        "name": code.replace("-", "_").upper(),
        "title": ", ".join(instrument.name for instrument in instruments),
        "status": "active",
        "item": [
            {
                "linkId": instrument.code,
                "text": instrument.question,
                "type": "choice",
                "answerOption": [{"valueCoding": _answer_coding(instrument, value)} for value in instrument.values],
            }
            for instrument in instruments
        ],
    }


def _answer_coding(instrument, value):
    return {
        "system": ANSWER_SYSTEM.format(instrument.questionnaire),
        "code": str(value),
        "display": instrument.answer_labels[value - instrument.scale_min],
    }


class _BundleBuilder:
    def __init__(self, *, research_key):
        self.research_key = research_key
        self.entries = []
        self.instruments = {instrument.code: instrument for instrument in Instrument.objects.all()}
        self.questionnaires_used = set()

    def add(self, full_url, resource):
        self.entries.append(_entry(full_url, resource))
        return full_url

    def patient(self, patient):
        sessions = list(patient.sessions.all())
        first = min((session.started_at for session in sessions), default=None)
        if self.research_key:
            scope = research_pseudonym(key=self.research_key, patient_id=patient.pk)
            resource = {
                "resourceType": "Patient",
                "identifier": [{"system": PSEUDONYM_SYSTEM, "value": scope}],
            }
            if first is not None and patient.date_of_birth:
                band = age_band(born=patient.date_of_birth, on=timezone.localdate(first))
                resource["extension"] = [{"url": AGE_BAND_URL, "valueString": band}]
        else:
            scope = f"patient-{patient.pk}"
            resource = {
                "resourceType": "Patient",
                "identifier": [{"system": PATIENT_REF_SYSTEM, "value": patient.patient_ref}],
                "name": [{"family": patient.last_name, "given": [patient.first_name]}],
            }
            telecom = [{"system": "email", "value": patient.email}] if patient.email else []
            telecom += [{"system": "phone", "value": patient.phone}] if patient.phone else []
            if telecom:
                resource["telecom"] = telecom
            if patient.date_of_birth:
                resource["birthDate"] = patient.date_of_birth.isoformat()
        if patient.sex in GENDER:
            resource["gender"] = GENDER[patient.sex]
        patient_url = self.add(_urn(scope, "patient"), resource)
        condition_url = self.add(
            _urn(scope, "condition"),
            {
                "resourceType": "Condition",
                "code": {"text": patient.condition.name},
                "subject": _reference(patient_url),
            },
        )
        for session in sessions:
            self.session(session, scope=scope, patient_url=patient_url, condition_url=condition_url, first=first)

    def _when(self, resource, element, moment, first):
        """Place a resource in time: the exact time, or in a research export the days since the first session."""
        if self.research_key:
            days = (timezone.localdate(moment) - timezone.localdate(first)).days
            resource.setdefault("extension", []).append({"url": DAYS_SINCE_FIRST_URL, "valueInteger": days})
        else:
            resource[element] = moment.isoformat()

    def session(self, session, *, scope, patient_url, condition_url, first):
        procedure = {
            "resourceType": "Procedure",
            "extension": [{"url": SESSION_NUMBER_URL, "valueInteger": session.number}],
            "status": "completed",
            "code": {"coding": [ACUPUNCTURE], "text": "Acupuncture"},
            "subject": _reference(patient_url),
            "reasonReference": [_reference(condition_url)],
        }
        self._when(procedure, "performedDateTime", session.started_at, first)
        points = list(session.points.all())
        if points:
            procedure["bodySite"] = [{"text": f"{point.code} {point.pinyin}"} for point in points]
        if session.adverse_events:
            procedure["complication"] = [
                {"text": str(AdverseEvent(code).label) if code in AdverseEvent.values else code}
                for code in session.adverse_events
            ]
        notes = [f"Needle gauge {session.needle_gauge_mm} mm"] if session.needle_gauge_mm is not None else []
        notes += [f"Retention {session.retention_minutes} minutes"] if session.retention_minutes else []
        if session.notes and not self.research_key:
            notes.append(session.notes)
        if notes:
            procedure["note"] = [{"text": text} for text in notes]
        procedure_url = self.add(_urn(scope, "session", session.number, "procedure"), procedure)

        for field, codes, what, when, unit_code, unit in READINGS:
            value = getattr(session, field)
            if value is None:
                continue
            observation = {
                "resourceType": "Observation",
                "extension": [{"url": READING_TIME_URL, "valueCode": f"{when}-treatment"}],
                "partOf": [_reference(procedure_url)],
                "status": "final",
                "category": VITAL_SIGNS,
                "code": {"coding": codes, "text": f"{what} {when} treatment"},
                "subject": _reference(patient_url),
                "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit_code},
            }
            self._when(observation, "effectiveDateTime", session.started_at, first)
            self.add(_urn(scope, "session", session.number, field), observation)

        by_questionnaire = {}
        for code, value in sorted(session.instrument_answers.items()):
            instrument = self.instruments.get(code)
            if instrument is not None:
                by_questionnaire.setdefault(instrument.questionnaire, []).append((instrument, value))
        for questionnaire, answers in by_questionnaire.items():
            self.questionnaires_used.add(questionnaire)
            response = {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": QUESTIONNAIRE_URL.format(questionnaire),
                "status": "completed",
                "subject": _reference(patient_url),
                "partOf": [_reference(procedure_url)],
                "item": [
                    {
                        "linkId": instrument.code,
                        "text": instrument.question,
                        "answer": [{"valueCoding": _answer_coding(instrument, value)}],
                    }
                    for instrument, value in answers
                ],
            }
            self._when(response, "authored", session.started_at, first)
            self.add(_urn(scope, "session", session.number, "questionnaire", questionnaire), response)

    def questionnaires(self):
        for code in sorted(self.questionnaires_used):
            items = sorted(
                (i for i in self.instruments.values() if i.questionnaire == code), key=lambda i: (i.position, i.code)
            )
            self.add(_urn("questionnaire", code), _questionnaire(code, items))


def fhir_bundle(*, patients, research_key=None, generated_at=None):
    """Return the FHIR R4 Bundle (type collection, a JSON-ready dict) of `patients` and their sessions.

    `patients` is an iterable of Patients with their sessions, points and condition loaded (see
    sessions.selectors.fhir_patients). With `research_key`, the Bundle is de-identified.
    """
    builder = _BundleBuilder(research_key=research_key)
    for patient in patients:
        builder.patient(patient)
    builder.questionnaires()
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": (generated_at or timezone.now()).replace(microsecond=0).isoformat(),
        "entry": builder.entries,
    }
