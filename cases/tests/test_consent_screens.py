"""The consent screens as a caseworker reads them: the confirmation page names the consent
it confirms, every problem is said once, a long form lists its problems at the top with
links to the fields, the empty choice of a drop-down is German, and the case history
reads one plain entry per change. Through the real views; the clock stands at 25.11.2026.
"""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Consent, DataCategory
from tests import factories
from tests.german import label

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def mother(family_case):
    return family_case.members.get()


@pytest.fixture
def caritas(institutions):
    return institutions["caritas"]


@pytest.fixture
def erkelenz(institutions):
    return institutions["erkelenz"]


def consent_form(mother, recipients, **changes) -> dict:
    data = {
        "record_as": "given",
        "given_by": mother.pk,
        "recipients": [r.pk for r in recipients],
        "categories": ["master", "family"],
        "purpose": "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung",
        "kind": "time_limited",
        "valid_from": "2026-11-25",
        "valid_until": "2027-05-25",
        "form": "paper",
        "obtained_on": "2026-11-25",
        "informed_of_purpose": "on",
        "informed_of_refusal_consequences": "on",
        "informed_of_revocation_right": "on",
        "scan": factories.png_upload(),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def add_url(case) -> str:
    return reverse("cases:consent_add", args=[case.reference])


def url(name, consent) -> str:
    return reverse(f"cases:{name}", args=[consent.case.reference, consent.pk])


def text(html: str) -> str:
    """What a reader sees: the page without tags, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def not_a_scan() -> SimpleUploadedFile:
    """A file that says it is a PDF and is not."""
    return SimpleUploadedFile("scan.pdf", b"Dies ist kein PDF.", content_type="application/pdf")


def error_summary(html: str) -> str | None:
    match = re.search(r'<div class="error-summary".*?</div>', html, flags=re.S)
    return match.group(0) if match else None


def timeline(html: str) -> list[str]:
    """The case history's entries, newest first, as text."""
    start = html.index('id="timeline-heading"')
    end = html.find("<section", start)
    part = html[start : end if end != -1 else None]
    items = [text(item) for item in re.findall(r"<li>(.*?)</li>", part, flags=re.S)]
    # Each reads "25.11.2026 10:00 – Einwilligung erteilt: … (Anna Schmitz, JA Erkelenz)".
    return [item.split(" – ", 1)[-1] for item in items]


# --- the confirmation page ---------------------------------------------------------------


def test_the_confirmation_page_shows_the_consent_it_confirms(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = factories.request_consent(
        family_case,
        erkelenz,
        [caritas],
        [DataCategory.MASTER, DataCategory.FAMILY],
        erkelenz_caseworker,
        valid_from=TODAY,
        valid_until=datetime.date(2027, 5, 25),
    )

    response = signed_in(erkelenz_caseworker).get(url("consent_give", consent))

    assert response.status_code == 200
    page = text(response.content.decode())
    assert label("The consent you confirm") in page
    assert f"{label('Given by')} Sabine Beispiel" in page
    assert f"{label('Released institution')} {erkelenz.name}" in page
    assert f"{label('Recipients')} {caritas.name}" in page
    assert f"{label('Data')} {', '.join(map(label, consent.category_labels))}" in page
    assert "Stammdaten" in page
    assert f"{label('Purpose')} Abstimmung der Hilfen" in page
    assert "25.11.2026 – 25.05.2027" in page


# --- one message per problem -------------------------------------------------------------


def test_a_bad_file_is_refused_with_one_message(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=not_a_scan())
    )

    assert response.status_code == 400
    assert not Consent.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["scan"], errors
    assert len(errors["scan"]) == 1, errors["scan"]
    html = response.content.decode()
    inline = re.search(r'<div class="errorlist" id="id_scan_error">(.*?)</div>', html, re.S)
    assert inline and inline.group(1).count("<p>") == 1
    message = errors["scan"][0]
    # Said at the field and once in the summary that links to it, nowhere else.
    assert text(html).count(message) == 2
    assert not list(response.context["messages"])


def test_a_bad_file_when_giving_a_requested_consent_is_refused_with_one_message(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [DataCategory.MASTER], erkelenz_caseworker
    )
    response = signed_in(erkelenz_caseworker).post(
        url("consent_give", consent),
        {
            "obtained_on": "2026-11-25",
            "scan": not_a_scan(),
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["scan"] and len(errors["scan"]) == 1, errors
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REQUESTED and not consent.scan


# --- the error summary -------------------------------------------------------------------


def test_a_long_form_lists_its_problems_at_the_top_linking_to_the_fields(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case),
        consent_form(mother, [], purpose="", valid_until="2026-01-01"),
    )

    assert response.status_code == 400
    html = response.content.decode()
    summary = error_summary(html)
    assert summary is not None, "no error summary"
    assert html.index('class="error-summary"') < html.index('class="field ')
    assert label("There is a problem") in text(summary)
    form = response.context["form"]
    assert {"recipients", "purpose", "valid_until"} <= set(form.errors)
    links = dict(re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, flags=re.S))
    for name, errors in form.errors.items():
        field = form[name]
        target = field.subwidgets[0].id_for_label if field.use_fieldset else field.id_for_label
        assert target in links, f"no link to {name}"
        assert f'id="{target}"' in html, f"the link to {name} leads nowhere"
        for error in errors:
            assert unescape(error) in unescape(links[target])
    # The input is kept.
    assert 'value="2026-01-01"' in html


def test_a_short_form_has_no_summary_and_a_german_empty_choice(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = factories.give_consent(
        family_case, erkelenz, [caritas], [DataCategory.MASTER], erkelenz_caseworker
    )
    client = signed_in(erkelenz_caseworker)
    page = client.get(url("consent_revoke", consent)).content.decode()
    assert "---------" not in page
    assert label("- Select an option -") in text(page)

    refused = client.post(url("consent_revoke", consent), {"revoked_on": "2026-11-25"})
    assert refused.status_code == 400
    assert error_summary(refused.content.decode()) is None


# --- the case history --------------------------------------------------------------------


def consent_entry(action: str, institution) -> str:
    detail = label("release from confidentiality for %(institution)s") % {
        "institution": institution.short_name
    }
    return f"{label('Consent')} {label(action)}: {detail}"


def test_the_case_history_has_one_plain_entry_per_consent_change(
    signed_in, family_case, mother, erkelenz, caritas, erkelenz_caseworker
):
    client = signed_in(erkelenz_caseworker)
    assert client.post(add_url(family_case), consent_form(mother, [caritas])).status_code == 302
    consent = Consent.objects.get()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 11, 0), tick=False):
        revoked = client.post(
            url("consent_revoke", consent),
            {"revoked_on": "2026-11-25", "channel": "in_writing", "confirm": "on"},
        )
    assert revoked.status_code == 302

    entries = timeline(client.get(family_case.get_absolute_url()).content.decode())

    consent_entries = [e for e in entries if e.startswith(label("Consent") + " ")]
    assert len(consent_entries) == 2, consent_entries
    assert consent_entries[0].startswith(consent_entry("revoked", erkelenz))
    assert consent_entries[1].startswith(consent_entry("given", erkelenz))
    for entry in consent_entries:
        assert label("changed") not in entry
        assert label("requested") not in entry
    case_entries = [e for e in entries if e.startswith(label("Case") + " ")]
    assert case_entries[-1].startswith(f"{label('Case')} {label('opened')}")


def test_a_requested_consent_given_later_reads_as_asked_then_given(
    signed_in, family_case, mother, erkelenz, caritas, erkelenz_caseworker
):
    client = signed_in(erkelenz_caseworker)
    form = consent_form(mother, [caritas], record_as="requested", scan=None)
    assert client.post(add_url(family_case), form).status_code == 302
    consent = Consent.objects.get()
    given = client.post(
        url("consent_give", consent),
        {
            "obtained_on": "2026-11-25",
            "scan": factories.png_upload(),
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
        },
    )
    assert given.status_code == 302

    entries = timeline(client.get(family_case.get_absolute_url()).content.decode())

    consent_entries = [e for e in entries if e.startswith(label("Consent") + " ")]
    # Both at the same (frozen) minute: which comes first is the order of writing.
    assert sorted(e.split(" (")[0] for e in consent_entries) == sorted(
        [consent_entry("given", erkelenz), consent_entry("requested", erkelenz)]
    )
