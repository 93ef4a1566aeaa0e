"""Embeds in an article: what counts as one, and every shortcode that will not show is reported."""

from content.embeds import EMBEDS, embed_line, embed_problems, valid_forms


def test_a_valid_embed_line_has_one_canonical_spelling():
    assert embed_line("[[cohort-outcomes]]") == "[[cohort-outcomes sessions=6]]"
    assert embed_line("  [[cohort-outcomes   sessions=8 ]]  ") == "[[cohort-outcomes sessions=8]]"
    assert embed_line("[[cohort-outcomes sessions=21]]") is None
    assert embed_line("Our figures: [[cohort-outcomes]]") is None


def test_every_mistyped_embed_is_reported_with_its_line_and_why():
    body = "\n".join(
        [
            "[[cohort-outcomes]]",
            "[[cohort-outcome]]",
            "[[Cohort-Outcomes]]",
            "Our figures: [[cohort-outcomes]] today.",
            "[[cohort-outcomes sessions=six]]",
            "[[cohort-outcomes sessions=6 sessions=8]]",
            "[[pooled]]",
        ]
    )
    problems = embed_problems(body)
    assert [problem.split(":", 1)[0] for problem in problems] == [
        "Line 2",
        "Line 3",
        "Line 4",
        "Line 5",
        "Line 6",
        "Line 7",
    ]
    assert "did you mean [[cohort-outcomes]]?" in problems[0] and "did you mean [[cohort-outcomes]]?" in problems[1]
    assert "an embed must stand alone on its line" in problems[2]
    assert "sessions must be given once" in problems[3] and "sessions must be given once" in problems[4]
    assert problems[5].startswith("Line 7: “[[pooled]]” will not show: there is no such embed.")
    assert all(problem.endswith(valid_forms()) for problem in problems)


def test_shortcodes_in_code_are_text_on_purpose_and_not_reported():
    body = "Write `[[cohort-outcomes]]` on a line.\n\n```\n[[cohort-outcome]]\n```\n\n    [[cohort-outcome]]"
    assert embed_problems(body) == []


def test_the_valid_forms_name_every_embed_there_is():
    assert valid_forms() == (
        "An embed stands alone on its line: [[cohort-outcomes]] or [[cohort-outcomes sessions=N]] "
        "(sessions from 2 to 20); [[pooled-outcomes]] or [[pooled-outcomes sessions=N]] (sessions from 2 to 20)."
    )
    assert all(f"[[{name}]]" in valid_forms() for name in EMBEDS)
