"""The coordination office edits the default agenda of a Beteiligtenkonferenz."""

from django.contrib import admin

from cooperation.admin import CooperationScopedAdmin

from .models import AgendaTemplate


@admin.register(AgendaTemplate)
class AgendaTemplateAdmin(CooperationScopedAdmin):
    list_display = ["position", "title", "is_health", "cooperation"]
    list_display_links = ["title"]
    list_filter = ["cooperation"]
    ordering = ["cooperation", "position"]
    can_delete = True
