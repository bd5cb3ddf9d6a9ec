"""Meine Übersicht as a worklist, per persona: what each role sees and does not see, and
at most ten queries for every persona however many rows there are.

The clock stands at 25.11.2026, 10:00 Berlin. Family Beispiel is led by Erkelenz; Caritas
sees it under a consent (master data, protocols) that ends on 15.12.2026.
"""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import AccessLog, DataCategory, Disclosure
from common.mail import Mail
from conferences import services as conference_services
from conferences.models import Action, Meeting, Participant
from cooperation import services as cooperation_services
from cooperation.models import Committee, User
from outbox.models import OutboxMessage
from tests import factories
from worklist import services
from worklist.models import FollowUp

from .conftest import TODAY

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def at(days: int, hour: int = 10) -> datetime.datetime:
    day = TODAY + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BERLIN)


def staff(meeting: Meeting, user: User) -> Participant:
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=user,
        institution=user.institution,
        name=user.get_full_name(),
        email=user.email,
    )


@pytest.fixture
def released(family_case, institutions, erkelenz_caseworker):
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
        valid_until=datetime.date(2026, 12, 15),
    )


def add_casework(case, erkelenz, caritas, lead, n: int = 1) -> dict:
    """``n`` of every casework item; returns the first of each."""
    items = {}
    for i in range(n):
        soon = conference_services.conference_schedule(
            case=case, organiser=erkelenz, starts_at=at(5 + i % 3, 14), place=f"Raum 2.1{i}"
        )
        staff(soon, caritas)
        far = conference_services.conference_schedule(
            case=case, organiser=erkelenz, starts_at=at(20), place="Raum fern"
        )
        held = conference_services.conference_schedule(
            case=case, organiser=erkelenz, starts_at=at(-3 - i), place="Raum gehalten"
        )
        caritas_participant = staff(held, caritas)
        conference_services.meeting_held(meeting=held)
        conference_services.minutes_circulate(minutes=held.minutes)
        actions = {
            "action_soon": Action.objects.create(
                meeting=held,
                what=f"Hausbesuch {i}",
                institution=erkelenz.institution,
                due_on=TODAY + datetime.timedelta(days=5),
            ),
            "action_overdue": Action.objects.create(
                meeting=held,
                what=f"Bericht an das Familiengericht {i}",
                institution=erkelenz.institution,
                due_on=TODAY - datetime.timedelta(days=3),
            ),
            "action_far": Action.objects.create(
                meeting=held,
                what=f"Hilfeplan fortschreiben {i}",
                institution=erkelenz.institution,
                due_on=TODAY + datetime.timedelta(days=20),
            ),
            "action_caritas": Action.objects.create(
                meeting=held,
                what=f"Termin Elterngruppe {i}",
                responsible=Action.Responsible.PARTICIPANT,
                participant=caritas_participant,
                institution=caritas.institution,
                due_on=TODAY + datetime.timedelta(days=2),
            ),
        }
        followups = {
            "followup_overdue": services.followup_create(
                case=case,
                created_by=erkelenz,
                due_on=TODAY - datetime.timedelta(days=2),
                note=f"Kita anrufen {i}",
            ),
            "followup_today": services.followup_create(
                case=case, created_by=erkelenz, due_on=TODAY, note=f"Rückruf Mutter {i}"
            ),
            "followup_later": services.followup_create(
                case=case,
                created_by=erkelenz,
                due_on=TODAY + datetime.timedelta(days=7),
                note=f"Schulbericht {i}",
            ),
            "followup_done": services.followup_mark_done(
                followup=services.followup_create(
                    case=case, created_by=erkelenz, due_on=TODAY, note=f"Erledigt {i}"
                ),
                user=erkelenz,
            ),
            "followup_lead": services.followup_create(
                case=case,
                created_by=lead,
                due_on=TODAY + datetime.timedelta(days=1),
                note=f"Leitungsvorlage {i}",
            ),
        }
        if not items:
            items = {"soon": soon, "far": far, "held": held, **actions, **followups}
    # The next conference of the family is due within the month.
    case.conference_due_on = TODAY + datetime.timedelta(days=10)
    case.save(update_fields=["conference_due_on"])
    return items


@pytest.fixture
def casework(family_case, released, erkelenz_caseworker, caritas_caseworker, erkelenz_lead):
    return add_casework(family_case, erkelenz_caseworker, caritas_caseworker, erkelenz_lead)


@pytest.fixture
def committee(heinsberg, coordination_office, erkelenz_lead):
    return Committee.objects.create(
        cooperation=heinsberg, chair=erkelenz_lead, minute_taker=coordination_office
    )


def add_office_work(heinsberg, committee, coordination_office, institutions, n=1, start=0):
    for i in range(start, start + n):
        conference_services.sitting_schedule(
            committee=committee,
            organiser=coordination_office,
            starts_at=at(30 + i, 14),
            place="Kreishaus Heinsberg, Sitzungssaal 2",
        )
        OutboxMessage.objects.create(
            cooperation=heinsberg,
            listed_subject=f"Einladung zur Sitzung {i}",
            content=Mail(subject="x", body="y", to=("a@example.org",)).as_json(),
            state=OutboxMessage.State.FAILED,
            attempts=6,
        )
        cooperation_services.staff_invite(
            user=User(
                username=f"neu{i}",
                first_name="Jana",
                last_name=f"Neumann{i}",
                email=f"neu{i}@example.org",
                institution=institutions["hueckelhoven"],
                role=User.Role.CASEWORKER,
            ),
            invited_by=coordination_office,
        )


@pytest.fixture
def office_work(heinsberg, committee, coordination_office, institutions):
    add_office_work(heinsberg, committee, coordination_office, institutions)


def add_disclosures(case, institutions, by, n: int = 1) -> None:
    for i in range(n):
        Disclosure.objects.create(
            case=case,
            basis=Disclosure.Basis.SGB_VIII_65_1,
            from_institution=institutions["erkelenz"],
            to_institution=institutions["kreisjugendamt"],
            categories=[DataCategory.FAMILY],
            disclosed_on=TODAY - datetime.timedelta(days=4 + i),
            disclosed_by=by,
            reason="Zuständigkeitswechsel",
        )


def dashboard(signed_in, user) -> str:
    response = signed_in(user).get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


# --- the caseworker --------------------------------------------------------------------


def test_the_caseworker_sees_her_worklist(signed_in, family_case, casework, erkelenz_caseworker):
    page = dashboard(signed_in, erkelenz_caseworker)

    # Next meetings within 14 days, with time and place; not the one in 20 days.
    assert "30.11.2026 14:00" in page and "Raum 2.10" in page
    assert "Raum fern" not in page
    # The circulated minutes wait for her approval (she organised the meeting).
    assert casework["held"].get_absolute_url() in page
    # Her institution's actions: due within 14 days and overdue, not the later one.
    assert "Hausbesuch 0" in page and "Bericht an das Familiengericht 0" in page
    assert "Hilfeplan fortschreiben 0" not in page
    assert "Termin Elterngruppe 0" not in page  # Caritas' participant answers for it
    # The conference due, the consent expiring.
    assert "05.12.2026" in page  # conference due
    assert "15.12.2026" in page  # consent ends
    # Her follow-ups: open, due first; the done one hidden, the lead's not hers.
    assert (
        page.index("Kita anrufen 0") < page.index("Rückruf Mutter 0") < page.index("Schulbericht 0")
    )
    assert "Erledigt 0" not in page and "Leitungsvorlage 0" not in page
    # No team section, nothing of the offices.
    assert 'id="team-heading"' not in page
    assert 'id="failed-heading"' not in page and 'id="disclosures-heading"' not in page


def test_the_navigation_counts_due_follow_ups_and_unread_notifications(
    signed_in, casework, erkelenz_caseworker, caritas_caseworker
):
    page = dashboard(signed_in, erkelenz_caseworker)
    nav = page[page.index("<nav") : page.index("</nav>")]
    # Two of hers are due (one overdue, one today).
    assert 'badge-warn">2<span class="visually-hidden"> fällig' in nav
    # Caritas was told that the minutes circulate.
    nav = dashboard(signed_in, caritas_caseworker)
    nav = nav[nav.index("<nav") : nav.index("</nav>")]
    assert 'badge-warn">1<span class="visually-hidden"> neu' in nav


def test_caritas_sees_what_waits_for_its_comment_and_its_own_action(
    signed_in, casework, caritas_caseworker
):
    page = dashboard(signed_in, caritas_caseworker)
    assert casework["held"].get_absolute_url() in page
    assert "Termin Elterngruppe 0" in page
    assert "Raum 2.10" in page  # invited to the meeting in five days
    # Erkelenz's follow-ups and actions are Erkelenz's.
    assert "Kita anrufen" not in page and "Hausbesuch 0" not in page
    # Caritas does not lead the case: its due conference is not Caritas' to plan.
    assert "05.12.2026" not in page


def test_an_uninvolved_caseworker_sees_none_of_it(
    signed_in, casework, family_case, uninvolved_caseworker
):
    page = dashboard(signed_in, uninvolved_caseworker)
    assert family_case.reference not in page
    assert "Raum 2.1" not in page


# --- the lead ----------------------------------------------------------------------------


def test_the_lead_also_sees_the_teams_overdue_items(
    signed_in, casework, erkelenz_lead, erkelenz_caseworker
):
    page = dashboard(signed_in, erkelenz_lead)
    team = page[page.index('id="team-heading"') :]
    team = team[: team.index("</section>")]
    assert "Bericht an das Familiengericht 0" in page
    # A colleague's overdue follow-up, not her follow-ups due today or later.
    assert erkelenz_caseworker.get_full_name() in team
    assert "Rückruf Mutter 0" not in page and "Schulbericht 0" not in page
    # Her own follow-up.
    assert "Leitungsvorlage 0" in page


# --- the coordination office --------------------------------------------------------------


def test_the_coordination_office_sees_committee_mail_and_staff(
    signed_in, casework, office_work, family_case, coordination_office
):
    page = dashboard(signed_in, coordination_office)
    assert "25.12.2026 14:00" in page  # the next sitting
    assert 'id="sitting-heading"' in page
    assert "Einladung zur Sitzung 0" in page  # failed
    assert "Neumann0" in page  # invited, waiting for the lead and for the person
    # No family data and no casework.
    assert family_case.reference not in page
    assert 'id="followups-heading"' not in page


def test_the_coordination_office_sees_when_the_next_sitting_is_due(
    signed_in, committee, coordination_office
):
    sitting = conference_services.sitting_schedule(
        committee=committee, organiser=coordination_office, starts_at=at(-100, 14)
    )
    Meeting.objects.filter(pk=sitting.pk).update(state=Meeting.State.APPROVED)
    page = dashboard(signed_in, coordination_office)
    assert "17.02.2027" in page  # six months after 17.08.2026


def test_another_cooperations_office_sees_nothing_of_heinsberg(
    signed_in, office_work, lindenbrueck_coordination
):
    page = dashboard(signed_in, lindenbrueck_coordination)
    assert "Einladung zur Sitzung" not in page and "Neumann" not in page
    assert "Kreishaus" not in page


# --- the data-protection officer ----------------------------------------------------------


def test_the_data_protection_officer_sees_disclosures_and_deletions(
    signed_in, casework, family_case, institutions, erkelenz_caseworker, data_protection_officer
):
    add_disclosures(family_case, institutions, erkelenz_caseworker)
    page = dashboard(signed_in, data_protection_officer)
    disclosures = page[page.index('id="disclosures-heading"') :]
    assert family_case.reference in disclosures
    assert "21.11.2026" in disclosures
    assert reverse("cases:access_log", args=[family_case.reference]) in disclosures
    assert reverse("worklist:deletions_preview") in page
    # Casework stays out of sight.
    assert "Kita anrufen" not in page and "Raum 2.10" not in page
    assert 'id="followups-heading"' not in page

    preview = signed_in(data_protection_officer).get(reverse("worklist:deletions_preview"))
    assert preview.status_code == 200
    assert "23.02.2027" in preview.content.decode()  # the 90 days' horizon

    for user in (erkelenz_caseworker,):
        assert signed_in(user).get(reverse("worklist:deletions_preview")).status_code == 403


# --- ten queries, however many rows ------------------------------------------------------


def count_queries(browser) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("dashboard")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "persona",
    [
        "erkelenz_caseworker",
        "erkelenz_lead",
        "caritas_caseworker",
        "uninvolved_caseworker",
        "coordination_office",
        "data_protection_officer",
        "superuser",
    ],
)
def test_the_dashboard_needs_at_most_eight_queries_however_many_rows(
    request,
    signed_in,
    django_assert_max_num_queries,
    family_case,
    released,
    institutions,
    heinsberg,
    committee,
    erkelenz_caseworker,
    caritas_caseworker,
    erkelenz_lead,
    coordination_office,
    persona,
):
    user = request.getfixturevalue(persona)
    browser = signed_in(user)
    add_casework(family_case, erkelenz_caseworker, caritas_caseworker, erkelenz_lead)
    add_office_work(heinsberg, committee, coordination_office, institutions)
    add_disclosures(family_case, institutions, erkelenz_caseworker)
    browser.get(reverse("dashboard"))
    few = count_queries(browser)

    add_casework(family_case, erkelenz_caseworker, caritas_caseworker, erkelenz_lead, n=6)
    FollowUp.objects.filter(created_by=erkelenz_lead).update(created_by=erkelenz_caseworker)
    other = factories.make_user(institutions["erkelenz"], username="erkelenz.zweite")
    for _ in range(5):
        services.followup_create(
            case=family_case, created_by=other, due_on=TODAY - datetime.timedelta(days=1)
        )
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["gesundheitsamt"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
        valid_until=datetime.date(2026, 12, 1),
    )
    add_office_work(heinsberg, committee, coordination_office, institutions, n=4, start=1)
    for i in range(5):
        OutboxMessage.objects.create(
            cooperation=heinsberg, listed_subject=f"fehlgeschlagen {i}", state="failed"
        )
    add_disclosures(family_case, institutions, erkelenz_caseworker, n=6)

    # Eight: the session's user (with institution, committee seat and second-factor
    # devices), the navigation's counts where they are not cached, and the sections.
    with django_assert_max_num_queries(8):
        browser.get(reverse("dashboard"))
    assert count_queries(browser) == few


def test_the_worklist_read_is_logged_for_casework_only(
    signed_in, casework, erkelenz_caseworker, coordination_office
):
    dashboard(signed_in, erkelenz_caseworker)
    dashboard(signed_in, coordination_office)
    (entry,) = AccessLog.objects.filter(what=AccessLog.What.WORKLIST)
    assert entry.user == erkelenz_caseworker and entry.case is None
