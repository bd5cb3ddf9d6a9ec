import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import FamilyMember
from cooperation.models import User

from .models import Action, Meeting, Participant
from .services import staff_role

# A child takes part where age-appropriate: from 12 by default.
CHILD_PARTICIPATION_AGE = 12


class MeetingForm(forms.ModelForm):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )

    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "place", "video_link", "next_date"]
        widgets = {"next_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_duration_minutes(self):
        minutes = self.cleaned_data["duration_minutes"]
        if not 15 <= minutes <= 480:
            raise forms.ValidationError(_("Enter a duration between 15 and 480 minutes."))
        return minutes

    def clean(self):
        data = super().clean()
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", _("Enter a place or a video link."))
        starts = data.get("starts_at")
        if starts and "starts_at" in self.changed_data and starts < timezone.now():
            self.add_error("starts_at", _("A meeting cannot be scheduled in the past."))
        return data


class ParticipantForm(forms.ModelForm):
    """Invite a staff member of a covered institution, a family member or an external."""

    class Meta:
        model = Participant
        fields = ["kind", "user", "member", "name", "role", "email", "contact"]

    def __init__(self, *args, meeting: Meeting, institutions, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting, self.institutions = meeting, institutions
        self.fields["user"].queryset = (
            User.objects.filter(institution__in=institutions, is_active=True)
            .exclude(role__in=[User.Role.COORDINATION, User.Role.DATA_PROTECTION])
            .select_related("institution")
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.institution.short_name})"
        )
        self.fields["user"].error_messages["invalid_choice"] = _(
            "This institution is not covered by a consent or disclosure of the case."
        )
        if meeting.is_case_conference:
            self.fields["user"].help_text = _(
                "Only institutions to which a consent or disclosure releases this case's "
                "conference protocols can be invited."
            )
            self.fields["member"].queryset = FamilyMember.objects.filter(
                pk__in=[m.pk for m in members]
            )
        else:
            self.fields["member"].queryset = FamilyMember.objects.none()
            self.fields["kind"].choices = [
                c for c in Participant.Kind.choices if c[0] != Participant.Kind.FAMILY
            ]
        self.fields["name"].required = False
        self.fields["name"].help_text = _("For external persons (e.g. Kita, school, doctor).")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Participant.Kind.STAFF:
            user = data.get("user")
            if "user" in self.errors:
                pass
            elif not user:
                self.add_error("user", _("Choose the staff member to invite."))
            elif user.institution_id not in {i.pk for i in self.institutions}:
                self.add_error(
                    "user",
                    _("This institution is not covered by a consent or disclosure of the case."),
                )
            elif self.meeting.participants.filter(user=user).exists():
                self.add_error("user", _("This person is already invited."))
        elif kind == Participant.Kind.FAMILY:
            member = data.get("member")
            if not member:
                self.add_error("member", _("Choose the family member to invite."))
            elif not member.is_parent:
                age = member.age_on(timezone.localdate())
                if age is None or age < CHILD_PARTICIPATION_AGE:
                    self.add_error(
                        "member",
                        _("A child takes part from about %(age)d years.")
                        % {"age": CHILD_PARTICIPATION_AGE},
                    )
        elif kind == Participant.Kind.EXTERNAL and not (data.get("name") or "").strip():
            self.add_error("name", _("Enter the external person's name."))
        return data

    def save(self, commit=True):
        participant = super().save(commit=False)
        participant.meeting = self.meeting
        if participant.kind == Participant.Kind.STAFF:
            user = participant.user
            participant.member = None
            participant.institution_id = user.institution_id
            participant.name = user.get_full_name() or user.username
            participant.email = user.email
            # Every staff participant is listed with a role (the protocol names it).
            participant.role = participant.role or staff_role(user, self.meeting)
        elif participant.kind == Participant.Kind.FAMILY:
            member = participant.member
            participant.user = None
            participant.name = str(member)
            participant.role = participant.role or member.get_kind_display()
        else:
            participant.user = participant.member = None
        if commit:
            participant.save()
        return participant


def meeting_day(meeting: Meeting) -> datetime.date:
    return timezone.localtime(meeting.starts_at).date()


class ParticipantsBulkForm(forms.Form):
    """Several participants at once: the suggested staff of the institutions that may be
    invited, and the family members (parents; children from about 12), as checkboxes;
    each staff member with a role (a default is proposed)."""

    users = forms.ModelMultipleChoiceField(
        label=_("Staff of the involved institutions"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Family members"),
        queryset=FamilyMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, meeting: Meeting, institutions, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        present = meeting.participants.all()
        self.fields["users"].queryset = (
            User.objects.filter(institution__in=institutions, is_active=True)
            .exclude(role__in=[User.Role.COORDINATION, User.Role.DATA_PROTECTION])
            .exclude(pk__in=present.exclude(user=None).values("user_id"))
            .select_related("institution")
            .order_by("institution__short_name", "last_name", "first_name")
        )
        self.fields["users"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.institution.short_name}, "
            f"{u.get_role_display()})"
        )
        self.fields["users"].error_messages["invalid_choice"] = _(
            "This institution is not covered by a consent or disclosure of the case."
        )
        today = timezone.localdate()
        taken = set(present.exclude(member=None).values_list("member_id", flat=True))
        suggested = [
            m
            for m in members
            if m.pk not in taken
            and (m.is_parent or (m.age_on(today) or 0) >= CHILD_PARTICIPATION_AGE)
        ]
        self.fields["members"].queryset = FamilyMember.objects.filter(
            pk__in=[m.pk for m in suggested]
        )
        self.fields["members"].label_from_instance = lambda m: f"{m} ({m.get_kind_display()})"
        if not meeting.is_case_conference:
            del self.fields["members"]
        self.roles = []
        for user in self.fields["users"].queryset:
            name = f"role_{user.pk}"
            self.fields[name] = forms.CharField(
                label=_("Role of %(name)s") % {"name": user.get_full_name() or user.username},
                max_length=200,
                required=False,
                initial=staff_role(user, meeting),
            )
            self.roles.append((user, name))

    @property
    def has_suggestions(self) -> bool:
        return bool(self.roles) or bool(
            "members" in self.fields and self.fields["members"].queryset.exists()
        )

    def staff_rows(self):
        """(checkbox, role field) per suggested staff member, for the table."""
        boxes = {str(box.data["value"]): box for box in self["users"]}
        return [(boxes[str(user.pk)], self[name]) for user, name in self.roles]

    def clean(self):
        data = super().clean()
        if not data.get("users") and not data.get("members"):
            raise forms.ValidationError(_("Choose at least one person to add."))
        return data

    def chosen_roles(self) -> dict[int, str]:
        return {user.pk: self.cleaned_data.get(name, "") for user, name in self.roles}


class AttendanceForm(forms.Form):
    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = list(participants)
        for p in self.participants:
            self.fields[f"p{p.pk}"] = forms.ChoiceField(
                label=p.name,
                choices=Participant.Attendance.choices,
                initial=p.attendance,
                widget=forms.RadioSelect,
            )

    def attendance(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"p{p.pk}"] for p in self.participants}


class MinutesForm(forms.Form):
    """The minutes, item by item; the hidden version refuses a concurrent overwrite."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, items, with_resolutions: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"minutes_{item.pk}"] = forms.CharField(
                label=f"{item.number}. {item.title}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                initial=item.minutes,
                help_text=item.guidance,
            )
            if with_resolutions:
                self.fields[f"resolution_{item.pk}"] = forms.CharField(
                    label=_("Resolution on item %(number)d") % {"number": item.number},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=item.resolution,
                )

    def texts(self) -> dict[int, dict[str, str]]:
        texts = {}
        for item in self.items:
            texts[item.pk] = {"minutes": self.cleaned_data[f"minutes_{item.pk}"]}
            if f"resolution_{item.pk}" in self.cleaned_data:
                texts[item.pk]["resolution"] = self.cleaned_data[f"resolution_{item.pk}"]
        return texts


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["what", "responsible", "participant", "institution", "due_on"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "what": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, meeting: Meeting, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["participant"].queryset = meeting.participants.exclude(
            kind=Participant.Kind.FAMILY
        )
        self.fields["institution"].queryset = institutions
        if not meeting.is_case_conference:
            self.fields["responsible"].choices = [
                c for c in Action.Responsible.choices if c[0] != Action.Responsible.PARENTS
            ]

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        day = meeting_day(self.meeting)
        if due < day:
            raise forms.ValidationError(
                _("The due date cannot be before the day of the meeting (%(date)s).")
                % {"date": day.strftime("%d.%m.%Y")}
            )
        return due

    def clean(self):
        data = super().clean()
        who = data.get("responsible")
        if who == Action.Responsible.PARTICIPANT and not data.get("participant"):
            self.add_error("participant", _("Choose the responsible participant."))
        if who == Action.Responsible.INSTITUTION and not data.get("institution"):
            self.add_error("institution", _("Choose the responsible institution."))
        return data

    def save(self, commit=True):
        action = super().save(commit=False)
        action.meeting = self.meeting
        if action.responsible == Action.Responsible.PARENTS:
            # The lead institution follows up what the parents agreed to do.
            action.participant = None
            action.institution_id = self.meeting.source_institution_id
        elif action.responsible == Action.Responsible.PARTICIPANT:
            action.institution_id = (
                action.participant.institution_id or self.meeting.source_institution_id
            )
        else:
            action.participant = None
        if commit:
            action.save()
        return action


class ActionStatusForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["status", "done_on"]
        widgets = {"done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        if data.get("status") == Action.Status.DONE:
            data["done_on"] = data.get("done_on") or timezone.localdate()
            day = meeting_day(self.instance.meeting)
            if data["done_on"] > timezone.localdate():
                self.add_error("done_on", _("The date done cannot be in the future."))
            elif data["done_on"] < day:
                self.add_error(
                    "done_on",
                    _("The date done cannot be before the day of the meeting (%(date)s).")
                    % {"date": day.strftime("%d.%m.%Y")},
                )
        else:
            data["done_on"] = None
        return data


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}))


def default_start() -> datetime.datetime:
    """Two weeks ahead at 10:00, a sensible proposal for the date field."""
    day = timezone.localdate() + datetime.timedelta(days=14)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
