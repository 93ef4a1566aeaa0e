from django import template

from clinic.lib import languages

register = template.Library()


@register.filter
def html_lang(language):
    """{{ LANGUAGE_CODE|html_lang }}: the <html lang> tag of a language code ("zh-hans" -> "zh-Hans")."""
    return languages.html_lang(language)
