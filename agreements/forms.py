import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .markup import agenda_errors
from .models import IMMUTABLE, Guideline, GuidelineSection, GuidelineVersion


class AsOfForm(forms.Form):
    """``?stand=YYYY-MM-DD``: the agreement as it stood on that day."""

    stand = forms.DateField(
        label=_("As it stood on"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_stand(self) -> datetime.date | None:
        day = self.cleaned_data["stand"]
        if day and not 1900 <= day.year <= 2999:
            raise ValidationError(_("Enter a date between 1900 and 2999."))
        return day


class GuidelineTitleForm(forms.ModelForm):
    class Meta:
        model = Guideline
        fields = ["title"]
        widgets = {"title": forms.TextInput(attrs={"size": 70})}


class GuidelineSectionForm(forms.ModelForm):
    """A section of the draft. Sections of a published version are refused outright."""

    class Meta:
        model = GuidelineSection
        fields = ["title", "body", "is_conference_agenda"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 70}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, guideline: Guideline, **kwargs):
        super().__init__(*args, **kwargs)
        self.guideline = guideline

    def clean(self):
        if self.instance.pk and self.instance.is_published:
            raise ValidationError(IMMUTABLE, code="immutable")
        data = super().clean()
        if data.get("is_conference_agenda"):
            others = self.guideline.sections.drafts().filter(is_conference_agenda=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            other = others.first()
            if other:
                self.add_error(
                    "is_conference_agenda",
                    _("Section %(number)d “%(title)s” already holds the agenda.")
                    % {"number": other.position, "title": other.title},
                )
            for error in agenda_errors(data.get("body", "")):
                self.add_error("body", error)
        return data


class PublishForm(forms.Form):
    note = forms.CharField(
        label=capfirst(GuidelineVersion._meta.get_field("note").verbose_name),
        help_text=GuidelineVersion._meta.get_field("note").help_text,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
