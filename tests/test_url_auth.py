"""Every URL against every persona, in the manner of 18F's test_url_auth.py."""

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases import services
from cases.models import DataCategory, Disclosure, FamilyMember, HealthSituation, Involvement
from conferences import services as conference_services
from conferences import tasks as conference_tasks
from conferences.models import Action, CalendarToken, Participant
from cooperation.models import Committee
from tests import factories, matrix, matrix_agreements, matrix_concept, matrix_oparl, matrix_reports
from tests.matrix import ADMIN_LOGIN, ADMIN_PUBLIC, LOGIN, PERSONAS, ROWS
from tests.matrix_base import BEFORE_SECOND_FACTOR, SECOND_FACTOR


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name


ALL_PATTERNS = list(walk(get_resolver().url_patterns))
ROWS_BY_NAME = {row.name: row for row in ROWS}


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def test_every_url_has_a_declared_access_expectation():
    undeclared = [
        (route, name)
        for route, name in ALL_PATTERNS
        if not is_admin(route) and name not in ROWS_BY_NAME
    ]
    assert not undeclared, f"URLs without a row in tests/matrix.py: {undeclared}"


def test_every_row_names_an_existing_url():
    names = {name for _, name in ALL_PATTERNS}
    assert not set(ROWS_BY_NAME) - names


def admin_sample_url(route: str) -> str:
    """A concrete URL for an admin route: every parameter filled with a sample value."""
    url = re.sub(r"<(?:\w+:)?(\w+)>", "1", route)
    url = url.replace("^", "").replace("$", "")
    url = re.sub(r"\(\?P<app_label>[^)]*\)", "cooperation", url)
    url = re.sub(r"\(\?P<url>\.\*\)", "nirgendwo/", url)
    url = url.replace("([^/]+)", "1")
    return "/" + url


ADMIN_ROUTES = [
    (route, name) for route, name in ALL_PATTERNS if is_admin(route) and name not in ADMIN_PUBLIC
]


@pytest.mark.parametrize(("route", "name"), ADMIN_ROUTES, ids=[r for r, _ in ADMIN_ROUTES])
@pytest.mark.parametrize("persona", ["anonymous", "erkelenz_caseworker", "data_protection_officer"])
def test_admin_urls_are_closed_to_everyone_but_the_back_office(
    db, client, request, route, name, persona
):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(admin_sample_url(route))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


class World(dict):
    """The rows' world: built eagerly where cheap, lazily (on first use) where costly."""

    def __init__(self, request, **items):
        super().__init__(**items)
        self.request = request

    def __missing__(self, key):
        value = LAZY[key](self, self.request.getfixturevalue)
        self[key] = value
        return value


def _meeting(world, fixture, state: str):
    """A Beteiligtenkonferenz of the world's case, brought to ``state``."""
    organiser = fixture("erkelenz_caseworker")
    meeting = conference_services.conference_schedule(
        case=world["case"],
        organiser=organiser,
        # An hour ago: it may be recorded as held.
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        place="Jugendamt Erkelenz, Raum 1.12",
    )
    caritas = fixture("caritas_caseworker")
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=caritas,
        institution=caritas.institution,
        name=caritas.get_full_name(),
        email=caritas.email,
    )
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.FAMILY,
        member=world["mother"],
        name="Sabine Beispiel",
    )
    if state == "planned":
        return meeting
    conference_services.meeting_held(meeting=meeting)
    minutes = meeting.minutes
    health = meeting.agenda.get(is_health=True)
    conference_services.minutes_save(
        minutes=minutes,
        version=minutes.version,
        texts={health.pk: {"minutes": "Substitution in der Methadonpraxis Beispielstadt."}},
    )
    if state == "held":
        return meeting
    conference_services.minutes_circulate(minutes=meeting.minutes)
    if state == "circulated":
        return meeting
    conference_services.minutes_approve(minutes=meeting.minutes, approved_by=organiser)
    # The worker stores the frozen protocol, so its download is the file, not the wait.
    conference_tasks.render_protocol.call(meeting.minutes.pk)
    return meeting


def _action(world, fixture):
    return Action.objects.create(
        meeting=world["held"],
        what="Rückmeldung zur Elterngruppe",
        responsible=Action.Responsible.INSTITUTION,
        institution=world["institutions"]["caritas"],
        due_on=timezone.localdate() - datetime.timedelta(days=3),
    )


def _calendar_token(world, fixture):
    return CalendarToken.objects.create(user=fixture("erkelenz_caseworker"), token="geheim-123")


def _staff_change(world, fixture):
    """The coordination office invites a caseworker to Erkelenz: a pending request."""
    from cooperation import services as staff_services
    from cooperation.models import User

    colleague = User(
        username="neu.fachkraft",
        first_name="Paula",
        last_name="Neu",
        email="neu.fachkraft@kispfam.example",
        institution=world["institutions"]["erkelenz"],
        role=User.Role.CASEWORKER,
    )
    staff_services.staff_invite(user=colleague, invited_by=fixture("coordination_office"))
    return colleague.staff_changes.get()


def _invitation(world, fixture):
    from cooperation.models import Invitation

    change = world["staff_change"]
    return Invitation.objects.create(
        user=change.user,
        token_hash=Invitation.hash("einladung-123"),
        expires_at=timezone.now() + Invitation.validity(),
    )


def _specialist(world, fixture):
    return services.specialist_designate(
        user=fixture("kreisjugendamt_caseworker"),
        designated_by=None,
        qualification="Kinderschutzfachkraft",
    )


def _consultation(world, fixture):
    return services.consultation_request(
        case=world["case"],
        specialist=world["specialist"],
        requested_by=fixture("gesundheitsamt_caseworker"),
        pseudonym=matrix.PSEUDONYM,
        summary=matrix.CONSULTATION_SUMMARY,
        question="Gewichtige Anhaltspunkte?",
    )


def _disclosure(world, fixture):
    institutions = world["institutions"]
    return services.disclosure_record(
        case=world["case"],
        disclosed_by=fixture("gesundheitsamt_caseworker"),
        basis=Disclosure.Basis.KKG_4_3,
        from_institution=institutions["gesundheitsamt"],
        to_institution=institutions["erkelenz"],
        categories=[DataCategory.FAMILY],
        disclosed_on=timezone.localdate(),
        reason="Gewichtige Anhaltspunkte für eine Gefährdung.",
        family_work_tried=True,
        family_work=matrix.FAMILY_WORK,
        specialist_consulted=True,
        consultation=world["consultation"],
        family_informed=True,
    )


LAZY = {
    "specialist": _specialist,
    "erkelenz_specialist": lambda world, fixture: services.specialist_designate(
        user=fixture("erkelenz_caseworker"), designated_by=fixture("erkelenz_lead")
    ),
    "consultation": _consultation,
    "disclosure": _disclosure,
    "planned": lambda world, fixture: _meeting(world, fixture, "planned"),
    "held": lambda world, fixture: _meeting(world, fixture, "held"),
    "circulated": lambda world, fixture: _meeting(world, fixture, "circulated"),
    "approved": lambda world, fixture: _meeting(world, fixture, "approved"),
    "action": _action,
    "token": _calendar_token,
    "staff_change": _staff_change,
    "invitation": _invitation,
    "family_participant": lambda world, fixture: world["planned"].participants.get(
        kind=Participant.Kind.FAMILY
    ),
}


for _module in (matrix_agreements, matrix_concept, matrix_oparl, matrix_reports):
    LAZY.update(_module.LAZY)


@pytest.fixture
def world(request, institutions, erkelenz_caseworker, gesundheitsamt_caseworker) -> dict:
    """Everything the rows may need to build their URLs, keyed by name (see matrix.py)."""
    today = timezone.localdate()
    erkelenz, gesundheitsamt = institutions["erkelenz"], institutions["gesundheitsamt"]
    case = services.case_open(lead_institution=erkelenz, opened_by=erkelenz_caseworker)
    mother = FamilyMember.objects.create(
        case=case,
        kind=FamilyMember.Kind.MOTHER,
        first_name="Sabine",
        last_name="Beispiel",
        source_institution=erkelenz,
    )
    involvement = services.involvement_save(
        involvement=Involvement(case=case, institution=gesundheitsamt, since=today)
    )
    HealthSituation.objects.create(
        member=mother,
        substance="Opioide",
        in_substitution=True,
        substitution_practice="Praxis Polamidon-Ambulanz",
        source_institution=gesundheitsamt,
    )
    consent = factories.give_consent(
        case,
        erkelenz,
        [institutions["caritas"], gesundheitsamt],
        [DataCategory.MASTER, DataCategory.FAMILY, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
        scan=factories.png_upload(),
    )
    factories.give_consent(
        case, gesundheitsamt, [erkelenz], [DataCategory.HEALTH], gesundheitsamt_caseworker
    )
    revoked = factories.give_consent(
        case, erkelenz, [institutions["diakonie"]], [DataCategory.MASTER], erkelenz_caseworker
    )
    services.consent_revoke(
        consent=revoked, revoked_on=today, channel="in_writing", recorded_by=erkelenz_caseworker
    )
    factories.give_consent(
        case,
        erkelenz,
        [institutions["kreisjugendamt"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
        valid_until=today - datetime.timedelta(days=1),
    )
    requested = factories.request_consent(
        case, erkelenz, [gesundheitsamt], [DataCategory.NOTES], erkelenz_caseworker
    )
    Committee.objects.create(
        cooperation=institutions["erkelenz"].cooperation, chair=erkelenz_caseworker
    )
    return World(
        request,
        institutions=institutions,
        case=case,
        mother=mother,
        involvement=involvement,
        consent=consent,
        requested=requested,
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_persona_gets_what_the_matrix_says(client, request, world, row, persona):
    users = {p: request.getfixturevalue(p) for p in PERSONAS if p != "anonymous"}
    if persona != "anonymous":
        client.force_login(users[persona], verified=persona != "password_only")
    url = reverse(row.name, kwargs=row.kwargs(world))
    response = getattr(client, row.method)(url)
    expected = row.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == SECOND_FACTOR:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("cooperation:second_factor") + "?next=")
    else:
        assert response.status_code == expected
        body = b"".join(response) if response.streaming else response.content
        content = body.decode(errors="replace")
        for secret, hidden_from in row.secrets:
            if expected != 200 or persona in hidden_from:
                assert secret(world) not in content
            else:
                assert secret(world) in content


def test_a_password_only_session_reaches_no_page_beyond_the_login_steps():
    """'Password only, second factor missing': nothing but the login steps, the
    invitation, the passkey ceremonies and the language switch answers it; every page
    with family data sends it to the second step."""
    reached = {
        row.name
        for row in ROWS
        if row.expect["password_only"] not in (SECOND_FACTOR, LOGIN, ADMIN_LOGIN, 403, 404, 405)
    }
    assert reached <= BEFORE_SECOND_FACTOR | {
        "cooperation:second_factor",
        "cooperation:second_factor_setup",
        "otp_webauthn:js-i18n-catalog",
    }
    for row in ROWS:
        if row.secrets:
            assert row.expect["password_only"] != 200, row.name
