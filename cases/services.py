"""Writes that span models or grant access. Views and commands call these, never save by hand."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.dates import add_months
from common.mail import Mail
from cooperation.models import Cooperation, Institution, User
from outbox.services import Outgoing, mail_queue

from .models import (
    Case,
    CaseDocument,
    CaseGrant,
    CaseGroupObjectPermission,
    CaseVisibility,
    Consent,
    Consultation,
    DataCategory,
    Disclosure,
    FamilyMember,
    Involvement,
    Notification,
    Specialist,
)

ALL_CATEGORIES = list(DataCategory.values)
logger = logging.getLogger(__name__)


def next_reference(cooperation: Cooperation, year: int) -> str:
    """The next free reference of ``year``, e.g. HS-2026-0007."""
    # Lock the cooperation row so that two cases opened at once get distinct numbers.
    Cooperation.objects.select_for_update().get(pk=cooperation.pk)
    prefix = f"{cooperation.code.upper()}-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


CONFERENCE_INTERVAL_MONTHS = 6


@transaction.atomic
def case_open(
    *,
    lead_institution: Institution,
    opened_by: User,
    first_member: FamilyMember | None = None,
    opened_at: datetime.datetime | None = None,
) -> Case:
    """Open a case led by ``lead_institution``, with a fresh reference like HS-2026-0001.

    The lead is involved from today; the first Beteiligtenkonferenz is due six months
    after opening. ``first_member`` (unsaved) is recorded as the lead's master data.
    ``opened_at`` dates a case entered afterwards (the demo's) to when it was opened:
    its reference carries that year.
    """
    now = opened_at or timezone.now()
    today = timezone.localdate(now)
    case = Case.objects.create(
        cooperation=lead_institution.cooperation,
        reference=next_reference(lead_institution.cooperation, today.year),
        lead_institution=lead_institution,
        opened_by=opened_by,
        opened_at=now,
        conference_due_on=add_months(today, CONFERENCE_INTERVAL_MONTHS),
    )
    Involvement.objects.create(case=case, institution=lead_institution, since=today)
    if first_member is not None:
        first_member.case = case
        first_member.source_institution = lead_institution
        first_member.recorded_at = now
        first_member.save()
    case_recompute_grants(case=case)
    return case


@transaction.atomic
def case_update(*, case: Case, lead_changed: bool) -> Case:
    """Save the case's own fields; a new lead institution changes who sees what."""
    case.save()
    if lead_changed:
        if not case.involvements.filter(institution=case.lead_institution_id).exists():
            Involvement.objects.create(
                case=case, institution_id=case.lead_institution_id, since=timezone.localdate()
            )
        case_recompute_grants(case=case)
    return case


@transaction.atomic
def record_save(*, record, case: Case, institution: Institution):
    """Save a datum recorded by ``institution`` (member, health, note): it is its source."""
    if record.pk is None:
        record.source_institution = institution
        record.recorded_at = timezone.now()
    record.save()
    case.touch()
    return record


@transaction.atomic
def involvement_save(*, involvement: Involvement) -> Involvement:
    """An institution starts or stops working with the family: its access follows."""
    involvement.save()
    case_recompute_grants(case=involvement.case)
    return involvement


def _grants_for(case: Case) -> list[CaseGrant]:
    grants = [
        CaseGrant(
            case=case,
            institution_id=case.lead_institution_id,
            source_id=case.lead_institution_id,
            category=category,
            basis=CaseGrant.Basis.LEAD,
        )
        for category in ALL_CATEGORIES
    ]
    # Every involved institution sees the case and what it recorded itself, while it
    # is involved.
    for involvement in case.involvements.all():
        grants += [
            CaseGrant(
                case=case,
                institution_id=involvement.institution_id,
                source_id=involvement.institution_id,
                category=category,
                basis=CaseGrant.Basis.OWN,
                valid_from=involvement.since,
                valid_until=involvement.until,
            )
            for category in ALL_CATEGORIES
        ]
    # SGB X §67b / GDPR Art. 7: a consent releases the named categories from the named
    # institution to the named recipients, only while given and within its period.
    # Revoked, refused, invalidated and requested consents release nothing.
    for consent in case.consents.filter(status=Consent.Status.GIVEN).prefetch_related("recipients"):
        for recipient in consent.recipients.all():
            grants += [
                CaseGrant(
                    case=case,
                    institution=recipient,
                    source_id=consent.source_institution_id,
                    category=category,
                    basis=CaseGrant.Basis.CONSENT,
                    consent=consent,
                    valid_from=consent.valid_from,
                    valid_until=consent.valid_until,
                )
                for category in consent.categories
            ]
    # §8a SGB VIII, §4 Abs. 3 KKG, §65 Abs. 1 SGB VIII: lawful without consent; the
    # recorded disclosure grants the receiving institution what was disclosed.
    for disclosure in case.disclosures.all():
        grants += [
            CaseGrant(
                case=case,
                institution_id=disclosure.to_institution_id,
                source_id=disclosure.from_institution_id,
                category=category,
                basis=CaseGrant.Basis.DISCLOSURE,
                disclosure=disclosure,
                valid_from=disclosure.disclosed_on,
            )
            for category in disclosure.categories
        ]
    return grants


Window = tuple[datetime.date | None, datetime.date | None]


def _merge_windows(windows: list[Window]) -> list[Window]:
    """Merge validity windows (None: unbounded) into disjoint ones, adjacent days joined."""
    lowest, highest = datetime.date.min, datetime.date.max
    spans = sorted((start or lowest, end or highest) for start, end in windows)
    merged: list[list[datetime.date]] = []
    for start, end in spans:
        if merged and (
            merged[-1][1] == highest or start <= merged[-1][1] + datetime.timedelta(days=1)
        ):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [
        (None if start == lowest else start, None if end == highest else end)
        for start, end in merged
    ]


def _windows_by_institution(grants: list[CaseGrant]) -> dict[int, list[Window]]:
    windows: dict[int, list[Window]] = {}
    for grant in grants:
        windows.setdefault(grant.institution_id, []).append((grant.valid_from, grant.valid_until))
    return {institution: _merge_windows(spans) for institution, spans in windows.items()}


def _active_on(grant: CaseGrant, day: datetime.date) -> bool:
    return (grant.valid_from is None or grant.valid_from <= day) and (
        grant.valid_until is None or grant.valid_until >= day
    )


def _mirror_as_guardian_permissions(case: Case, grants: list[CaseGrant], day: datetime.date):
    """``view_case`` / ``view_case_health`` on each institution group whose grants are
    active on ``day``, written as a diff.

    Guardian's rows carry no validity window: they say who may see the case today, and
    ``case_permissions_refresh`` moves them when a window opens or closes. Same rows as
    guardian's ``assign_perm``/``remove_perm`` would write (the direct foreign-key model
    ``CaseGroupObjectPermission``), in two queries instead of two per institution.
    """
    active = [grant for grant in grants if _active_on(grant, day)]
    permissions = dict(
        Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_case", "view_case_health"]
        ).values_list("codename", "pk")
    )
    groups = dict(
        Institution.objects.filter(pk__in={g.institution_id for g in active}).values_list(
            "pk", "group_id"
        )
    )
    wanted = {(groups[g.institution_id], permissions["view_case"]) for g in active} | {
        (groups[g.institution_id], permissions["view_case_health"])
        for g in active
        if g.category == DataCategory.HEALTH
    }
    existing = CaseGroupObjectPermission.objects.filter(content_object=case)
    have = set(existing.values_list("group_id", "permission_id"))
    for group_id, permission_id in have - wanted:
        existing.filter(group_id=group_id, permission_id=permission_id).delete()
    CaseGroupObjectPermission.objects.bulk_create(
        CaseGroupObjectPermission(group_id=group, permission_id=perm, content_object=case)
        for group, perm in wanted - have
    )


def case_permissions_refresh(*, day: datetime.date, days_back: int = 7) -> int:
    """Move the guardian rows of every case in which a grant's window opened or closed
    in the ``days_back`` days up to ``day`` (a consent valid from today, one that ended
    yesterday); returns how many cases were refreshed.

    Run daily (``manage.py refresh_case_permissions``); looking back a week makes a run
    that was missed catch up. The gateway checks the windows itself as well, so a missed
    run never extends access, it can only delay access that a new window opens.
    """
    since = day - datetime.timedelta(days=days_back)
    boundaries = Q(valid_from__gt=since, valid_from__lte=day) | Q(
        valid_until__gte=since - datetime.timedelta(days=1), valid_until__lt=day
    )
    case_ids = CaseGrant.objects.filter(boundaries).values_list("case_id", flat=True).distinct()
    refreshed = 0
    for case in Case.objects.filter(pk__in=case_ids).iterator():
        with transaction.atomic():
            _mirror_as_guardian_permissions(case, list(case.grants.all()), day)
        refreshed += 1
    return refreshed


@transaction.atomic
def case_recompute_grants(*, case: Case) -> None:
    """Recompute who may see what of ``case``: the one place where access is granted.

    Called whenever the lead, an involvement, a consent or a disclosure changes. It
    rewrites the case's grants, the list index ``CaseVisibility`` and the django-guardian
    object permissions on the institutions' groups (``view_case``; ``view_case_health``
    where health data is released) that the gateway's object check reads. The gateway
    additionally applies each grant's validity window on every request.
    """
    CaseGrant.objects.filter(case=case).delete()
    grants = _grants_for(case)
    CaseGrant.objects.bulk_create(grants)

    now = timezone.now()
    CaseVisibility.objects.filter(case=case).delete()
    CaseVisibility.objects.bulk_create(
        CaseVisibility(
            case=case,
            institution_id=institution_id,
            valid_from=start,
            valid_until=end,
            case_updated_at=now,
        )
        for institution_id, windows in _windows_by_institution(grants).items()
        for start, end in windows
    )

    _mirror_as_guardian_permissions(case, grants, timezone.localdate(now))
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    case.updated_at = now


def _save_new_consent(consent: Consent, recipients: list[Institution]) -> None:
    """Save a new consent with its recipients as one history record ("+"), not two.

    The history tracks the recipients (m2m): setting them after the save would write a
    second record ("~") for the same change. So the save writes none, setting the
    recipients writes the one record (with them), and that record is marked the creation.
    """
    consent.save_without_historical_record()
    consent.recipients.set(recipients)
    if not consent.history.exists():  # no recipients: nothing was written yet
        consent.save()
    consent.history.all().update(history_type="+")


@transaction.atomic
def consent_record(
    *, consent: Consent, recipients: list[Institution], give: bool, obtained_by: User
) -> Consent:
    """Record a consent as requested, or as given when the signed form is at hand."""
    consent.obtained_by = obtained_by
    # Saved once in its final status: the case history shows one entry for one change
    # ("Einwilligung erteilt"), not "added: requested" followed by "changed: given".
    if give:
        consent.status = Consent.Status.GIVEN
        consent.obtained_on = consent.obtained_on or timezone.localdate()
    else:
        consent.status = Consent.Status.REQUESTED
    _save_new_consent(consent, recipients)
    if give:
        case_recompute_grants(case=consent.case)
    else:
        consent.case.touch()
    return consent


@transaction.atomic
def consent_correct(
    *, old: Consent, new: Consent, recipients: list[Institution], obtained_by: User
) -> Consent:
    """Correct a given consent: it is invalidated and the corrected one recorded.

    A given consent is evidence (SGB X §67b: provable) and is never edited in place; its
    history keeps what it said and what was shared on its basis.
    """
    if old.status != Consent.Status.GIVEN:
        raise ValueError("Only a given consent can be corrected.")
    old.status = Consent.Status.INVALIDATED
    old.save()
    new.pk = None
    new.case = old.case
    new.replaces = old
    # Given at once (one history entry for the corrected consent, as in consent_record).
    new.status = Consent.Status.GIVEN
    new.obtained_on = new.obtained_on or timezone.localdate()
    new.obtained_by = obtained_by
    if not new.scan and old.scan:
        new.scan = old.scan
    _save_new_consent(new, recipients)
    case_recompute_grants(case=new.case)
    return new


@transaction.atomic
def consent_give(*, consent: Consent, obtained_on: datetime.date | None = None) -> Consent:
    """Record that a requested consent was given (SGB X §67b: in advance and provable)."""
    if consent.status != Consent.Status.REQUESTED:
        raise ValueError("Only a requested consent can be given.")
    consent.status = Consent.Status.GIVEN
    consent.obtained_on = obtained_on or timezone.localdate()
    consent.save()
    case_recompute_grants(case=consent.case)
    return consent


@transaction.atomic
def consent_refuse(*, consent: Consent) -> Consent:
    if consent.status != Consent.Status.REQUESTED:
        raise ValueError("Only a requested consent can be refused.")
    consent.status = Consent.Status.REFUSED
    consent.save()
    consent.case.touch()
    return consent


@transaction.atomic
def consent_revoke(
    *,
    consent: Consent,
    revoked_on: datetime.date,
    channel: str,
    recorded_by: User,
    send_mail: bool = True,
) -> Consent:
    """Revoke a given consent (GDPR Art. 7(3)): all future sharing stops at once.

    What was shared before stays lawful and documented: the consent and its history are
    kept. The grants are recomputed here, so the next request of every affected user is
    already refused. Recipients are notified in the application and, unless
    ``send_mail`` is off (the demo's past revocations), by e-mail.
    """
    if consent.status != Consent.Status.GIVEN:
        raise ValueError("Only a given consent can be revoked.")
    consent.status = Consent.Status.REVOKED
    consent.revoked_on = revoked_on
    consent.revocation_channel = channel
    consent.revoked_by = recorded_by
    consent.save()
    case_recompute_grants(case=consent.case)
    _notify_revocation(consent, send_mail)
    return consent


def _notify_revocation(consent: Consent, send_mail: bool) -> None:
    """Tell the recipient institutions and the released one (all but the person who
    recorded it): in the application, and by e-mail through the outbox.

    The message names the case reference and the institutions, never the family.
    """
    institutions = [*consent.recipients.all(), consent.source_institution]
    staff = User.objects.filter(institution__in=institutions, is_active=True).exclude(
        pk=consent.revoked_by_id
    )
    notifications = Notification.objects.bulk_create(
        Notification(
            user=user, case=consent.case, kind=Notification.Kind.CONSENT_REVOKED, consent=consent
        )
        for user in staff
    )
    addresses = sorted(
        {n.user.email for n in notifications if n.user.email}
        | {institution.email for institution in institutions if institution.email}
    )
    if not addresses or not send_mail:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("KispFam: consent revoked in case %(reference)s") % {
            "reference": consent.case.reference
        }
        # The outbox page names no case: the coordination office sees none.
        listed = gettext("KispFam: consent revoked in a case")
        body = str(Notification(case=consent.case, consent=consent).message)
    # One message, blind copies to all: recipients do not see each other. The outbox
    # sends it after the commit and tries again when the mail server fails; the
    # notification in the application stands either way.
    mail_queue(
        [
            Outgoing(
                mail=Mail(subject=subject, body=body, bcc=tuple(addresses)),
                cooperation=consent.case.cooperation_id,
                institutions=tuple(institutions),
                listed_subject=listed,
            )
        ]
    )


@transaction.atomic
def disclosure_record(*, case: Case, disclosed_by: User, **fields) -> Disclosure:
    """Record a disclosure without consent with its legal basis, and grant its receiver.

    ``Disclosure.legal_problems`` holds the statutes' conditions; forms show the same
    messages before anything is written.
    """
    disclosure = Disclosure(case=case, disclosed_by=disclosed_by, **fields)
    problems = disclosure.legal_problems()
    if problems:
        raise ValidationError(problems)
    disclosure.save()
    case_recompute_grants(case=case)
    return disclosure


# Pseudonymised consultations (§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII).


@transaction.atomic
def consultation_request(
    *,
    case: Case,
    specialist: Specialist,
    requested_by: User,
    pseudonym: str,
    summary: str,
    question: str,
) -> Consultation:
    """Ask a designated specialist for advice on the case, with pseudonymised text only.

    The asking institution is the consultation's source; the specialist gets no grant on
    the case (``case_recompute_grants`` does not know consultations).
    """
    consultation = Consultation.objects.create(
        case=case,
        specialist=specialist,
        requested_by=requested_by,
        source_institution=requested_by.institution,
        pseudonym=pseudonym,
        summary=summary,
        question=question,
    )
    case.touch()
    return consultation


@transaction.atomic
def consultation_advise(*, consultation: Consultation, advice: str) -> Consultation:
    """The specialist's advice; it can change until the outcome is recorded."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.outcome:
        raise ValidationError(_("The outcome of this consultation is already recorded."))
    consultation.advice = advice
    consultation.advised_at = timezone.now()
    consultation.save(update_fields=["advice", "advised_at"])
    return consultation


@transaction.atomic
def consultation_record_outcome(
    *, consultation: Consultation, outcome: str, notes: str, recorded_by: User
) -> Consultation:
    """The asking institution records on the case what came of the consultation."""
    consultation.outcome = outcome
    consultation.outcome_notes = notes
    consultation.outcome_recorded_at = timezone.now()
    consultation.outcome_recorded_by = recorded_by
    consultation.save()
    consultation.case.touch()
    return consultation


@transaction.atomic
def specialist_designate(
    *,
    user: User,
    designated_by: User | None,
    qualification: str = "",
    since: datetime.date | None = None,
) -> Specialist:
    """Designate ``user`` as an experienced child-protection specialist of their
    institution (§8a Abs. 4 SGB VIII, §4 Abs. 2 KKG)."""
    specialist = Specialist(
        user=user,
        institution_id=user.institution_id,
        qualification=qualification,
        since=since or timezone.localdate(),
        designated_by=designated_by,
    )
    specialist.full_clean()
    specialist.save()
    return specialist


@transaction.atomic
def specialist_end(*, specialist: Specialist, until: datetime.date | None = None) -> Specialist:
    """End a designation: the person advises on no further consultation (what they
    advised on stays documented)."""
    specialist.until = until or timezone.localdate()
    specialist.save(update_fields=["until"])
    return specialist


# The case record: who answers for the family, the documents kept on it, closing it.


@transaction.atomic
def involvement_assign_responsible(
    *, involvement: Involvement, responsible: User | None, deputy: User | None
) -> Involvement:
    """Name the responsible caseworker and the deputy of an involved institution.

    Both work at that institution (``permissions.assignable_staff``); the change is kept
    in the involvement's history and marks the case as changed."""
    for person in (responsible, deputy):
        if person is not None and person.institution_id != involvement.institution_id:
            raise ValidationError(_("Only staff of the involved institution can be named."))
    involvement.responsible = responsible
    involvement.deputy = deputy
    involvement.save(update_fields=["responsible", "deputy"])
    involvement.case.touch()
    return involvement


@transaction.atomic
def case_document_add(
    *,
    case: Case,
    institution: Institution,
    uploaded_by: User,
    category: str,
    title: str,
    date: datetime.date,
    upload,
):
    """Keep a document on the case, held by ``institution`` in ``category``.

    The file was checked by its content (``common.uploads``); its SHA-256 is stored with
    it, since it never changes and is served with it as its ETag. Should the transaction
    fail after the file was written, the file is removed again: no orphan on disk."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = CaseDocument(
        case=case,
        source_institution=institution,
        recorded_at=timezone.now(),
        uploaded_by=uploaded_by,
        category=category,
        title=title,
        date=date,
        sha256=digest.hexdigest(),
    )
    document.file.save(upload.name, upload, save=False)
    stored = document.file.name
    try:
        document.save()
        case.touch()
    except Exception:
        document.file.storage.delete(stored)
        raise
    return document


@transaction.atomic
def case_close(*, case: Case, closed_on: datetime.date, reason: str) -> Case:
    """Close the case: it leaves the list of open cases and no conference is due any
    more; every record stays until its retention period ends (``privacy``)."""
    case.status = Case.Status.CLOSED
    case.closed_on = closed_on
    case.close_reason = reason
    case.conference_due_on = None
    case.save()
    return case
