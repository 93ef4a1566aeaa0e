"""Demo articles for seed_demo: written for this project, published a few weeks apart.

Each article is found by its slug, so running seed_demo again creates nothing new.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from content.models import Article, Tag
from content.services import article_save
from patients.models import Condition

MEASURING = """\
Every treatment at the clinic starts and ends the same way: with a quiet minute, a finger clip and a few
questions. This article explains what we record and why.

## What we record at each visit

| When | What | Why |
|---|---|---|
| Before needling | Resting SpO₂ and pulse | Your baseline for the day, taken after five minutes seated |
| After needling | SpO₂ and pulse again | The immediate response to the session |
| At the end | Warmth and mental clarity, in your own words | What matters to you, not just to the machine |

**SpO₂** is the share of your haemoglobin that is carrying oxygen. In healthy adults at rest it is usually
between 95 and 100 percent. A reading below 90 percent is always followed up with you and, if needed, your doctor.

## Why a finger clip is not the whole story

A pulse oximeter reads the blood flowing through your fingertip. Cold hands, nail varnish and movement all
disturb it, which is why we take the reading at rest and in a warm room. We also ask how you *feel*, because
a change in warmth or clarity often comes before any change a device can see.

## Where the numbers go

Your readings belong to your record and guide your treatment. If you agree to research use, they also count,
anonymously, in the figures we publish: see [our outcome figures](/articles/our-outcome-figures/).
If you are wondering whether this approach suits you, start with
[what to expect at your first visit](/articles/your-first-visit/).
"""

RAYNAUDS = """\
Raynaud's phenomenon makes the small arteries of the fingers and toes clamp down in the cold or under stress.
The skin turns white, then blue, then red and throbbing as blood returns.

## What acupuncture may help with

- **Warmth and comfort**: many patients tell us their hands feel warmer for a day or two after treatment.
- **How often attacks come**: some notice fewer or shorter attacks over a course of sessions.
- **Stress**: a calm hour matters, since stress is a common trigger.

## What it cannot do

Acupuncture does not treat the cause of *secondary* Raynaud's, which comes with another condition such as
scleroderma or lupus. **If your fingers develop sores, or an attack affects only one hand, see your doctor
first.** We ask about this at the [assessment](/assessment/) and work alongside your GP.

## Keeping warm between sessions

1. Warm your core, not only your hands: a vest does more than gloves alone.
2. Keep a pair of gloves by the freezer and the front door.
3. Run warm (not hot) water over your hands to end an attack.

Curious how we judge whether treatment helps? Read [how we measure circulation](/articles/how-we-measure-circulation/).
"""

FIRST_VISIT = """\
Your first appointment lasts about ninety minutes. Here is what happens, step by step.

## Before you come

Fill in the [free assessment](/assessment/). It asks about your health, your medicines and a short
**safety screen**: pregnancy, blood thinners, bleeding disorders, pacemakers and a few more. None of these
rule you out, but they change how we treat you.

## On the day

| Step | Time | What happens |
|---|---|---|
| Conversation | 30 min | Your history, what you hope for, questions both ways |
| Measurements | 10 min | Resting SpO₂ and pulse |
| Treatment | 30–40 min | Fine, single-use needles; you rest while they are in |
| Wrap-up | 10 min | Readings again, how you feel, a plan for the next visits |

## How many sessions?

Most people come weekly for **six sessions**, and we review progress together at the end. Our published
figures are based on the same six-session course: see [our outcome figures](/articles/our-outcome-figures/).

Questions about measurements? [How we measure circulation](/articles/how-we-measure-circulation/) explains it.
"""

OUTCOMES = """\
We publish our results, including the unflattering ones. The table below updates itself from our treatment
records: it compares each patient's resting oxygen saturation at the first session with the reading after
their sixth.

[[cohort-outcomes]]

## How to read the table

- **Δ SpO₂** is the average change per patient in percentage points. The range in brackets is its 95%
  confidence interval: a narrow range means a steady result, a wide one means we need more patients.
- **Fewer than 5** means too few patients have reached the sixth session to say anything, and we will not
  risk identifying anyone.
- Only patients who agreed to anonymised research use are counted.

## What these figures are not

They come from one clinic, with no comparison group. A rise in SpO₂ after a course of treatment can have many
causes, from warmer weather to changes in medication. We share them so you can judge for yourself, alongside
[how we measure](/articles/how-we-measure-circulation/) and the precise
[definitions](/articles/definitions/).
"""

# slug -> article fields, tags, condition slugs, days ago published
DEMO_ARTICLES = {
    "how-we-measure-circulation": {
        "title": "How we measure circulation at every visit",
        "summary": "Resting SpO₂, pulse, and how you feel: what we record before and after each treatment, and why.",
        "body": MEASURING,
        "tags": ["Measurement", "Our approach"],
        "conditions": [],
        "days_ago": 62,
    },
    "raynauds-what-acupuncture-can-and-cannot-do": {
        "title": "Cold hands and Raynaud's: what acupuncture can and cannot do",
        "summary": "Where treatment may help with Raynaud's, when to see your doctor first, and staying warm.",
        "body": RAYNAUDS,
        "tags": ["Conditions", "Circulation"],
        "conditions": ["raynauds-phenomenon", "peripheral-artery-disease-mild"],
        "days_ago": 41,
    },
    "your-first-visit": {
        "title": "Your first visit: what to expect",
        "summary": "From the online assessment to your first treatment: the steps, timings and safety questions.",
        "body": FIRST_VISIT,
        "tags": ["Our approach", "New patients"],
        "conditions": [],
        "days_ago": 25,
    },
    "our-outcome-figures": {
        "title": "Our outcome figures, published honestly",
        "summary": "Change in resting SpO₂ after six sessions, per condition, live from our records.",
        "body": OUTCOMES,
        "tags": ["Outcomes", "Measurement"],
        "conditions": ["chronic-fatigue-syndrome", "post-covid-microvascular-dysfunction"],
        "days_ago": 9,
    },
}
DEMO_SOURCE = "Acuflow Clinic"


def _tag(name):
    tag, _ = Tag.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
    return tag


def demo_articles_create():
    """Create the demo articles that are missing, published by the demo editor. Return how many were created.

    Run after clinic.demo.demo_users_create, which makes the demo editor.
    """
    author = User.objects.get(username="demo-editor")
    now = timezone.now()
    created = 0
    for slug, spec in DEMO_ARTICLES.items():
        if Article.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            article = Article(
                slug=slug,
                title=spec["title"],
                summary=spec["summary"],
                body=spec["body"],
                author=author,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(days=spec["days_ago"]),
                source=DEMO_SOURCE,
            )
            article_save(article=article, by=author)
            article.tags.set([_tag(name) for name in spec["tags"]])
            article.conditions.set(Condition.objects.filter(slug__in=spec["conditions"]))
        created += 1
    return created
