"""Article panels for other apps' pages (the intake thanks page), so those apps need not import content."""

from django import template

from content.selectors import articles_for_condition

register = template.Library()


@register.simple_tag
def articles_about(condition, limit=3):
    """`{% articles_about condition as articles %}`: up to `limit` newest public articles about `condition`."""
    return articles_for_condition(condition=condition, limit=limit) if condition is not None else []
