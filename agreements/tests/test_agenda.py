"""The Leitfaden sets the agenda of the Beteiligtenkonferenz.

The section marked "default agenda" holds a Markdown list: each item an agenda item,
indented lines below it guidance for the minute-taker, "(Gesundheitsdaten)" marking the
health item. A conference takes the agenda of the latest *published* version when it is
planned; conferences planned earlier keep theirs. Without such a section, the
cooperation's AgendaTemplate or the built-in DEFAULT_AGENDA apply.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.markup import AgendaEntry, agenda_errors, parse_agenda
from cases import services as case_services
from cases.models import Case, FamilyMember
from conferences.models import DEFAULT_AGENDA, AgendaTemplate, Meeting
from conferences.services import default_agenda
from tests.german import label

from .conftest import add, draft

AGENDA_V2 = (
    "Die Konferenz folgt dieser Tagesordnung:\n\n"
    "1. Begrüßung und Anlass\n"
    "2. Situation des Kindes\n"
    "3. Situation der Eltern und Behandlung (Gesundheitsdaten)\n"
    "   Nur mit Freigabe der Gesundheitsdaten besprechen.\n"
    "4. Sorgen, Risiken und Notfallplan\n"
    "   Was geschieht bei einem Rückfall?\n"
    "5. Vereinbarungen\n"
    "6. Nächster Termin\n"
)


def agenda_of(meeting: Meeting) -> list[tuple[str, bool]]:
    return [(item.title, item.is_health) for item in meeting.agenda.order_by("number")]


# --- reading the list ----------------------------------------------------------------


def test_each_item_of_the_first_list_is_an_agenda_item():
    source = (
        "Einleitung, die nicht zur Tagesordnung gehört.\n\n"
        "1. **Begrüßung**\n"
        "2. Situation der Eltern (Gesundheitsdaten)\n"
        "   Nur mit Freigabe besprechen.\n"
        "\n"
        "   Substitution und Beikonsum.\n"
        "3) Vereinbarungen\n"
        "\n"
        "Danach endet die Tagesordnung.\n\n"
        "- kein Punkt mehr\n"
    )
    assert parse_agenda(source) == [
        AgendaEntry("Begrüßung"),
        AgendaEntry(
            "Situation der Eltern",
            "Nur mit Freigabe besprechen.\n\nSubstitution und Beikonsum.",
            is_health=True,
        ),
        AgendaEntry("Vereinbarungen"),
    ]


@pytest.mark.parametrize("marker", ["(Gesundheitsdaten)", "(gesundheit)", " (Gesundheit) "])
def test_the_health_marker_is_recognised_and_removed(marker):
    assert parse_agenda(f"- Behandlung{marker}") == [AgendaEntry("Behandlung", is_health=True)]


def test_bullets_work_as_well_as_numbers():
    assert [e.title for e in parse_agenda("* Eins\n+ Zwei\n- Drei")] == ["Eins", "Zwei", "Drei"]


def test_text_without_a_list_is_no_agenda():
    assert parse_agenda("Nur ein Absatz.") == []
    assert agenda_errors("Nur ein Absatz.")
    assert agenda_errors("1. " + "x" * 201)
    assert not agenda_errors("1. Begrüßung")


# --- the default agenda --------------------------------------------------------------


def test_without_a_leitfaden_the_template_or_the_built_in_agenda_applies(heinsberg):
    with_defaults = default_agenda(heinsberg)
    assert [(t, h) for t, _g, h in with_defaults] == [(str(t), h) for t, h in DEFAULT_AGENDA]
    AgendaTemplate.objects.create(cooperation=heinsberg, position=1, title="Eigener Punkt")
    assert default_agenda(heinsberg.pk) == [("Eigener Punkt", "", False)]


def test_the_latest_published_version_decides(guideline, heinsberg, coordination_office):
    AgendaTemplate.objects.create(cooperation=heinsberg, position=1, title="Eigener Punkt")
    assert default_agenda(heinsberg.pk) == [
        ("Begrüßung und Anlass", "", False),
        ("Situation des Kindes", "", False),
        (
            "Situation der Eltern und Behandlung",
            "Nur mit Freigabe der Gesundheitsdaten besprechen.",
            True,
        ),
        ("Vereinbarungen", "", False),
        ("Nächster Termin", "", False),
    ]
    # A draft does not count until it is published.
    section = draft(guideline, "Die Beteiligtenkonferenz")
    section.body = AGENDA_V2
    section.save()
    assert len(default_agenda(heinsberg)) == 5
    services.guideline_publish(guideline=guideline, published_by=coordination_office)
    assert len(default_agenda(heinsberg)) == 6


def test_a_leitfaden_without_agenda_section_leaves_the_fallback(
    agreement, heinsberg, coordination_office
):
    guideline = services.guideline_create(cooperation=heinsberg)
    add(guideline, "Grundsätze", "1. Das Kind steht im Zentrum.")
    services.guideline_publish(guideline=guideline, published_by=coordination_office)
    assert [t for t, _g, _h in default_agenda(heinsberg)] == [str(t) for t, _h in DEFAULT_AGENDA]


# --- through the pages ---------------------------------------------------------------


@pytest.fixture
def family_case(institutions, erkelenz_caseworker) -> Case:
    return case_services.case_open(
        lead_institution=institutions["erkelenz"],
        opened_by=erkelenz_caseworker,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.MOTHER, first_name="Sabine", last_name="Beispiel"
        ),
    )


def plan_conference(browser, case: Case) -> Meeting:
    starts = timezone.localtime() + datetime.timedelta(days=14)
    response = browser.post(
        reverse("conferences:conference_new", args=[case.reference]),
        {
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "90",
            "place": "Jugendamt Erkelenz, Raum 1.12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Meeting.objects.latest("pk")


def test_publishing_a_changed_leitfaden_changes_the_next_conference_agenda(
    signed_in, guideline, family_case, coordination_office, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    first = plan_conference(erkelenz, family_case)
    assert agenda_of(first) == [
        ("Begrüßung und Anlass", False),
        ("Situation des Kindes", False),
        ("Situation der Eltern und Behandlung", True),
        ("Vereinbarungen", False),
        ("Nächster Termin", False),
    ]
    assert first.agenda.get(is_health=True).guidance == (
        "Nur mit Freigabe der Gesundheitsdaten besprechen."
    )

    office = signed_in(coordination_office)
    section = draft(guideline, "Die Beteiligtenkonferenz")
    response = office.post(
        reverse("agreements:section_edit", args=[section.pk]),
        {"title": section.title, "body": AGENDA_V2, "is_conference_agenda": "on"},
    )
    assert response.status_code == 302
    draft_page = office.get(reverse("agreements:draft", args=[guideline.pk])).content.decode()
    assert "Sorgen, Risiken und Notfallplan" in draft_page  # the agenda preview

    unpublished = plan_conference(erkelenz, family_case)
    assert agenda_of(unpublished) == agenda_of(first)

    assert office.post(reverse("agreements:publish", args=[guideline.pk])).status_code == 302
    second = plan_conference(erkelenz, family_case)
    assert agenda_of(second) == [
        ("Begrüßung und Anlass", False),
        ("Situation des Kindes", False),
        ("Situation der Eltern und Behandlung", True),
        ("Sorgen, Risiken und Notfallplan", False),
        ("Vereinbarungen", False),
        ("Nächster Termin", False),
    ]
    assert second.agenda.get(number=4).guidance == "Was geschieht bei einem Rückfall?"
    # Planned conferences keep the agenda they were planned with.
    assert len(agenda_of(Meeting.objects.get(pk=first.pk))) == 5


def test_an_agenda_section_must_list_its_items(signed_in, guideline, coordination_office):
    section = draft(guideline, "Die Beteiligtenkonferenz")
    response = signed_in(coordination_office).post(
        reverse("agreements:section_edit", args=[section.pk]),
        {
            "title": section.title,
            "body": "Die Tagesordnung besprechen wir vor Ort.",
            "is_conference_agenda": "on",
        },
    )
    assert response.status_code == 400
    message = label(
        "The agenda section must list the agenda items as a Markdown list "
        "(one item per line, starting with “1.” or “-”)."
    )
    assert message in response.context["form"].errors["body"]


def test_only_one_section_holds_the_agenda(signed_in, guideline, coordination_office):
    response = signed_in(coordination_office).post(
        reverse("agreements:section_add", args=[guideline.pk]),
        {"title": "Zweite Tagesordnung", "body": "1. Eins", "is_conference_agenda": "on"},
    )
    assert response.status_code == 400
    message = label("Section %(number)d “%(title)s” already holds the agenda.") % {
        "number": 2,
        "title": "Die Beteiligtenkonferenz",
    }
    assert message in response.context["form"].errors["is_conference_agenda"]
    assert guideline.draft_sections().count() == 3
