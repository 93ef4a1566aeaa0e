"""The database itself refuses impossible clinical values, whatever code writes them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from sessions.tests.factories import TreatmentSessionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field, value",
    [
        ("spo2_pre", 150),
        ("spo2_post", 49),
        ("pulse_pre", 24),
        ("pulse_post", 251),
        ("needle_gauge_mm", Decimal("0.45")),
        ("needle_gauge_mm", Decimal("0.10")),
        ("retention_minutes", 0),
        ("retention_minutes", 181),
        ("number", 0),
        ("warmth_change", "amazing"),
        ("clarity_change", "better!"),
        ("started_at", dt.datetime(1949, 12, 31, 23, 59, tzinfo=dt.UTC)),
    ],
)
def test_database_refuses_out_of_range_value(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSessionFactory(**{field: value})


@pytest.mark.parametrize(
    "field, value",
    [
        ("spo2_pre", 50),
        ("spo2_post", 100),
        ("pulse_pre", 25),
        ("pulse_post", 250),
        ("needle_gauge_mm", Decimal("0.12")),
        ("needle_gauge_mm", Decimal("0.40")),
        ("retention_minutes", 1),
        ("retention_minutes", 180),
        ("spo2_pre", None),
        ("started_at", dt.datetime(1950, 1, 1, tzinfo=dt.UTC)),
    ],
)
def test_database_accepts_boundary_and_missing_values(field, value):
    session = TreatmentSessionFactory(**{field: value})
    session.refresh_from_db()
    assert getattr(session, field) == value


def test_database_refuses_a_second_session_with_the_same_number():
    first = TreatmentSessionFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSessionFactory(patient=first.patient, number=1)


def test_a_reading_below_90_is_stored_but_flagged_for_follow_up():
    session = TreatmentSessionFactory(spo2_pre=88, spo2_post=91)
    session.refresh_from_db()
    assert session.spo2_pre == 88
    assert session.needs_follow_up
    assert not TreatmentSessionFactory(spo2_pre=90, spo2_post=None).needs_follow_up
