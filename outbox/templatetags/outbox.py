"""``{% load outbox %}``: ``user|may_read_outbox`` for the navigation."""

from django import template

from ..access import may_read_outbox as _may_read_outbox

register = template.Library()


@register.filter
def may_read_outbox(user) -> bool:
    return _may_read_outbox(user)
