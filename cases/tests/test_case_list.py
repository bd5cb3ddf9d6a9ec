"""The case list: family names through the gateway, "Meine Fälle", sortable columns,
pages, filters kept in the URL, a capped count, and few queries however many cases.

The clock stands at 25.11.2026.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from cases import services
from cases.models import DataCategory, FamilyMember, Involvement
from cases.views import browse
from tests import factories
from tests.german import label

C = DataCategory
LIST = reverse("cases:list")
# The session's user (with institution, committee seat and second-factor devices), the
# navigation's counts where they are not cached, and the list's own queries.
LIST_QUERIES = 6


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


def open_case(institution, user, last_name: str, **case_fields):
    case = services.case_open(
        lead_institution=institution,
        opened_by=user,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.MOTHER, first_name="Eva", last_name=last_name
        ),
    )
    if case_fields:
        for name, value in case_fields.items():
            setattr(case, name, value)
        case.save()
    return case


def references(response) -> list[str]:
    return [case.reference for case in response.context["page"].object_list]


def family_cell(response, case) -> str:
    return next(c.family_name for c in response.context["page"].object_list if c.pk == case.pk)


def test_the_lead_sees_the_family_name_in_the_list(signed_in, family_case, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).get(LIST)

    assert family_cell(response, family_case) == "Beispiel"
    assert '<td data-label="Familie">Beispiel</td>' in response.content.decode()


def test_caritas_sees_the_name_only_once_master_data_is_released(
    signed_in, family_case, institutions, erkelenz_caseworker, caritas_caseworker
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["caritas"], since=datetime.date(2026, 3, 1)
        )
    )
    caritas = signed_in(caritas_caseworker)

    before = caritas.get(LIST)
    factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )
    after = caritas.get(LIST)

    assert family_cell(before, family_case) is None
    assert "Beispiel" not in before.content.decode()
    assert family_cell(after, family_case) == "Beispiel"


def test_a_name_recorded_by_caritas_itself_shows_for_caritas(
    signed_in, family_case, institutions, caritas_caseworker
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["caritas"], since=datetime.date(2026, 3, 1)
        )
    )
    services.record_save(
        record=FamilyMember(case=family_case, kind=FamilyMember.Kind.FATHER, last_name="Vogel"),
        case=family_case,
        institution=institutions["caritas"],
    )

    response = signed_in(caritas_caseworker).get(LIST)

    assert family_cell(response, family_case) == "Vogel"


def test_my_cases_are_those_i_am_responsible_or_deputy_for(
    signed_in, institutions, erkelenz_caseworker, erkelenz_lead
):
    erkelenz = institutions["erkelenz"]
    mine = open_case(erkelenz, erkelenz_caseworker, "Achen")
    deputy = open_case(erkelenz, erkelenz_caseworker, "Berg")
    other = open_case(erkelenz, erkelenz_caseworker, "Conzen")
    services.involvement_assign_responsible(
        involvement=mine.involvements.get(), responsible=erkelenz_caseworker, deputy=None
    )
    services.involvement_assign_responsible(
        involvement=deputy.involvements.get(), responsible=erkelenz_lead, deputy=erkelenz_caseworker
    )
    services.involvement_assign_responsible(
        involvement=other.involvements.get(), responsible=erkelenz_lead, deputy=None
    )

    response = signed_in(erkelenz_caseworker).get(LIST, {"mine": "1"})

    assert sorted(references(response)) == sorted([mine.reference, deputy.reference])
    assert 'id="case-mine" name="mine" value="1" checked' in response.content.decode()


def test_an_ended_involvement_is_no_longer_my_case(signed_in, institutions, erkelenz_caseworker):
    case = open_case(institutions["erkelenz"], erkelenz_caseworker, "Achen")
    involvement = case.involvements.get()
    services.involvement_assign_responsible(
        involvement=involvement, responsible=erkelenz_caseworker, deputy=None
    )
    Involvement.objects.filter(pk=involvement.pk).update(until=datetime.date(2026, 11, 1))

    response = signed_in(erkelenz_caseworker).get(LIST, {"mine": "1"})

    assert references(response) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["Achen", "Berg", "Conzen"]),
        ("-reference", ["Conzen", "Berg", "Achen"]),
        ("family", ["Achen", "Berg", "Conzen"]),
        ("-family", ["Conzen", "Berg", "Achen"]),
        ("opened", ["Achen", "Berg", "Conzen"]),
        ("due", ["Berg", "Achen", "Conzen"]),
        ("-due", ["Achen", "Berg", "Conzen"]),
    ],
)
def test_the_columns_sort(signed_in, institutions, erkelenz_caseworker, sort, expected):
    erkelenz = institutions["erkelenz"]
    base = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
    # References are given in order of opening: Achen first.
    open_case(
        erkelenz,
        erkelenz_caseworker,
        "Achen",
        opened_at=base,
        conference_due_on=datetime.date(2027, 3, 1),
    )
    open_case(
        erkelenz,
        erkelenz_caseworker,
        "Berg",
        opened_at=base + datetime.timedelta(days=1),
        conference_due_on=datetime.date(2027, 1, 1),
    )
    # A case without a due date goes last in both directions.
    open_case(
        erkelenz,
        erkelenz_caseworker,
        "Conzen",
        opened_at=base + datetime.timedelta(days=2),
        conference_due_on=None,
    )

    response = signed_in(erkelenz_caseworker).get(LIST, {"sort": sort})

    names = [c.family_name for c in response.context["page"].object_list]
    assert names == expected
    assert f'<input type="hidden" name="sort" value="{sort}">' in response.content.decode()


def test_a_closed_case_shows_no_conference_due(signed_in, family_case, erkelenz_caseworker):
    services.case_close(case=family_case, closed_on=datetime.date(2026, 11, 20), reason="verzogen")

    response = signed_in(erkelenz_caseworker).get(LIST)

    assert "badge-warn" not in response.content.decode()
    family_case.refresh_from_db()
    assert family_case.conference_due_on is None


def test_an_unknown_sort_falls_back_to_the_last_change(signed_in, family_case, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).get(LIST, {"sort": "password"})

    assert response.status_code == 200
    assert response.context["filters"]["sort"] == ""


def test_pages_keep_filters_and_sort_in_the_links(
    signed_in, institutions, erkelenz_caseworker, monkeypatch
):
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    for name in ("Achen", "Berg", "Conzen", "Dahmen", "Esser"):
        open_case(institutions["erkelenz"], erkelenz_caseworker, name)
    erkelenz = signed_in(erkelenz_caseworker)

    first = erkelenz.get(LIST, {"status": "open", "sort": "family"})
    second = erkelenz.get(LIST, {"status": "open", "sort": "family", "page": "2"})

    assert "?status=open&amp;sort=family&amp;page=2" in first.content.decode()
    assert [c.family_name for c in second.context["page"].object_list] == ["Conzen", "Dahmen"]
    assert "?status=open&amp;sort=family&amp;page=1" in second.content.decode()


def test_the_count_stops_at_the_cap(signed_in, institutions, erkelenz_caseworker, monkeypatch):
    monkeypatch.setattr(browse, "COUNT_CAP", 3)
    monkeypatch.setattr(browse, "PAGE_SIZE", 2)
    for name in ("Achen", "Berg", "Conzen", "Dahmen", "Esser"):
        open_case(institutions["erkelenz"], erkelenz_caseworker, name)

    capped = signed_in(erkelenz_caseworker).get(LIST, {"q": "HS-"})
    exact = signed_in(erkelenz_caseworker).get(LIST, {"q": "Achen"})

    assert capped.context["page"].paginator.count == 4
    text = label("more than %(cap)s hits – narrow the search") % {"cap": 3}
    assert text in capped.content.decode()
    assert exact.context["page"].paginator.count == 1
    assert text not in exact.content.decode()


def test_the_sort_headers_say_which_way_they_sort(signed_in, family_case, erkelenz_caseworker):
    html = signed_in(erkelenz_caseworker).get(LIST, {"sort": "-opened"}).content.decode()

    assert 'aria-sort="descending"' in html
    assert "?sort=opened" in html


def test_the_office_sees_no_family_column(signed_in, family_case, coordination_office):
    response = signed_in(coordination_office).get(LIST, {"sort": "family"})

    assert response.status_code == 200
    assert response.context["filters"]["sort"] == ""
    assert response.context["with_family"] is False


def test_the_list_needs_few_queries_however_many_cases(
    signed_in,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
    django_assert_max_num_queries,
):
    erkelenz = institutions["erkelenz"]
    for index in range(3):
        open_case(erkelenz, erkelenz_caseworker, f"Klein{index}")
    browser = signed_in(erkelenz_caseworker)
    with django_assert_max_num_queries(LIST_QUERIES):
        few = browser.get(LIST, {"sort": "family"})
    for index in range(60):
        case = open_case(erkelenz, erkelenz_caseworker, f"Gross{index:02d}")
        services.involvement_assign_responsible(
            involvement=case.involvements.get(), responsible=erkelenz_caseworker, deputy=None
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        many = browser.get(LIST, {"sort": "family"})
    with django_assert_max_num_queries(LIST_QUERIES):
        mine = browser.get(LIST, {"mine": "1", "q": "Gross", "sort": "-due", "page": "2"})

    assert len(few.context["page"].object_list) == 3
    assert len(many.context["page"].object_list) == browse.PAGE_SIZE
    assert len(mine.context["page"].object_list) == 10


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)
def test_postgresql_has_trigram_indexes_for_the_search(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexname IN "
            "('case_reference_trgm', 'familymember_last_name_trgm', "
            "'familymember_first_name_trgm')"
        )
        assert len(cursor.fetchall()) == 3


def test_a_row_links_the_case_and_writes_its_dates_as_the_local_day(
    signed_in, institutions, erkelenz_caseworker
):
    # Opened at 00:30 Berlin summer time on 1 April, which is still 31 March in UTC.
    case = open_case(
        institutions["erkelenz"],
        erkelenz_caseworker,
        "Zander",
        opened_at=datetime.datetime(2026, 3, 31, 22, 30, tzinfo=datetime.UTC),
        conference_due_on=datetime.date(2026, 11, 25),
    )

    page = signed_in(erkelenz_caseworker).get(LIST).content.decode()

    # Each cell says what it is where the table stacks into one block per case (phones).
    assert (
        f'<tr><td data-label="Aktenzeichen"><a href="{case.get_absolute_url()}">'
        f"{case.reference}</a></td>"
        '<td data-label="Status">offen</td>'
        f'<td data-label="Fallführende Einrichtung">{institutions["erkelenz"].short_name}</td>'
        '<td data-label="Familie">Zander</td>'
        '<td data-label="Angelegt">01.04.2026</td>'
        '<td data-label="Nächste Konferenz fällig am">25.11.2026 '
        '<strong class="badge badge-warn">fällig</strong></td></tr>'
    ) in page
