"""The institutional layer: cooperations, their institutions and the staff who work there.

A deployment hosts several cooperations (one per Kreis or kreisfreie Stadt). Everything
institutional belongs to exactly one cooperation, and a member of a coordination office
manages their own cooperation only.
"""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Cooperation(models.Model):
    """A Kooperationsverbund and the Kreis or city that is responsible for it."""

    class BodyKind(models.TextChoices):
        KREIS = "kreis", _("Kreis (district)")
        KREISFREIE_STADT = "kreisfreie_stadt", _("Kreisfreie Stadt (independent city)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(
        _("reference code"),
        max_length=8,
        unique=True,
        help_text=_("Prefix of case references, e.g. HS for Kreis Heinsberg."),
    )
    body_name = models.CharField(_("responsible body"), max_length=200)
    body_kind = models.CharField(_("kind of body"), max_length=20, choices=BodyKind.choices)
    body_region = models.CharField(
        _("region"), max_length=200, blank=True, help_text=_("e.g. Regierungsbezirk Köln")
    )
    body_seat = models.CharField(_("seat of administration"), max_length=200, blank=True)
    conference_interval_months = models.PositiveSmallIntegerField(
        _("months between Beteiligtenkonferenzen"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("A family's next conference is due this long after the last one held."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cooperation")
        verbose_name_plural = _("cooperations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstitutionQuerySet(models.QuerySet):
    def of_cooperation(self, cooperation: Cooperation | None) -> "InstitutionQuerySet":
        return self.filter(cooperation=cooperation) if cooperation else self.none()


class Institution(models.Model):
    """A party of a cooperation: a Jugendamt, a Suchtberatung, a coordination office ...

    Object permissions (django-guardian) are never granted to single users but to the
    institution's own group, so that a caseworker's access follows their institution.
    """

    class Kind(models.TextChoices):
        JUGENDAMT_KREIS = "jugendamt_kreis", _("Youth welfare office of a Kreis")
        JUGENDAMT_STADT = "jugendamt_stadt", _("Youth welfare office of a city")
        SUCHTBERATUNG_GA = "suchtberatung_ga", _("Addiction counselling of the health office")
        SUCHTBERATUNG_FREI = (
            "suchtberatung_frei",
            _("Addiction counselling of a free welfare organisation"),
        )
        KOORDINATION = "koordination", _("Coordination office")
        OTHER = "other", _("Other (e.g. substituting practice, school, Kita)")

    class DataProtectionLaw(models.TextChoices):
        GDPR = "gdpr", _("GDPR / SGB X")
        KDG = "kdg", _("KDG (Catholic data protection law)")
        DSG_EKD = "dsg_ekd", _("DSG-EKD (Protestant data protection law)")

    cooperation = models.ForeignKey(
        Cooperation,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("cooperation"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    data_protection_law = models.CharField(
        _("data protection law"),
        max_length=10,
        choices=DataProtectionLaw.choices,
        default=DataProtectionLaw.GDPR,
    )
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="institution",
        editable=False,
        verbose_name=_("permission group"),
    )
    history = HistoricalRecords()

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["cooperation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperation", "name"], name="institution_unique_name_per_cooperation"
            ),
            models.UniqueConstraint(
                fields=["cooperation", "short_name"],
                name="institution_unique_short_name_per_cooperation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Every institution needs its permission group from its first save on: a grant
        # to an institution without one would have nowhere to go. The name is opaque
        # and stable so that renaming an institution never touches its permissions.
        if self.group_id is None:
            self.group = Group.objects.create(name=f"institution:{uuid.uuid4()}")
        super().save(*args, **kwargs)

    @property
    def address(self) -> str:
        return ", ".join(p for p in (self.street, f"{self.postal_code} {self.city}".strip()) if p)

    @property
    def holds_family_data(self) -> bool:
        """Every institution but a coordination office works with families."""
        return self.kind != self.Kind.KOORDINATION

    def confirmed_leads(self) -> "models.QuerySet[User]":
        """The leads who answer for this institution's staff: active, their role confirmed."""
        return User.objects.filter(
            institution=self,
            role=User.Role.LEAD,
            confirmed_institution=self,
            confirmed_role=User.Role.LEAD,
            is_active=True,
        )


class StaffManager(UserManager):
    def create_user(self, username, email=None, password=None, **extra_fields):
        """An account made in code (the demo, tests, IT operations' shell) carries its
        caseworker or lead role as confirmed. The coordination office's accounts never
        come this way: they are invited (``services.staff_invite``) and wait for the
        lead's confirmation."""
        if extra_fields.get("institution") is not None:
            extra_fields.setdefault("confirmed_institution", extra_fields["institution"])
            extra_fields.setdefault(
                "confirmed_role", extra_fields.get("role", User.Role.CASEWORKER)
            )
        return super().create_user(username, email, password, **extra_fields)

    def signed_in(self):
        """The users as a request carries them: with their institution (the header names
        it), whether they sit on their cooperation's committee (the navigation asks) and
        their confirmed second-factor devices (the second-factor check of every request,
        ``SecondFactorMiddleware``), in the one query that loads the session's user."""
        user = models.OuterRef("pk")
        return self.select_related("institution").annotate(
            confirmed_devices=_confirmed_devices(user),
            sits_on_committee=models.Exists(
                Committee.objects.filter(
                    cooperation__institutions=models.OuterRef("institution_id")
                ).filter(Q(chair=user) | Q(minute_taker=user) | Q(members__user=user))
            ),
        )


def _confirmed_devices(user: models.OuterRef) -> models.Func:
    """The persistent ids of the user's confirmed second-factor devices (authenticator
    apps, backup codes, passkeys) as one text, each between commas:
    ``,otp_totp.totpdevice/4,otp_static.staticdevice/9,``."""
    from django_otp import device_classes

    text = models.TextField()
    ids = [
        models.functions.Coalesce(
            models.Subquery(
                model.objects.filter(user=user, confirmed=True)
                .order_by()
                .values("user")
                .annotate(
                    ids=models.StringAgg(
                        models.functions.Concat(
                            models.Value(f"{model.model_label()}/"),
                            models.functions.Cast("pk", text),
                            models.Value(","),
                            output_field=text,
                        ),
                        models.Value(""),
                        output_field=text,
                    )
                )
                .values("ids")
            ),
            models.Value(""),
            output_field=text,
        )
        for model in device_classes()
    ]
    return models.functions.Concat(models.Value(","), *ids, output_field=text)


class User(AbstractUser):
    """A person who logs in: staff of one institution, with one role there.

    Only a superuser may have no institution. The coordination office manages its own
    cooperation in the admin and sees no family data; the data-protection officer reads
    the audit logs.

    A caseworker or lead role counts only once the institution's lead confirmed it:
    ``confirmed_institution`` and ``confirmed_role`` hold what was confirmed, so that any
    later change of institution or role, however it is made, lapses the confirmation.
    """

    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Caseworker")
        LEAD = "lead", _("Lead")
        COORDINATION = "coordination", _("Coordination office")
        DATA_PROTECTION = "data_protection", _("Data-protection officer")

    # Roles that see family data, and the offices that must never hold one (separation of
    # duties: whoever administers accounts or audits access does not work on cases).
    FAMILY_DATA_ROLES = (Role.CASEWORKER, Role.LEAD)
    OFFICE_ROLES = (Role.COORDINATION, Role.DATA_PROTECTION)

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        verbose_name=_("institution"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CASEWORKER)
    confirmed_institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("confirmed institution"),
    )
    confirmed_role = models.CharField(
        _("confirmed role"), max_length=20, choices=Role.choices, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = StaffManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        """Separation of duties: the roles fit the institution, and an account that ever
        administered accounts (coordination office) or audited access (data-protection
        officer) never works on cases, nor does the same person under a second account."""
        super().clean()
        if self.is_superuser or self.institution_id is None:
            return
        institution = self.institution
        if self.role in self.FAMILY_DATA_ROLES and not institution.holds_family_data:
            raise ValidationError({"role": _("A coordination office has no caseworkers or leads.")})
        if self.role == self.Role.COORDINATION and institution.holds_family_data:
            raise ValidationError(
                {"role": _("The coordination role belongs to a coordination office.")}
            )
        if self.role in self.FAMILY_DATA_ROLES and self.ever_held_office_role():
            raise ValidationError(
                {
                    "role": _(
                        "This account administered accounts or audited access: it can never "
                        "work on cases. The person needs a new account, invited separately."
                    )
                }
            )
        if self.email:
            others = User.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
            roles = self.OFFICE_ROLES if self.role in self.FAMILY_DATA_ROLES else ()
            roles = self.FAMILY_DATA_ROLES if self.role in self.OFFICE_ROLES else roles
            if roles and others.filter(role__in=roles).exists():
                raise ValidationError(
                    {
                        "email": _(
                            "This e-mail address belongs to an account with a role that "
                            "cannot be combined with this one (coordination office or "
                            "data protection on the one hand, casework on the other)."
                        )
                    }
                )

    def save(self, *args, **kwargs) -> None:
        # Admin access follows the role: the coordination office runs the admin panel,
        # nobody else but a superuser gets in.
        self.is_staff = self.is_superuser or self.role == self.Role.COORDINATION
        super().save(*args, **kwargs)

    @property
    def cooperation(self) -> Cooperation | None:
        return self.institution.cooperation if self.institution_id else None

    @property
    def is_coordination_office(self) -> bool:
        return self.role == self.Role.COORDINATION and self.institution_id is not None

    @property
    def is_data_protection_officer(self) -> bool:
        return self.role == self.Role.DATA_PROTECTION and self.institution_id is not None

    @property
    def role_is_confirmed(self) -> bool:
        """A caseworker or lead role takes effect once the institution's lead confirmed
        exactly this institution and role; other roles need no confirmation."""
        if self.role not in self.FAMILY_DATA_ROLES:
            return True
        return (
            self.institution_id is not None
            and self.confirmed_institution_id == self.institution_id
            and self.confirmed_role == self.role
        )

    @property
    def needs_second_factor(self) -> bool:
        """Every staff login needs a second factor (BSI); OTP_REQUIRED_ROLES may narrow
        it to some roles, never for a superuser."""
        return self.is_superuser or self.role in settings.OTP_REQUIRED_ROLES

    def ever_held_office_role(self) -> bool:
        if self.role in self.OFFICE_ROLES:
            return True
        return bool(self.pk) and self.history.filter(role__in=self.OFFICE_ROLES).exists()

    @cached_property
    def reads_committee(self) -> bool:
        """The committee-reader rule: the coordination office of a cooperation and the
        members of its Kooperationsgremium (chair, minute-taker, representatives and
        deputies) read the committee's papers: its sittings, the Gesamtkonzept and the
        statistics, each of their own cooperation only.

        Asked by the navigation on every page: the session's user comes with the answer
        (``User.objects.signed_in()``, loaded by the authentication backends); any other
        user asks once (``request.user`` lives as long as the request).
        """
        if not self.is_active or self.institution_id is None:
            return False
        if self.is_coordination_office:
            return True
        if hasattr(self, "sits_on_committee"):
            return self.sits_on_committee
        return (
            Committee.objects.filter(cooperation__institutions=self.institution_id)
            .filter(Q(chair=self) | Q(minute_taker=self) | Q(members__user=self))
            .exists()
        )

    def get_absolute_url(self) -> str:
        return reverse("dashboard")


class Committee(models.Model):
    """The Kooperationsgremium of a cooperation: it sits every six months."""

    cooperation = models.OneToOneField(
        Cooperation, on_delete=models.CASCADE, related_name="committee"
    )
    name = models.CharField(_("name"), max_length=200, default="Kooperationsgremium")
    chair = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chair"),
    )
    minute_taker = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minute-taker"),
    )
    sitting_interval_months = models.PositiveSmallIntegerField(
        _("months between sittings"), default=6
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self) -> str:
        return f"{self.name} ({self.cooperation.body_name})"

    def member_users(self) -> models.QuerySet:
        ids = set(self.members.values_list("user_id", flat=True))
        ids |= {pk for pk in (self.chair_id, self.minute_taker_id) if pk}
        return User.objects.filter(pk__in=ids, is_active=True)


class CommitteeMember(models.Model):
    """A party institution's representative or deputy in the committee."""

    class Function(models.TextChoices):
        REPRESENTATIVE = "representative", _("representative")
        DEPUTY = "deputy", _("deputy")

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="members")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "institution", "function"], name="one_per_function"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.institution.short_name}, {self.get_function_display()})"

    def clean(self) -> None:
        if self.user_id and self.institution_id and self.user.institution_id != self.institution_id:
            raise ValidationError({"user": _("The person must work at the institution.")})


class StaffChangeQuerySet(models.QuerySet):
    def pending(self) -> "StaffChangeQuerySet":
        return self.filter(state=StaffChange.State.PENDING)


class StaffChange(models.Model):
    """One change of an institution's staff, made by the coordination office or IT
    operations: the institution's leads are told of each. A new or changed caseworker or
    lead role waits for a lead's confirmation; until then the account sees no case."""

    class Kind(models.TextChoices):
        INVITED = "invited", _("account created, invitation sent")
        INVITATION_RESENT = "invitation_resent", _("invitation sent again")
        ROLE_CHANGED = "role_changed", _("role or institution changed")
        LEFT = "left", _("moved to another institution")
        DEACTIVATED = "deactivated", _("account deactivated")
        REACTIVATED = "reactivated", _("account reactivated")
        DETAILS_CHANGED = "details_changed", _("name, username or e-mail changed")
        SECOND_FACTOR_RESET = "second_factor_reset", _("second factor reset")

    class State(models.TextChoices):
        INFORMATION = "information", _("for information")
        PENDING = "pending", _("awaiting the lead's confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        SUPERSEDED = "superseded", _("superseded by a later change")

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="staff_changes",
        verbose_name=_("institution"),
    )
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="staff_changes", verbose_name=_("account")
    )
    kind = models.CharField(_("change"), max_length=30, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices)
    previous_role = models.CharField(
        _("previous role"), max_length=20, choices=User.Role.choices, blank=True
    )
    previous_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("previous institution"),
    )
    details = models.CharField(_("details"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("made by"),
    )
    made_at = models.DateTimeField(_("made at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = StaffChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff change")
        verbose_name_plural = _("staff changes")
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["institution", "state"], name="staffchange_inst_state")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()} ({self.institution.short_name})"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    @property
    def is_current(self) -> bool:
        """The account still stands as this change left it (institution and role)."""
        return self.user.institution_id == self.institution_id and self.user.role == self.role


class Invitation(models.Model):
    """A one-time link to set one's own password and enrol a second factor.

    Only a hash of the token is stored: nobody who reads the database or the admin (the
    coordination office included) can use the link; only the person's mailbox holds it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("invited at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d.%m.%Y})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def validity() -> datetime.timedelta:
        return datetime.timedelta(hours=settings.INVITATION_VALID_HOURS)

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        return self.accepted_at is None and (now or timezone.now()) < self.expires_at
