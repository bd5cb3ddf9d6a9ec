"""Navigation entries of the concept app for the base layout, by the app's own rules."""

from django import template
from django.core.exceptions import PermissionDenied

from concept.permissions import catalogue_cooperation, concept_access

register = template.Library()


@register.inclusion_tag("concept/includes/nav_items.html", takes_context=True)
def concept_nav_items(context) -> dict:
    """The Gesamtkonzept for its readers, the catalogue of offers for all staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    entries = {"request": request, "overview": False, "offers": False}
    if user is None or not user.is_authenticated:
        return entries
    try:
        concept_access(user)
        entries["overview"] = True
    except PermissionDenied:
        pass
    try:
        catalogue_cooperation(user)
        entries["offers"] = True
    except PermissionDenied:
        pass
    return entries
