"""OParl 1.1 §2.8: nothing is simply deleted. A former member and a former seat stay
reachable as deleted objects (id, type, created, modified = when it ended, ``deleted``),
reconstructed from the history; lists show them only to a client that asks for changes
(§2.5: ``modified_since``), and no object embeds them."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cooperation.models import CommitteeMember

from .conftest import oparl_url

DELETED = {"id", "type", "created", "modified", "deleted"}


def shown(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


@pytest.fixture
def later() -> datetime.datetime:
    """A moment after the committee was set up (the fixtures run at the real time)."""
    return (timezone.now() + datetime.timedelta(days=30)).replace(microsecond=0)


@pytest.fixture
def caritas_seat(committee, caritas_caseworker) -> CommitteeMember:
    return committee.members.get(user=caritas_caseworker)


def test_a_removed_seat_stays_reachable_as_a_deleted_membership(api, schemas, caritas_seat, later):
    url = oparl_url("membership", caritas_seat.pk)
    before = api.json(url)
    with time_machine.travel(later, tick=False):
        caritas_seat.delete()
    gone = api.json(url)
    schemas.validate(gone)
    assert set(gone) == DELETED
    assert gone["deleted"] is True
    assert gone["id"] == before["id"]
    assert gone["created"] == before["created"]
    assert gone["modified"] == shown(later)


def test_a_handed_over_chair_stays_reachable_as_a_deleted_membership(
    api, committee, erkelenz_caseworker, gesundheitsamt_caseworker, later
):
    old = oparl_url("membership_post", committee.pk, "chair", erkelenz_caseworker.pk)
    new = oparl_url("membership_post", committee.pk, "chair", gesundheitsamt_caseworker.pk)
    created = api.json(old)["created"]
    with time_machine.travel(later, tick=False):
        committee.chair = gesundheitsamt_caseworker
        committee.save()
    assert api.json(old) == {
        "id": old,
        "type": "https://schema.oparl.org/1.1/Membership",
        "created": created,
        "modified": shown(later),
        "deleted": True,
    }
    assert api.json(new)["person"] == oparl_url("person", gesundheitsamt_caseworker.pk)
    # The former chair held no other seat: the Person is deleted too.
    assert api.json("person", erkelenz_caseworker.pk)["deleted"] is True


def test_a_deactivated_members_seat_ends_with_the_deactivation(
    api, caritas_seat, caritas_caseworker, later
):
    with time_machine.travel(later, tick=False):
        caritas_caseworker.is_active = False
        caritas_caseworker.save()
    seat = api.json("membership", caritas_seat.pk)
    assert seat["deleted"] is True
    assert seat["modified"] == shown(later)
    person = api.json("person", caritas_caseworker.pk)
    assert set(person) == DELETED
    assert person["modified"] == shown(later)


def test_deleted_memberships_are_listed_only_for_modified_since(
    api, heinsberg, caritas_seat, later
):
    removed = oparl_url("membership", caritas_seat.pk)
    earlier = shown(later - datetime.timedelta(days=1))
    with time_machine.travel(later, tick=False):
        caritas_seat.delete()

    plain = api.walk("membership_list", heinsberg.pk)
    assert len(plain) == 3
    assert removed not in {seat["id"] for seat in plain}
    assert not any(seat.get("deleted") for seat in plain)
    assert removed not in {
        s["id"] for s in api.walk("membership_list", heinsberg.pk, created_since=earlier)
    }

    changes = api.walk("membership_list", heinsberg.pk, modified_since=earlier)
    assert [s["id"] for s in changes if s.get("deleted")] == [removed]
    # The bound is inclusive: a client that saw the deletion's time asks from there.
    at_removal = api.walk("membership_list", heinsberg.pk, modified_since=shown(later))
    assert removed in {s["id"] for s in at_removal}
    after = shown(later + datetime.timedelta(seconds=1))
    assert api.walk("membership_list", heinsberg.pk, modified_since=after) == []


def test_former_members_are_listed_only_for_modified_since(
    api, heinsberg, caritas_seat, caritas_caseworker, later
):
    with time_machine.travel(later, tick=False):
        caritas_seat.delete()
    former = oparl_url("person", caritas_caseworker.pk)
    plain = api.walk("person_list", heinsberg.pk)
    assert former not in {p["id"] for p in plain}
    assert not any(p.get("deleted") for p in plain)
    changes = {
        p["id"]: p for p in api.walk("person_list", heinsberg.pk, modified_since=shown(later))
    }
    assert set(changes[former]) == DELETED


def test_no_object_embeds_or_names_a_former_seat(
    api, heinsberg, committee, caritas_seat, caritas_caseworker, later
):
    # Lena Küppers also takes the minutes, then leaves her Caritas seat.
    committee.minute_taker = caritas_caseworker
    committee.save()
    removed = oparl_url("membership", caritas_seat.pk)
    with time_machine.travel(later, tick=False):
        caritas_seat.delete()
    person = api.json("person", caritas_caseworker.pk)
    assert [seat["role"] for seat in person["membership"]] == ["Protokollführung"]
    assert person["status"] == ["Protokollführung"]
    assert removed not in api.json("organization_committee", committee.pk)["membership"]
    for seat in api.walk("membership_list", heinsberg.pk):
        assert seat["id"] != removed
