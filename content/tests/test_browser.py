import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.tests.waiting import wait_until
from content.models import Article
from content.tests.factories import ArticleFactory, ArticleTranslationFactory, TagFactory

pytestmark = pytest.mark.browser

WIDE_TABLE = (
    "| "
    + " | ".join(f"Column {n}" for n in range(9))
    + " |\n|"
    + "---|" * 9
    + "\n| "
    + " | ".join(f"value {n}" for n in range(9))
    + " |"
)


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # stylesheets applied
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_reader_on_a_phone_finds_an_article_and_reads_it(phone_page, live_server, screenshot):
    tag = TagFactory(name="Circulation")
    ArticleFactory(
        title="Cold hands and what helps",
        summary="Why hands go cold, and three things that help.",
        body=f"## Why hands go cold\n\nBlood vessels **narrow** in the cold.\n\n{WIDE_TABLE}\n\n"
        "See [the NHS page](https://www.nhs.uk/).",
        source="Acuflow Clinic",
        tags=[tag],
    )
    page = phone_page
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Toggle navigation").click()
    page.get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name="Cold hands and what helps").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Cold hands and what helps")
    expect(page.locator(".article-meta")).to_contain_text("1 read")
    assert page.get_by_role("link", name="the NHS page").get_attribute("rel") == "noopener nofollow"
    assert _no_sideways_scroll(page), page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    # The wide table scrolls inside its own box, which keyboard users can reach and scroll.
    box = page.locator(".article-body .table-scroll")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    page.keyboard.press("Tab")
    while page.evaluate("!document.activeElement.classList.contains('table-scroll')"):
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    wait_until(page, "document.querySelector('.article-body .table-scroll').scrollLeft > 0")
    screenshot(page, "content-article-phone")

    page.goto(f"{live_server.url}/articles/")
    page.get_by_label("Search articles").fill("narrow")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 article found")).to_be_visible()
    screenshot(page, "content-search-phone")


def test_an_editor_sees_a_live_preview_while_writing(tablet_page, live_server, editor, screenshot, enter_code):
    page = tablet_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/content/article/add/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    enter_code(page, editor)

    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.get_by_label("Title").fill("Writing with a preview")
    page.locator("#id_body").fill(
        "## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>**bold**"
    )
    preview = page.locator("#article-preview")
    expect(preview.locator("h2")).to_contain_text("A heading")
    expect(preview.locator("table td").first).to_have_text("1")
    assert preview.locator("script").count() == 0
    assert errors == []
    screenshot(page, "content-admin-preview")

    # A mistyped embed is flagged in the preview, naming the valid forms.
    page.locator("#id_body").fill("Our figures:\n\n[[cohort-outcome]]")
    expect(preview.locator("#embed-problems")).to_contain_text("did you mean [[cohort-outcomes]]?")
    expect(preview.locator("#embed-problems")).to_contain_text("[[cohort-outcomes sessions=N]]")
    page.locator("#id_body").fill("## A heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold**")
    expect(preview.locator("#embed-problems")).to_have_count(0)

    page.get_by_label("Summary").fill("A test of the preview.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    article = Article.objects.get()
    assert article.slug == "writing-with-a-preview" and article.status == Article.Status.DRAFT


def test_on_a_phone_the_outcome_table_is_one_card_per_condition_with_every_figure(phone_page, live_server):
    from clinic.demo import demo_patients_create, demo_users_create

    demo_users_create()
    demo_patients_create(count=60)
    ArticleFactory(title="Our figures", slug="our-figures", body="Our figures:\n\n[[cohort-outcomes]]")
    page = phone_page
    page.goto(f"{live_server.url}/articles/our-figures/")
    cards = page.locator(".cohort-card")
    assert cards.count() >= 3
    assert not page.locator(".cohort-embed table").is_visible()
    published = cards.filter(has=page.locator("dl")).first
    for name in ["Patients", "Avg. baseline SpO₂ (rest)", "Δ SpO₂ (95% CI)", "Reporting improved warmth/clarity"]:
        expect(published.get_by_text(name, exact=True)).to_be_visible()
    # Every figure and its name lies inside the screen's width: nothing to scroll sideways to.
    outside = page.evaluate(
        "[...document.querySelectorAll('.cohort-card dt, .cohort-card dd')]"
        ".filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })"
        ".map(e => e.textContent)"
    )
    assert outside == []
    assert _no_sideways_scroll(page)


def test_a_reader_opens_an_article_then_its_chinese_translation_and_goes_back(phone_page, live_server, screenshot):
    article = ArticleFactory(title="Warm hands", body="## Why\n\nBecause **circulation**.", source="Acuflow Clinic")
    ArticleTranslationFactory(article=article, title="温暖的双手", body="## 为什么\n\n因为**血液循环**。")
    untranslated = ArticleFactory(title="Cold feet")
    page = phone_page
    page.goto(f"{live_server.url}/articles/{article.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Warm hands")

    page.get_by_role("link", name="阅读本文的简体中文版").click()
    expect(page).to_have_url(f"{live_server.url}/zh-hans/articles/{article.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("温暖的双手")
    published = timezone.localtime(article.published_at)
    meta = page.locator(".article-meta")
    expect(meta).to_contain_text(f"时间：{published.year}年{published.month}月{published.day}日")
    expect(meta).to_contain_text("浏览：1")  # the same reader, counted once in either language
    expect(meta).to_contain_text("来源：Acuflow Clinic")
    assert page.locator(".article-body").get_attribute("lang") == "zh-hans"
    screenshot(page, "content-article-chinese-phone")

    page.goto(f"{live_server.url}/zh-hans/articles/{untranslated.slug}/")
    expect(page.get_by_role("note")).to_contain_text("这篇文章还没有中文译文")
    assert page.locator(".article-body").get_attribute("lang") == "en-gb"
    page.get_by_role("link", name="打开英文原文页面").click()
    expect(page).to_have_url(f"{live_server.url}/articles/{untranslated.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cold feet")
