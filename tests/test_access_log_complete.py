"""Every read of family data writes exactly one access-log entry: the persona matrix walked.

Each GET row of the matrix that shows a family's data (``FAMILY_DATA``: the pages, forms,
PDFs and files of a case and of a Beteiligtenkonferenz) is requested by every persona
the matrix lets in; each request must add exactly one ``AccessLog`` entry, about the
world's case (or none, for a list). Personas that get the page without any family on it
(an empty case list, a conference list without case conferences) may add one entry at
most. ``NO_FAMILY_DATA`` names, with the reason, every other GET row of the apps that
hold family data: a new URL there must be sorted into one of the two.
"""

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import AccessLog
from tests.matrix import NO_CASE, PERSONAS, ROWS
from tests.test_url_auth import world  # noqa: F401 (the matrix's world fixture)

# Row name -> personas that get a 200 but see no family data on it.
FAMILY_DATA: dict[str, tuple[str, ...]] = {
    "cases:list": NO_CASE,
    "cases:detail": (),
    "cases:edit": (),
    "cases:access_log": (),
    "cases:member_add": (),
    "cases:member_edit": (),
    "cases:health_edit": (),
    "cases:involvement_add": (),
    "cases:involvement_edit": (),
    "cases:note_add": (),
    "cases:disclosure_add": (),
    "cases:disclosure": (),
    "cases:consent_add": (),
    "cases:consent_give": (),
    "cases:consent_correct": (),
    "cases:consent_revoke": (),
    "cases:consent_pdf": (),
    "cases:consent_scan": (),
    "cases:consultation_add": (),
    "cases:consultation": (),
    "cases:consultation_outcome": (),
    "cases:consultation_advise": (),
    "cases:close": (),
    "cases:involvement_responsible": (),
    "cases:document_add": (),
    "cases:document": (),
    "cases:timeline": (),
    "conferences:list": NO_CASE,
    "conferences:conference_new": (),
    "conferences:detail": (),
    "conferences:edit": (),
    "conferences:participant_add": (),
    "conferences:agenda_add": (),
    "conferences:letter": (),
    "conferences:cancel": (),
    "conferences:ics": (),
    "conferences:attendance": (),
    "conferences:minutes": (),
    "conferences:amend": (),
    "conferences:pdf": (),
    "conferences:action_add": (),
    "conferences:action_update": (),
    "conferences:action_edit": (),
    "conferences:invite": (),
    "conferences:approve": (),
    "conferences:participants_bulk": (),
    "conferences:participant_remove": (),
    # The privacy app's pages of a case name the family members.
    "privacy:case": ("data_protection_officer",),
    "privacy:restriction_add": (),
    "privacy:access_report": (),
}
NO_FAMILY_DATA = {
    "cases:open": "an empty form, no case yet",
    "cases:notifications": "names case references and institutions, never a family",
    "cases:access_log_lookup": "a search field",
    "cases:consultation_inbox": "pseudonyms of consultations, no case",
    "cases:specialists": "the institution's staff",
    "conferences:sitting_new": "a committee sitting: no family",
    "conferences:calendar": "the user's calendar address",
    "conferences:feed": "no session (a calendar app); names no family",
}
FAMILY_DATA_APPS = ("cases:", "conferences:")
# The GET row of each name (a name may have POST rows too).
ROWS_BY_NAME = {row.name: row for row in ROWS if row.method == "get"}


def test_every_get_url_of_the_family_data_apps_is_sorted():
    unsorted = [
        row.name
        for row in ROWS
        if row.name.startswith(FAMILY_DATA_APPS)
        and row.method == "get"
        and row.name not in FAMILY_DATA
        and row.name not in NO_FAMILY_DATA
    ]
    assert not unsorted, f"say whether these show family data: {unsorted}"
    assert not set(FAMILY_DATA) & set(NO_FAMILY_DATA)
    assert set(FAMILY_DATA) <= set(ROWS_BY_NAME)


def _names_the_mother(secret) -> bool:
    try:
        return secret({}) == "Sabine"
    except (KeyError, AttributeError, TypeError):
        return False  # a secret read from the world: not the constant name


def test_every_page_that_names_the_family_is_sorted_as_family_data():
    """Any row, of any app, on which the mother's name is a secret some persona reads."""
    naming = {
        row.name
        for row in ROWS
        for secret, hidden_from in row.secrets
        if row.method == "get"
        and _names_the_mother(secret)
        and set(PERSONAS) - set(hidden_from) - {"anonymous"}
    }
    assert naming <= set(FAMILY_DATA), naming - set(FAMILY_DATA)


@pytest.mark.parametrize("name", list(FAMILY_DATA))
def test_every_read_of_family_data_writes_one_access_log_entry(request, world, name):  # noqa: F811
    row = ROWS_BY_NAME[name]
    url = reverse(row.name, kwargs=row.kwargs(world))
    readers = [p for p in PERSONAS if row.expect.get(p) == 200 and p != "anonymous"]
    assert readers, f"{name}: nobody reads it"
    for persona in readers:
        user = request.getfixturevalue(persona)
        client = Client()
        client.force_login(user)
        before = set(AccessLog.objects.values_list("pk", flat=True))

        response = client.get(url)

        assert response.status_code == 200, (persona, response.status_code)
        if response.streaming:
            b"".join(response)
        new = list(AccessLog.objects.exclude(pk__in=before))
        if persona in FAMILY_DATA[name]:
            assert len(new) <= 1, (persona, new)
        else:
            assert len(new) == 1, f"{name} as {persona}: {len(new)} access-log entries"
            (entry,) = new
            assert entry.user == user
            assert entry.case in (None, world["case"])
