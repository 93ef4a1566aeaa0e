"""One outcome table: the dashboard, its CSV, `cohort_table` and the article embed read the same figures the
same way (one minus sign), and the published ones suppress the same small rows."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from clinic.tests.test_dashboard import _table_rows
from content.embeds import body_with_embeds
from content.rendering import render_markdown
from patients.tests.factories import ConditionFactory
from sessions.tests.test_outcomes import _patient

pytestmark = pytest.mark.django_db

URL = "/admin/outcomes/"
# Five patients whose SpO₂ fell (Δ -1, -1, -1, -2, -1: mean -1.2, CI -1.8 to -0.6), and two of another condition.
FALLING = "Chronic Fatigue Syndrome"
SMALL = "Raynaud's Phenomenon"
FALLING_FIGURES = ["5", "0", "95.0", "93.8", "-1.2", "-1.8 to -0.6", "0%", "–", "0"]


@pytest.fixture
def cohort():
    fatigue = ConditionFactory(slug="chronic-fatigue-syndrome", name=FALLING)
    raynaud = ConditionFactory(slug="raynauds-phenomenon", name=SMALL)
    for drop in [1, 1, 1, 2, 1]:
        _patient(fatigue.slug, {1: {"spo2_pre": 95}, 6: {"spo2_post": 95 - drop}})
    for _ in range(2):
        _patient(raynaud.slug, {1: {"spo2_pre": 94}, 6: {"spo2_post": 93}})


def _cells(text):
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", text, re.S)]


def test_every_outcome_table_reads_the_same_figures_the_same_way(client, clinic_lead, cohort):
    client.force_login(clinic_lead)
    dashboard = _table_rows(client.get(URL).content.decode())
    assert dashboard[0] == [FALLING, *FALLING_FIGURES, "yes"]
    assert dashboard[1][:6] == ["Raynaud&#x27;s Phenomenon", "2", "0", "94.0", "93.0", "-1.0"]

    download = client.get(URL, {"download": "csv"}).content.decode()
    exported = list(csv.reader(io.StringIO(download.removeprefix("\ufeff"))))
    # The same figures, as numbers: the interval's bounds and the share in columns of their own.
    assert exported[1] == [FALLING, "5", "0", "95.0", "93.8", "-1.2", "-1.8", "-0.6", "0", "", "0", "yes"]

    out = io.StringIO()
    call_command("cohort_table", stdout=out)
    command = [re.split(r"\s{2,}", line.strip()) for line in out.getvalue().splitlines()[1:]]
    assert command[0] == [FALLING, *FALLING_FIGURES]
    assert command[1][:6] == [SMALL, "2", "0", "94.0", "93.0", "-1.0"]

    embed = body_with_embeds(render_markdown("[[cohort-outcomes]]"))
    embedded = _cells(embed.split("<tbody>", 1)[1])
    patients, baseline, followup, delta, share = ["5", "95.0", "93.8", "-1.2", "0%"]
    assert embedded[:6] == [FALLING, patients, baseline, followup, f"{delta} (-1.8 to -0.6)", share]

    for text in [download, out.getvalue(), embed, client.get(URL).content.decode()]:
        assert "\u2212" not in text, "the Unicode minus sign is not used anywhere"


def test_the_published_tables_suppress_the_same_small_rows_and_the_internal_ones_do_not(client, clinic_lead, cohort):
    client.force_login(clinic_lead)
    download = client.get(URL, {"download": "csv"}).content.decode().removeprefix("\ufeff")
    exported = list(csv.reader(io.StringIO(download)))
    assert exported[2] == [SMALL, "fewer than 5", *[""] * 9, "no: fewer than 5 patients"]

    embed = body_with_embeds(render_markdown("[[cohort-outcomes]]"))
    assert _cells(embed.split("<tbody>", 1)[1])[-2:] == ["Raynaud&#x27;s Phenomenon", "fewer than 5 patients"]

    dashboard = _table_rows(client.get(URL).content.decode())
    assert dashboard[1][-1] == "Too small to publish" and dashboard[1][1] == "2"
    out = io.StringIO()
    call_command("cohort_table", stdout=out)
    assert re.split(r"\s{2,}", out.getvalue().splitlines()[2].strip())[1] == "2"
