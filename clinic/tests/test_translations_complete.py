"""The public pages (outside the articles, which content's tests check) are complete in Simplified Chinese:
every string marked in their templates, forms, validators and email has a Chinese translation, and the
pages rendered at /zh-hans/ show no English word beyond the clinic's name and a few symbols."""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import Client
from django.utils import translation

from clinic.lib.outage import unavailable_page
from patients.models import Condition
from patients.tests.factories import intake_post_data

ROOT = Path(settings.BASE_DIR)

PUBLIC_TEMPLATES = [
    "base.html",
    "clinic/home.html",
    "clinic/privacy.html",
    "patients/intake_form.html",
    "patients/intake_thanks.html",
    "patients/intake_received.html",
    "patients/rate_limited.html",
    "patients/emails/intake_confirmation.html",
    "patients/emails/intake_confirmation.txt",
    "patients/emails/intake_confirmation_subject.txt",
    "400.html",
    "403.html",
    "403_csrf.html",
    "404.html",
    "500.html",
    "503.html",
]
# Python modules whose marked strings patients read; in patients/forms.py only the intake form's part
# (the admin forms there stay English).
PUBLIC_MODULES = {
    "patients/forms.py": {"IntakeForm", "PlainTextField", "ConditionChoiceField"},
    "patients/models.py": set(),
    "patients/validators.py": {"ControlCharacterValidator"},
    "patients/emails.py": set(),
    "clinic/views.py": set(),
}
GETTEXT_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
}

ZH_CATALOGS = [ROOT / "locale/zh_Hans/LC_MESSAGES/django.po", ROOT / "content/locale/zh_Hans/LC_MESSAGES/django.po"]


def _catalog():
    """Return {(context, msgid): message} of every zh_Hans .po file of the project."""
    messages = {}
    for path in ZH_CATALOGS:
        if path.exists():
            with path.open("rb") as po:
                for message in read_po(po, locale="zh_Hans"):
                    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                    if msgid:
                        messages[(message.context, msgid)] = message
    return messages


def _literal(filter_expression):
    if filter_expression is None:
        return None
    return str(getattr(filter_expression.var, "literal", filter_expression.var))


def _template_msgids(name):
    """Return (context, msgid) of every {% translate %} and {% blocktranslate %} in the template, as Django
    looks them up (placeholders as %(name)s, `trimmed` applied)."""
    nodelist = engines["django"].get_template(name).template.nodelist
    found = [
        (_literal(node.message_context), node.filter_expression.var.literal)
        for node in nodelist.get_nodes_by_type(TranslateNode)
    ]
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        found.append((_literal(node.message_context), node.render_token_list(node.singular)[0]))
    return found


def _module_msgids(path, public_classes):
    """Return (context, msgid) of every gettext call with a literal message in the module, leaving out the
    classes not in `public_classes`."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    nodes = [node for node in tree.body if not isinstance(node, ast.ClassDef) or node.name in public_classes]
    found = []
    for top in nodes:
        for call in ast.walk(top):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) in GETTEXT_CALLS):
                continue
            literals = [arg.value for arg in call.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
            if not literals:
                continue  # a variable: its message is marked where it is written
            context = literals[0] if call.func.id.startswith("pgettext") else None
            found.append((context, literals[1] if context is not None else literals[0]))
    return found


def _untranslated(msgids, catalog):
    missing = []
    for context, msgid in msgids:
        message = catalog.get((context, msgid))
        strings = () if message is None else message.string if isinstance(message.string, tuple) else (message.string,)
        if message is None or message.fuzzy or not all(strings):
            missing.append(msgid)
    return missing


def test_the_public_templates_are_translated():
    catalog = _catalog()
    msgids = [msgid for name in PUBLIC_TEMPLATES for msgid in _template_msgids(name)]
    assert len(msgids) > 100  # the walk found the strings
    assert _untranslated(msgids, catalog) == []


def test_the_intake_form_its_checks_and_its_email_are_translated():
    catalog = _catalog()
    msgids = [msgid for path, classes in PUBLIC_MODULES.items() for msgid in _module_msgids(path, classes)]
    assert ("", "Are you pregnant, or could you be pregnant?") not in msgids
    assert (None, "Are you pregnant, or could you be pregnant?") in msgids
    assert _untranslated(msgids, catalog) == []


@pytest.mark.django_db
def test_every_condition_the_public_pages_list_is_translated():
    catalog = _catalog()
    texts = [
        text
        for name, description in Condition.objects.values_list("name", "description")
        for text in (name, description)
    ]
    assert _untranslated([(None, text) for text in texts], catalog) == []


def test_a_missing_translation_is_found():
    """The check itself: a string with no Chinese, or only a fuzzy one, counts as missing."""
    catalog = _catalog()
    first = catalog[(None, "Home")]
    first.flags.add("fuzzy")
    assert _untranslated([(None, "Home"), (None, "A sentence nobody translated")], catalog) == [
        "Home",
        "A sentence nobody translated",
    ]


# What may stay in Latin letters on a Chinese page: the clinic's name, SpO₂, COVID-19 and Cookie (both
# written so in Chinese), and what the patient typed or was given (email addresses, the reference).
ALLOWED_WORDS = {*settings.CLINIC_NAME.split(), "SpO", "COVID", "Cookie"}
_CHECKED_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "value"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Collect the text a reader sees or hears: text nodes outside scripts and styles, and the attributes
    above (a button's value included). An element inside the page marked lang="en…" (the switcher's
    "English") is English on purpose and left out."""

    def __init__(self):
        super().__init__()
        self.texts, self._open, self._skipped = [], [], 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        english = tag != "html" and (attributes.get("lang") or "").startswith("en")
        skip = tag in ("script", "style") or english
        if tag not in _VOID:
            self._open.append(skip)
            self._skipped += skip
        if skip:
            return
        for name in _CHECKED_ATTRIBUTES & attributes.keys():
            if name != "value" or attributes.get("type") in ("submit", "button"):
                self.texts.append(attributes[name] or "")
        if tag == "meta" and attributes.get("name") == "description":
            self.texts.append(attributes.get("content") or "")

    def handle_endtag(self, tag):
        if tag not in _VOID and self._open:
            self._skipped -= self._open.pop()

    def handle_data(self, data):
        if not self._skipped:
            self.texts.append(data)


def _english_words(html, *, also_allowed=()):
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(parser.texts)
    text = re.sub(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", " ", text)  # email addresses
    for allowed in also_allowed:
        text = text.replace(allowed, " ")
    return sorted({word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in ALLOWED_WORDS})


@pytest.fixture
def chinese_client():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-CN")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/zh-hans/", "/zh-hans/privacy/", "/zh-hans/assessment/", "/zh-hans/no-such-page/"])
def test_a_chinese_public_page_shows_no_english(chinese_client, path):
    response = chinese_client.get(path)
    assert response.status_code in (200, 404)
    assert _english_words(response.content.decode()) == []


@pytest.mark.django_db
def test_the_chinese_form_with_every_answer_missing_shows_no_english(chinese_client):
    response = chinese_client.post("/zh-hans/assessment/", {})
    html = response.content.decode()
    assert "请检查" in html
    assert _english_words(html) == []
    invalid = chinese_client.post(
        "/zh-hans/assessment/",
        intake_post_data(
            email="ana@example",
            date_of_birth="1800-01-01",
            phone="请打电话",
            first_name="\x07",
            medications="氨氯地平 5 毫克",
            history="天冷时手指发白。",
        ),
    )
    assert _english_words(invalid.content.decode()) == []


@pytest.mark.django_db
def test_the_chinese_thanks_page_shows_no_english(chinese_client):
    response = chinese_client.post("/zh-hans/assessment/", intake_post_data(first_name="小龙", last_name="李"))
    assert response.status_code == 302
    thanks = chinese_client.get(response["Location"])
    reference = re.search(r'id="reference">([^<]+)<', thanks.content.decode()).group(1)
    assert "谢谢您，小龙" in thanks.content.decode()
    assert _english_words(thanks.content.decode(), also_allowed=[reference]) == []


@pytest.mark.django_db
def test_the_chinese_rate_limit_page_shows_no_english(settings, chinese_client):
    settings.INTAKE_RATE_LIMIT = "1/hour"
    chinese_client.post("/zh-hans/assessment/", {})
    response = chinese_client.post("/zh-hans/assessment/", {})
    assert response.status_code == 429
    assert _english_words(response.content.decode()) == []


@pytest.mark.django_db
def test_the_chinese_400_and_csrf_pages_show_no_english():
    response = Client().get("/zh-hans/privacy/?q=%00")
    assert response.status_code == 400
    assert _english_words(response.content.decode()) == []
    response = Client(enforce_csrf_checks=True).post("/zh-hans/assessment/", {})
    assert response.status_code == 403
    assert _english_words(response.content.decode()) == []


def test_the_chinese_503_and_500_pages_show_no_english():
    with translation.override("zh-hans"):
        unavailable = unavailable_page().content.decode()
        server_error = render_to_string("500.html")
    assert '<html lang="zh-Hans">' in unavailable
    assert _english_words(unavailable) == [] and _english_words(server_error) == []


@pytest.mark.django_db
def test_the_english_pages_are_english_to_the_check():
    """The check itself: it finds the English of a page it has not been told to expect."""
    html = Client().get("/privacy/").content.decode()
    assert {"Privacy", "notice", "What", "we", "store"} <= set(_english_words(html))
