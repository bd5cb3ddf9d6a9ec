"""What the OParl export of a cooperation contains: the one gateway.

Every list and every object of the API is read through these functions, always for the
cooperation of the request's token. They publish the Kooperationsgremium only:

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
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
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


def bodies(cooperation: Cooperation) -> QuerySet[Cooperation]:
    """The token's own cooperation: a token never sees another body."""
    by_pk = _history(Cooperation).filter(id=OuterRef("pk"))
    return Cooperation.objects.filter(pk=cooperation.pk).annotate(
        oparl_created=_first(by_pk), oparl_modified=_last(by_pk)
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
    ``oparl_current`` tells them apart. A Person embeds its memberships, so any change of
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
    current = Case(
        When(Q(now) & Q(is_active=True), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
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

    Only active staff of the cooperation hold a seat here. A former seat is simply gone
    (OParl lets sub-objects go; the Person's and the committee's ``modified`` move).
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
