"""Forms of the concept app: the profile and texts, a declaration, the catalogue's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.uploads import CheckedFileField
from cooperation.models import Cooperation, Institution

from .models import Concept, Declaration, FieldOfAction

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class ConceptForm(forms.ModelForm):
    """The municipality's profile (contact block, section 1) and its texts (sections 2, 3)."""

    class Meta:
        model = Concept
        fields = [
            "inhabitants",
            "inhabitants_as_of",
            "area_km2",
            "contact_name",
            "contact_institution",
            "contact_function",
            "contact_phone",
            "contact_email",
            "situation",
            "remarks_a",
            "remarks_b",
            "remarks_c",
            "remarks_d",
            "reasons",
            "goals",
        ]
        widgets = {
            "inhabitants_as_of": DATE_WIDGET,
            "situation": forms.Textarea(attrs={"rows": 4}),
            "remarks_a": forms.Textarea(attrs={"rows": 2}),
            "remarks_b": forms.Textarea(attrs={"rows": 2}),
            "remarks_c": forms.Textarea(attrs={"rows": 2}),
            "remarks_d": forms.Textarea(attrs={"rows": 2}),
            "reasons": forms.Textarea(attrs={"rows": 6}),
            "goals": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inhabitants_as_of"].input_formats = DATE_FORMATS
        self.fields["contact_institution"].queryset = Institution.objects.of_cooperation(
            self.instance.cooperation
        )
        for key in "abcd":
            self.fields[f"remarks_{key}"].help_text = _(
                "Key words for the column “current state”, beside what the records show."
            )


class DeclarationForm(forms.ModelForm):
    """The date of a declaration and its signed document (PDF, JPEG or PNG, checked by
    content like a consent scan)."""

    class Meta:
        model = Declaration
        fields = ["dated", "document", "note"]
        field_classes = {"document": CheckedFileField}
        # A plain file input: the clearable one would ask the private storage for a URL.
        widgets = {"dated": DATE_WIDGET, "document": forms.FileInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dated"].input_formats = DATE_FORMATS
        self.fields["document"].help_text = _(
            "The signed declaration as PDF, JPEG or PNG. A new file replaces the current one."
        )

    def clean(self):
        data = super().clean()
        if data.get("document") and not data.get("dated") and "dated" not in self.errors:
            self.add_error("dated", _("Enter the date of the uploaded declaration."))
        return data


class OfferFilterForm(forms.Form):
    """Search and filters of the catalogue; invalid values are ignored, not refused."""

    q = forms.CharField(
        label=_("Search by offer, target group, institution or place"),
        required=False,
        max_length=100,
    )
    field = forms.ChoiceField(
        label=_("Field of action"),
        required=False,
        choices=[("", _("all"))] + FieldOfAction.choices,
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        required=False,
        queryset=Institution.objects.none(),
        empty_label=_("all"),
    )

    def __init__(self, *args, cooperation: Cooperation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget = forms.TextInput(attrs={"type": "search"})
        self.fields["institution"].queryset = (
            Institution.objects.of_cooperation(cooperation)
            .filter(offers__isnull=False)
            .distinct()
            .order_by("name")
        )

    def filters(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields}
