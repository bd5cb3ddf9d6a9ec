"""Writes about staff accounts: invitations, staff changes and their confirmation, second
factors. The admin and the account pages call these instead of saving by hand.

Separation of duties: the coordination office creates and changes accounts, but never
knows a password (the person sets it through a one-time link), and a caseworker or lead
role it gives takes effect only once the institution's lead confirmed it. Each change is
a ``StaffChange`` the institution's leads are told of, and in the accounts' history with
the acting user.

E-mail is sent after the transaction commits, so that a rolled-back change sends nothing.
"""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import twofactor
from .models import Institution, Invitation, StaffChange, User

Kind = StaffChange.Kind
State = StaffChange.State


class InvitationInvalid(Exception):
    """The link is unknown, used, expired, or the account was deactivated."""


class StaffChangeStale(Exception):
    """The change was decided already, or the account changed again since."""


def _send_later(subject: str, template: str, context: dict, recipients: list[str]) -> None:
    """Mail in German (the staff's language) once the transaction has committed."""
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
        subject = str(subject)

    def send() -> None:
        send_mail(subject, body, None, recipients)

    transaction.on_commit(send)


def _tell_leads(change: StaffChange) -> None:
    """The institution's confirmed leads are told of every change of its staff."""
    leads = change.institution.confirmed_leads()
    if change.is_pending:
        # Someone cannot confirm their own role.
        leads = leads.exclude(pk=change.user_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("KispFam: a staff change at %(institution)s") % {
            "institution": change.institution.short_name
        }
    _send_later(
        subject,
        "cooperation/mail/staff_change.txt",
        {"change": change, "page": reverse("cooperation:staff_changes")},
        list(leads.values_list("email", flat=True)),
    )


def _record(
    user: User,
    kind: str,
    made_by: User | None,
    *,
    institution: Institution | None = None,
    previous_role: str = "",
    previous_institution: Institution | None = None,
    details: str = "",
) -> StaffChange | None:
    institution = institution or user.institution
    if institution is None:
        return None
    needs_lead = (
        kind in (Kind.INVITED, Kind.ROLE_CHANGED)
        and institution.holds_family_data
        and not user.role_is_confirmed
    )
    if kind in (Kind.INVITED, Kind.ROLE_CHANGED):
        # A new role request replaces any request still open for the account.
        StaffChange.objects.pending().filter(user=user).update(state=State.SUPERSEDED)
    change = StaffChange.objects.create(
        institution=institution,
        user=user,
        kind=kind,
        role=user.role,
        previous_role=previous_role,
        previous_institution=previous_institution,
        details=details[:300],
        made_by=made_by,
        state=State.PENDING if needs_lead else State.INFORMATION,
    )
    _tell_leads(change)
    return change


def _send_invitation(user: User, invited_by: User) -> Invitation:
    now = timezone.now()
    # A new link makes every earlier one worthless.
    Invitation.objects.filter(user=user, accepted_at__isnull=True).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=Invitation.hash(token),
        created_by=invited_by,
        created_at=now,
        expires_at=now + Invitation.validity(),
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your KispFam account")
    _send_later(
        subject,
        "cooperation/mail/invitation.txt",
        {
            "user": user,
            "invitation": invitation,
            "link": reverse("cooperation:invitation", args=[token]),
            "hours": settings.INVITATION_VALID_HOURS,
        },
        [user.email],
    )
    return invitation


@transaction.atomic
def staff_invite(*, user: User, invited_by: User) -> Invitation:
    """Create a staff account without a usable password and e-mail the person a link
    (valid ``INVITATION_VALID_HOURS``, used once) to set their own password and enrol a
    second factor. The coordination office never learns the password."""
    user.set_unusable_password()
    user.confirmed_institution = None
    user.confirmed_role = ""
    user._history_user = invited_by
    user.save()
    _record(user, Kind.INVITED, invited_by)
    return _send_invitation(user, invited_by)


@transaction.atomic
def invitation_resend(*, user: User, invited_by: User) -> Invitation:
    """A new link for a person who has not yet set their password (the earlier one
    expired or got lost); an account in use is never re-invited."""
    if user.has_usable_password():
        raise PermissionDenied(_("The person already set their password."))
    _record(user, Kind.INVITATION_RESENT, invited_by)
    return _send_invitation(user, invited_by)


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("user").filter(token_hash=Invitation.hash(token)).first()
    )


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """The person sets their own password through the link; the link dies with it."""
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=Invitation.hash(token)).first()
    )
    if invitation is None or not invitation.is_open() or not invitation.user.is_active:
        raise InvitationInvalid
    now = timezone.now()
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    Invitation.objects.filter(user=invitation.user_id, accepted_at__isnull=True).update(
        expires_at=now
    )
    user = invitation.user
    user.set_password(password)
    user._history_user = user
    user.save()
    return user


DETAIL_FIELDS = ("username", "first_name", "last_name", "email")


@transaction.atomic
def staff_save(*, user: User, changed_by: User) -> list[StaffChange]:
    """Save a change to an existing account and record it as staff changes: a new role
    or institution waits for the lead's confirmation (the old institution's leads are
    told the person left), (de)activation and changed details are for information.

    An account in use keeps its e-mail address against the coordination office: a
    password-reset link sent to an address it chose would let it sign in as the person.
    """
    before = User.objects.select_for_update().get(pk=user.pk)
    if (
        not changed_by.is_superuser
        and before.has_usable_password()
        and before.email.lower() != user.email.lower()
    ):
        raise PermissionDenied(_("Only IT operations changes the e-mail of an account in use."))
    if (
        not changed_by.is_superuser
        and user.pk == changed_by.pk
        and (
            (before.institution_id, before.role, before.is_active)
            != (user.institution_id, user.role, user.is_active)
        )
    ):
        raise PermissionDenied(_("Nobody changes their own role, institution or access."))
    user._history_user = changed_by
    user.save()
    changes = []
    moved = before.institution_id != user.institution_id
    if moved and before.institution_id:
        changes.append(
            _record(
                user,
                Kind.LEFT,
                changed_by,
                institution=before.institution,
                previous_role=before.role,
                previous_institution=before.institution,
            )
        )
    if moved or before.role != user.role:
        changes.append(
            _record(
                user,
                Kind.ROLE_CHANGED,
                changed_by,
                previous_role=before.role,
                previous_institution=before.institution if moved else None,
            )
        )
    if before.is_active != user.is_active:
        kind = Kind.REACTIVATED if user.is_active else Kind.DEACTIVATED
        changes.append(_record(user, kind, changed_by))
    details = [
        f"{User._meta.get_field(name).verbose_name}: "
        f"{getattr(before, name)} → {getattr(user, name)}"
        for name in DETAIL_FIELDS
        if getattr(before, name) != getattr(user, name)
    ]
    if details:
        changes.append(_record(user, Kind.DETAILS_CHANGED, changed_by, details="; ".join(details)))
    if before.email.lower() != user.email.lower() and not user.has_usable_password():
        # An open invitation follows the address: the link sent to the old one dies.
        _send_invitation(user, changed_by)
    return [change for change in changes if change is not None]


@transaction.atomic
def staff_change_confirm(*, change: StaffChange, confirmed_by: User) -> None:
    """The institution's lead confirms a caseworker or lead role: from now on the
    account sees the cases its institution sees."""
    change = StaffChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    user = User.objects.select_for_update().get(pk=change.user_id)
    change.user = user
    if not change.is_pending or not change.is_current:
        raise StaffChangeStale
    user.confirmed_institution_id = change.institution_id
    user.confirmed_role = change.role
    user._history_user = confirmed_by
    user.save(update_fields=["confirmed_institution", "confirmed_role"])
    _decide(change, State.CONFIRMED, confirmed_by)


@transaction.atomic
def staff_change_decline(*, change: StaffChange, declined_by: User) -> None:
    """The lead declines: the account keeps seeing no case; the coordination office is
    told."""
    change = StaffChange.objects.select_for_update().get(pk=change.pk)
    if not change.is_pending:
        raise StaffChangeStale
    _decide(change, State.DECLINED, declined_by)


def _decide(change: StaffChange, state: str, by: User) -> None:
    change.state = state
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    if change.made_by_id:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("KispFam: your staff change at %(institution)s was decided") % {
                "institution": change.institution.short_name
            }
        _send_later(
            subject,
            "cooperation/mail/staff_change_decided.txt",
            {"change": change},
            [change.made_by.email],
        )


@transaction.atomic
def second_factor_reset(*, user: User, reset_by: User) -> int:
    """A lost phone or security key: every second factor of ``user`` is removed (their
    sessions lose their verification at once) and they enrol again at their next login.
    Recorded as a staff change; the institution's leads are told."""
    if user.pk == reset_by.pk:
        raise PermissionDenied(_("Nobody resets their own second factor."))
    removed = twofactor.remove_all(user)
    _record(user, Kind.SECOND_FACTOR_RESET, reset_by)
    return removed
