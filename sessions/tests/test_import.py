"""Historical import: every problem named by line and column, nothing written unless all is right."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients.models import Patient
from patients.tests.factories import PatientFactory, PractitionerFactory
from sessions.importing import ImportRejected, sessions_import
from sessions.models import TreatmentSession
from sessions.tests.factories import TreatmentSessionFactory

HEADER = (
    "patient_ref,condition,session_number,session_date,first_name,last_name,research_consent,"
    "points,spo2_pre,spo2_post,pulse_pre,needle_gauge_mm,retention_minutes,warmth_change,clarity_change"
)
GOOD_FILE = "\n".join(
    [
        HEADER,
        "H-1,Chronic Fatigue Syndrome,1,2025-01-06,Ada,Lovelace,yes,li 4;sj5,92,94,70,0.20,20,same,0",
        'H-1,chronic-fatigue-syndrome,2,2025-01-13T10:30,,,yes,"LV3, ST36",93,95,72,0.18,25,better,2',
        "H-2,RAYNAUD'S PHENOMENON,1,2025-02-01,Bo,Chen,no,,95,96,,,,1,Much Better",
    ]
)


def _import(text, *, dry_run=False, encoding="utf-8"):
    return sessions_import(source=io.BytesIO(text.encode(encoding)), dry_run=dry_run)


def _problems(text):
    with pytest.raises(ImportRejected) as rejected:
        _import(text)
    return rejected.value.problems


def _database_state():
    """What a user would see: every patient and session with its values and points."""
    patients = list(
        Patient.objects.order_by("patient_ref").values_list(
            "patient_ref", "first_name", "last_name", "condition__slug", "research_consent", "status"
        )
    )
    sessions = [
        (
            s.patient.patient_ref,
            s.number,
            s.started_at,
            s.spo2_pre,
            s.spo2_post,
            s.pulse_pre,
            s.needle_gauge_mm,
            s.retention_minutes,
            s.warmth_change,
            s.clarity_change,
            sorted(p.code for p in s.points.all()),
        )
        for s in TreatmentSession.objects.select_related("patient").prefetch_related("points")
    ]
    return patients, sessions


@pytest.mark.django_db
def test_a_good_file_creates_patients_and_sessions_with_every_value():
    summary = _import(GOOD_FILE)
    assert (summary.rows, summary.new_patients, summary.new_sessions, summary.updated_sessions) == (3, 2, 3, 0)

    ada = Patient.objects.get(patient_ref="H-1")
    assert (ada.first_name, ada.last_name, ada.condition.slug, ada.research_consent) == (
        "Ada",
        "Lovelace",
        "chronic-fatigue-syndrome",
        True,
    )
    assert ada.status == Patient.Status.ACTIVE and ada.research_consent_at is not None
    first, second = ada.sessions.order_by("number")
    assert (first.spo2_pre, first.spo2_post, first.pulse_pre) == (92, 94, 70)
    assert (first.needle_gauge_mm, first.retention_minutes) == (Decimal("0.20"), 20)
    assert (first.warmth_change, first.clarity_change) == ("same", "same")
    assert (second.warmth_change, second.clarity_change) == ("better", "much_better")
    # Aliases and any case or separator: li 4 -> LI4, sj5 -> TE5, LV3 -> LR3.
    assert sorted(first.points.values_list("code", flat=True)) == ["LI4", "TE5"]
    assert sorted(second.points.values_list("code", flat=True)) == ["LR3", "ST36"]
    # A date alone is that day; a date-time is clinic-local time (UTC in tests).
    assert first.started_at == dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    assert second.started_at == dt.datetime(2025, 1, 13, 10, 30, tzinfo=dt.UTC)

    bo = Patient.objects.get(patient_ref="H-2")
    assert bo.condition.slug == "raynauds-phenomenon" and not bo.research_consent
    session = bo.sessions.get()
    assert (session.warmth_change, session.clarity_change, session.pulse_pre) == ("better", "much_better", None)


@pytest.mark.django_db
def test_importing_the_same_file_twice_leaves_the_database_as_after_one_import():
    _import(GOOD_FILE)
    once = _database_state()
    stamps = list(TreatmentSession.objects.order_by("pk").values_list("updated_at", flat=True))
    summary = _import(GOOD_FILE)
    assert (summary.new_patients, summary.existing_patients) == (0, 2)
    assert (summary.new_sessions, summary.updated_sessions) == (0, 3)
    assert _database_state() == once
    # Unchanged sessions are not even rewritten.
    assert list(TreatmentSession.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_keeps_every_session_point_link_as_it_was():
    _import(GOOD_FILE)
    links = TreatmentSession.points.through.objects
    before = sorted(links.values_list("pk", "treatmentsession_id", "acupoint_id"))
    _import(GOOD_FILE)
    assert sorted(links.values_list("pk", "treatmentsession_id", "acupoint_id")) == before


@pytest.mark.django_db
def test_reimported_points_replace_a_sessions_points_keeping_those_the_file_still_lists():
    _import(GOOD_FILE)
    links = TreatmentSession.points.through.objects.filter(treatmentsession__patient__patient_ref="H-1")
    kept = links.get(treatmentsession__number=1, acupoint__code="TE5").pk
    header = "patient_ref,condition,session_number,session_date,points"
    _import(f"{header}\nH-1,other,1,2025-01-06,TE5 ST36 SP6\nH-1,other,2,2025-01-13,\nH-2,other,1,2025-02-01,LI4\n")
    ada, bo = Patient.objects.get(patient_ref="H-1"), Patient.objects.get(patient_ref="H-2")
    first, second = ada.sessions.order_by("number")
    assert sorted(first.points.values_list("code", flat=True)) == ["SP6", "ST36", "TE5"]
    assert links.get(treatmentsession__number=1, acupoint__code="TE5").pk == kept
    assert not second.points.exists()  # an empty cell clears the session's points
    assert list(bo.sessions.get().points.values_list("code", flat=True)) == ["LI4"]


@pytest.mark.django_db
def test_a_file_without_a_points_column_leaves_the_sessions_points_alone():
    _import(GOOD_FILE)
    _import("patient_ref,condition,session_number,session_date\nH-1,other,1,2025-01-06\n")
    first = TreatmentSession.objects.get(patient__patient_ref="H-1", number=1)
    assert sorted(first.points.values_list("code", flat=True)) == ["LI4", "TE5"]


@pytest.mark.django_db
def test_a_dry_run_counts_what_would_happen_and_writes_nothing():
    summary = _import(GOOD_FILE, dry_run=True)
    assert (summary.rows, summary.new_patients, summary.new_sessions) == (3, 2, 3)
    assert "would be written" in str(summary)
    assert not Patient.objects.exists() and not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_a_file_with_a_byte_order_mark_imports():
    summary = sessions_import(source=io.BytesIO(GOOD_FILE.encode("utf-8-sig")))
    assert summary.rows == 3


@pytest.mark.django_db
def test_a_row_updates_the_existing_session_and_leaves_columns_not_in_the_file_alone():
    patient = PatientFactory(patient_ref="H-9", first_name="Kept")
    TreatmentSessionFactory(patient=patient, number=1, spo2_pre=90, spo2_post=91, pulse_pre=80, notes="Old note")
    summary = _import("patient_ref,condition,session_number,session_date,spo2_post\nH-9,other,1,2025-03-01,97\n")
    assert (summary.existing_patients, summary.updated_sessions) == (1, 1)
    session = patient.sessions.get()
    assert (session.spo2_pre, session.spo2_post, session.pulse_pre, session.notes) == (90, 97, 80, "Old note")
    patient.refresh_from_db()
    assert patient.first_name == "Kept" and patient.condition.slug == "other"


@pytest.mark.django_db
def test_a_practitioner_column_links_sessions_to_that_user():
    practitioner = PractitionerFactory(username="mei")
    _import(
        "patient_ref,condition,session_number,session_date,first_name,last_name,practitioner\n"
        + "H-1,other,1,2025-03-01,A,B,mei\n"
    )
    assert TreatmentSession.objects.get().practitioner == practitioner


def _with_row(**changes):
    """The good file with its third row's cells changed ({column: new text}): that row is line 3.

    A column the good file does not have is added, empty in the other row.
    """
    header = HEADER.split(",")
    added = [name for name in changes if name not in header]
    rows = [line.split(",") + [""] * len(added) for line in GOOD_FILE.splitlines()[1:] if '"' not in line]
    header += added
    cells = dict(zip(header, rows[0], strict=True))
    cells.update({"patient_ref": "H-5", "session_number": "3", **changes})
    return "\n".join([",".join(header), ",".join(rows[0]), ",".join(cells[name] for name in header)])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("spo2_pre", "101", "line 3: spo2_pre: 101 is outside 50–100"),
        ("spo2_post", "ninety", "line 3: spo2_post: 'ninety' is not a whole number"),
        ("pulse_pre", "300", "line 3: pulse_pre: 300 is outside 25–250"),
        ("needle_gauge_mm", "0.5", "line 3: needle_gauge_mm: 0.5 mm is outside 0.12–0.40 mm"),
        ("needle_gauge_mm", "thin", "line 3: needle_gauge_mm: 'thin' is not a number"),
        ("retention_minutes", "0", "line 3: retention_minutes: 0 is outside 1–180"),
        ("condition", "Gout", "line 3: condition: unknown condition 'Gout' (use a condition's name or slug)"),
        ("points", "LI4 XX9", "line 3: points: Unknown acupoint code: XX9"),
        ("points", "LI99", "line 3: points: Unknown acupoint code: LI99"),
        ("session_number", "", "line 3: session_number: is required"),
        ("session_number", "0", "line 3: session_number: 0 is outside 1–10000; session numbers start at 1"),
        ("session_number", "2.5", "line 3: session_number: '2.5' is not a whole number; session numbers start at 1"),
        ("session_date", "2025-02-30", "line 3: session_date: '2025-02-30' is not a real date"),
        ("session_date", "06/01/2025", "line 3: session_date: '06/01/2025' is not a real date"),
        ("session_date", "2999-01-01", "line 3: session_date: 2999-01-01 is in the future"),
        ("session_date", "1025-01-06", "line 3: session_date: 1025-01-06 is before 1950: check the year"),
        ("warmth_change", "warmer", "line 3: warmth_change: 'warmer' is not one of much_worse, worse, same"),
        ("clarity_change", "3", "line 3: clarity_change: '3' is not one of"),
        ("pgic", "8", "line 3: pgic: 8 is outside 1–7"),
        ("pgic", "much improved", "line 3: pgic: 'much improved' is not a whole number"),
        ("research_consent", "maybe", "line 3: research_consent: 'maybe' is not yes/no, true/false or 1/0"),
        ("first_name", "", "line 3: first_name: is required for H-5, who is not in the database yet"),
        ("last_name", "", "line 3: last_name: is required for H-5, who is not in the database yet"),
        # A name given but refused is not also reported as missing.
        ("first_name", "A" * 150, "line 3: first_name: is longer than 100 characters"),
        ("first_name", "Ada\x01", "line 3: first_name: contains invisible control characters"),
        ("last_name", "Love\x00lace", "line 3: last_name: contains invisible control characters"),
        ("notes", "Felt\x1bwarm", "line 3: notes: contains invisible control characters"),
        ("date_of_birth", "0001-01-01", "line 3: date_of_birth: 0001-01-01 would make the patient over 120: check"),
        ("date_of_birth", "2999-01-01", "line 3: date_of_birth: 2999-01-01 is not in the past"),
        ("date_of_birth", "1980-02-30", "line 3: date_of_birth: '1980-02-30' is not a real date (YYYY-MM-DD)"),
        (
            "date_of_birth",
            "2025-01-07",
            "line 3: session_date: 2025-01-06 is before the patient's date of birth (2025-01-07): check the dates",
        ),
    ],
)
def test_a_bad_value_is_reported_by_line_and_column_and_nothing_is_written(column, value, message):
    problems = _problems(_with_row(**{column: value}))
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems
    assert not Patient.objects.exists() and not TreatmentSession.objects.exists()


# 27 November 2026, 14:00 UTC: a Friday afternoon at the clinic.
NOW = dt.datetime(2026, 11, 27, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """Stop the clock at NOW, for the checks that compare with today."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["2026-11-28", "2026-11-27T23:59:00", "2026-11-27T14:01", "2026-11-27T15:30+01:00"])
def test_a_session_after_now_is_refused_however_soon(clock, when):
    assert _problems(_with_row(session_date=when)) == [f"line 3: session_date: {when} is in the future"]


@pytest.mark.django_db
@pytest.mark.parametrize("when", ["2026-11-27", "2026-11-27T13:59", "2026-11-27T14:30+01:00"])
def test_a_session_earlier_today_is_accepted(clock, when):
    _import(_with_row(session_date=when))
    assert TreatmentSession.objects.filter(patient__patient_ref="H-5").exists()


@pytest.mark.django_db
def test_today_is_the_clinics_today_for_a_session_date(clock, settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # 14:00 UTC is 03:00 on 28 November there
    _import(_with_row(session_date="2026-11-28"))
    assert _problems(_with_row(session_date="2026-11-28T03:01")) == [
        "line 3: session_date: 2026-11-28T03:01 is in the future"
    ]


@pytest.mark.django_db
def test_a_date_of_birth_must_be_before_today_as_on_the_intake_form(clock):
    assert _problems(_with_row(date_of_birth="2026-11-27")) == ["line 3: date_of_birth: 2026-11-27 is not in the past"]
    _import(_with_row(date_of_birth="1905-11-28"))  # 120, and 121 tomorrow
    assert _problems(_with_row(date_of_birth="1905-11-27")) == [
        "line 3: date_of_birth: 1905-11-27 would make the patient over 120: check the year"
    ]


@pytest.mark.django_db
def test_notes_keep_line_breaks_and_tabs():
    _import(_with_row(notes='"Felt warm.\n\tSlept well."'))
    assert TreatmentSession.objects.get(patient__patient_ref="H-5").notes == "Felt warm.\n\tSlept well."


@pytest.mark.django_db
def test_a_session_before_the_date_of_birth_on_another_row_of_the_patient_is_refused():
    text = (
        "patient_ref,condition,session_number,session_date,first_name,last_name,date_of_birth\n"
        "H-1,other,1,2001-03-01,Ada,Lovelace,2000-01-01\n"
        "H-1,other,2,1999-12-31T23:30,,,\n"
    )
    assert _problems(text) == [
        "line 3: session_date: 1999-12-31 is before the patient's date of birth (2000-01-01): check the dates"
    ]


@pytest.mark.django_db
def test_a_session_before_the_date_of_birth_in_the_database_is_refused():
    PatientFactory(patient_ref="H-7", date_of_birth=dt.date(2000, 1, 1))
    text = "patient_ref,condition,session_number,session_date\nH-7,other,1,1999-06-01\nH-7,other,2,2000-01-01\n"
    assert _problems(text) == [
        "line 2: session_date: 1999-06-01 is before the patient's date of birth (2000-01-01): check the dates"
    ]


@pytest.mark.django_db
def test_a_date_of_birth_in_the_file_is_the_one_sessions_are_checked_against():
    patient = PatientFactory(patient_ref="H-7", date_of_birth=dt.date(2000, 1, 1))
    _import("patient_ref,condition,session_number,session_date,date_of_birth\nH-7,other,1,1999-06-01,1990-01-01\n")
    patient.refresh_from_db()
    assert patient.date_of_birth == dt.date(1990, 1, 1) and patient.sessions.count() == 1


@pytest.mark.django_db
def test_a_session_on_the_day_of_birth_is_that_local_day_in_a_clinic_ahead_of_utc(settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # midnight on 1 January 2000 there is 11:00 UTC the day before
    _import(
        "patient_ref,condition,session_number,session_date,first_name,last_name,date_of_birth\n"
        "H-1,other,1,2000-01-01,Ada,Lovelace,2000-01-01\n"
    )
    assert TreatmentSession.objects.get().started_at == dt.datetime(1999, 12, 31, 11, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_every_problem_in_the_file_is_listed_in_line_order():
    text = "\n".join(
        [
            HEADER,
            "H-1,Gout,1,2025-01-06,Ada,Lovelace,yes,,101,94,,,,,",
            "H-2,other,x,2025-01-06,Bo,Chen,yes,,92,94,,,,,",
        ]
    )
    assert _problems(text) == [
        "line 2: condition: unknown condition 'Gout' (use a condition's name or slug)",
        "line 2: spo2_pre: 101 is outside 50–100",
        "line 3: session_number: 'x' is not a whole number; session numbers start at 1",
    ]


@pytest.mark.django_db
def test_two_rows_for_the_same_patient_and_session_are_refused():
    text = GOOD_FILE + "\nH-1,Chronic Fatigue Syndrome,1,2025-01-07,Ada,Lovelace,yes,,92,94,,,,,"
    assert _problems(text) == ["line 5: session_number: session 1 of patient H-1 is already on line 2"]
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_rows_of_one_patient_that_disagree_about_the_patient_are_refused():
    text = GOOD_FILE + "\nH-1,other,3,2025-01-20,Ada,Lovelace,no,,92,94,,,,,"
    assert _problems(text) == [
        "line 5: condition: differs from line 2 for patient H-1",
        "line 5: research_consent: differs from line 2 for patient H-1",
    ]


@pytest.mark.django_db
def test_a_patient_already_in_the_database_needs_no_names():
    PatientFactory(patient_ref="H-7")
    summary = _import("patient_ref,condition,session_number,session_date\nH-7,other,1,2025-01-06\n")
    assert (summary.new_patients, summary.existing_patients, summary.new_sessions) == (0, 1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["line 1: file: the file is empty: expected a header row"]),
        ("\n\n", ["line 1: file: the file is empty: expected a header row"]),
        (HEADER + "\n", ["line 2: file: the file has a header but no rows"]),
        (
            "patient_ref,condition,session_date\nH-1,other,2025-01-01\n",
            ["line 1: session_number: required column is missing"],
        ),
        (
            HEADER + ",mood\n",
            [
                "line 1: mood: unknown column (expected: patient_ref, condition, session_number, session_date, "
                "first_name, last_name, date_of_birth, sex, research_consent, practitioner, points, needle_gauge_mm, "
                "retention_minutes, spo2_pre, spo2_post, pulse_pre, pulse_post, warmth_change, clarity_change, pgic, "
                "notes)"
            ],
        ),
        (
            "patient_ref,condition,session_number,session_date,notes,notes\n",
            ["line 1: notes: the column appears more than once"],
        ),
        (
            "patient_ref,condition,session_number,session_date\nH-1,other,1\n",
            ["line 2: file: has 3 fields but the header has 4"],
        ),
    ],
)
def test_a_file_that_cannot_be_read_as_the_format_is_refused(text, expected):
    assert _problems(text) == expected


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    text = GOOD_FILE.replace("Bo,Chen", "Zoë,Müller")
    with pytest.raises(ImportRejected) as rejected:
        _import(text, encoding="latin-1")
    assert rejected.value.problems == [
        "line 4: file: is not UTF-8 text: save the spreadsheet as “CSV UTF-8” and try again"
    ]
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_the_command_imports_a_file_and_reports_what_it_did(tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_text(GOOD_FILE, encoding="utf-8")
    call_command("import_sessions", str(path))
    assert "Imported. 3 rows: 3 new sessions and 0 existing sessions were written" in capsys.readouterr().out
    assert TreatmentSession.objects.count() == 3


@pytest.mark.django_db
def test_the_command_dry_run_writes_nothing(tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_text(GOOD_FILE, encoding="utf-8")
    call_command("import_sessions", str(path), "--dry-run")
    assert "Dry run, nothing written." in capsys.readouterr().out
    assert not TreatmentSession.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_every_problem_and_fails_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_text(_with_row(spo2_pre="120", condition="Gout"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Nothing was imported: 2 problem\(s\)"):
        call_command("import_sessions", str(path))
    assert capsys.readouterr().err.splitlines() == [
        "line 3: condition: unknown condition 'Gout' (use a condition's name or slug)",
        "line 3: spo2_pre: 120 is outside 50–100",
    ]
    assert not Patient.objects.exists()


def test_the_command_names_a_file_it_cannot_open(tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("import_sessions", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_a_long_file_shows_progress_on_stderr(tmp_path, capsys):
    rows = [f"L-{i},other,1,2025-01-06,Ann,Lee,yes,,92,94,70,0.20,20,same,better" for i in range(15_000)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    call_command("import_sessions", str(path), "--dry-run")
    assert "Reading long.csv (bytes): [" in capsys.readouterr().err


@pytest.mark.django_db
def test_dates_in_the_file_are_the_clinics_local_time(settings):
    settings.TIME_ZONE = "Europe/London"
    _import(
        "patient_ref,condition,session_number,session_date,first_name,last_name\n"
        "H-1,other,1,2025-07-01,A,B\nH-1,other,2,2025-07-08T09:15,A,B\nH-1,other,3,2025-07-15T09:15+02:00,A,B\n"
    )
    starts = list(TreatmentSession.objects.order_by("number").values_list("started_at", flat=True))
    # London is on summer time (UTC+1) in July; an explicit offset is respected.
    assert starts == [
        dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC),
        dt.datetime(2025, 7, 8, 8, 15, tzinfo=dt.UTC),
        dt.datetime(2025, 7, 15, 7, 15, tzinfo=dt.UTC),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("word", "consent"), [("yes", True), ("TRUE", True), ("1", True), ("No", False), ("false", False), ("0", False)]
)
def test_research_consent_accepts_yes_no_true_false_and_one_zero(word, consent):
    _import(
        f"patient_ref,condition,session_number,session_date,first_name,last_name,research_consent\nH-1,other,1,2025-01-06,A,B,{word}\n"
    )
    assert Patient.objects.get().research_consent is consent


@pytest.mark.django_db
def test_changes_accept_words_in_any_case_and_the_minus_two_to_two_scale():
    rows = [
        f"H-1,other,{n},2025-01-{n:02d},A,B,{value}"
        for n, value in enumerate(["-2", "-1", "0", "+1", "2", "Much Worse", "BETTER"], start=1)
    ]
    _import("patient_ref,condition,session_number,session_date,first_name,last_name,warmth_change\n" + "\n".join(rows))
    assert list(TreatmentSession.objects.order_by("number").values_list("warmth_change", flat=True)) == [
        "much_worse",
        "worse",
        "same",
        "better",
        "much_better",
        "much_worse",
        "better",
    ]


def test_imported_patients_and_sessions_get_history_rows_naming_who_imported(clinic_lead):
    from patients.models import Patient
    from sessions.importing import sessions_import

    csv_text = (
        "patient_ref,condition,session_number,session_date,first_name,last_name,spo2_pre\n"
        "H-1,other,1,2026-01-05,Ana,Lopez,93\n"
        "H-1,other,2,2026-01-12,Ana,Lopez,94\n"
    )
    sessions_import(source=io.BytesIO(csv_text.encode()), imported_by=clinic_lead)
    patient = Patient.objects.get(patient_ref="H-1")
    [record] = patient.audit_log.all()
    assert (record.history_type, record.history_user) == ("+", clinic_lead)
    assert record.history_change_reason == "CSV import by lead"
    assert sorted(TreatmentSession.history.filter(history_user=clinic_lead).values_list("number", flat=True)) == [1, 2]

    # The same file again changes nothing, so it adds no history; a changed reading adds one row.
    sessions_import(source=io.BytesIO(csv_text.encode()), imported_by=clinic_lead)
    assert TreatmentSession.history.count() == 2
    sessions_import(source=io.BytesIO(csv_text.replace(",94\n", ",95\n").encode()), imported_by=clinic_lead)
    [change] = TreatmentSession.history.filter(history_type="~")
    assert (change.number, change.spo2_pre) == (2, 95)


def test_a_reference_that_cannot_sit_in_a_url_is_refused(db):
    csv_text = "patient_ref,condition,session_number,session_date,first_name,last_name\nZZ/1,other,1,2026-01-05,A,B\n"
    problems = _problems(csv_text)
    assert "line 2: patient_ref: may hold only letters, digits and hyphens" in problems


def test_the_practitioner_column_accepts_only_practitioners(editor):
    csv_text = (
        "patient_ref,condition,session_number,session_date,first_name,last_name,practitioner\n"
        "P-1,other,1,2026-01-05,A,B,editor\n"
    )
    assert "line 2: practitioner: no practitioner with the username 'editor'" in _problems(csv_text)


PGIC_FILE = "\n".join(
    [
        "patient_ref,condition,session_number,session_date,first_name,last_name,pgic",
        "P-1,Chronic Migraine,1,2025-03-03,Ida,Noor,",
        "P-1,Chronic Migraine,2,2025-03-10,Ida,Noor,2",
    ]
)


@pytest.mark.django_db
def test_the_pgic_column_stores_the_answer_and_an_empty_cell_stores_none():
    _import(PGIC_FILE)
    answers = dict(TreatmentSession.objects.values_list("number", "instrument_answers"))
    assert answers == {1: {}, 2: {"pgic": 2}}


@pytest.mark.django_db
def test_reimporting_pgic_changes_only_that_answer_and_an_unchanged_file_rewrites_nothing():
    _import(PGIC_FILE)
    session = TreatmentSession.objects.get(number=2)
    TreatmentSession.objects.filter(pk=session.pk).update(instrument_answers={"pgic": 2, "other": 5})
    before = TreatmentSession.objects.get(pk=session.pk).updated_at
    _import(PGIC_FILE)
    assert TreatmentSession.objects.get(pk=session.pk).updated_at == before
    _import(PGIC_FILE.replace(",2\n", ",2\n").replace("2025-03-10,Ida,Noor,2", "2025-03-10,Ida,Noor,6"))
    assert TreatmentSession.objects.get(pk=session.pk).instrument_answers == {"pgic": 6, "other": 5}
    _import(PGIC_FILE.replace("2025-03-10,Ida,Noor,2", "2025-03-10,Ida,Noor,"))
    assert TreatmentSession.objects.get(pk=session.pk).instrument_answers == {"other": 5}


@pytest.mark.django_db
def test_a_file_without_a_pgic_column_leaves_the_answers_alone():
    _import(PGIC_FILE)
    _import(PGIC_FILE.replace(",pgic", "").replace(",Noor,2", ",Noor").replace(",Noor,\n", ",Noor\n"))
    assert TreatmentSession.objects.get(number=2).instrument_answers == {"pgic": 2}
