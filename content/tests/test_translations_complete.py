"""Every string of the article pages (templates/content/**) has a Chinese translation."""

from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType, Variable
from django.templatetags.i18n import BlockTranslateNode

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "content"
CATALOG = Path(settings.BASE_DIR) / "content" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
TRANSLATE = {"translate", "trans"}
BLOCK_TRANSLATE = {"blocktranslate", "blocktrans"}


def _literal(bit):
    """The text of a quoted template string, or None for a variable (`{% translate row.condition %}`)."""
    return Variable(bit).literal if bit[:1] in "\"'" else None


def _context(bits):
    return _literal(bits[bits.index("context") + 1]) if "context" in bits else None


def template_messages(source):
    """Return (context, msgid, plural msgid or None) for each literal string `source` marks for translation,
    spelt as Django looks it up (blocktranslate doubles % and writes variables as %(name)s)."""
    messages, tokens = [], iter(Lexer(source).tokenize())
    for token in tokens:
        if token.token_type != TokenType.BLOCK:
            continue
        bits = token.split_contents()
        if bits[0] in TRANSLATE and _literal(bits[1]) is not None:
            messages.append((_context(bits), _literal(bits[1]), None))
        elif bits[0] in BLOCK_TRANSLATE:
            singular, plural, current = [], [], None
            current = singular
            for inner in tokens:
                if inner.token_type == TokenType.BLOCK and inner.contents.startswith("end" + bits[0]):
                    break
                if inner.token_type == TokenType.BLOCK and inner.contents == "plural":
                    current = plural
                    continue
                current.append(inner)
            node = BlockTranslateNode({}, singular, trimmed="trimmed" in bits)
            plural_msgid = node.render_token_list(plural)[0] if plural else None
            messages.append((_context(bits), node.render_token_list(singular)[0], plural_msgid))
    return messages


def _translated(message, plural):
    """True when every form of `message` is translated and, for a plural, the catalog has the template's plural."""
    if plural:
        return isinstance(message.id, tuple) and message.id[1] == plural and all(message.string)
    return isinstance(message.string, str) and bool(message.string)


def test_every_string_of_the_article_templates_has_a_chinese_translation():
    with CATALOG.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_Hans")
    missing = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for context, msgid, plural in template_messages(template.read_text()):
            message = catalog.get(msgid, context=context)
            if message is None or message.fuzzy or not _translated(message, plural):
                missing.append(f"{template.relative_to(settings.BASE_DIR)}: {msgid!r}")
    assert missing == []


def test_the_extraction_reads_translate_and_blocktranslate_as_django_does():
    source = (
        '{% translate "j F Y" context "date" as fmt %}{% translate row.condition %}'
        "{% blocktranslate trimmed count counter=n %}\n  {{ counter }} read at 95%\n{% plural %}{{ counter }} reads"
        "{% endblocktranslate %}"
    )
    assert template_messages(source) == [
        ("date", "j F Y", None),
        (None, "%(counter)s read at 95%%", "%(counter)s reads"),
    ]
