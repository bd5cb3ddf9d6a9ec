"""The coordination office keeps the records behind the concept in the admin.

The concept's own texts and the declarations are edited on the app's pages (the upload
there is checked by content and served through the gateway only).
"""

from django import forms
from django.contrib import admin
from django.db import models

from cooperation.admin import CooperationScopedAdmin, CoordinationInline, scope_choices

from .models import (
    Indicator,
    IndicatorValue,
    Measure,
    Network,
    Offer,
    SteeringGroup,
    SteeringGroupMember,
)


class OwnCooperationAdmin(CooperationScopedAdmin):
    """A new record starts in the coordination office's own cooperation."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not request.user.is_superuser and request.user.cooperation:
            initial.setdefault("cooperation", request.user.cooperation.pk)
        return initial

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # A related-field filter lists every cooperation's records: superusers only.
        if request.user.is_superuser:
            return self.list_filter
        return [f for f in self.list_filter if f not in ("cooperation", "institution")]


class ScopedInline(CoordinationInline, admin.TabularInline):
    pass


class IndicatorValueInline(ScopedInline):
    model = IndicatorValue
    fields = ["year", "value", "state_average", "source"]
    # German figures are typed with a decimal comma (1048,9).
    formfield_overrides = {models.DecimalField: {"localize": True}}


@admin.register(Indicator)
class IndicatorAdmin(OwnCooperationAdmin):
    list_display = ["name", "standard", "counts_for_eligibility", "order", "cooperation"]
    list_filter = ["counts_for_eligibility", "cooperation"]
    search_fields = ["name"]
    fields = ["cooperation", "name", "standard", "counts_for_eligibility", "order"]
    inlines = [IndicatorValueInline]
    can_delete = True


@admin.register(Offer)
class OfferAdmin(OwnCooperationAdmin):
    cooperation_path = "institution__cooperation"
    list_display = ["name", "institution", "field_of_action", "status", "target_group"]
    list_filter = ["field_of_action", "status", "institution"]
    search_fields = ["name", "target_group", "description", "institution__name"]
    list_select_related = ["institution"]
    fieldsets = [
        (None, {"fields": ["institution", "name", "description", "target_group"]}),
        (None, {"fields": ["field_of_action", "status"]}),
        (None, {"fields": ["contact_person", "phone", "email", "address"]}),
    ]


class SteeringGroupMemberInline(ScopedInline):
    model = SteeringGroupMember
    fields = ["institution", "name", "function"]


@admin.register(SteeringGroup)
class SteeringGroupAdmin(OwnCooperationAdmin):
    list_display = ["name", "established_on", "cooperation"]
    fields = ["cooperation", "name", "established_on", "remit"]
    inlines = [SteeringGroupMemberInline]


@admin.register(Network)
class NetworkAdmin(OwnCooperationAdmin):
    list_display = ["name", "status", "deals_with_kispfam", "cooperation"]
    list_filter = ["status", "deals_with_kispfam"]
    search_fields = ["name", "other_partners"]
    fields = ["cooperation", "name", "status", "partners", "other_partners", "deals_with_kispfam"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Measure)
class MeasureAdmin(OwnCooperationAdmin):
    list_display = ["title", "date", "kind", "status", "participants", "cooperation"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    date_hierarchy = "date"
    fields = ["cooperation", "date", "title", "kind", "status", "participants"]
    can_delete = True
