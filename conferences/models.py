"""Beteiligtenkonferenzen and Gremium sittings: one machinery for both.

A meeting is scheduled, invited, held; its minutes are drafted, circulated and approved
(then frozen as a PDF with its SHA-256); agreed actions are followed up. Who sees a
Beteiligtenkonferenz is decided by the cases gateway (``conferences.access``); a Gremium
sitting carries no family data and is seen by the committee and the coordination office.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Case, FamilyMember
from common.uploads import private_storage
from cooperation.models import Committee, Cooperation, Institution


class AgendaTemplate(models.Model):
    """The default agenda of a Beteiligtenkonferenz, per cooperation (coordination office).

    ``is_health`` marks the section that carries health data: it is shown only to
    institutions to which health data is released, and left out of their PDFs.
    """

    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.CASCADE, related_name="agenda_template"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance for the minute-taker"), blank=True)
    is_health = models.BooleanField(_("contains health data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item of the default agenda")
        verbose_name_plural = _("default agenda of a Beteiligtenkonferenz")
        ordering = ["cooperation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cooperation", "position"], name="agenda_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


# The structure the issue names, used where a cooperation has not edited its own.
DEFAULT_AGENDA = [
    (_("Welcome and purpose"), False),
    (_("The child's situation and basic care"), False),
    (_("The parents' situation and treatment"), True),
    (_("Resources"), False),
    (_("Concerns and risks"), False),
    (_("The parents' view in their own words"), False),
    (_("Agreements"), False),
    (_("Next date"), False),
]


class MeetingQuerySet(models.QuerySet):
    def upcoming(self) -> "MeetingQuerySet":
        return self.filter(starts_at__gte=timezone.now()).exclude(state=Meeting.State.CANCELLED)


class Meeting(models.Model):
    """A Beteiligtenkonferenz of one family, or a sitting of the Kooperationsgremium."""

    class Kind(models.TextChoices):
        CASE_CONFERENCE = "case_conference", _("Beteiligtenkonferenz")
        COMMITTEE_SITTING = "committee_sitting", _("Sitting of the Kooperationsgremium")

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        INVITED = "invited", _("invited")
        HELD = "held", _("held")
        CIRCULATED = "circulated", _("minutes circulated")
        APPROVED = "approved", _("minutes approved")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cooperation = models.ForeignKey(
        Cooperation, on_delete=models.PROTECT, related_name="+", verbose_name=_("cooperation")
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conferences",
        verbose_name=_("case"),
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sittings",
        verbose_name=_("committee"),
    )
    # The institution whose record the minutes are (the case's lead when scheduled).
    source_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organiser"),
    )
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=90)
    place = models.CharField(_("place (address or room)"), max_length=300, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    next_date = models.DateField(_("next date"), null=True, blank=True)
    # iCalendar (RFC 5545): one UID for the meeting's life; SEQUENCE counts its changes.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="case_conference", case__isnull=False, committee__isnull=True)
                    | models.Q(kind="committee_sitting", case__isnull=True, committee__isnull=False)
                ),
                name="meeting_belongs_to_case_or_committee",
            )
        ]
        indexes = [
            # The statistics look up a case's last conference held before a day
            # (reports.figures): one index probe per case, held conferences only.
            models.Index(
                "case",
                models.F("starts_at").desc(),
                name="meeting_case_held",
                condition=models.Q(
                    kind="case_conference", state__in=["held", "circulated", "approved"]
                ),
            )
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at).strftime("%d.%m.%Y")
        if self.is_case_conference:
            return f"{self.get_kind_display()} {self.case.reference} {when}"
        return f"{self.get_kind_display()} {when}"

    def get_absolute_url(self) -> str:
        return reverse("conferences:detail", args=[self.pk])

    @property
    def is_case_conference(self) -> bool:
        return self.kind == self.Kind.CASE_CONFERENCE

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def has_begun(self) -> bool:
        """From the meeting's day on (Berlin time) it can be recorded as held."""
        return timezone.localtime(self.starts_at).date() <= timezone.localdate()

    @property
    def is_open_for_scheduling(self) -> bool:
        return self.state in (self.State.PLANNED, self.State.INVITED)

    @property
    def title(self) -> str:
        if self.is_case_conference:
            return f"{self.get_kind_display()} {self.case.reference}"
        return f"{self.get_kind_display()} – {self.committee.name}"


class Participant(models.Model):
    """Someone invited: a staff user, a family member, or an external person."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        FAMILY = "family", _("family member")
        EXTERNAL = "external", _("external person")

    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("not recorded")
        PRESENT = "present", _("present")
        EXCUSED = "excused", _("excused")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    member = models.ForeignKey(
        FamilyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("family member"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact = models.CharField(_("other contact"), max_length=200, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    invited_sequence = models.IntegerField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["meeting", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class AgendaItem(models.Model):
    """An item of the agenda; its text is the minutes of that item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    is_health = models.BooleanField(_("contains health data"), default=False)
    minutes = models.TextField(_("minutes"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Minutes(models.Model):
    """The state of a meeting's minutes, and once approved the frozen PDF.

    ``version`` counts saves: a save that does not name the current version is refused,
    so that two people editing at once never overwrite each other.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        CIRCULATED = "circulated", _("circulated")
        APPROVED = "approved", _("approved")

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(default=0)
    circulated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(storage=private_storage, upload_to="minutes/", blank=True)
    # The PDF without the health section, for readers without health release.
    pdf_without_health = models.FileField(storage=private_storage, upload_to="minutes/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    sha256_without_health = models.CharField(max_length=64, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class MinutesComment(models.Model):
    """A participant's comment on circulated minutes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:50]


class Amendment(models.Model):
    """A dated correction of approved minutes, shown with the original (never a rewrite)."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("amendment"))
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:50]


class ActionQuerySet(models.QuerySet):
    def overdue_on(self, day) -> "ActionQuerySet":
        return self.filter(status=Action.Status.OPEN, due_on__lt=day)


class Action(models.Model):
    """A Vereinbarung: what, who, by when, and whether it was done."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    class Responsible(models.TextChoices):
        PARTICIPANT = "participant", _("a participant")
        INSTITUTION = "institution", _("an institution")
        PARENTS = "parents", _("the parents")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("what"))
    responsible = models.CharField(
        _("who"), max_length=20, choices=Responsible.choices, default=Responsible.INSTITUTION
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    # The institution that follows the action up (for the parents: the case's lead).
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
    )
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def who(self) -> str:
        if self.responsible == self.Responsible.PARENTS:
            return str(_("the parents"))
        if self.participant_id:
            return str(self.participant)
        return self.institution.short_name if self.institution_id else ""

    def is_overdue_on(self, day) -> bool:
        return self.status == self.Status.OPEN and self.due_on < day


class CalendarToken(models.Model):
    """A user's private, revocable calendar subscription (no session needed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%d.%m.%Y}"


class Reminder(models.Model):
    """A reminder sent: ``send_reminders`` sends each (kind, key, recipient) once."""

    kind = models.CharField(max_length=30)
    key = models.CharField(max_length=100)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "recipient"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.recipient}"
