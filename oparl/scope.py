"""What the OParl export of a cooperation contains: the one gateway.

Every list and every object of the API is read through these functions, always for one
cooperation the request may read (its token's, or a public one). They publish the
Kooperationsgremium only:

- committee sittings (never a Beteiligtenkonferenz: those are family data), their agenda
  items (never the health-marked ones, never the minutes' text: the approved PDF is the
  record) and the approved protocol;
- the committee's chair, minute-taker and members (name and function, nothing else) and
  the institutions they represent;
- no case, no family member, no participant of any meeting.

``created`` and ``modified`` are derived from the django-simple-history records that every
model keeps, annotated in the database so that the lists' ``created_since`` …
``modified_until`` filters run there. Objects without any history record (created by
``bulk_create``) fall back to a related timestamp where there is one.

OParl 1.1 forbids simply deleting Persons and Memberships (§2.8): a former member and a
former seat stay reachable as deleted objects, their dates reconstructed from the same
history.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from conferences.models import AgendaItem, Meeting, Minutes
from cooperation.models import Committee, CommitteeMember, Cooperation, Institution, User


def _first(history: QuerySet) -> Subquery:
    return Subquery(history.order_by("history_date").values("history_date")[:1])


def _last(history: QuerySet) -> Subquery:
    return Subquery(history.order_by("-history_date").values("history_date")[:1])


def _latest(*timestamps):
    """The latest of several timestamps, any of which may be NULL (but not all).

    PostgreSQL's GREATEST skips NULLs, SQLite's MAX() returns NULL: each term falls back
    to the others so that both agree.
    """
    if len(timestamps) == 1:
        return timestamps[0]
    return Greatest(*(Coalesce(t, *(o for o in timestamps if o is not t)) for t in timestamps))


def _history(model) -> QuerySet:
    return model.history.model._default_manager.all()


# --- the body ------------------------------------------------------------------------


def bodies(cooperations: Iterable[Cooperation]) -> QuerySet[Cooperation]:
    """The cooperations a request may read (its token's and the public ones), never
    another one."""
    by_pk = _history(Cooperation).filter(id=OuterRef("pk"))
    return (
        Cooperation.objects.filter(pk__in=[c.pk for c in cooperations])
        .annotate(oparl_created=_first(by_pk), oparl_modified=_last(by_pk))
        .order_by("pk")
    )


# --- organizations -------------------------------------------------------------------


def committees(cooperation: Cooperation) -> QuerySet[Committee]:
    """The Kooperationsgremium (at most one). Its memberships are part of it: a changed
    or removed member changes the committee's ``modified``."""
    by_pk = _history(Committee).filter(id=OuterRef("pk"))
    members = _history(CommitteeMember).filter(committee=OuterRef("pk"))
    return (
        Committee.objects.filter(cooperation=cooperation)
        .select_related("cooperation", "chair__institution", "minute_taker__institution")
        .annotate(oparl_created=_first(by_pk), oparl_modified=_latest(_last(by_pk), _last(members)))
        .order_by("pk")
    )


def institutions(cooperation: Cooperation) -> QuerySet[Institution]:
    """The parties of the cooperation, which committee members represent."""
    by_pk = _history(Institution).filter(id=OuterRef("pk"))
    return (
        Institution.objects.filter(cooperation=cooperation)
        .annotate(oparl_created=_first(by_pk), oparl_modified=_last(by_pk))
        .order_by("pk")
    )


# --- people --------------------------------------------------------------------------


def _committee_ids(cooperation: Cooperation) -> QuerySet:
    return Committee.objects.filter(cooperation=cooperation).values("pk")


def persons(cooperation: Cooperation) -> QuerySet[User]:
    """Everyone who is or ever was chair, minute-taker or member of the committee.

    Former ones (and deactivated accounts) stay as deleted objects: OParl wants clients
    to learn of a deletion, and a deleted Person shows nothing but its id and dates.
    ``oparl_current`` tells them apart: a current Person holds a current seat (the same
    rule that ``memberships`` applies). A Person embeds its memberships, so any change of
    the committee's posts or members changes every Person's ``modified``: cheap, and no
    removal is ever missed.
    """
    committee_ids = _committee_ids(cooperation)
    ever = Exists(
        _history(CommitteeMember).filter(committee__in=committee_ids, user=OuterRef("pk"))
    ) | Exists(
        _history(Committee).filter(
            Q(chair=OuterRef("pk")) | Q(minute_taker=OuterRef("pk")), id__in=committee_ids
        )
    )
    now = Exists(
        CommitteeMember.objects.filter(committee__in=committee_ids, user=OuterRef("pk"))
    ) | Exists(
        Committee.objects.filter(
            Q(chair=OuterRef("pk")) | Q(minute_taker=OuterRef("pk")), pk__in=committee_ids
        )
    )
    seated = {seat.user.pk for seat in memberships(cooperation)}
    current = Case(
        When(pk__in=seated, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    by_pk = _history(User).filter(id=OuterRef("pk"))
    posts = _history(Committee).filter(id__in=committee_ids)
    members = _history(CommitteeMember).filter(committee__in=committee_ids)
    return (
        User.objects.filter(ever | now, institution__cooperation=cooperation)
        .select_related("institution")
        .annotate(
            oparl_current=current,
            oparl_created=Coalesce(_first(by_pk), F("date_joined")),
            oparl_modified=_latest(F("date_joined"), _last(by_pk), _last(posts), _last(members)),
        )
        .order_by("pk")
    )


@dataclass(frozen=True)
class PostMembership:
    """The chair's or the minute-taker's seat, which has no CommitteeMember row."""

    committee: Committee
    post: str  # "chair" or "minute-taker"
    user: User
    oparl_created: datetime.datetime | None
    oparl_modified: datetime.datetime | None


POSTS = {"chair": "chair", "minute-taker": "minute_taker"}


def memberships(cooperation: Cooperation) -> list:
    """The current seats in the committee: CommitteeMember rows first, then the posts.

    Only active staff of the cooperation hold a seat here. A former seat is a deleted
    Membership (``former_memberships``); the Person's and the committee's ``modified``
    move with it.
    """
    committee = committees(cooperation).first()
    if committee is None:
        return []
    by_pk = _history(CommitteeMember).filter(id=OuterRef("pk"))
    rows = list(
        CommitteeMember.objects.filter(
            committee=committee,
            institution__cooperation=cooperation,
            user__is_active=True,
            user__institution__cooperation=cooperation,
        )
        .select_related("user", "institution", "committee")
        .annotate(oparl_created=_first(by_pk), oparl_modified=_last(by_pk))
        .order_by("pk")
    )
    return rows + post_memberships(committee, cooperation)


def _latest_date(history: QuerySet):
    return history.order_by("-history_date").values_list("history_date", flat=True).first()


def post_memberships(committee: Committee, cooperation: Cooperation) -> list[PostMembership]:
    committee_history = Committee.history.filter(id=committee.pk)
    result = []
    for post, field in POSTS.items():
        user = getattr(committee, field)
        if user is None or not user.is_active or user.institution_id is None:
            continue
        if user.institution.cooperation_id != cooperation.pk:
            continue
        held = committee_history.filter(**{f"{field}_id": user.pk}).order_by("history_date")
        first = held.values_list("history_date", flat=True).first()
        # The seat changes with the committee (e.g. its name) and with the person's
        # institution (``onBehalfOf``).
        changes = [first, _latest_date(committee_history), _latest_date(user.history.all())]
        latest = max((c for c in changes if c), default=None)
        result.append(PostMembership(committee, post, user, first or latest, latest))
    return result


@dataclass(frozen=True)
class FormerMembership:
    """A seat that is gone: removed, handed to someone else, or its holder deactivated.

    OParl 1.1 keeps it as a deleted object (id, type, created, modified, ``deleted``);
    ``route`` and ``key`` make its id, the same URL it had while current.
    """

    route: str  # "membership" (a CommitteeMember row) or "membership_post"
    key: tuple  # the route's arguments: (pk,) or (committee pk, post, user pk)
    oparl_created: datetime.datetime | None
    oparl_modified: datetime.datetime | None


def seat_order(seat) -> tuple:
    """Rows by id, then the posts (chair, minute-taker) by holder: a stable list order."""
    posts = list(POSTS)
    if isinstance(seat, CommitteeMember):
        return (0, seat.pk)
    if isinstance(seat, PostMembership):
        return (1, posts.index(seat.post), seat.user.pk)
    if seat.route == "membership":
        return (0, *seat.key)
    _committee, post, user = seat.key
    return (1, posts.index(post), user)


def memberships_and_former(cooperation: Cooperation) -> list:
    """Current and former seats, in the order of ``seat_order``."""
    current = memberships(cooperation)
    return sorted(current + former_memberships(cooperation, current), key=seat_order)


def _last_changes(model, ids: Iterable[int]) -> dict[int, datetime.datetime]:
    rows = _history(model).filter(id__in=set(ids)).values("id").annotate(last=Max("history_date"))
    return {row["id"]: row["last"] for row in rows}


def former_memberships(cooperation: Cooperation, current: list | None = None) -> list:
    """The committee's seats that were held once and are not now, from the history.

    A seat ends when its CommitteeMember row is deleted (the history's "-" record), when
    a post passes to another person (the committee's record that shows the new holder),
    or when its holder is deactivated or leaves the cooperation (the person's last
    change). Seats on behalf of another cooperation's institution never count.
    """
    committee = committees(cooperation).first()
    if committee is None:
        return []
    current = memberships(cooperation) if current is None else current
    result = [*_former_rows(committee, cooperation, current), *_former_posts(committee, current)]
    return sorted(result, key=seat_order)


def _former_rows(committee: Committee, cooperation: Cooperation, current: list) -> list:
    seated = {seat.pk for seat in current if isinstance(seat, CommitteeMember)}
    history = (
        _history(CommitteeMember)
        .filter(
            committee_id=committee.pk,
            institution_id__in=Institution.objects.filter(cooperation=cooperation).values("pk"),
        )
        .order_by("history_date", "history_id")
        .values_list("id", "user_id", "history_date", "history_type")
    )
    rows: dict[int, list] = {}  # id -> [first, last, user, removed]
    for pk, user, date, kind in history:
        row = rows.setdefault(pk, [date, date, user, False])
        row[1:] = [date, user, kind == "-"]
    gone = {pk: row for pk, row in rows.items() if pk not in seated}
    users = _last_changes(User, [row[2] for row in gone.values() if not row[3]])
    result = []
    for pk, (first, last, user, removed) in gone.items():
        # A row that still exists ended with its holder's deactivation or move.
        ended = last if removed else max(last, users.get(user, last))
        result.append(FormerMembership("membership", (pk,), first, ended))
    return result


def _former_posts(committee: Committee, current: list) -> list:
    seated = {(seat.post, seat.user.pk) for seat in current if isinstance(seat, PostMembership)}
    history = (
        _history(Committee)
        .filter(id=committee.pk)
        .order_by("history_date", "history_id")
        .values_list("history_date", "chair_id", "minute_taker_id", "history_type")
    )
    held: dict[tuple, list] = {}  # (post, user) -> [first held, ended or None]
    for date, chair, minute_taker, kind in history:
        holders = {} if kind == "-" else {"chair": chair, "minute-taker": minute_taker}
        for (post, user), seat in held.items():
            if seat[1] is None and holders.get(post) != user:
                seat[1] = date
        for post, user in holders.items():
            if user is not None:
                held.setdefault((post, user), [date, None])[1] = None
    gone = {key: seat for key, seat in held.items() if key not in seated}
    users = _last_changes(User, [user for (_post, user), seat in gone.items() if seat[1] is None])
    result = []
    for (post, user), (first, ended) in gone.items():
        if ended is None:
            # Still in the post, but deactivated or moved: that change ended the seat.
            ended = max(first, users.get(user, first))
        result.append(FormerMembership("membership_post", (committee.pk, post, user), first, ended))
    return result


# --- meetings ------------------------------------------------------------------------


def _sittings(cooperation: Cooperation) -> QuerySet[Meeting]:
    # Kind and committee both, and no case: a Beteiligtenkonferenz never passes.
    return Meeting.objects.filter(
        kind=Meeting.Kind.COMMITTEE_SITTING,
        cooperation=cooperation,
        committee__cooperation=cooperation,
        case__isnull=True,
    )


def sittings(cooperation: Cooperation) -> QuerySet[Meeting]:
    """The committee's sittings. A sitting embeds its agenda and protocol: their changes
    change its ``modified``."""
    created = F("created_at")
    return (
        _sittings(cooperation)
        .select_related("committee", "minutes")
        .annotate(
            oparl_created=created,
            oparl_modified=_latest(
                created,
                _last(_history(Meeting).filter(id=OuterRef("pk"))),
                _last(_history(AgendaItem).filter(meeting=OuterRef("pk"))),
                _last(_history(Minutes).filter(meeting=OuterRef("pk"))),
            ),
        )
        .order_by("pk")
    )


def agenda_items(cooperation: Cooperation) -> QuerySet[AgendaItem]:
    """Agenda items of the sittings. The resolution is published with the approval, so
    the approval changes ``modified`` too."""
    by_pk = _history(AgendaItem).filter(id=OuterRef("pk"))
    created = Coalesce(_first(by_pk), F("meeting__created_at"))
    return (
        AgendaItem.objects.filter(meeting__in=_sittings(cooperation), is_health=False)
        .select_related("meeting__minutes")
        .annotate(
            oparl_created=created,
            oparl_modified=_latest(created, _last(by_pk), F("meeting__minutes__approved_at")),
        )
        .order_by("pk")
    )


def files(cooperation: Cooperation) -> QuerySet[Minutes]:
    """The approved, frozen protocols of the sittings; they never change."""
    return (
        Minutes.objects.filter(
            meeting__in=_sittings(cooperation),
            status=Minutes.Status.APPROVED,
            approved_at__isnull=False,
        )
        .exclude(pdf="")
        .select_related("meeting", "oparl_digest")
        .annotate(oparl_created=F("approved_at"), oparl_modified=F("approved_at"))
        .order_by("pk")
    )


# --- locations -----------------------------------------------------------------------


def places(cooperation: Cooperation) -> list:
    """The Locations: the body's seat and region first, then the sittings' places.

    Each is rendered from its record and carries that record's dates; places of a
    Beteiligtenkonferenz never pass (``sittings``).
    """
    body = bodies([cooperation]).exclude(body_seat="", body_region="")
    return [*body, *sittings(cooperation).exclude(place="")]
