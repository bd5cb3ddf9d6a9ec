"""Forms of the privacy pages: German messages, what was typed is kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cooperation.models import Institution

from .models import MAX_MONTHS, TRIGGER_HELP, TRIGGERS_BY_RECORD_TYPE, AccessRestriction, Trigger


class RuleForm(forms.Form):
    """A proposed retention rule for one kind of record and law, for every kind of
    institution under that law or for one kind alone."""

    institution_kind = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[("", _("every kind of institution")), *Institution.Kind.choices],
        help_text=_("A rule for one kind of institution takes precedence over the general one."),
    )
    trigger = forms.ChoiceField(label=_("The period runs"))
    years = forms.IntegerField(label=_("Years"), min_value=0, max_value=MAX_MONTHS // 12)
    months = forms.IntegerField(label=_("and months"), min_value=0, max_value=11, initial=0)
    legal_source = forms.CharField(
        label=_("Legal source"),
        max_length=500,
        help_text=_("The statute or decision the period rests on, e.g. § 9b Abs. 2 SGB VIII."),
    )
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this period: the data-protection officer reads it before confirming."),
    )

    def __init__(self, *args, record_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = TRIGGERS_BY_RECORD_TYPE[record_type]
        self.fields["trigger"].choices = [(t.value, t.label) for t in Trigger if t in allowed]
        self.fields["trigger"].help_text = " ".join(
            f"{Trigger(t).label}: {TRIGGER_HELP[t]}" for t in Trigger if t in allowed
        )

    def clean(self):
        data = super().clean()
        years, months = data.get("years"), data.get("months")
        if years is not None and months is not None:
            data["total_months"] = years * 12 + months
            if data["total_months"] > MAX_MONTHS:
                raise forms.ValidationError(_("At most 100 years."))
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why the case must not be deleted, e.g. a court case or a complaint, with its "
            "file number. Do not write names of family members."
        ),
    )


class RestrictionForm(forms.ModelForm):
    class Meta:
        model = AccessRestriction
        fields = ["scope", "ground", "reason", "reason_withheld"]
        widgets = {
            "scope": forms.RadioSelect,
            "ground": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 4}),
        }
