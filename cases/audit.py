"""The data-protection officer's access log: the filters and the rows of its export.

Which entries and which cases a user may look up is decided in ``permissions``
(``access_logs_visible_to``, ``get_case_for_audit_or_404``, ``name_matches``); this module
only narrows what the gateway returned.
"""

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import IdsInRangeMixin
from cooperation.models import Institution, User

from .forms import DateInputsMixin
from .models import AccessLog, Case
from .permissions import get_case_for_audit_or_404, name_matches


class AccessLogFilterForm(IdsInRangeMixin, DateInputsMixin, forms.Form):
    """Case reference, person, institution, staff member and period; all optional."""

    reference = forms.CharField(label=_("Case reference"), max_length=40, required=False)
    person = forms.CharField(
        label=_("Family member (name)"),
        max_length=100,
        required=False,
        help_text=_(
            "Finds the cases of a person only where your institution has received the "
            "person's master data."
        ),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("all institutions"),
    )
    user = forms.ModelChoiceField(
        label=_("Staff member"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("all staff members"),
    )
    date_from = forms.DateField(label=_("Period from"), required=False)
    date_to = forms.DateField(label=_("Period until"), required=False)

    def __init__(self, *args, reader: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.reader = reader
        self.case: Case | None = None
        institutions = Institution.objects.order_by("name")
        staff = User.objects.order_by("last_name", "first_name", "username")
        if not reader.is_superuser:
            cooperation = reader.institution.cooperation_id
            institutions = institutions.filter(cooperation_id=cooperation)
            # Superusers read cases too (the admin); their reads are in the log.
            staff = staff.filter(Q(institution__cooperation_id=cooperation) | Q(is_superuser=True))
        self.fields["institution"].queryset = institutions
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = _staff_label

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip().upper()
        if not reference:
            return ""
        # The same question as the case's own access-log page: which case may the reader
        # audit under this reference?
        try:
            self.case = get_case_for_audit_or_404(self.reader, reference)
        except Http404:
            raise forms.ValidationError(
                _(
                    "There is no case %(reference)s whose access log you may read. Please "
                    "check the reference (e.g. HS-2026-0001)."
                ),
                params={"reference": reference},
                code="unknown_case",
            ) from None
        return reference

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end cannot be before the start."))
        return cleaned

    def filter(self, entries: QuerySet[AccessLog]) -> QuerySet[AccessLog]:
        """``entries`` (already the reader's scope) narrowed to the valid filters."""
        data = self.cleaned_data
        if self.case is not None:
            entries = entries.filter(case=self.case)
        if data.get("person"):
            cases = Case.objects.filter(name_matches(self.reader, data["person"]))
            entries = entries.filter(case__in=cases)
        if data.get("institution"):
            entries = entries.filter(institution=data["institution"])
        if data.get("user"):
            entries = entries.filter(user=data["user"])
        # Whole local days (Europe/Berlin), both ends included.
        if data.get("date_from"):
            entries = entries.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(at__date__lte=data["date_to"])
        return entries


def _staff_label(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.username})"


def export_rows(entries: QuerySet[AccessLog]):
    """The header and one row per entry, in the reader's language, times local."""
    yield [
        _("Time"),
        _("User"),
        _("Username"),
        _("Institution"),
        _("Case"),
        _("What was viewed"),
    ]
    for entry in entries.iterator(chunk_size=2000):
        user = entry.user
        yield [
            timezone.localtime(entry.at).strftime("%d.%m.%Y %H:%M:%S"),
            user.get_full_name() or user.username,
            user.username,
            entry.institution.name if entry.institution else "",
            entry.case.reference if entry.case else "",
            entry.get_what_display(),
        ]
