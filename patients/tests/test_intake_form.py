"""Every rule of the free assessment form, checked on the form itself."""

import datetime

import pytest
from django.http import QueryDict
from django.utils import timezone

from patients.forms import SAFETY_QUESTIONS, IntakeForm
from patients.tests.factories import intake_post_data

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = QueryDict(mutable=True)
    for key, value in intake_post_data(**overrides).items():
        data.setlist(key, value if isinstance(value, list) else [value])
    form = IntakeForm(data)
    form.is_valid()
    return form


def _errors(**overrides):
    form = _form(**overrides)
    assert not form.is_valid()
    return form.errors.as_data()


def _codes(errors, field):
    return [error.code for error in errors[field]]


def test_a_complete_assessment_is_valid():
    form = _form()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == datetime.date(1980, 3, 31)
    assert form.cleaned_data["condition"].slug == "raynauds-phenomenon"
    assert form.cleaned_data["symptoms"] == ["cold_extremities", "numbness"]
    assert form.cleaned_data["pregnant"] is False
    assert form.cleaned_data["previous_acupuncture"] is None
    assert form.cleaned_data["research_consent"] is False


@pytest.mark.parametrize(
    "field",
    [
        "first_name",
        "last_name",
        "date_of_birth",
        "sex",
        "email",
        "condition",
        "complaint_duration",
        "previous_acupuncture",
        "contact_consent",
        *SAFETY_QUESTIONS,
    ],
)
def test_required_answers_cannot_be_left_out(field):
    assert _codes(_errors(**{field: None}), field) == ["required"]


def test_phone_symptoms_medications_history_and_research_consent_are_optional():
    form = _form(phone="", symptoms=None, medications="", history="", research_consent=None)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("field", list(SAFETY_QUESTIONS))
def test_each_safety_question_needs_an_explicit_yes_or_no(field):
    assert _form(**{field: "yes"}).cleaned_data[field] is True
    assert "Answer yes or no." in _form(**{field: None}).errors[field]
    assert _codes(_errors(**{field: "maybe"}), field) == ["invalid_choice"]


def test_safety_questions_start_unanswered():
    html = IntakeForm().as_div()
    assert "checked" not in html


def test_research_consent_is_off_by_default_and_explained():
    form = IntakeForm()
    field = form["research_consent"]
    assert not field.field.required and not field.initial
    assert "does not change your care" in field.help_text


def test_contact_consent_is_required_with_a_reason():
    assert _form(contact_consent=None).errors["contact_consent"] == [
        "Tick this box: we can only reply if you agree to be contacted."
    ]


@pytest.mark.parametrize(
    ("field", "limit"),
    [("first_name", 100), ("last_name", 100), ("phone", 40), ("medications", 2000), ("history", 2000)],
)
def test_text_answers_have_a_maximum_length(field, limit):
    value = "9" * limit if field == "phone" else "a" * limit
    assert field not in _form(**{field: value}).errors
    assert _codes(_errors(**{field: value + "9"}), field) == ["max_length"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "medications", "history", "phone", "email"])
def test_ten_thousand_characters_are_refused_with_a_message(field):
    errors = _form(**{field: "x" * 10_000}).errors[field]
    assert any("at most" in error for error in errors)


def test_date_of_birth_must_be_in_the_past():
    today = timezone.localdate()
    assert _codes(_errors(date_of_birth=today.isoformat()), "date_of_birth") == ["future"]
    tomorrow = today + datetime.timedelta(days=1)
    assert _codes(_errors(date_of_birth=tomorrow.isoformat()), "date_of_birth") == ["future"]
    yesterday = today - datetime.timedelta(days=1)
    assert _form(date_of_birth=yesterday.isoformat()).is_valid()


def test_age_may_be_at_most_120():
    today = timezone.localdate()
    turns_121_today = today.replace(year=today.year - 121)
    assert _codes(_errors(date_of_birth=turns_121_today.isoformat()), "date_of_birth") == ["too_old"]
    still_120 = turns_121_today + datetime.timedelta(days=1)
    assert _form(date_of_birth=still_120.isoformat()).is_valid()
    assert IntakeForm()["date_of_birth"].field.widget.attrs["min"] == still_120.isoformat()


@pytest.mark.parametrize("typed", ["1980-03-31", "31/03/1980"])
def test_date_of_birth_accepts_the_date_picker_and_day_month_year(typed):
    assert _form(date_of_birth=typed).cleaned_data["date_of_birth"] == datetime.date(1980, 3, 31)


@pytest.mark.parametrize("typed", ["31/02/1980", "yesterday", "1980-13-01"])
def test_an_impossible_date_of_birth_is_explained(typed):
    assert _form(date_of_birth=typed).errors["date_of_birth"] == [
        "Enter your date of birth as day/month/year, for example 31/03/1970."
    ]


@pytest.mark.parametrize("email", ["ana", "ana@", "@example.org", "ana@example", "ana lopez@example.org"])
def test_email_must_be_valid(email):
    assert _codes(_errors(email=email), "email") == ["invalid"]


@pytest.mark.parametrize("phone", ["+44 20 7946 0000", "(020) 7946-0000", "0612.34.56.78", "٠٦١٢٣٤٥٦٧٨"])
def test_phone_numbers_are_written_many_ways(phone):
    assert _form(phone=phone).cleaned_data["phone"] == phone


@pytest.mark.parametrize("phone", ["call me", "12345", "020 7946 0000 ext. 5"])
def test_a_phone_number_needs_digits_only(phone):
    assert _codes(_errors(phone=phone), "phone") == ["invalid_phone"]


def test_an_unknown_condition_or_symptom_is_refused():
    assert _codes(_errors(condition="not-a-condition"), "condition") == ["invalid_choice"]
    assert _codes(_errors(symptoms=["fatigue", "tail"]), "symptoms") == ["invalid_choice"]


@pytest.mark.parametrize("field", ["first_name", "last_name", "medications", "history", "phone"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_nul_and_other_control_characters_are_refused(field, control):
    value = f"12345{control}678" if field == "phone" else f"Ana{control}Maria"
    errors = _errors(**{field: value})
    assert _codes(errors, field) == ["control_characters"]


def test_line_breaks_are_allowed_in_free_text_but_not_in_names():
    form = _form(history="Line one\r\nLine two\tindented", first_name="Ana\nMaria")
    assert form.errors.as_data()["first_name"][0].code == "control_characters"
    assert "history" not in form.errors


@pytest.mark.parametrize(
    "name",
    [
        "Zoë",
        "José María",
        "Nguyễn",
        "Ólafur",
        "محمد",  # Arabic, right to left
        "שָׁלוֹם",  # Hebrew with vowel points
        "李小龍",
        "Ана́",
        "A\u200bna",  # zero-width space
        "\u200fعلي",  # right-to-left mark
        "👩\u200d⚕️ Dr Ana",  # emoji joined by a zero-width joiner
        "O'Brien-Smith",
    ],
)
def test_any_script_emoji_rtl_and_zero_width_characters_are_kept(name):
    form = _form(first_name=name, history=f"{name} 🙂")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == name
    assert form.cleaned_data["history"] == f"{name} 🙂"


def test_a_missing_or_tampered_submission_key_does_not_block_the_patient():
    assert _form(submission_key=None).cleaned_data["submission_key"] is None
    assert _form(submission_key="not-a-uuid").cleaned_data["submission_key"] is None


def test_every_visible_input_has_a_label():
    form = IntakeForm()
    for field in form.visible_fields():
        assert field.label, field.name


def test_every_missing_answer_is_explained_in_the_clinics_own_words():
    form = IntakeForm(QueryDict())
    assert not form.is_valid()
    messages = {field: errors[0] for field, errors in form.errors.items()}
    assert set(messages) >= {"first_name", "email", "condition", "complaint_duration", "pregnant", "contact_consent"}
    assert "This field is required." not in messages.values()
    assert messages["first_name"] == "Enter your first name."
    assert messages["previous_acupuncture"] == "Choose yes, no or not sure."
    assert messages["pregnant"] == "Answer yes or no."
