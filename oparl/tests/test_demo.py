"""The whole export of the demo, crawled from the entry point: schema-valid, complete, and
without a trace of any family.

The demo has families with case conferences (their places, participants and minutes),
Heinsberg's committee with two approved sittings and a planned one, and Lindenbrück.
"""

import io
import json
import os
import re
from collections import deque

import pypdf
import pytest
from django.conf import settings
from django.core.management import call_command

from cases.models import Case, FamilyMember, HealthSituation
from conferences.models import Meeting, Participant
from cooperation.demo import DemoWorld
from cooperation.models import Cooperation
from oparl import demo
from oparl.models import ApiToken

from .conftest import Api, publish

PREFIX = settings.SITE_URL + "/oparl/v1/"


def crawl(api: Api) -> tuple[dict[str, dict], dict[str, str]]:
    """Every JSON document and every file reachable from the entry point, by URL."""
    documents, files = {}, {}
    queue = deque([PREFIX])
    while queue:
        url = queue.popleft()
        if url in documents or url in files:
            continue
        response = api.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"] == "application/pdf":
            content = b"".join(response.streaming_content)
            pages = pypdf.PdfReader(io.BytesIO(content)).pages
            files[url] = "\n".join(page.extract_text() for page in pages)
            continue
        documents[url] = json.loads(response.content)
        queue.extend(re.findall(re.escape(PREFIX) + r'[^"\s]*', response.content.decode()))
    return documents, files


def family_traces() -> list[str]:
    """What would identify a family or a case: names, references, addresses, practices,
    and the places and non-staff participants of every Beteiligtenkonferenz."""
    traces = set()
    for member in FamilyMember.objects.all():
        traces |= {member.last_name, f"{member.first_name} {member.last_name}".strip()}
        if member.address:
            traces.add(member.address)
    traces |= set(Case.objects.values_list("reference", flat=True))
    traces |= set(HealthSituation.objects.values_list("substitution_practice", flat=True))
    conferences = Meeting.objects.filter(kind=Meeting.Kind.CASE_CONFERENCE)
    traces |= set(conferences.values_list("place", flat=True))
    traces |= set(
        Participant.objects.filter(meeting__in=conferences)
        .exclude(kind=Participant.Kind.STAFF)
        .values_list("name", flat=True)
    )
    return sorted(t for t in traces if t)


@pytest.fixture
def demo_loaded(db):
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_the_demo_export_is_complete_valid_and_names_no_family(client, demo_loaded, schemas):
    api = Api(client, demo.DEMO_TOKEN)
    documents, files = crawl(api)

    for document in documents.values():
        for obj in document.get("data", [document]):
            schemas.validate(obj)

    heinsberg = Cooperation.objects.get(code="HS")
    (body,) = api.walk(PREFIX + "body/")
    assert body["name"] == "Kreis Heinsberg"
    meetings = api.walk(body["meeting"], elementsPerPage=1)
    sittings = Meeting.objects.filter(cooperation=heinsberg, kind=Meeting.Kind.COMMITTEE_SITTING)
    assert len(meetings) == sittings.count() == 3
    assert sorted(m.get("meetingState") for m in meetings) == [
        "durchgeführt",
        "durchgeführt",
        "terminiert",
    ]
    assert len(api.walk(body["file"])) == len(files) // 2 == 2  # access and download URLs
    assert all("Kooperationsgremium" in text for text in files.values())
    persons = api.walk(body["person"])
    assert {"Thomas Berger", "Claudia Mertens", "Lena Küppers"} <= {p["name"] for p in persons}

    traces = family_traces()
    assert "Sabine Beispiel" in traces and len(traces) > 20
    output = json.dumps(documents, ensure_ascii=False) + "\n".join(files.values())
    found = [t for t in traces if re.search(rf"\b{re.escape(t)}\b", output)]
    assert not found, f"family data in the OParl export: {found}"


def test_the_public_demo_export_is_the_tokens_and_names_no_family(client, demo_loaded):
    heinsberg = Cooperation.objects.get(code="HS")
    with_token, _files = crawl(Api(client, demo.DEMO_TOKEN))
    # The demo leaves the switch off: without a token, nothing.
    assert Api(client, None).get(PREFIX).status_code == 401
    publish(heinsberg)
    public, files = crawl(Api(client, None))
    assert public == with_token
    output = json.dumps(public, ensure_ascii=False) + "\n".join(files.values())
    found = [t for t in family_traces() if re.search(rf"\b{re.escape(t)}\b", output)]
    assert not found, f"family data in the public OParl export: {found}"


def test_the_demo_token_is_created_once(client, heinsberg, coordination_office):
    world = DemoWorld({"HS": heinsberg}, {}, {"koordination": coordination_office})
    demo.load(world)
    demo.load(world)
    (token,) = ApiToken.objects.all()
    assert token.label == "Ratsinformationssystem Kreis Heinsberg (Demo)"
    assert token.cooperation == heinsberg
    assert Api(client, demo.DEMO_TOKEN).get("system").status_code == 200
    # A revoked demo token stays revoked when the demo is loaded again.
    token.revoke()
    demo.load(world)
    assert ApiToken.objects.get().revoked_at is not None
    assert Api(client, demo.DEMO_TOKEN).get("system").status_code == 401
