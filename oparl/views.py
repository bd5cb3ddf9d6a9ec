"""The OParl 1.1 endpoints. Every view gets the request's ``Access`` from ``oparl_view``
(the token's cooperation and the public ones) and reads through ``oparl.scope``; an
object of any other cooperation is a 404 (a 401 without a token)."""

from django.http import FileResponse, Http404, HttpRequest

from cooperation.models import Committee, Cooperation

from . import scope, serializers
from .api import Access, omit_internal, oparl_view, paginated, with_deleted


@oparl_view
def system(request: HttpRequest, access: Access) -> dict:
    return serializers.system(list(scope.bodies(access.cooperations)))


@oparl_view
def body_list(request: HttpRequest, access: Access) -> dict:
    omit = omit_internal(request)
    return paginated(
        request,
        scope.bodies(access.cooperations),
        lambda page: [serializers.body(b, omit_internal=omit) for b in page],
    )


@oparl_view
def body(request: HttpRequest, access: Access, pk: int) -> dict:
    return serializers.body(scope.bodies([access.body(pk)]).get())


@oparl_view
def location_list(request: HttpRequest, access: Access, body: int) -> dict:
    """OParl 1.1's ``locationList``: the body's seat and the places of its sittings."""
    cooperation = access.body(body)
    return paginated(
        request,
        scope.places(cooperation),
        lambda page: [serializers.location(record) for record in page],
    )


@oparl_view
def location_body(request: HttpRequest, access: Access, pk: int) -> dict:
    location = serializers.body_location(scope.bodies([access.body(pk)]).get())
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
def organization_list(request: HttpRequest, access: Access, body: int) -> dict:
    """The Kooperationsgremium first, then the institutions (a few dozen at most)."""
    cooperation = access.body(body)
    organizations = [*scope.committees(cooperation), *scope.institutions(cooperation)]
    return paginated(request, organizations, lambda page: _organizations(cooperation, page))


@oparl_view
def organization_committee(request: HttpRequest, access: Access, pk: int) -> dict:
    cooperation, committee = access.get(scope.committees, pk=pk)
    return serializers.committee(committee, scope.memberships(cooperation))


@oparl_view
def organization_committee_meetings(request: HttpRequest, access: Access, pk: int) -> dict:
    cooperation, _committee = access.get(scope.committees, pk=pk)
    omit = omit_internal(request)
    return paginated(
        request,
        scope.sittings(cooperation).filter(committee=pk),
        lambda page: serializers.meetings(cooperation, page, omit_internal=omit),
    )


@oparl_view
def organization_institution(request: HttpRequest, access: Access, pk: int) -> dict:
    _cooperation, institution = access.get(scope.institutions, pk=pk)
    return serializers.institution(institution)


# --- people --------------------------------------------------------------------------


@oparl_view
def person_list(request: HttpRequest, access: Access, body: int) -> dict:
    """Current members; former ones (deleted objects) only for ``modified_since``."""
    cooperation = access.body(body)
    people = scope.persons(cooperation)
    if not with_deleted(request):
        people = people.filter(oparl_current=True)
    omit = omit_internal(request)
    return paginated(
        request,
        people,
        lambda page: serializers.persons(page, scope.memberships(cooperation), omit_internal=omit),
    )


@oparl_view
def person(request: HttpRequest, access: Access, pk: int) -> dict:
    """A current member, or a former one as a deleted object."""
    cooperation, user = access.get(scope.persons, pk=pk)
    return serializers.persons([user], scope.memberships(cooperation))[0]


@oparl_view
def membership_list(request: HttpRequest, access: Access, body: int) -> dict:
    """Current seats; former ones (deleted objects) only for ``modified_since``."""
    cooperation = access.body(body)
    if with_deleted(request):
        seats = scope.memberships_and_former(cooperation)
    else:
        seats = scope.memberships(cooperation)
    return paginated(request, seats, lambda page: [serializers.membership(s) for s in page])


def _seat(access: Access, route: str, key: tuple) -> dict:
    """A current seat, or a former one as a deleted object (OParl 1.1 §2.8)."""

    def match(seat) -> bool:
        if isinstance(seat, scope.FormerMembership):
            return (seat.route, seat.key) == (route, key)
        if isinstance(seat, scope.PostMembership):
            return route == "membership_post" and (
                (seat.committee.pk, seat.post, seat.user.pk) == key
            )
        return route == "membership" and (seat.pk,) == key

    _cooperation, seat = access.find(scope.memberships_and_former, match)
    return serializers.membership(seat)


@oparl_view
def membership(request: HttpRequest, access: Access, pk: int) -> dict:
    return _seat(access, "membership", (pk,))


@oparl_view
def membership_post(
    request: HttpRequest, access: Access, committee: int, post: str, user: int
) -> dict:
    return _seat(access, "membership_post", (committee, post, user))


# --- meetings ------------------------------------------------------------------------


@oparl_view
def meeting_list(request: HttpRequest, access: Access, body: int) -> dict:
    cooperation = access.body(body)
    omit = omit_internal(request)
    return paginated(
        request,
        scope.sittings(cooperation),
        lambda page: serializers.meetings(cooperation, page, omit_internal=omit),
    )


@oparl_view
def meeting(request: HttpRequest, access: Access, pk: int) -> dict:
    cooperation, sitting = access.get(scope.sittings, pk=pk)
    return serializers.meetings(cooperation, [sitting])[0]


@oparl_view
def location_meeting(request: HttpRequest, access: Access, pk: int) -> dict:
    _cooperation, sitting = access.get(scope.sittings, pk=pk)
    location = serializers.meeting_location(sitting)
    if location is None:
        raise Http404
    return location


@oparl_view
def agendaitem_list(request: HttpRequest, access: Access, body: int) -> dict:
    cooperation = access.body(body)
    return paginated(
        request,
        scope.agenda_items(cooperation),
        lambda page: [serializers.agenda_item(item) for item in page],
    )


@oparl_view
def agendaitem(request: HttpRequest, access: Access, pk: int) -> dict:
    _cooperation, item = access.get(scope.agenda_items, pk=pk)
    return serializers.agenda_item(item)


@oparl_view
def paper_list(request: HttpRequest, access: Access, body: int) -> dict:
    """Required by OParl's Body; the committee has no Drucksachen. Always empty."""
    access.body(body)
    return paginated(request, [], lambda page: [])


# --- files ---------------------------------------------------------------------------


@oparl_view
def file_list(request: HttpRequest, access: Access, body: int) -> dict:
    cooperation = access.body(body)
    return paginated(
        request, scope.files(cooperation), lambda page: [serializers.file(m) for m in page]
    )


@oparl_view
def file(request: HttpRequest, access: Access, pk: int) -> dict:
    _cooperation, minutes = access.get(scope.files, pk=pk)
    return serializers.file(minutes)


def _pdf(access: Access, pk: int, *, attachment: bool) -> FileResponse:
    _cooperation, minutes = access.get(scope.files, pk=pk)
    response = FileResponse(
        minutes.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=attachment,
        filename=serializers.file_name(minutes),
    )
    response["X-Checksum-SHA256"] = minutes.sha256
    return response


@oparl_view
def file_access(request: HttpRequest, access: Access, pk: int) -> FileResponse:
    """The frozen PDF, shown inline (OParl forbids ``attachment`` here)."""
    return _pdf(access, pk, attachment=False)


@oparl_view
def file_download(request: HttpRequest, access: Access, pk: int) -> FileResponse:
    """The frozen PDF as a download (``Content-Disposition: attachment; filename=…``)."""
    return _pdf(access, pk, attachment=True)


@oparl_view
def not_found(request: HttpRequest, access: Access, path: str) -> dict:
    """Any other address below the API: an OParl error object with CORS, not Django's
    HTML page, so that a web application can read it."""
    raise Http404
