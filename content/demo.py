"""Demo articles for seed_demo: written for this project, published a few weeks apart, two of them
with a published Simplified Chinese translation (the others show readers of /zh-hans/ the notice
and the original).

Each article is found by its slug and each translation by its article and language, so running
seed_demo again creates nothing new.
"""

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from content.models import Article, ArticleTranslation, Tag
from content.services import article_save, article_translation_save
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

# The translations keep each paragraph on one line: a line break inside a Chinese paragraph shows as a space.
MEASURING_ZH = """\
在诊所，每次治疗的开始和结束都一样：安静地坐一分钟，夹上指夹，回答几个问题。这篇文章说明我们记录什么，以及为什么记录。

## 每次就诊时我们记录什么

| 时间 | 内容 | 原因 |
|---|---|---|
| 针刺前 | 静息血氧饱和度（SpO₂）和脉搏 | 您当天的基线读数，在坐下休息五分钟后测量 |
| 针刺后 | 再测一次血氧饱和度和脉搏 | 了解这次治疗后身体的即时反应 |
| 结束时 | 用您自己的话说说温暖感和头脑清晰度 | 对您重要的感受，而不只是仪器的读数 |

**血氧饱和度（SpO₂）**是血液中携带氧气的血红蛋白所占的比例。健康成年人静息时通常在 95% 到 100% 之间。读数低于 90% 时，我们一定会和您跟进，必要时也会联系您的医生。

## 为什么指夹读数不能说明一切

脉搏血氧仪读取的是流过指尖的血液。手冷、涂了指甲油或手在动，都会影响读数，所以我们在温暖的房间里、在您静息时测量。我们也会问您*感觉*如何，因为温暖感或头脑清晰度的变化，往往比仪器能测到的变化来得更早。

## 这些数字用在哪里

您的读数属于您的病历，用来指导您的治疗。如果您同意将数据用于研究，这些读数还会以匿名方式计入我们公布的数据：请看[我们的疗效数据](/zh-hans/articles/our-outcome-figures/)。
如果您想知道这种治疗方式是否适合您，可以先读[第一次就诊时会发生什么](/zh-hans/articles/your-first-visit/)（英文）。
"""  # noqa: E501

OUTCOMES_ZH = """\
我们公布自己的结果，包括不那么好看的结果。下表根据我们的治疗记录自动更新：它比较每位患者第一次治疗时的静息血氧饱和度，和第六次治疗后的读数。

[[cohort-outcomes]]

## 如何阅读这张表

- **血氧饱和度变化 Δ** 是每位患者平均变化了多少，单位为百分点。括号里的范围是它的 95% 置信区间：范围窄，说明结果稳定；范围宽，说明我们还需要更多患者的数据。
- **患者少于 5 名**表示完成第六次治疗的患者太少，说明不了什么，而且我们不愿冒让人认出某位患者的风险。
- 只统计同意将数据匿名用于研究的患者。

## 这些数据不能说明什么

这些数据来自一家诊所，没有对照组。一个疗程后血氧饱和度上升，可能有很多原因，从天气变暖到用药变化都有可能。我们公布这些数据，是为了让您自己判断；也请参考[我们如何测量](/zh-hans/articles/how-we-measure-circulation/)和准确的[定义](/zh-hans/articles/definitions/)。
"""  # noqa: E501

# article slug -> its published Simplified Chinese translation
DEMO_TRANSLATIONS = {
    "how-we-measure-circulation": {
        "title": "我们如何在每次就诊时测量血液循环",
        "summary": "静息血氧饱和度、脉搏，以及您的感受：每次治疗前后我们记录什么，为什么记录。",
        "body": MEASURING_ZH,
    },
    "our-outcome-figures": {
        "title": "我们的疗效数据，如实公布",
        "summary": "六次治疗后静息血氧饱和度的变化，按病症分列，直接来自我们的记录。",
        "body": OUTCOMES_ZH,
    },
}

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
    """Create the demo articles that are missing, published by the demo editor, and their missing demo
    translations. Return how many articles were created.

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
    _demo_translations_create(author=author)
    return created


def _demo_translations_create(*, author):
    """Publish the demo translations that are missing, an hour after their article (or now, if later)."""
    for slug, spec in DEMO_TRANSLATIONS.items():
        article = Article.objects.filter(slug=slug).first()
        if article is None or article.translations.filter(language="zh-hans").exists():
            continue
        translation = ArticleTranslation(
            article=article,
            language="zh-hans",
            status=Article.Status.PUBLISHED,
            published_at=min(article.published_at + timedelta(hours=1), timezone.now()),
            **spec,
        )
        article_translation_save(translation=translation, by=author)
