"""Live embeds in an article: `[[cohort-outcomes]]`, alone on its line, shows the outcome table, and
`[[pooled-outcomes]]` the same table pooled with the partner clinics' summaries.

An embed is a shortcode `[[name key=N …]]` on a line of its own. EMBEDS lists the embeds there are,
each with the parameters it takes and the function that draws it: another embed is one more entry.
The renderer (content.rendering) turns each valid embed line into a placeholder paragraph in one
canonical spelling, `<p>[[cohort-outcomes sessions=6]]</p>`; the page swaps it for the live figures
when shown (`body_with_embeds`). Anything else that looks like an embed is reported by
`embed_problems`, naming the valid forms, so a mistyped one never goes live as literal text.

The tables are the dashboard's own computation (pooled with the partner clinics' summaries made the
same way, for the pooled one), consenting patients only, read and suppressed as in every published
table (sessions.outcome_table), and cached for a few minutes.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from patients.selectors import research_consent_last_withdrawn
from sessions.outcome_table import DEFAULT_SESSIONS, PUBLISH_MIN_PATIENTS, SESSIONS_RANGE, outcome_table

CACHE_SECONDS = 300


@dataclass(frozen=True)
class WholeNumber:
    """A parameter `key=N`, N a whole number from `low` to `high`; `default` when left out."""

    low: int
    high: int
    default: int

    def parse(self, text):
        """Return the number `text` names, or None when it is not one in range."""
        return int(text) if text.isdigit() and self.low <= int(text) <= self.high else None

    def describe(self, key):
        return f"{key} from {self.low} to {self.high}"


@dataclass(frozen=True)
class Embed:
    """One kind of embed: its name, its parameters, and `render(**parameters)` returning its HTML."""

    name: str
    parameters: dict
    render: Callable[..., str]

    def forms(self):
        """Return the ways to write it: "[[cohort-outcomes]] or [[cohort-outcomes sessions=N]]
        (sessions from 2 to 20)"."""
        written = [f"[[{self.name}]]"] + [f"[[{self.name} {key}=N]]" for key in self.parameters]
        ranges = ", ".join(parameter.describe(key) for key, parameter in self.parameters.items())
        return " or ".join(written) + (f" ({ranges})" if ranges else "")


def cohort_table_published(*, sessions):
    """Return {"sessions", "as_of", "rows"} for the published table after `sessions` sessions.

    `rows` are sessions.outcome_table.OutcomeRows in published form. Cached for CACHE_SECONDS, but
    never past a withdrawal of research consent: from then on the patient is in no published figure.
    `as_of` is when the figures were computed.
    """

    def compute():
        # Imported here: the computation (and SciPy, about a second to load) is only needed when an
        # article actually embeds the table, not in every process that serves the site.
        from sessions.outcomes import cohort_outcomes

        rows = cohort_outcomes(sessions=sessions, reading="post", all_patients=False)
        return {
            "sessions": sessions,
            "as_of": timezone.now(),
            "rows": outcome_table(rows, all_patients=False, published=True),
        }

    withdrawn = research_consent_last_withdrawn()
    key = f"content:cohort-outcomes:{sessions}:{withdrawn.timestamp() if withdrawn else 0}"
    return cache.get_or_set(key, compute, CACHE_SECONDS)


def pooled_table_published(*, sessions):
    """Return {"sessions", "as_of", "sites", "rows"} for the table pooled with partner clinics.

    `rows` are OutcomeRows in published form, from this clinic's consenting patients and the partner
    summaries made with the same parameters (session N after treatment, no window, no protocol);
    `sites` names the clinics pooled (this one only while no partner summary matches). Cached.
    """

    def compute():
        from registry.selectors import pooled_outcomes
        from sessions.outcomes import CohortParams, cohort_row, cohort_totals

        params = CohortParams(sessions=sessions)
        totals = cohort_totals(params)
        found = pooled_outcomes(params=params, totals=totals)
        if found.pooled is None:
            sites, rows = [settings.CLINIC_NAME], [cohort_row(t) for t in totals]
        else:
            sites, rows = [summary.site for summary in found.pooled.sites], found.pooled.rows
        return {
            "sessions": sessions,
            "as_of": timezone.now(),
            "sites": sites,
            "rows": outcome_table(rows, all_patients=False, published=True),
        }

    withdrawn = research_consent_last_withdrawn()
    key = f"content:pooled-outcomes:{sessions}:{withdrawn.timestamp() if withdrawn else 0}"
    return cache.get_or_set(key, compute, CACHE_SECONDS)


# The tables' caches hold figures, never words: each page draws them in its reader's language.
def _cohort_outcomes_html(*, sessions):
    context = {**cohort_table_published(sessions=sessions), "minimum": PUBLISH_MIN_PATIENTS}
    return render_to_string("content/embeds/cohort_outcomes.html", context)


def _pooled_outcomes_html(*, sessions):
    context = {**pooled_table_published(sessions=sessions), "minimum": PUBLISH_MIN_PATIENTS}
    return render_to_string("content/embeds/pooled_outcomes.html", context)


EMBEDS = {
    embed.name: embed
    for embed in [
        Embed(
            "cohort-outcomes",
            {"sessions": WholeNumber(*SESSIONS_RANGE, default=DEFAULT_SESSIONS)},
            _cohort_outcomes_html,
        ),
        Embed(
            "pooled-outcomes",
            {"sessions": WholeNumber(*SESSIONS_RANGE, default=DEFAULT_SESSIONS)},
            _pooled_outcomes_html,
        ),
    ]
}

# Anything written like a shortcode, anywhere in a line.
SHORTCODE = re.compile(r"\[\[(?P<inside>[^\[\]\n]*)\]\]")
# A shortcode that stands alone on its line (up to three spaces before it: four make a code block).
SHORTCODE_LINE = re.compile(r"^ {0,3}\[\[(?P<inside>[^\[\]\n]*)\]\]\s*$")
# The placeholder the renderer leaves in the stored HTML, in canonical spelling.
PLACEHOLDER = re.compile(r"<p>\[\[(?P<inside>[a-z][a-z-]*(?: [a-z_]+=\d+)*)\]\]</p>")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).+?\1")


class EmbedProblem(ValueError):
    """A shortcode that is not a valid embed; the message says why."""


def embed_parse(inside):
    """Return (Embed, parameters with defaults filled in) for the text between `[[` and `]]`.

    Raise EmbedProblem saying what is wrong with it.
    """
    name, *arguments = inside.split() or [""]
    embed = EMBEDS.get(name)
    if embed is None:
        close = difflib.get_close_matches(name.lower(), list(EMBEDS), n=1, cutoff=0.6)
        raise EmbedProblem("there is no such embed" + (f" (did you mean [[{close[0]}]]?)" if close else ""))
    values = {}
    for argument in arguments:
        key, _, text = argument.partition("=")
        parameter = embed.parameters.get(key)
        if parameter is None:
            raise EmbedProblem(f"[[{embed.name}]] takes no “{argument}”")
        value = parameter.parse(text)
        if value is None or key in values:
            raise EmbedProblem(f"{key} must be given once, as a whole number from {parameter.low} to {parameter.high}")
        values[key] = value
    return embed, {key: values.get(key, parameter.default) for key, parameter in embed.parameters.items()}


def embed_line(line):
    """Return the canonical shortcode of a valid embed line ("[[cohort-outcomes sessions=6]]"), or None."""
    match = SHORTCODE_LINE.match(line)
    if not match:
        return None
    try:
        embed, values = embed_parse(match["inside"])
    except EmbedProblem:
        return None
    return "[[" + " ".join([embed.name, *(f"{key}={value}" for key, value in values.items())]) + "]]"


def valid_forms():
    """Return the sentence that names every valid embed."""
    return "An embed stands alone on its line: " + "; ".join(embed.forms() for embed in EMBEDS.values()) + "."


def embed_problems(body):
    """Return a message for each shortcode in `body` (Markdown) that will not show as an embed.

    Shortcodes in code blocks and code spans are text on purpose and are left alone.
    """
    problems, in_fence = [], False
    for number, line in enumerate((body or "").splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith(("    ", "\t")):
            continue
        alone = SHORTCODE_LINE.match(line)
        for match in SHORTCODE.finditer(_CODE_SPAN.sub("", line)):
            try:
                embed_parse(match["inside"])
            except EmbedProblem as problem:
                why = str(problem)
            else:
                if alone:
                    continue
                why = "an embed must stand alone on its line"
            problems.append(f"Line {number}: “{match.group(0)}” will not show: {why}. {valid_forms()}")
    return problems


def embeds_figures(body_html):
    """True when the stored body HTML holds an embed placeholder: the page shows live outcome figures."""
    return bool(PLACEHOLDER.search(body_html))


def body_with_embeds(body_html):
    """Return the stored, sanitised body HTML with each embed placeholder replaced by the live embed."""

    def embedded(match):
        try:
            embed, values = embed_parse(match["inside"])
        except EmbedProblem:
            return match.group(0)  # the renderer never makes this; an author typed it: leave it as text
        return embed.render(**values)

    # Safe: body_html was sanitised on save, and the embeds' templates escape every value.
    return mark_safe(PLACEHOLDER.sub(embedded, body_html))  # noqa: S308
