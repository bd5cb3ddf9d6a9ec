import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import DateInputsMixin
from common.dates import add_months
from common.forms import OneTimeSubmissionMixin

from .models import FollowUp

# Further ahead than this is rather a deletion date than a working note.
LATEST_YEARS = 3


class FollowUpForm(OneTimeSubmissionMixin, DateInputsMixin, forms.ModelForm):
    # The case page carries other forms: the prefix keeps the ids apart.
    prefix = "followup"

    class Meta:
        model = FollowUp
        fields = ["due_on", "note"]
        labels = {"due_on": _("Follow up on"), "note": _("Note (for your institution)")}
        help_texts = {
            "note": _(
                "What to look at. Only your institution sees it; write no more about the "
                "family than needed."
            )
        }

    def clean_due_on(self) -> datetime.date:
        due_on = self.cleaned_data["due_on"]
        today = timezone.localdate()
        if due_on < today:
            raise ValidationError(_("A follow-up cannot be set for a day in the past."))
        if due_on > add_months(today, 12 * LATEST_YEARS):
            raise ValidationError(
                _("A follow-up is set at most %(years)s years ahead.") % {"years": LATEST_YEARS}
            )
        return due_on
