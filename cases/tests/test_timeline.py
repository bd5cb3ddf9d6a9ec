"""The case timeline: one query for the newest 50 entries, older ones through "show more".

Real records with their real history (django-simple-history), read through the gateway as
each institution sees them; the "show more" page through the test client (htmx and plain).
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import (
    AccessLog,
    Case,
    DataCategory,
    FamilyMember,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from cases.permissions import get_case_for_user_or_404
from cases.timeline import PAGE_SIZE, case_timeline, timeline_query
from tests import factories
from tests.german import label

pytestmark = pytest.mark.django_db
START = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    """The case is opened an hour before START; each record then gets its own minute."""
    with time_machine.travel(START - datetime.timedelta(hours=1), tick=False):
        yield


def at(minutes: int):
    """The clock ``minutes`` after START, so that every record has its own moment."""
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def notes(case: Case, author, count: int, first_minute: int = 0, **fields) -> None:
    for index in range(count):
        with at(first_minute + index):
            ProgressNote.objects.create(
                case=case,
                author=author,
                source_institution=fields.get("source", author.institution),
                category=fields.get("category", DataCategory.NOTES),
                text=f"Notiz {index}",
            )


@pytest.fixture
def shared_case(family_case, institutions, erkelenz_caseworker, gesundheitsamt_caseworker):
    """Erkelenz leads; the Gesundheitsamt is involved with master data released to it and
    records a health entry of its own; one kind of record each, at distinct moments."""
    with at(-100):
        services.involvement_save(
            involvement=Involvement(
                case=family_case,
                institution=institutions["gesundheitsamt"],
                since=datetime.date(2026, 8, 1),
            )
        )
    with at(-90):
        factories.give_consent(
            family_case,
            institutions["erkelenz"],
            [institutions["gesundheitsamt"]],
            [DataCategory.MASTER],
            erkelenz_caseworker,
        )
    with at(-80):
        HealthSituation.objects.create(
            member=family_case.members.get(),
            source_institution=institutions["gesundheitsamt"],
            substance="Opioide",
        )
    with at(-70):
        FamilyMember.objects.create(
            case=family_case,
            kind=FamilyMember.Kind.CHILD,
            first_name="Jonas",
            last_name="Beispiel",
            source_institution=institutions["erkelenz"],
        )
    return family_case


def timeline(user, case, page=1):
    return case_timeline(get_case_for_user_or_404(user, case.reference), page)


def test_the_newest_fifty_entries_of_every_kind_come_in_one_query(
    shared_case, erkelenz_caseworker, django_assert_num_queries
):
    notes(shared_case, erkelenz_caseworker, 60)
    access = get_case_for_user_or_404(erkelenz_caseworker, shared_case.reference)
    with django_assert_num_queries(1):
        first = case_timeline(access)
    assert len(first.entries) == PAGE_SIZE and first.has_next
    moments = [entry.at for entry in first.entries]
    assert moments == sorted(moments, reverse=True)
    assert moments[0] == START + datetime.timedelta(minutes=59)

    with django_assert_num_queries(1):
        second = case_timeline(access, 2)
    # The rest: 10 notes, the child, the consent (requested, then given), the
    # involvement, the mother, the case; the health entry is the Gesundheitsamt's own.
    kinds = [entry.what for entry in second.entries]
    assert not second.has_next
    assert kinds.count(str(label("Progress note"))) == 10
    assert str(label("Family member")) in kinds and str(label("Case")) in kinds
    assert str(label("Involvement")) in kinds and str(label("Consent")) in kinds
    assert str(label("Addiction and treatment situation")) not in kinds
    assert set(second.entries).isdisjoint(first.entries)
    assert second.entries[0].at < first.entries[-1].at


def test_a_health_entry_shows_only_where_health_data_was_released(
    shared_case, gesundheitsamt_caseworker, erkelenz_caseworker
):
    health = str(label("Addiction and treatment situation"))
    assert health in [e.what for e in timeline(gesundheitsamt_caseworker, shared_case).entries]
    assert health not in [e.what for e in timeline(erkelenz_caseworker, shared_case).entries]


def test_master_data_and_notes_show_only_where_their_source_released_them(
    shared_case, gesundheitsamt_caseworker, erkelenz_caseworker, institutions
):
    # Erkelenz released master data to the Gesundheitsamt, not its notes.
    notes(shared_case, erkelenz_caseworker, 2, first_minute=10)
    entries = timeline(gesundheitsamt_caseworker, shared_case).entries
    assert "Jonas Beispiel" in [e.detail for e in entries]
    assert str(label("Progress note")) not in [e.what for e in entries]
    # Its own note it sees.
    notes(
        shared_case,
        gesundheitsamt_caseworker,
        1,
        first_minute=20,
        source=institutions["gesundheitsamt"],
    )
    whats = [e.what for e in timeline(gesundheitsamt_caseworker, shared_case).entries]
    assert whats.count(str(label("Progress note"))) == 1


def test_the_case_page_links_to_more_and_htmx_gets_the_next_entries(
    signed_in, shared_case, erkelenz_caseworker
):
    notes(shared_case, erkelenz_caseworker, 60)
    browser = signed_in(erkelenz_caseworker)
    html = browser.get(shared_case.get_absolute_url()).content.decode()
    more = reverse("cases:timeline", args=[shared_case.reference]) + "?seite=2"
    assert f'href="{more}"' in html
    assert html.count('<li><time datetime="') == PAGE_SIZE

    reads = AccessLog.objects.filter(what=AccessLog.What.CASE_TIMELINE, case=shared_case)
    assert not reads.exists()
    response = browser.get(more, headers={"HX-Request": "true"})
    assert response.status_code == 200
    part = response.content.decode()
    assert "<html" not in part and part.lstrip().startswith("<li>")
    access = get_case_for_user_or_404(erkelenz_caseworker, shared_case.reference)
    total = timeline_query(access).count()
    assert part.count('<li><time datetime="') == total - PAGE_SIZE > 10
    assert "seite=3" not in part
    # The timeline names the kind of record, never its text.
    assert not re.search(r"Notiz \d", part)
    entry = reads.get()
    assert (entry.user, entry.institution) == (erkelenz_caseworker, erkelenz_caseworker.institution)


def test_without_javascript_the_link_opens_a_page_of_its_own(
    signed_in, shared_case, erkelenz_caseworker
):
    notes(shared_case, erkelenz_caseworker, 60)
    response = signed_in(erkelenz_caseworker).get(
        reverse("cases:timeline", args=[shared_case.reference]), {"seite": "2"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>" in html and shared_case.reference in html
    assert re.search(r'<ol class="timeline" start="51">', html)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", ""])
def test_a_nonsense_page_number_is_the_first_or_an_empty_page_never_an_error(
    signed_in, shared_case, erkelenz_caseworker, page
):
    response = signed_in(erkelenz_caseworker).get(
        reverse("cases:timeline", args=[shared_case.reference]), {"seite": page}
    )
    assert response.status_code == 200


def test_an_institution_that_does_not_see_the_case_gets_404_and_nothing_is_logged(
    signed_in, shared_case, uninvolved_caseworker
):
    response = signed_in(uninvolved_caseworker).get(
        reverse("cases:timeline", args=[shared_case.reference]), {"seite": "2"}
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(what=AccessLog.What.CASE_TIMELINE).exists()


def test_dates_are_shown_in_berlin_time(signed_in, family_case, erkelenz_caseworker):
    with time_machine.travel(datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)):
        notes(family_case, erkelenz_caseworker, 1, first_minute=0)
        ProgressNote.history.update(
            history_date=datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)
        )
        html = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url()).content
    assert "01.12.2026 00:30" in html.decode()
