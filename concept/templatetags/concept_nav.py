"""Navigation entries of the concept app for the base layout, by the app's own rules."""

from django import template

from concept.permissions import may_read_concept

register = template.Library()


@register.inclusion_tag("concept/includes/nav_items.html", takes_context=True)
def concept_nav_items(context) -> dict:
    """The Gesamtkonzept for its readers, the catalogue of offers for all staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "request": request,
        "overview": signed_in and may_read_concept(user),
        # An institution always has a cooperation: its id answers without a query.
        "offers": signed_in and user.is_active and user.institution_id is not None,
    }
