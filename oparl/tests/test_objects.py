"""Every object type of the export, against the OParl 1.1 schema and against the records."""

import hashlib
import json

import pytest
from django.utils import translation

from cases import services as case_services
from conferences import services
from conferences.models import Meeting
from cooperation.models import CommitteeMember

from . import builders
from .conftest import oparl_url


@pytest.fixture
def everything(committee, approved_sitting, planned_sitting):
    return committee


def test_every_object_and_every_list_item_matches_the_schema(api, schemas, heinsberg, everything):
    system = api.json("system")
    schemas.validate(system, "System")
    assert system["oparlVersion"] == "https://schema.oparl.org/1.1/"
    assert system["id"] == oparl_url("system")

    bodies = api.walk(system["body"])
    assert len(bodies) == 1
    body = bodies[0]
    assert body == api.json(body["id"])
    lists = ("organization", "person", "membership", "meeting", "agendaItem", "file", "paper")
    for name in (*lists, "locationList"):
        for item in api.walk(body[name]):
            schemas.validate(item)
            # A list item is the object itself.
            assert api.json(item["id"]) == item
            assert item["created"] and item["modified"]
    schemas.validate(body, "Body")
    schemas.validate(api.json(body["location"]["id"]), "Location")
    assert schemas.counts.keys() >= {
        "System",
        "Body",
        "Location",
        "Organization",
        "Person",
        "Membership",
        "Meeting",
        "AgendaItem",
        "File",
    }


def test_the_body_is_the_responsible_kreis(api, heinsberg):
    body = api.json("body", heinsberg.pk)
    assert body["id"] == oparl_url("body", heinsberg.pk)
    assert body["system"] == oparl_url("system")
    assert body["name"] == "Kreis Heinsberg"
    assert body["classification"] == "Kreis"
    assert body["legislativeTerm"] == []
    assert body["location"]["locality"] == "Heinsberg"
    assert "Regierungsbezirk Köln" in body["location"]["description"]


def test_the_committee_and_the_institutions_are_organizations(
    api, heinsberg, committee, institutions
):
    organizations = api.walk("organization_list", heinsberg.pk)
    gremium, *others = organizations
    assert gremium["organizationType"] == "Gremium"
    assert gremium["shortName"] == "Kooperationsgremium"
    assert gremium["post"] == ["Vorsitz", "Protokollführung", "Vertreter*in", "Stellvertreter*in"]
    assert len(gremium["membership"]) == 4
    assert {o["organizationType"] for o in others} == {"Institution"}
    assert {o["name"] for o in others} == {
        i.name for i in institutions.values() if i.cooperation == heinsberg
    }
    caritas = api.json("organization_institution", institutions["caritas"].pk)
    with translation.override("de"):
        assert caritas["classification"] == str(institutions["caritas"].get_kind_display())
    assert caritas["shortName"] == "Caritas"


def test_a_person_is_name_function_and_institution_only(
    api, heinsberg, committee, caritas_caseworker, institutions
):
    person = api.json("person", caritas_caseworker.pk)
    assert set(person) == {
        "id",
        "type",
        "body",
        "name",
        "familyName",
        "givenName",
        "status",
        "membership",
        "created",
        "modified",
    }
    assert person["name"] == "Lena Küppers"
    assert person["status"] == ["Vertreter*in"]
    (seat,) = person["membership"]
    assert seat["organization"] == oparl_url("organization_committee", committee.pk)
    assert seat["onBehalfOf"] == oparl_url("organization_institution", institutions["caritas"].pk)
    assert seat["votingRight"] is True
    assert caritas_caseworker.email not in json.dumps(person)


def test_the_memberships_name_role_voting_right_and_institution(
    api, heinsberg, committee, erkelenz_caseworker, coordination_office, institutions
):
    seats = {s["role"]: s for s in api.walk("membership_list", heinsberg.pk)}
    assert set(seats) == {"Vertreter*in", "Stellvertreter*in", "Vorsitz", "Protokollführung"}
    assert seats["Vertreter*in"]["votingRight"] is True
    assert seats["Stellvertreter*in"]["votingRight"] is False
    assert seats["Protokollführung"]["votingRight"] is False
    assert "votingRight" not in seats["Vorsitz"]
    chair = seats["Vorsitz"]
    assert chair["person"] == oparl_url("person", erkelenz_caseworker.pk)
    assert chair["onBehalfOf"] == oparl_url("organization_institution", institutions["erkelenz"].pk)
    assert chair["id"] == oparl_url(
        "membership_post", committee.pk, "chair", erkelenz_caseworker.pk
    )
    assert api.json(chair["id"]) == chair
    treasurer = api.get("membership_post", committee.pk, "treasurer", erkelenz_caseworker.pk)
    assert treasurer.status_code == 404


def test_a_former_member_remains_as_a_deleted_person(
    api, heinsberg, committee, caritas_caseworker, schemas
):
    committee.members.get(user=caritas_caseworker).delete()
    person = api.json("person", caritas_caseworker.pk)
    schemas.validate(person)
    assert person["deleted"] is True
    assert set(person) == {"id", "type", "created", "modified", "deleted"}
    # OParl 1.1 §2.5: deleted objects are listed for modified_since only.
    assert person["id"] not in {p["id"] for p in api.walk("person_list", heinsberg.pk)}
    since = {"modified_since": person["created"]}
    listed = {p["id"]: p for p in api.walk("person_list", heinsberg.pk, **since)}
    assert listed[person["id"]] == person
    assert len(api.walk("membership_list", heinsberg.pk)) == 3


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (Meeting.State.PLANNED, "terminiert"),
        (Meeting.State.INVITED, "eingeladen"),
        (Meeting.State.HELD, "durchgeführt"),
        (Meeting.State.CIRCULATED, "durchgeführt"),
        (Meeting.State.APPROVED, "durchgeführt"),
    ],
)
def test_a_sittings_state_is_oparls_meeting_state(api, planned_sitting, state, expected):
    Meeting.objects.filter(pk=planned_sitting.pk).update(state=state)
    meeting = api.json("meeting", planned_sitting.pk)
    assert meeting["meetingState"] == expected
    assert meeting["cancelled"] is False


def test_a_cancelled_sitting_says_so(api, planned_sitting):
    services.meeting_cancel(meeting=planned_sitting)
    meeting = api.json("meeting", planned_sitting.pk)
    assert meeting["cancelled"] is True
    assert "meetingState" not in meeting


def test_a_sitting_has_its_time_place_committee_and_agenda(api, committee, planned_sitting):
    planned_sitting.video_link = "https://video.example/geheim"
    planned_sitting.save()
    meeting = api.json("meeting", planned_sitting.pk)
    assert meeting["name"].startswith("Sitzung des Kooperationsgremiums, ")
    assert meeting["start"].endswith(("+01:00", "+02:00"))
    assert meeting["location"]["description"] == "Kreishaus Heinsberg, Saal 2"
    assert api.json(meeting["location"]["id"]) == meeting["location"]
    assert meeting["organization"] == [oparl_url("organization_committee", committee.pk)]
    assert [i["name"] for i in meeting["agendaItem"]][-1] == "Bericht der Koordinationsstelle"
    assert "resultsProtocol" not in meeting
    assert "geheim" not in json.dumps(meeting)


def test_a_resolution_is_published_with_the_approved_minutes_only(
    api, committee, coordination_office
):
    sitting = builders.sitting(committee, coordination_office)
    services.meeting_held(meeting=sitting)
    item = sitting.agenda.get()
    minutes = sitting.minutes
    services.minutes_save(
        minutes=minutes,
        version=minutes.version,
        texts={item.pk: {"minutes": "Vertraulicher Entwurf", "resolution": "Entwurf"}},
    )
    draft = api.json("agendaitem", item.pk)
    assert "resolutionText" not in draft
    assert "Entwurf" not in json.dumps(api.json("meeting", sitting.pk))

    builders.approve(sitting, coordination_office, resolution="Beschlossen.")
    approved = api.json("agendaitem", item.pk)
    assert approved["resolutionText"] == "Beschlossen."
    assert approved["number"] == str(item.number) and approved["order"] == item.number
    assert "Bericht erstattet" not in json.dumps(api.json("meeting", sitting.pk))


def test_the_file_is_the_frozen_protocol_with_its_checksum(api, approved_sitting):
    minutes = approved_sitting.minutes
    content = minutes.pdf.open("rb").read()
    meeting = api.json("meeting", approved_sitting.pk)
    protocol = meeting["resultsProtocol"]
    assert protocol == api.json("file", minutes.pk)
    assert protocol["mimeType"] == "application/pdf"
    assert protocol["size"] == len(content)
    assert protocol["sha512Checksum"] == hashlib.sha512(content).hexdigest()
    assert "sha1Checksum" not in protocol
    assert protocol["meeting"] == [meeting["id"]]

    access = api.get(protocol["accessUrl"])
    assert access.status_code == 200
    assert access["Content-Type"] == "application/pdf"
    assert not access["Content-Disposition"].startswith("attachment")
    assert b"".join(access.streaming_content) == content
    download = api.get(protocol["downloadUrl"])
    assert download["Content-Disposition"] == f'attachment; filename="{protocol["fileName"]}"'
    assert download["X-Checksum-SHA256"] == hashlib.sha256(content).hexdigest()


def test_a_protocol_that_no_longer_matches_its_sha256_has_no_checksum(api, approved_sitting):
    minutes = approved_sitting.minutes
    minutes.sha256 = "0" * 64
    minutes.save()
    protocol = api.json("file", minutes.pk)
    assert "sha512Checksum" not in protocol and "size" not in protocol


def test_only_committee_sittings_are_meetings(
    api, heinsberg, institutions, erkelenz_caseworker, approved_sitting
):
    case = case_services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    conference = services.conference_schedule(
        case=case, organiser=erkelenz_caseworker, starts_at=approved_sitting.starts_at
    )
    meetings = api.walk("meeting_list", heinsberg.pk)
    assert [m["id"] for m in meetings] == [oparl_url("meeting", approved_sitting.pk)]
    assert api.get("meeting", conference.pk).status_code == 404
    for item in conference.agenda.all():
        assert api.get("agendaitem", item.pk).status_code == 404
    assert api.get("location_meeting", conference.pk).status_code == 404
    assert case.reference not in json.dumps(api.walk("agendaitem_list", heinsberg.pk))


def test_a_member_of_another_cooperation_is_never_published(
    api, heinsberg, committee, lindenbrueck_coordination, institutions
):
    # A misconfigured seat (the admin prevents it) must not leak another cooperation's staff.
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["lindenbrueck"],
        user=lindenbrueck_coordination,
        function=CommitteeMember.Function.DEPUTY,
    )
    people = json.dumps(api.walk("person_list", heinsberg.pk), ensure_ascii=False)
    seats = json.dumps(api.walk("membership_list", heinsberg.pk), ensure_ascii=False)
    assert lindenbrueck_coordination.last_name not in people + seats
    assert api.get("person", lindenbrueck_coordination.pk).status_code == 404


def test_the_system_and_the_body_name_the_licence(api, settings, heinsberg):
    cc_by = "https://creativecommons.org/licenses/by/4.0/"
    assert api.json("system")["license"] == cc_by
    assert api.json("body", heinsberg.pk)["license"] == cc_by

    settings.OPARL_LICENSE = "https://www.govdata.de/dl-de/by-2-0"
    assert api.json("system")["license"] == settings.OPARL_LICENSE
    assert api.json("body", heinsberg.pk)["license"] == settings.OPARL_LICENSE

    settings.OPARL_LICENSE = ""
    assert "license" not in api.json("system")
    assert "license" not in api.json("body", heinsberg.pk)


def test_the_location_list_has_the_bodys_seat_and_the_sittings_places(
    api,
    schemas,
    heinsberg,
    institutions,
    erkelenz_caseworker,
    approved_sitting,
    planned_sitting,
):
    body = api.json("body", heinsberg.pk)
    assert body["locationList"] == oparl_url("location_list", heinsberg.pk)
    # A Beteiligtenkonferenz's place is family data: never a Location.
    case = case_services.case_open(
        lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker
    )
    services.conference_schedule(
        case=case,
        organiser=erkelenz_caseworker,
        starts_at=planned_sitting.starts_at,
        place="Wohnung der Familie Beispiel",
    )

    locations = api.walk(body["locationList"])
    assert [location["id"] for location in locations] == [
        body["location"]["id"],
        oparl_url("location_meeting", approved_sitting.pk),
        oparl_url("location_meeting", planned_sitting.pk),
    ]
    for location in locations:
        schemas.validate(location)
        assert api.json(location["id"]) == location
    assert "Beispiel" not in json.dumps(locations)
    assert locations[1]["meetings"] == [oparl_url("meeting", approved_sitting.pk)]
    # Its filters work like every list's.
    since = {"modified_since": locations[-1]["modified"]}
    assert oparl_url("location_meeting", planned_sitting.pk) in {
        location["id"] for location in api.walk(body["locationList"], **since)
    }
