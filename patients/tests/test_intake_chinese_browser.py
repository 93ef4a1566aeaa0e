"""A patient whose phone is set to Chinese finds the Chinese pages, sends the assessment in Chinese, and can
switch languages on any page without losing it, in real Chromium."""

import pytest
from django.core import mail
from django.utils import translation
from playwright.sync_api import expect

from patients.forms import SAFETY_QUESTIONS
from patients.models import IntakeSubmission, Patient

pytestmark = pytest.mark.browser


@pytest.fixture
def chinese_phone(browser, browser_settings, live_server):
    """A page in a 390×844 phone whose browser prefers Simplified Chinese."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_patient_on_a_chinese_phone_completes_the_assessment_in_chinese(chinese_phone, live_server, axe, screenshot):
    page = chinese_phone
    page.goto(live_server.url + "/")
    page.wait_for_url("**/zh-hans/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.get_by_role("link", name="预约免费评估").click()
    page.wait_for_url("**/zh-hans/assessment/")
    assert axe(page) == []
    screenshot(page, "intake-phone-zh-empty")

    page.get_by_label("名字").fill("小龙")
    page.get_by_label("姓氏").fill("李")
    page.get_by_label("出生日期").fill("1980-03-31")
    page.get_by_label("性别").select_option(label="男")
    page.get_by_label("电子邮箱").fill("li.xiaolong@example.org")
    page.get_by_label("您希望我们帮您解决什么问题？").select_option(label="雷诺现象")
    page.get_by_role("group", name="这个问题持续多久了？").get_by_label("1 到 5 年").check()
    page.get_by_label("手脚冰凉").check()
    page.get_by_label("您目前在用的药物（选填）").fill("氨氯地平 5 毫克")
    with translation.override("zh-hans"):
        questions = {field: str(question) for field, question in SAFETY_QUESTIONS.items()}
    for field, question in questions.items():
        answer = "是" if field == "blood_thinners" else "否"
        page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()
    page.get_by_role("group", name="您以前做过针灸吗？").get_by_label("不确定").check()
    page.get_by_label("我同意诊所就本次评估和我的治疗").check()
    page.get_by_role("button", name="提交我的评估表").click()

    page.wait_for_url("**/zh-hans/assessment/thanks/**")
    expect(page.get_by_role("heading", name="谢谢您，小龙")).to_be_visible()
    screenshot(page, "intake-phone-zh-thanks")
    patient = Patient.objects.get()
    assert (patient.first_name, patient.last_name, patient.sex) == ("小龙", "李", "male")
    assert patient.blood_thinners and not patient.pregnant
    assert patient.symptoms == ["cold_extremities"] and patient.medications == "氨氯地平 5 毫克"
    submission = IntakeSubmission.objects.get()
    assert submission.language == "zh-hans"
    assert submission.answers["complaint_duration"] == "1 to 5 years"
    assert "免费评估" in mail.outbox[0].subject


def test_the_language_switcher_keeps_the_page_and_is_remembered(chinese_phone, live_server):
    page = chinese_phone
    page.goto(live_server.url + "/privacy/")
    page.wait_for_url("**/zh-hans/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("隐私声明")

    # With the keyboard: the switcher is a button, reached and pressed like any other.
    page.get_by_role("button", name="English").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    # Chosen once, English stays, although the phone prefers Chinese.
    page.goto(live_server.url + "/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")

    page.get_by_role("button", name="简体中文").click()
    page.wait_for_url("**/zh-hans/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("隐私声明")
