"""``{% load reports %}``: ``user|may_read_report`` for the navigation."""

from django import template

from ..permissions import may_read_report as _may_read_report

register = template.Library()


@register.filter
def may_read_report(user) -> bool:
    return _may_read_report(user)
