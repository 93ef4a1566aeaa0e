"""Article panels for other apps' pages (the intake thanks page), so those apps need not import content;
and the outcome embeds' figure format."""

from django import template

from content.selectors import articles_for_condition
from sessions.outcome_table import signed

register = template.Library()


@register.simple_tag
def articles_about(condition, limit=3):
    """`{% articles_about condition as articles %}`: up to `limit` newest public articles about `condition`."""
    return articles_for_condition(condition=condition, limit=limit) if condition is not None else []


@register.filter
def outcome_signed(value):
    """A figure with its sign as the outcome tables write it: "+2.6", "-1.2" (sessions.outcome_table.signed)."""
    return signed(value)
