"""Protocol panels for other apps' pages (the intake thanks page), so those apps need not import protocols."""

from django import template

from protocols.selectors import protocol_for_condition

register = template.Library()


@register.simple_tag
def typical_course(condition):
    """`{% typical_course condition as course %}`: the active protocol for `condition`, or None."""
    return protocol_for_condition(condition=condition) if condition is not None else None
