import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.lib.replica import replica_reads
from patients.models import Patient
from sessions.fhir import fhir_bundle
from sessions.research import ResearchKeyMissing, research_key
from sessions.selectors import fhir_patients


class Command(BaseCommand):
    help = (
        "Write patients and their sessions as one FHIR R4 Bundle (type collection): Patient, Condition, a "
        "Procedure per session (SNOMED CT 44868003), Observations for SpO₂ (LOINC 59408-5, 2708-6) and heart "
        "rate (LOINC 8867-4), and a QuestionnaireResponse for PGIC. With --research: only patients with "
        "research consent, de-identified as the research export (needs RESEARCH_EXPORT_KEY)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE.json")
        parser.add_argument("--patient", metavar="REF", help="Only this patient (their patient_ref).")
        parser.add_argument(
            "--research", action="store_true", help="De-identified: pseudonyms, age bands, no names or dates."
        )

    def handle(self, *args, **options):
        # Reads only: the read replica answers them when there is one (DATABASE_REPLICA_URL).
        with replica_reads():
            self._export(**options)

    def _export(self, *, file, patient, research, **options):
        key = None
        if research:
            try:
                key = research_key()
            except ResearchKeyMissing as error:
                raise CommandError(str(error)) from None
        if patient is not None:
            found = Patient.objects.filter(patient_ref=patient).values_list("research_consent", flat=True).first()
            if found is None:
                raise CommandError(f"There is no patient {patient}.")
            if research and not found:
                raise CommandError(
                    f"{patient} has not consented to research use: a research export cannot include them."
                )
        patients = list(fhir_patients(patient_ref=patient, research=research))
        bundle = fhir_bundle(patients=patients, research_key=key)
        try:
            Path(file).write_text(json.dumps(bundle, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        sessions = sum(len(p.sessions.all()) for p in patients)
        self.stdout.write(
            f"Wrote {file}: {len(bundle['entry'])} resources for {len(patients)} patients and {sessions} sessions"
            f"{' (de-identified)' if research else ''}."
        )
