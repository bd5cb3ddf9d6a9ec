"""OParl 1.1 objects made from the records that ``oparl.scope`` lets through.

Ids are absolute URLs (``SITE_URL`` + the object's route). Times are ISO 8601 in
Europe/Berlin with their offset. What a record does not have is left out, never ``null``.
The functions that render many objects at once fetch what those embed in a few queries.
``omit_internal`` leaves out the internal lists that OParl 1.1 names for it (a Body's
``legislativeTerm``, a Person's ``membership``, a Meeting's ``agendaItem``).
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from conferences.models import Meeting, Minutes
from cooperation.models import Committee, CommitteeMember, Cooperation, Institution, User

from . import scope
from .models import FileDigest

OPARL = "https://schema.oparl.org/1.1/"
MEETING_STATES = {
    Meeting.State.PLANNED: "terminiert",
    Meeting.State.INVITED: "eingeladen",
    Meeting.State.HELD: "durchgeführt",
    Meeting.State.CIRCULATED: "durchgeführt",
    Meeting.State.APPROVED: "durchgeführt",
}


def url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(f"oparl:{name}", args=args)


def _time(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _object(kind: str, id: str, record, **fields) -> dict:
    """An OParl object: id, type, the fields that have a value, created, modified."""
    result = {"id": id, "type": OPARL + kind}
    result.update({key: value for key, value in fields.items() if value not in (None, "")})
    for key, attribute in (("created", "oparl_created"), ("modified", "oparl_modified")):
        if stamp := _time(getattr(record, attribute, None)):
            result[key] = stamp
    return result


# --- system and body -----------------------------------------------------------------


def _license() -> str | None:
    # OParl 1.1 §3.1: a licence on the System and the Body covers every object below.
    return settings.OPARL_LICENSE or None


def system(bodies: Sequence[Cooperation]) -> dict:
    """The one system; its dates are those of the bodies it lists to this client."""
    created = [b.oparl_created for b in bodies if b.oparl_created]
    modified = [b.oparl_modified for b in bodies if b.oparl_modified]
    dates = SimpleNamespace(
        oparl_created=min(created, default=None), oparl_modified=max(modified, default=None)
    )
    return _object(
        "System",
        url("system"),
        dates,
        oparlVersion=OPARL,
        license=_license(),
        name="KispFam",
        body=url("body_list"),
        website=settings.SITE_URL + "/",
    )


def body_location(body: Cooperation) -> dict | None:
    if not (body.body_seat or body.body_region):
        return None
    return _object(
        "Location",
        url("location_body", body.pk),
        body,
        description=", ".join(part for part in (body.body_seat, body.body_region) if part),
        locality=body.body_seat,
        bodies=[url("body", body.pk)],
    )


def body(body: Cooperation, *, omit_internal: bool = False) -> dict:
    """The Kreis or city responsible for the cooperation."""
    return _object(
        "Body",
        url("body", body.pk),
        body,
        system=url("system"),
        name=body.body_name,
        license=_license(),
        classification=str(body.get_body_kind_display()),
        location=body_location(body),
        organization=url("organization_list", body.pk),
        person=url("person_list", body.pk),
        membership=url("membership_list", body.pk),
        meeting=url("meeting_list", body.pk),
        agendaItem=url("agendaitem_list", body.pk),
        file=url("file_list", body.pk),
        locationList=url("location_list", body.pk),
        paper=url("paper_list", body.pk),
        # Required by OParl; a Kooperationsgremium has no legislative terms.
        legislativeTerm=None if omit_internal else [],
    )


# --- organizations -------------------------------------------------------------------


def _post_label(post: str) -> str:
    return str(Committee._meta.get_field(scope.POSTS[post]).verbose_name)


def committee(committee: Committee, memberships: list) -> dict:
    functions = [str(label) for _value, label in CommitteeMember.Function.choices]
    return _object(
        "Organization",
        url("organization_committee", committee.pk),
        committee,
        body=url("body", committee.cooperation_id),
        name=f"{committee.name} – {committee.cooperation.name}",
        shortName=committee.name,
        organizationType="Gremium",
        post=[_post_label("chair"), _post_label("minute-taker"), *functions],
        membership=[membership_id(m) for m in memberships],
        meeting=url("organization_committee_meetings", committee.pk),
    )


def institution(institution: Institution) -> dict:
    return _object(
        "Organization",
        url("organization_institution", institution.pk),
        institution,
        body=url("body", institution.cooperation_id),
        name=institution.name,
        shortName=institution.short_name,
        organizationType="Institution",
        classification=str(institution.get_kind_display()),
    )


# --- people --------------------------------------------------------------------------


def membership_id(seat) -> str:
    if isinstance(seat, scope.FormerMembership):
        return url(seat.route, *seat.key)
    if isinstance(seat, scope.PostMembership):
        return url("membership_post", seat.committee.pk, seat.post, seat.user.pk)
    return url("membership", seat.pk)


def membership(seat) -> dict:
    """A seat in the committee, on behalf of an institution.

    A representative votes, a deputy only in the representative's stead (so: no voting
    right of their own), the minute-taker never; the chair's vote is not recorded here.
    A former seat is a deleted object: id, type, dates and ``deleted`` only.
    """
    if isinstance(seat, scope.FormerMembership):
        return _object("Membership", membership_id(seat), seat, deleted=True)
    if isinstance(seat, scope.PostMembership):
        user, committee_pk, role = seat.user, seat.committee.pk, _post_label(seat.post)
        institution_pk = user.institution_id
        voting = False if seat.post == "minute-taker" else None
    else:
        user, committee_pk, role = seat.user, seat.committee_id, seat.get_function_display()
        institution_pk = seat.institution_id
        voting = seat.function == CommitteeMember.Function.REPRESENTATIVE
    return _object(
        "Membership",
        membership_id(seat),
        seat,
        person=url("person", user.pk),
        organization=url("organization_committee", committee_pk),
        role=str(role),
        votingRight=voting,
        onBehalfOf=url("organization_institution", institution_pk) if institution_pk else None,
    )


def persons(users: list[User], seats: list, *, omit_internal: bool = False) -> list[dict]:
    """Name, function(s) and (through the memberships) institution; nothing else.

    A former member is a deleted object: id, type, dates and ``deleted`` only. Only
    current seats are embedded (OParl forbids deleted objects inside another).
    """
    by_user = defaultdict(list)
    for seat in seats:
        by_user[seat.user.pk].append(seat)
    result = []
    for user in users:
        mine = by_user.get(user.pk, [])
        if not user.oparl_current or not mine:
            result.append(_object("Person", url("person", user.pk), user, deleted=True))
            continue
        result.append(
            _object(
                "Person",
                url("person", user.pk),
                user,
                body=url("body", user.institution.cooperation_id),
                name=user.get_full_name() or user.username,
                familyName=user.last_name,
                givenName=user.first_name,
                status=list(dict.fromkeys(membership(seat)["role"] for seat in mine)),
                membership=None if omit_internal else [membership(seat) for seat in mine],
            )
        )
    return result


# --- meetings ------------------------------------------------------------------------


def meeting_location(meeting: Meeting) -> dict | None:
    if not meeting.place:
        return None
    return _object(
        "Location",
        url("location_meeting", meeting.pk),
        meeting,
        description=meeting.place,
        meetings=[url("meeting", meeting.pk)],
    )


def is_approved(meeting: Meeting) -> bool:
    try:
        return meeting.minutes.status == Minutes.Status.APPROVED
    except Minutes.DoesNotExist:
        return False


def agenda_item(item, approved: bool | None = None) -> dict:
    """Number and title; the resolution once the minutes are approved (before that it
    is a draft). The minutes' text is not published: the approved PDF is the record."""
    approved = is_approved(item.meeting) if approved is None else approved
    return _object(
        "AgendaItem",
        url("agendaitem", item.pk),
        item,
        meeting=url("meeting", item.meeting_id),
        number=str(item.number),
        order=item.number,
        name=item.title,
        resolutionText=item.resolution if approved else None,
    )


def file(minutes: Minutes) -> dict:
    """The approved protocol, exactly the frozen bytes. OParl 1.1 has no SHA-256 field:
    ``sha512Checksum`` is computed from the same bytes (``sha1Checksum`` is deprecated)."""
    meeting = minutes.meeting
    digest = FileDigest.of(minutes)
    return _object(
        "File",
        url("file", minutes.pk),
        minutes,
        name=f"{Minutes._meta.verbose_name}: {meeting_name(meeting)}",
        fileName=file_name(minutes),
        mimeType="application/pdf",
        date=timezone.localtime(minutes.approved_at).date().isoformat(),
        size=digest.size if digest else None,
        sha512Checksum=digest.sha512 if digest else None,
        accessUrl=url("file_access", minutes.pk),
        downloadUrl=url("file_download", minutes.pk),
        meeting=[url("meeting", meeting.pk)],
    )


def file_name(minutes: Minutes) -> str:
    """ASCII, as OParl recommends for downloads: protokoll-2026-06-29.pdf."""
    return f"protokoll-{timezone.localtime(minutes.meeting.starts_at):%Y-%m-%d}.pdf"


def meeting_name(meeting: Meeting) -> str:
    day = timezone.localtime(meeting.starts_at)
    return f"{meeting.get_kind_display()}, {day:%d.%m.%Y}"


def meetings(
    cooperation: Cooperation, records: list[Meeting], *, omit_internal: bool = False
) -> list[dict]:
    """Sittings with their agenda and, once approved, their protocol."""
    ids = [m.pk for m in records]
    agenda = defaultdict(list)
    if not omit_internal:
        for item in scope.agenda_items(cooperation).filter(meeting__in=ids):
            agenda[item.meeting_id].append(item)
    protocols = {m.meeting_id: m for m in scope.files(cooperation).filter(meeting__in=ids)}
    result = []
    for meeting in records:
        cancelled = meeting.state == Meeting.State.CANCELLED
        protocol = protocols.get(meeting.pk)
        approved = protocol is not None
        items = agenda[meeting.pk]
        result.append(
            _object(
                "Meeting",
                url("meeting", meeting.pk),
                meeting,
                name=meeting_name(meeting),
                # A cancelled sitting keeps no state of its own; ``cancelled`` says it all.
                meetingState=MEETING_STATES.get(meeting.state),
                cancelled=cancelled,
                start=_time(meeting.starts_at),
                end=_time(meeting.ends_at),
                location=meeting_location(meeting),
                organization=[url("organization_committee", meeting.committee_id)],
                agendaItem=None if omit_internal else [agenda_item(i, approved) for i in items],
                resultsProtocol=file(protocol) if protocol else None,
            )
        )
    return result


def location(record) -> dict | None:
    """The Location of a body (its seat) or of a sitting (its place)."""
    if isinstance(record, Cooperation):
        return body_location(record)
    return meeting_location(record)
