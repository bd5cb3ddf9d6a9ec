"""Forms for everything recorded on a case. Messages are German through gettext.

Forms validate and keep what was typed; the writes themselves go through
``cases.services`` inside one transaction, so a failed save leaves nothing half-written.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.dates import add_months
from common.forms import IdsInRangeMixin, OneTimeSubmissionMixin
from common.uploads import CheckedFileField
from cooperation.models import Institution, User

from .models import (
    Case,
    CaseDocument,
    Consent,
    Consultation,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Involvement,
    ProgressNote,
    Specialist,
)
from .pseudonyms import find_identifying

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateInputsMixin:
    """Native date pickers (ISO in the input, shown in the browser's locale)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.input_formats = ["%Y-%m-%d", "%d.%m.%Y"]


class ConcurrentEditForm(forms.ModelForm):
    """Refuses a save when someone else changed the record since the form was loaded.

    The version is the record's newest history entry (django-simple-history); the check
    runs again under a row lock in ``check_version``.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.current_version()

    def current_version(self) -> int | None:
        if not self.instance.pk:
            return None
        return (
            self.instance.history.order_by("-history_id")
            .values_list("history_id", flat=True)
            .first()
        )

    def check_version(self) -> bool:
        """Call inside the saving transaction; locks the row, adds an error if stale."""
        if not self.instance.pk:
            return True
        type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).first()
        if self.cleaned_data.get("version") != self.current_version():
            self.add_error(
                None,
                _(
                    "Someone else changed this record while you were editing it. Your "
                    "input is kept below; please check the current state (open the case "
                    "in a new tab) and save again."
                ),
            )
            self.data = self.data.copy()
            self.data["version"] = self.current_version()
            return False
        return True


PARENT_CHOICES = [
    (kind.value, kind.label) for kind in FamilyMember.Kind if kind in FamilyMember.PARENT_KINDS
]


class FamilyMemberForm(OneTimeSubmissionMixin, DateInputsMixin, ConcurrentEditForm):
    class Meta:
        model = FamilyMember
        fields = ["kind", "first_name", "last_name", "date_of_birth", "expected_date", "address"]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("kind")
        born, expected = data.get("date_of_birth"), data.get("expected_date")
        if born and born > today:
            self.add_error("date_of_birth", _("The date of birth cannot be in the future."))
        if kind == FamilyMember.Kind.UNBORN:
            if not expected:
                self.add_error("expected_date", _("Enter the expected date of birth."))
            if born:
                self.add_error("date_of_birth", _("An unborn child has no date of birth yet."))
        elif expected and kind != FamilyMember.Kind.EXPECTANT_MOTHER:
            self.add_error(
                "expected_date",
                _("An expected date belongs to an unborn child or an expectant mother."),
            )
        return data


class CaseOpenForm(FamilyMemberForm):
    """Opening a case records its first parent or caregiver."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PARENT_CHOICES
        self.fields["kind"].help_text = _("A case starts with a parent or caregiver.")


class CaseForm(IdsInRangeMixin, DateInputsMixin, ConcurrentEditForm):
    class Meta:
        model = Case
        fields = ["status", "closed_on", "close_reason", "lead_institution", "conference_due_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_institution"].queryset = Institution.objects.filter(
            cooperation=self.instance.cooperation_id
        ).exclude(kind=Institution.Kind.KOORDINATION)
        self.fields["lead_institution"].help_text = _(
            "Handing over the lead changes who sees the case: the new lead sees it, the old "
            "one keeps seeing its own records while it is involved."
        )

    def clean(self):
        data = super().clean()
        if data.get("status") == Case.Status.CLOSED and self.is_open_now():
            # Closing ends access for others: it goes through its own page, which says
            # what will happen before it happens.
            self.add_error(
                "status", _("A case is closed on the page “Close the case”, not in this form.")
            )
            return data
        if data.get("status") == Case.Status.CLOSED:
            if not data.get("closed_on"):
                self.add_error("closed_on", _("Enter the date the case was closed."))
            if not (data.get("close_reason") or "").strip():
                self.add_error("close_reason", _("Enter why the case was closed."))
        else:
            data["closed_on"] = None
            data["close_reason"] = ""
        if data.get("closed_on") and data["closed_on"] > timezone.localdate():
            self.add_error("closed_on", _("A case cannot be closed in the future."))
        if data.get("closed_on") and data["closed_on"] < opened_on(self.instance):
            self.add_error("closed_on", closed_before_opened(self.instance))
        if data.get("status") == Case.Status.CLOSED:
            # A closed case has no conference due (the list and the reminders skip it).
            data["conference_due_on"] = None
        due = data.get("conference_due_on")
        if due and due > add_months(timezone.localdate(), 12):
            # The Leitfaden: a Beteiligtenkonferenz at least once a year.
            self.add_error(
                "conference_due_on", _("The next conference is due within 12 months at most.")
            )
        return data

    def is_open_now(self) -> bool:
        """Whether the case is open as stored (the form's instance carries the input)."""
        return self.initial.get("status", self.instance.status) == Case.Status.OPEN


def opened_on(case: Case) -> datetime.date:
    return timezone.localtime(case.opened_at).date()


def closed_before_opened(case: Case) -> str:
    return _("The case was opened on %(date)s; it cannot be closed before that.") % {
        "date": opened_on(case).strftime("%d.%m.%Y")
    }


class CaseCloseForm(DateInputsMixin, forms.Form):
    """Closing a case, after its confirmation page has said what happens."""

    closed_on = forms.DateField(label=_("Closed on"))
    close_reason = forms.CharField(label=_("Reason for closing"), max_length=300)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if not self.is_bound:
            self.initial["closed_on"] = timezone.localdate()

    def clean_closed_on(self):
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate():
            raise ValidationError(_("A case cannot be closed in the future."))
        if closed_on < opened_on(self.case):
            raise ValidationError(closed_before_opened(self.case))
        return closed_on

    def clean_close_reason(self):
        reason = self.cleaned_data["close_reason"].strip()
        if not reason:
            raise ValidationError(_("Enter why the case was closed."))
        return reason


class ResponsibleForm(IdsInRangeMixin, ConcurrentEditForm):
    """The responsible caseworker and the deputy of one involved institution."""

    class Meta:
        model = Involvement
        fields = ["responsible", "deputy"]

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("responsible", "deputy"):
            self.fields[name].queryset = staff
            self.fields[name].empty_label = _("– nobody –")
            self.fields[name].label_from_instance = lambda user: (
                user.get_full_name() or user.username
            )
        self.fields["responsible"].help_text = _(
            "A caseworker or lead of your institution who answers for the family."
        )

    def clean(self):
        data = super().clean()
        responsible, deputy = data.get("responsible"), data.get("deputy")
        if deputy and responsible and deputy == responsible:
            self.add_error("deputy", _("The deputy must be another person than the responsible."))
        if deputy and not responsible:
            self.add_error("responsible", _("Name the responsible caseworker before a deputy."))
        return data


class CaseDocumentForm(OneTimeSubmissionMixin, DateInputsMixin, forms.ModelForm):
    """A document kept on the case: PDF, JPEG or PNG, checked by its content.

    ODT and DOCX are not accepted: ``common.uploads`` has no content check for them, and
    a file accepted by its name alone could be anything."""

    class Meta:
        model = CaseDocument
        fields = ["title", "date", "category", "file"]
        field_classes = {"file": CheckedFileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].help_text = _(
            "Decides who may read the document: only institutions to which this category "
            "of your institution's data is released."
        )
        self.fields["file"].help_text = _("PDF, JPEG or PNG.")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("A document cannot be dated in the future."))
        return date


class HealthSituationForm(OneTimeSubmissionMixin, ConcurrentEditForm):
    class Meta:
        model = HealthSituation
        fields = ["substance", "counselling", "in_substitution", "substitution_practice"]

    def clean(self):
        data = super().clean()
        if data.get("in_substitution") and not data.get("substitution_practice"):
            self.add_error(
                "substitution_practice", _("Name the practice that provides the substitution.")
            )
        if not any(data.get(f) for f in ("substance", "counselling", "in_substitution")):
            raise ValidationError(_("Enter at least the substance, counselling or treatment."))
        return data


class InvolvementForm(IdsInRangeMixin, OneTimeSubmissionMixin, DateInputsMixin, ConcurrentEditForm):
    class Meta:
        model = Involvement
        fields = ["institution", "since", "until", "contact"]

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        institutions = Institution.objects.filter(cooperation=case.cooperation_id).exclude(
            kind=Institution.Kind.KOORDINATION
        )
        self.fields["institution"].queryset = institutions
        self.fields["contact"].queryset = User.objects.filter(
            institution__in=institutions, is_active=True
        ).exclude(role__in=[User.Role.COORDINATION, User.Role.DATA_PROTECTION])
        self.fields["contact"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username} ({user.institution.short_name})"
        )
        self.fields["contact"].help_text = _("A caseworker of the involved institution.")
        if self.instance.pk:
            self.fields["institution"].disabled = True

    def clean(self):
        data = super().clean()
        institution, contact = data.get("institution"), data.get("contact")
        if contact and institution and contact.institution_id != institution.pk:
            self.add_error("contact", _("The contact must work at the involved institution."))
        if data.get("until") and data.get("since") and data["until"] < data["since"]:
            self.add_error("until", _("The end cannot be before the start."))
        since, until = data.get("since"), data.get("until")
        if institution and since:
            # One involvement per institution at a time: no overlapping periods.
            others = self.case.involvements.filter(institution=institution).exclude(
                pk=self.instance.pk
            )
            overlapping = others.filter(Q(until__isnull=True) | Q(until__gte=since))
            if until:
                overlapping = overlapping.filter(since__lte=until)
            if overlapping.exists() or others.filter(since=since).exists():
                self.add_error(
                    "since" if self.instance.pk else "institution",
                    _("This institution is already involved in this period."),
                )
        return data


class ProgressNoteForm(OneTimeSubmissionMixin, DateInputsMixin, forms.ModelForm):
    class Meta:
        model = ProgressNote
        fields = ["date", "category", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].help_text = _(
            "Decides who may read the note: only institutions to which this category of "
            "your institution's data is released."
        )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("A progress note cannot be dated in the future."))
        return date


class CategoriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=DataCategory.choices, **kwargs)


class ConsentForm(IdsInRangeMixin, OneTimeSubmissionMixin, DateInputsMixin, forms.ModelForm):
    """A Schweigepflichtentbindung as SGB X §67b asks for it: specific, provable, informed."""

    record_as = forms.ChoiceField(
        label=_("Record as"),
        choices=[
            ("given", _("given (the signed form or the electronic consent is at hand)")),
            ("requested", _("requested (the family has not decided yet)")),
        ],
        widget=forms.RadioSelect,
        initial="given",
    )
    categories = CategoriesField(label=_("Data categories"))

    class Meta:
        model = Consent
        fields = [
            "given_by",
            "recipients",
            "categories",
            "purpose",
            "kind",
            "valid_from",
            "valid_until",
            "form",
            "scan",
            "obtained_on",
            "informed_of_purpose",
            "informed_of_refusal_consequences",
            "informed_of_revocation_right",
        ]
        widgets = {"recipients": forms.CheckboxSelectMultiple}
        field_classes = {"scan": CheckedFileField}

    def __init__(
        self, *args, case: Case, institution: Institution, members, has_scan=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.case, self.institution, self.has_scan = case, institution, has_scan
        self.fields["given_by"].queryset = FamilyMember.objects.filter(
            pk__in=[m.pk for m in members]
        ).exclude(kind=FamilyMember.Kind.UNBORN)
        self.fields["given_by"].help_text = _(
            "A parent or caregiver; a young person from about 15 for themself (§36 SGB I)."
        )
        self.fields["recipients"].queryset = (
            Institution.objects.filter(cooperation=case.cooperation_id)
            .exclude(pk=institution.pk)
            .exclude(kind=Institution.Kind.KOORDINATION)
        )
        self.fields["recipients"].help_text = _(
            "Your institution (%(institution)s) is released towards these institutions only."
        ) % {"institution": institution.name}
        self.fields["scan"].help_text = _(
            "PDF, JPEG or PNG, at most %(size)d MB. Required for a given paper consent."
        ) % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        self.fields["valid_from"].initial = timezone.localdate()
        self.fields["obtained_on"].initial = timezone.localdate()
        self.fields["purpose"].widget.attrs["rows"] = 3

    def clean(self):
        data = super().clean()
        giving = data.get("record_as") == "given"
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end cannot be before the start."))
        if data.get("kind") in (Consent.Kind.TIME_LIMITED, Consent.Kind.ONE_TIME) and not end:
            self.add_error(
                "valid_until", _("A one-time or time-limited consent needs an end date.")
            )
        member, obtained = data.get("given_by"), data.get("obtained_on") or start
        if member and member.kind == FamilyMember.Kind.CHILD:
            age = member.age_on(obtained or timezone.localdate())
            if age is None or age < 15:
                # §36 SGB I: from 15 a young person can act for themself; a younger
                # child's data is released by the parents.
                self.add_error(
                    "given_by",
                    _("A child can consent for themself only from about 15 (§36 SGB I)."),
                )
        if giving:
            for flag in (
                "informed_of_purpose",
                "informed_of_refusal_consequences",
                "informed_of_revocation_right",
            ):
                if not data.get(flag):
                    self.add_error(
                        flag,
                        _("A consent is valid only when the person was told this (SGB X §67b)."),
                    )
            if not data.get("obtained_on"):
                self.add_error("obtained_on", _("Enter when the consent was obtained."))
            elif data["obtained_on"] > timezone.localdate():
                self.add_error("obtained_on", _("A consent cannot be obtained in the future."))
            missing_scan = not data.get("scan") and not self.has_scan
            if (
                data.get("form") == Consent.Form.PAPER
                and missing_scan
                and "scan" not in self.errors
            ):
                self.add_error("scan", _("Upload the scan of the signed form (PDF, JPEG or PNG)."))
        return data


class ConsentGiveForm(DateInputsMixin, forms.ModelForm):
    """A requested consent is now given: when, and the scan of the signed form."""

    class Meta:
        model = Consent
        fields = [
            "obtained_on",
            "scan",
            "informed_of_purpose",
            "informed_of_refusal_consequences",
            "informed_of_revocation_right",
        ]
        field_classes = {"scan": CheckedFileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obtained_on"].required = True
        self.fields["obtained_on"].initial = timezone.localdate()
        for flag in (
            "informed_of_purpose",
            "informed_of_refusal_consequences",
            "informed_of_revocation_right",
        ):
            self.fields[flag].required = True
            self.fields[flag].error_messages["required"] = _(
                "A consent is valid only when the person was told this (SGB X §67b)."
            )

    def clean(self):
        data = super().clean()
        missing = not data.get("scan") and "scan" not in self.errors
        if self.instance.form == Consent.Form.PAPER and missing:
            # One message per field: a refused file already says why.
            self.add_error("scan", _("Upload the scan of the signed form (PDF, JPEG or PNG)."))
        if data.get("obtained_on") and data["obtained_on"] > timezone.localdate():
            self.add_error("obtained_on", _("A consent cannot be obtained in the future."))
        return data


class RevocationForm(DateInputsMixin, forms.Form):
    """GDPR Art. 7(3): the revocation, its date and channel; confirmed explicitly."""

    revoked_on = forms.DateField(label=_("Revoked on"), initial=datetime.date.today)
    channel = forms.ChoiceField(
        label=_("How was it revoked?"),
        # Django's own empty label (our catalogue has its German), not the untranslatable dashes.
        choices=[("", _("- Select an option -")), *Consent.Channel.choices],
    )
    confirm = forms.BooleanField(
        label=_(
            "I confirm the revocation. From now on no data is shared on the basis of this "
            "consent; the recipient institutions are notified."
        ),
        error_messages={"required": _("Confirm the revocation to record it.")},
    )

    def __init__(self, *args, consent: Consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_revoked_on(self):
        day = self.cleaned_data["revoked_on"]
        if day > timezone.localdate():
            raise ValidationError(_("A revocation cannot be dated in the future."))
        if self.consent.obtained_on and day < self.consent.obtained_on:
            raise ValidationError(_("The revocation cannot be before the consent was given."))
        return day


YES_NO = [("true", _("yes")), ("false", _("no"))]


def yes_no(label, choices=YES_NO) -> forms.NullBooleanField:
    return forms.NullBooleanField(
        label=label, required=False, widget=forms.RadioSelect(choices=choices)
    )


class DisclosureForm(IdsInRangeMixin, OneTimeSubmissionMixin, DateInputsMixin, forms.ModelForm):
    """A disclosure without consent: who, what, to whom, when, why, on which basis.

    Under §4 KKG and §8a SGB VIII the form walks the established steps first: working
    with the family, the specialist's advice, telling the family beforehand
    (``Disclosure.step_problems``); the answers are part of the record.
    """

    categories = CategoriesField(label=_("Disclosed data"))
    family_work_tried = yes_no(_("Was working with the family towards help tried?"))
    specialist_consulted = yes_no(_("Was an experienced specialist consulted?"))
    family_informed = yes_no(
        _("Was the family told beforehand?"),
        choices=[("unknown", _("not applicable")), *YES_NO],
    )

    class Meta:
        model = Disclosure
        fields = [
            "basis",
            "family_work_tried",
            "family_work",
            "family_work_not_tried_reason",
            "specialist_consulted",
            "consultation",
            "specialist_note",
            "family_informed",
            "family_not_informed_reason",
            "to_institution",
            "categories",
            "disclosed_on",
            "reason",
        ]
        widgets = {
            field: forms.Textarea(attrs={"rows": 3})
            for field in (
                "family_work",
                "family_work_not_tried_reason",
                "specialist_note",
                "family_not_informed_reason",
            )
        }

    STEPS = [
        (
            _("Legal basis"),
            _(
                "Under §4 KKG and §8a SGB VIII a disclosure without consent comes after the "
                "steps below; their answers are recorded with it."
            ),
            ["basis"],
        ),
        (
            _("Step 1: working with the family"),
            _(
                "§4 Abs. 1 KKG, §8a Abs. 1 SGB VIII: discuss the situation with the parents "
                "and the child and work towards help, unless that puts the child's "
                "effective protection in question."
            ),
            ["family_work_tried", "family_work", "family_work_not_tried_reason"],
        ),
        (
            _("Step 2: the specialist's advice"),
            _(
                "§4 Abs. 2 KKG, §8a Abs. 4 SGB VIII: advice from an experienced "
                "specialist, with pseudonymised data (in the youth welfare office: the "
                "assessment by several professionals). Link the consultation recorded "
                "on this case."
            ),
            ["specialist_consulted", "consultation", "specialist_note"],
        ),
        (
            _("Step 3: telling the family"),
            _(
                "§4 Abs. 3 KKG, §8a Abs. 1 SGB VIII: the family is told beforehand, unless "
                "that endangers the child's effective protection."
            ),
            ["family_informed", "family_not_informed_reason"],
        ),
        (
            _("Step 4: the disclosure"),
            _("To whom, which data, when, and why the youth welfare office must act."),
            ["to_institution", "categories", "disclosed_on", "reason"],
        ),
    ]

    def __init__(self, *args, case: Case, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.case = case
        self.instance.from_institution = institution
        self.fields["to_institution"].queryset = (
            Institution.objects.filter(cooperation=case.cooperation_id)
            .exclude(pk=institution.pk)
            .exclude(kind=Institution.Kind.KOORDINATION)
        )
        self.fields["consultation"].queryset = Consultation.objects.filter(
            case=case, source_institution=institution
        )
        self.fields["consultation"].label_from_instance = lambda consultation: (
            f"{consultation} – {consultation.state}"
        )
        self.fields["disclosed_on"].initial = timezone.localdate()
        self.fields["family_not_informed_reason"].help_text = _(
            "Only when telling the family would endanger the child's effective protection."
        )
        self.fields["family_work_not_tried_reason"].help_text = _(
            "Only when working with the family would endanger the child's effective protection."
        )

    @property
    def steps(self):
        """The fieldsets in the order of the steps: (title, explanation, bound fields)."""
        return [(title, text, [self[name] for name in names]) for title, text, names in self.STEPS]

    def clean(self):
        data = super().clean()
        if data.get("disclosed_on") and data["disclosed_on"] > timezone.localdate():
            self.add_error("disclosed_on", _("A disclosure cannot be dated in the future."))
        texts = (
            "family_work",
            "family_work_not_tried_reason",
            "specialist_note",
            "family_not_informed_reason",
        )
        candidate = Disclosure(
            case=self.instance.case,
            from_institution=self.instance.from_institution,
            **{
                k: data.get(k)
                for k in (
                    "basis",
                    "to_institution",
                    "family_informed",
                    "family_work_tried",
                    "specialist_consulted",
                    "consultation",
                )
            },
            **{k: data.get(k) or "" for k in texts},
            categories=data.get("categories") or [],
        )
        for field, message in candidate.legal_problems().items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


def _pseudonym_check(form: forms.Form, members, fields) -> None:
    """Refuse text that names the family (§64 Abs. 2a SGB VIII), field by field, naming
    what was found; the input is kept for the writer to replace it."""
    for name in fields:
        found = find_identifying(form.cleaned_data.get(name) or "", members)
        if found:
            form.add_error(
                name,
                _(
                    "This names the family: %(found)s. A consultation is pseudonymised: use "
                    "the pseudonym, ages instead of dates of birth and the region instead "
                    "of the address."
                )
                % {"found": ", ".join(str(finding) for finding in found)},
            )


class ConsultationForm(IdsInRangeMixin, OneTimeSubmissionMixin, forms.ModelForm):
    """Asking a specialist: pseudonym, situation and question, never the family's names."""

    class Meta:
        model = Consultation
        fields = ["specialist", "pseudonym", "summary", "question"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "question": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, specialists, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["specialist"].queryset = specialists
        self.fields["specialist"].label_from_instance = lambda specialist: " – ".join(
            part for part in (str(specialist), specialist.qualification) if part
        )
        self.fields["specialist"].help_text = _(
            "Designated by the institutions of the cooperation; none whose institution "
            "sees this case."
        )

    def clean(self):
        data = super().clean()
        _pseudonym_check(self, self.members, ("pseudonym", "summary", "question"))
        return data


class ConsultationAdviceForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["advice"]
        widgets = {"advice": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advice"].required = True


class ConsultationOutcomeForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["outcome", "outcome_notes"]
        widgets = {"outcome": forms.RadioSelect, "outcome_notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = Consultation.Outcome.choices


class SpecialistForm(IdsInRangeMixin, DateInputsMixin, forms.ModelForm):
    """The institution's lead designates one of its staff."""

    class Meta:
        model = Specialist
        fields = ["user", "qualification", "since"]

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        designated = Specialist.objects.filter(until__isnull=True).values("user")
        self.fields["user"].queryset = User.objects.filter(
            institution=institution,
            is_active=True,
            role__in=[User.Role.CASEWORKER, User.Role.LEAD],
        ).exclude(pk__in=designated)
        self.fields["user"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["since"].initial = timezone.localdate()

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise ValidationError(_("A designation starts today at the latest."))
        return since
