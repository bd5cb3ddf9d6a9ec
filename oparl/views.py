"""The OParl 1.1 endpoints. Every view gets the token's cooperation from ``oparl_view``
and reads through ``oparl.scope``; an object of another cooperation is a 404."""

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from cooperation.models import Committee, Cooperation

from . import scope, serializers
from .api import oparl_view, own_body_or_404, paginated


@oparl_view
def system(request: HttpRequest, cooperation: Cooperation) -> dict:
    return serializers.system(get_object_or_404(scope.bodies(cooperation)))


@oparl_view
def body_list(request: HttpRequest, cooperation: Cooperation) -> dict:
    return paginated(
        request, scope.bodies(cooperation), lambda page: [serializers.body(b) for b in page]
    )


@oparl_view
def body(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    own_body_or_404(cooperation, pk)
    return serializers.body(get_object_or_404(scope.bodies(cooperation)))


@oparl_view
def location_body(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    own_body_or_404(cooperation, pk)
    location = serializers.body_location(get_object_or_404(scope.bodies(cooperation)))
    if location is None:
        raise Http404
    return location


# --- organizations -------------------------------------------------------------------


def _organizations(cooperation: Cooperation, page: list) -> list[dict]:
    gremium = any(isinstance(o, Committee) for o in page)
    seats = scope.memberships(cooperation) if gremium else []
    return [
        serializers.committee(o, seats) if isinstance(o, Committee) else serializers.institution(o)
        for o in page
    ]


@oparl_view
def organization_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    """The Kooperationsgremium first, then the institutions (a few dozen at most)."""
    own_body_or_404(cooperation, body)
    organizations = [*scope.committees(cooperation), *scope.institutions(cooperation)]
    return paginated(request, organizations, lambda page: _organizations(cooperation, page))


@oparl_view
def organization_committee(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    committee = get_object_or_404(scope.committees(cooperation), pk=pk)
    return serializers.committee(committee, scope.memberships(cooperation))


@oparl_view
def organization_committee_meetings(
    request: HttpRequest, cooperation: Cooperation, pk: int
) -> dict:
    get_object_or_404(scope.committees(cooperation), pk=pk)
    return paginated(
        request,
        scope.sittings(cooperation).filter(committee=pk),
        lambda page: serializers.meetings(cooperation, page),
    )


@oparl_view
def organization_institution(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    return serializers.institution(get_object_or_404(scope.institutions(cooperation), pk=pk))


# --- people --------------------------------------------------------------------------


@oparl_view
def person_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    own_body_or_404(cooperation, body)
    return paginated(
        request,
        scope.persons(cooperation),
        lambda page: serializers.persons(page, scope.memberships(cooperation)),
    )


@oparl_view
def person(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    user = get_object_or_404(scope.persons(cooperation), pk=pk)
    return serializers.persons([user], scope.memberships(cooperation))[0]


@oparl_view
def membership_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    own_body_or_404(cooperation, body)
    return paginated(
        request,
        scope.memberships(cooperation),
        lambda page: [serializers.membership(seat) for seat in page],
    )


def _seat(cooperation: Cooperation, match) -> object:
    for seat in scope.memberships(cooperation):
        if match(seat):
            return seat
    raise Http404


@oparl_view
def membership(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    seat = _seat(cooperation, lambda s: not isinstance(s, scope.PostMembership) and s.pk == pk)
    return serializers.membership(seat)


@oparl_view
def membership_post(
    request: HttpRequest, cooperation: Cooperation, committee: int, post: str, user: int
) -> dict:
    seat = _seat(
        cooperation,
        lambda s: (
            isinstance(s, scope.PostMembership)
            and (s.committee.pk, s.post, s.user.pk) == (committee, post, user)
        ),
    )
    return serializers.membership(seat)


# --- meetings ------------------------------------------------------------------------


@oparl_view
def meeting_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    own_body_or_404(cooperation, body)
    return paginated(
        request,
        scope.sittings(cooperation),
        lambda page: serializers.meetings(cooperation, page),
    )


@oparl_view
def meeting(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    sitting = get_object_or_404(scope.sittings(cooperation), pk=pk)
    return serializers.meetings(cooperation, [sitting])[0]


@oparl_view
def location_meeting(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    location = serializers.meeting_location(get_object_or_404(scope.sittings(cooperation), pk=pk))
    if location is None:
        raise Http404
    return location


@oparl_view
def agendaitem_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    own_body_or_404(cooperation, body)
    return paginated(
        request,
        scope.agenda_items(cooperation),
        lambda page: [serializers.agenda_item(item) for item in page],
    )


@oparl_view
def agendaitem(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    return serializers.agenda_item(get_object_or_404(scope.agenda_items(cooperation), pk=pk))


@oparl_view
def paper_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    """Required by OParl's Body; the committee has no Drucksachen. Always empty."""
    own_body_or_404(cooperation, body)
    return paginated(request, [], lambda page: [])


# --- files ---------------------------------------------------------------------------


@oparl_view
def file_list(request: HttpRequest, cooperation: Cooperation, body: int) -> dict:
    own_body_or_404(cooperation, body)
    return paginated(
        request, scope.files(cooperation), lambda page: [serializers.file(m) for m in page]
    )


@oparl_view
def file(request: HttpRequest, cooperation: Cooperation, pk: int) -> dict:
    return serializers.file(get_object_or_404(scope.files(cooperation), pk=pk))


def _pdf(cooperation: Cooperation, pk: int, *, attachment: bool) -> FileResponse:
    minutes = get_object_or_404(scope.files(cooperation), pk=pk)
    response = FileResponse(
        minutes.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=attachment,
        filename=serializers.file_name(minutes),
    )
    response["X-Checksum-SHA256"] = minutes.sha256
    return response


@oparl_view
def file_access(request: HttpRequest, cooperation: Cooperation, pk: int) -> FileResponse:
    """The frozen PDF, shown inline (OParl forbids ``attachment`` here)."""
    return _pdf(cooperation, pk, attachment=False)


@oparl_view
def file_download(request: HttpRequest, cooperation: Cooperation, pk: int) -> FileResponse:
    """The frozen PDF as a download (``Content-Disposition: attachment; filename=…``)."""
    return _pdf(cooperation, pk, attachment=True)
