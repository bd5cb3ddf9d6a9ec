from django import template
from django.utils.safestring import SafeString

from agreements.markup import render_markdown

register = template.Library()


@register.filter
def markdown(source: str) -> SafeString:
    """Markdown as sanitised HTML (see agreements.markup)."""
    return render_markdown(source)
