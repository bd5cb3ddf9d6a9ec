"""``{% load privacy %}``: ``user|may_use_privacy_pages`` for the navigation."""

from django import template

from ..permissions import may_use_privacy_pages as _may_use_privacy_pages

register = template.Library()


@register.filter
def may_use_privacy_pages(user) -> bool:
    return _may_use_privacy_pages(user)
