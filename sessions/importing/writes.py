"""Pass 3: the writes, set-based, from the staging tables, and the history rows of what they wrote."""

# The SQL below is assembled from table and column names taken from the models and from this
# package's constants, quoted with quote_name; every value travels as a query parameter.
# ruff: noqa: S608

import getpass

from django.db import connection
from django.db.models import Q

from patients.models import CONSENTS, Patient, consent_times
from sessions.importing.reading import ANSWER_COLUMNS, SESSION_COLUMNS, STAGING_COLUMN
from sessions.importing.staging import POINTS_TABLE, ROWS_TABLE, q
from sessions.models import TreatmentSession


def _defaults(model, given, now):
    """Return {column: value} for the model's columns not in `given`: their defaults, prepared."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:
            value = field.get_default()
        values[field.column] = field.get_db_prep_save(value, connection)
    return values


def insert_new_patients(cursor, now):
    rows, patients = q(ROWS_TABLE), q(Patient._meta.db_table)
    given = {
        "patient_ref": "staged.patient_ref",
        "first_name": "MAX(staged.first_name)",
        "last_name": "MAX(staged.last_name)",
        "date_of_birth": "MAX(staged.date_of_birth)",
        "sex": "COALESCE(MAX(staged.sex), '')",
        "condition_id": "MAX(staged.condition_id)",
        "status": "%s",
        "research_consent": "CASE WHEN MAX(staged.research_consent) = 1 THEN %s ELSE %s END",
    }
    given_params = [Patient.Status.ACTIVE, True, False]
    defaults = _defaults(Patient, given, now)
    columns = [*given, *defaults]
    cursor.execute(
        f"""INSERT INTO {patients} ({", ".join(q(column) for column in columns)})
            SELECT {", ".join([*given.values(), *["%s"] * len(defaults)])}
            FROM {rows} staged LEFT JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            WHERE patient.id IS NULL
            GROUP BY staged.patient_ref""",
        [*given_params, *defaults.values()],
    )


def update_existing_patients(cursor, now):
    """Fill in the details the file gives for patients already in the database; mark them active."""
    rows, patients = q(ROWS_TABLE), q(Patient._meta.db_table)
    now_value = connection.ops.adapt_datetimefield_value(now)
    changed = " OR ".join(
        f"(given.{column} IS NOT NULL AND (patient.{column} IS NULL OR given.{column} <> patient.{column}))"
        for column in ("first_name", "last_name", "date_of_birth", "sex", "condition_id")
    )
    cursor.execute(
        f"""UPDATE {patients} AS patient SET
                first_name = COALESCE(given.first_name, patient.first_name),
                last_name = COALESCE(given.last_name, patient.last_name),
                date_of_birth = COALESCE(given.date_of_birth, patient.date_of_birth),
                sex = COALESCE(given.sex, patient.sex),
                condition_id = COALESCE(given.condition_id, patient.condition_id),
                research_consent = CASE WHEN given.research_consent IS NULL THEN patient.research_consent
                                        ELSE given.research_consent = 1 END,
                status = CASE WHEN patient.status = %s THEN %s ELSE patient.status END,
                updated_at = %s
            FROM (SELECT patient_ref, MAX(first_name) AS first_name, MAX(last_name) AS last_name,
                         MAX(date_of_birth) AS date_of_birth, MAX(sex) AS sex, MAX(condition_id) AS condition_id,
                         MAX(research_consent) AS research_consent
                  FROM {rows} GROUP BY patient_ref) given
            WHERE patient.patient_ref = given.patient_ref
              AND ({changed} OR patient.status = %s
                   OR (given.research_consent IS NOT NULL
                       AND (given.research_consent = 1) <> patient.research_consent))""",
        [Patient.Status.NEW, Patient.Status.ACTIVE, now_value, Patient.Status.NEW],
    )


def settle_consent_times(now):
    """Give the patients this import wrote (updated_at = `now`) their consent times, by the consent rule.

    Only rows whose time disagrees with their consent are touched: a consent just given gets `now`,
    one withdrawn loses its time (and research consent records when it was withdrawn); a consent that
    stands keeps the time it was given.
    """
    written = Patient.objects.filter(updated_at=now)
    times = consent_times(now=now)
    for consent in CONSENTS:
        at = f"{consent}_at"
        disagree = Q(**{consent: True, f"{at}__isnull": True}) | Q(**{consent: False, f"{at}__isnull": False})
        # With its time, what else the consent rule keeps for it (when research consent was withdrawn).
        written.filter(disagree).update(**{field: times[field] for field in times if field.startswith(f"{consent}_")})


def upsert_sessions(cursor, header, now, *, into_empty=False):
    """Insert the file's new sessions and update those it changes.

    `into_empty`: the sessions table is empty and has no (patient, number) index now (a first
    import, see postgresql.bulk_write), so every row is new and goes in with a plain INSERT.
    """
    rows, patients, sessions = q(ROWS_TABLE), q(Patient._meta.db_table), q(TreatmentSession._meta.db_table)
    from_file = ["started_at"] + [STAGING_COLUMN[name] for name in SESSION_COLUMNS if name in header]
    given = {"patient_id": "patient.id", "number": "staged.number"}
    given.update({column: f"staged.{q(column)}" for column in from_file})
    defaults = _defaults(TreatmentSession, given, now)
    columns = [*given, *defaults]
    updates = [*from_file, "updated_at"]
    # A session the file does not change is left alone, so a second import rewrites nothing.
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    changed = [f"{sessions}.{q(column)} {differs} excluded.{q(column)}" for column in from_file]
    set_answers = ""
    answers = [name for name in ANSWER_COLUMNS if name in header]
    if answers:
        given["instrument_answers"] = _answers_object(answers)
        set_answers = f", instrument_answers = {_answers_merged(sessions, answers)}"
        stored, incoming = f"{sessions}.instrument_answers", "excluded.instrument_answers"
        changed += [f"{_answer(stored, name)} {differs} {_answer(incoming, name)}" for name in answers]
        defaults = _defaults(TreatmentSession, given, now)
        columns = [*given, *defaults]
    on_conflict = f"""
            ON CONFLICT (patient_id, number) DO UPDATE SET
                {", ".join(f"{q(column)} = excluded.{q(column)}" for column in updates)}{set_answers}
            WHERE {" OR ".join(changed)}"""
    cursor.execute(
        f"""INSERT INTO {sessions} ({", ".join(q(column) for column in columns)})
            SELECT {", ".join([*given.values(), *["%s"] * len(defaults)])}
            FROM {rows} staged JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            -- In the order of the (patient, number) key: new ids and keys go at the end of their indexes.
            ORDER BY patient.id, staged.number{"" if into_empty else on_conflict}""",
        list(defaults.values()),
    )


# The answer columns (ANSWER_COLUMNS, e.g. pgic) go into the session's instrument_answers JSON: a
# cell given sets that answer, an empty cell removes it, answers to other measures stay as they are.


def _answers_object(names):
    """SQL for the JSON object of a staged row's answers, leaving out those not given."""
    if connection.vendor == "postgresql":
        pairs = ", ".join(f"'{name}', staged.{q(name)}" for name in names)
        return f"jsonb_strip_nulls(jsonb_build_object({pairs}))"
    result = "'{}'"
    for name in names:
        given = f"CASE WHEN staged.{q(name)} IS NULL THEN '{{}}' ELSE json_object('{name}', staged.{q(name)}) END"
        result = f"json_patch({result}, {given})"
    return result


def _answers_merged(sessions, names):
    """SQL for a session's answers with the file's answers to `names` in place of its own."""
    if connection.vendor == "postgresql":
        removed = " - ".join([f"{sessions}.instrument_answers", *(f"'{name}'" for name in names)])
        return f"({removed}) || excluded.instrument_answers"
    paths = ", ".join(f"'$.{name}'" for name in names)
    return f"json_patch(json_remove({sessions}.instrument_answers, {paths}), excluded.instrument_answers)"


def _answer(column, name):
    """SQL for one answer in a JSON column, NULL when absent."""
    if connection.vendor == "postgresql":
        return f"({column} -> '{name}')"
    return f"json_extract({column}, '$.{name}')"


def replace_points(cursor, *, into_empty=False):
    """Make each imported session's points those of its row, touching only the links that differ.

    A link the file keeps is left as it is, so a second import of the same file writes no links at
    all; on a first import every link is new and goes in with a plain INSERT. Deleting and
    re-inserting every link instead cost as much as the whole first import (about 3 links a row,
    each with four index entries and two foreign-key checks). `into_empty`: the links table is
    empty (a first import, see postgresql.bulk_write), so there is nothing to delete or compare.
    """
    rows, points = q(ROWS_TABLE), q(POINTS_TABLE)
    patients, sessions = q(Patient._meta.db_table), q(TreatmentSession._meta.db_table)
    links = q(TreatmentSession.points.through._meta.db_table)
    if not into_empty:
        cursor.execute(
            f"""DELETE FROM {links} WHERE id IN (
                    SELECT link.id FROM {links} link
                    JOIN {sessions} session ON session.id = link.treatmentsession_id
                    JOIN {patients} patient ON patient.id = session.patient_id
                    JOIN {rows} staged ON staged.patient_ref = patient.patient_ref AND staged.number = session.number
                    LEFT JOIN {points} point ON point.line = staged.line AND point.acupoint_id = link.acupoint_id
                    WHERE point.line IS NULL)"""
        )
    new_only = f"""WHERE NOT EXISTS (
                SELECT 1 FROM {links} link
                WHERE link.treatmentsession_id = session.id AND link.acupoint_id = point.acupoint_id)"""
    # In the order of the (session, acupoint) unique index, so that its B-tree, the session index
    # and the foreign-key checks on the sessions work on neighbouring pages rather than at random.
    # Into empty tables the indexes are built afterwards (sorting for themselves), so the links go in
    # as the join gives them, in the file's order, and a sort of every link (spilling to disk at
    # a million rows) is saved.
    in_key_order = "" if into_empty else "ORDER BY session.id, point.acupoint_id"
    cursor.execute(
        f"""INSERT INTO {links} (treatmentsession_id, acupoint_id)
            SELECT session.id, point.acupoint_id FROM {points} point
            JOIN {rows} staged ON staged.line = point.line
            JOIN {patients} patient ON patient.patient_ref = staged.patient_ref
            JOIN {sessions} session ON session.patient_id = patient.id AND session.number = staged.number
            {"" if into_empty else new_only}
            {in_key_order}"""
    )


def record_history(cursor, model, history_model, now, imported_by):
    """Add a history row for every `model` row this import wrote, so imported changes are attributable.

    The import's writes all set `updated_at` to `now`; rows the file left as they were are not
    touched and get no history row. (Point links of imported sessions get no history rows.)
    """
    table, history = q(model._meta.db_table), q(history_model._meta.db_table)
    own_columns = {field.column for field in model._meta.concrete_fields}
    copied = [
        field.column
        for field in history_model._meta.concrete_fields
        if not field.primary_key and field.column in own_columns
    ]
    now_value = connection.ops.adapt_datetimefield_value(now)
    who = getattr(imported_by, "username", None) or f"command line ({getpass.getuser()})"
    cursor.execute(
        f"""INSERT INTO {history} ({", ".join(q(column) for column in copied)},
                history_date, history_change_reason, history_type, history_user_id)
            SELECT {", ".join(f"row.{q(column)}" for column in copied)},
                %s, %s, CASE WHEN row.created_at = %s THEN '+' ELSE '~' END, %s
            FROM {table} row WHERE row.updated_at = %s""",  # noqa: S608 - names from the models only
        [now_value, f"CSV import by {who}"[:100], now_value, getattr(imported_by, "pk", None), now_value],
    )
