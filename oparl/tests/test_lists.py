"""External lists: pages with OParl's pagination and links, and the four date filters."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.utils import timezone

from . import builders
from .conftest import oparl_url

BERLIN = datetime.timezone(datetime.timedelta(hours=2))


def meeting_id(meeting) -> str:
    return oparl_url("meeting", meeting.pk)


def at(month: int) -> datetime.datetime:
    return datetime.datetime(2026, month, 1, 10, 0, tzinfo=BERLIN)


def test_it_pages_through_a_list_keeping_its_size(api, settings, heinsberg, committee):
    settings.OPARL_ELEMENTS_PER_PAGE = 3
    first = api.json("organization_list", heinsberg.pk)
    assert first["pagination"] == {
        "totalElements": 8,  # the committee and Heinsberg's seven institutions
        "elementsPerPage": 3,
        "currentPage": 1,
        "totalPages": 3,
    }
    assert set(first["links"]) == {"first", "self", "next", "last"}
    assert first["links"]["next"].startswith(settings.SITE_URL + "/oparl/v1/")
    last = api.json(first["links"]["last"])
    assert set(last["links"]) == {"first", "prev", "self", "last"}
    assert len(last["data"]) == 2

    items = api.walk("organization_list", heinsberg.pk)
    assert len({o["id"] for o in items}) == 8
    assert api.walk("organization_list", heinsberg.pk) == items  # a stable order


def test_a_client_may_ask_for_smaller_pages_not_larger(api, settings, heinsberg, committee):
    settings.OPARL_ELEMENTS_PER_PAGE = 5
    small = api.json("membership_list", heinsberg.pk, elementsPerPage=1)
    assert small["pagination"]["elementsPerPage"] == 1
    assert small["pagination"]["totalPages"] == 4
    assert parse_qs(urlsplit(small["links"]["next"]).query)["elementsPerPage"] == ["1"]
    assert len(api.walk("membership_list", heinsberg.pk, elementsPerPage=1)) == 4
    large = api.json("membership_list", heinsberg.pk, elementsPerPage=1000)
    assert large["pagination"]["elementsPerPage"] == 5


def test_an_empty_list_has_one_empty_page(api, heinsberg):
    page = api.json("paper_list", heinsberg.pk)
    assert page["data"] == []
    assert page["pagination"]["totalElements"] == 0
    assert page["pagination"]["totalPages"] == 1
    assert "next" not in page["links"]


@pytest.mark.parametrize(("page", "status"), [("9", 404), ("0", 400), ("zwei", 400)])
def test_it_refuses_pages_that_do_not_exist(api, heinsberg, page, status):
    assert api.get("meeting_list", heinsberg.pk, page=page).status_code == status


@pytest.fixture
def history(committee, coordination_office):
    """Sitting A created in March and moved in September; sitting B created in June."""
    with time_machine.travel(at(3), tick=False):
        first = builders.sitting(committee, coordination_office)
    with time_machine.travel(at(6), tick=False):
        second = builders.sitting(committee, coordination_office)
    with time_machine.travel(at(9), tick=False):
        first.place = "Kreishaus Heinsberg, Saal 3"
        first.save()
    return first, second


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["first", "second"]),
        ({"created_since": at(5)}, ["second"]),
        ({"created_until": at(5)}, ["first"]),
        ({"created_since": at(3), "created_until": at(3)}, ["first"]),
        ({"modified_since": at(8)}, ["first"]),
        ({"modified_until": at(7)}, ["second"]),
        ({"created_until": at(5), "modified_until": at(7)}, []),
        ({"modified_since": at(10)}, []),
    ],
)
def test_it_filters_meetings_by_creation_and_modification(
    api, heinsberg, history, filters, expected
):
    first, second = history
    names = {meeting_id(first): "first", meeting_id(second): "second"}
    params = {name: value.isoformat() for name, value in filters.items()}
    meetings = api.walk("meeting_list", heinsberg.pk, **params)
    assert [names[m["id"]] for m in meetings] == expected


def test_the_filters_apply_to_every_list(api, heinsberg, committee, history):
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    past = at(1).isoformat()
    for kind in ("organization", "person", "membership", "meeting", "agendaitem", "file"):
        assert api.walk(f"{kind}_list", heinsberg.pk, modified_since=future) == [], kind
        assert api.walk(f"{kind}_list", heinsberg.pk, created_until=past) == [], kind
    agenda = api.walk("agendaitem_list", heinsberg.pk, created_since=at(5).isoformat())
    assert {item["meeting"] for item in agenda} == {meeting_id(history[1])}


def test_the_filters_are_kept_in_the_links(api, heinsberg, history):
    since = at(1).isoformat()
    page = api.json("meeting_list", heinsberg.pk, elementsPerPage=1, created_since=since)
    query = parse_qs(urlsplit(page["links"]["next"]).query)
    assert query["created_since"] == [since]
    assert query["page"] == ["2"]


def test_an_unencoded_plus_in_the_offset_is_understood(api, heinsberg, history):
    path = f"/oparl/v1/body/{heinsberg.pk}/meeting/?created_since=2026-05-01T00:00:00+02:00"
    response = api.get(path)
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


@pytest.mark.parametrize(
    "value", ["2026-05-01", "2026-05-01T00:00:00", "gestern", "2026-13-01T00:00:00+01:00"]
)
def test_it_refuses_a_filter_without_a_full_date_time(api, heinsberg, value):
    response = api.get("meeting_list", heinsberg.pk, modified_since=value)
    assert response.status_code == 400
    assert response.json()["type"] == "https://schema.oparl.org/1.1/Error"
    assert "modified_since" in response.json()["message"]


def test_a_page_costs_the_same_few_queries_however_many_sittings(
    api, heinsberg, committee, coordination_office, django_assert_max_num_queries
):
    for _ in range(3):
        builders.approve(builders.sitting(committee, coordination_office), coordination_office)
    api.walk("meeting_list", heinsberg.pk)  # computes the checksums once
    with django_assert_max_num_queries(8):
        assert len(api.json("meeting_list", heinsberg.pk)["data"]) == 3
    for _ in range(3):
        builders.approve(builders.sitting(committee, coordination_office), coordination_office)
    api.walk("meeting_list", heinsberg.pk)
    with django_assert_max_num_queries(8):
        assert len(api.json("meeting_list", heinsberg.pk)["data"]) == 6


def test_the_filters_compare_to_the_second_shown_both_ends_inclusive(
    api, heinsberg, committee, coordination_office
):
    # Stored to the microsecond, shown (and compared) to the second: 10:00:00.
    with time_machine.travel(at(4).replace(microsecond=750_000), tick=False):
        sitting = builders.sitting(committee, coordination_office)
    shown = api.json("meeting", sitting.pk)
    assert shown["created"] == shown["modified"] == "2026-04-01T10:00:00+02:00"

    def found(**params) -> bool:
        return meeting_id(sitting) in {
            m["id"] for m in api.walk("meeting_list", heinsberg.pk, **params)
        }

    for name in ("created", "modified"):
        assert found(**{f"{name}_until": shown[name]}), f"{name}_until"
        assert found(**{f"{name}_since": shown[name]}), f"{name}_since"
        assert found(**{f"{name}_since": shown[name], f"{name}_until": shown[name]})
        assert not found(**{f"{name}_until": "2026-04-01T09:59:59+02:00"})
        assert not found(**{f"{name}_since": "2026-04-01T10:00:01+02:00"})
    # A fraction in the filter counts as its whole second, and any offset works.
    assert found(created_until="2026-04-01T08:00:00.1+00:00")


def test_omit_internal_leaves_out_the_internal_lists_only(
    api, heinsberg, committee, approved_sitting
):
    omit = {"omit_internal": "true"}
    (body,) = api.walk("body_list", **omit)
    assert "legislativeTerm" not in body and body["locationList"]
    (meeting,) = api.walk("meeting_list", heinsberg.pk, **omit)
    assert "agendaItem" not in meeting
    assert meeting["resultsProtocol"]["id"] and meeting["location"]["id"]
    assert all(
        "membership" not in p and p["status"] for p in api.walk("person_list", heinsberg.pk, **omit)
    )
    (sittings,) = api.walk("organization_committee_meetings", committee.pk, **omit)
    assert "agendaItem" not in sittings

    # Without it (or with another value) they are there.
    for params in ({}, {"omit_internal": "false"}):
        (body,) = api.walk("body_list", **params)
        assert body["legislativeTerm"] == []
        (meeting,) = api.walk("meeting_list", heinsberg.pk, **params)
        assert meeting["agendaItem"]
        assert all(p["membership"] for p in api.walk("person_list", heinsberg.pk, **params))


def test_omit_internal_is_kept_in_the_links(api, heinsberg, committee):
    page = api.json("person_list", heinsberg.pk, elementsPerPage=1, omit_internal="true")
    query = parse_qs(urlsplit(page["links"]["next"]).query)
    assert query["omit_internal"] == ["true"]
    assert "membership" not in api.json(page["links"]["next"])["data"][0]


def test_the_specs_limit_parameter_asks_for_smaller_pages_too(api, settings, heinsberg, committee):
    page = api.json("membership_list", heinsberg.pk, limit=2)
    assert page["pagination"]["elementsPerPage"] == 2
    assert parse_qs(urlsplit(page["links"]["next"]).query)["elementsPerPage"] == ["2"]
