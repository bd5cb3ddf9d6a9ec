"""The data-protection officer's access log: filters, pages, the CSV export (logged), and
a wrong reference answered on the page."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.models import AccessLog, FamilyMember
from tests import factories

URL = reverse("cases:access_log_lookup")


def at(day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 3, day, hour, 0))


def read(user, what, case=None, when=None) -> AccessLog:
    # Written as the application writes them; only the time is the test's.
    return AccessLog.objects.create(
        user=user, institution_id=user.institution_id, case=case, what=what, at=when
    )


@pytest.fixture
def lindenbrueck_case(institutions):
    caseworker = factories.make_user(institutions["lindenbrueck"], username="lb.fachkraft")
    case = services.case_open(
        lead_institution=institutions["lindenbrueck"],
        opened_by=caseworker,
        first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Fiktiva"),
    )
    read(caseworker, AccessLog.What.CASE_DETAIL, case, at(1))
    return case


@pytest.fixture
def reads(family_case, erkelenz_caseworker, caritas_caseworker, superuser, lindenbrueck_case):
    """Four reads in Heinsberg on three days of March, one of them without a case."""
    second = services.case_open(
        lead_institution=family_case.lead_institution, opened_by=erkelenz_caseworker
    )
    return {
        "detail": read(erkelenz_caseworker, AccessLog.What.CASE_DETAIL, family_case, at(2)),
        "list": read(caritas_caseworker, AccessLog.What.CASE_LIST, None, at(3)),
        "protocol": read(caritas_caseworker, AccessLog.What.CONFERENCE_PDF, family_case, at(5)),
        "admin": read(superuser, AccessLog.What.ADMIN, second, at(5, 16)),
        "second": second,
    }


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def shown(response) -> str:
    return response.content.decode()


# Who may use it: unchanged (``may_look_up_access_logs``).


def test_it_is_for_the_data_protection_officer_and_a_superuser_only(
    client, signed_in, data_protection_officer, superuser, coordination_office, erkelenz_lead
):
    assert client.get(URL).status_code == 302
    assert signed_in(data_protection_officer).get(URL).status_code == 200
    assert signed_in(superuser).get(URL).status_code == 200
    for user in (coordination_office, erkelenz_lead):
        assert signed_in(user).get(URL).status_code == 403
        assert signed_in(user).get(URL, {"export": "csv"}).status_code == 403
    assert signed_in(data_protection_officer).post(URL).status_code == 405


def test_it_lists_the_cooperations_reads_newest_first_with_german_labels(
    signed_in, data_protection_officer, reads, lindenbrueck_case
):
    response = signed_in(data_protection_officer).get(URL)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = shown(response)
    entries = list(response.context["page"].object_list)
    # The officer's own read of the log is the newest entry; Lindenbrück's are not shown.
    assert entries[0].what == AccessLog.What.ACCESS_LOG
    assert entries[1:] == [reads["admin"], reads["protocol"], reads["list"], reads["detail"]]
    assert lindenbrueck_case.reference not in page
    assert "Fallseite" in page and "Fallliste" in page and "Zugriffsprotokoll" in page
    assert "case_detail" not in page and "conference_pdf" not in page
    assert "05.03.2026 16:00" in page


def test_each_filter_narrows_the_entries(
    signed_in, data_protection_officer, reads, family_case, institutions, caritas_caseworker
):
    browser = signed_in(data_protection_officer)

    def listed(**filters) -> list:
        response = browser.get(URL, filters)
        assert response.status_code == 200, response.context["form"].errors
        return [
            e for e in response.context["page"].object_list if e.user != data_protection_officer
        ]

    assert listed(reference=family_case.reference.lower()) == [reads["protocol"], reads["detail"]]
    assert listed(institution=institutions["caritas"].pk) == [reads["protocol"], reads["list"]]
    assert listed(user=caritas_caseworker.pk) == [reads["protocol"], reads["list"]]
    assert listed(date_from="2026-03-03", date_to="2026-03-05") == [
        reads["admin"],
        reads["protocol"],
        reads["list"],
    ]
    assert listed(date_from="05.03.2026") == [reads["admin"], reads["protocol"]]
    assert (
        listed(reference=family_case.reference, user=caritas_caseworker.pk, date_to="2026-03-04")
        == []
    )
    assert listed(reference=reads["second"].reference) == [reads["admin"]]


def test_the_person_filter_asks_the_gateway_which_names_the_reader_may_match(
    signed_in, data_protection_officer, superuser, reads, family_case
):
    # A superuser matches every name; the officer's institution was given no master
    # data, so a name finds nothing for them (the officer searches by reference).
    response = signed_in(superuser).get(URL, {"person": "beispiel"})
    entries = [e for e in response.context["page"].object_list if e.case_id]
    assert {e.case for e in entries} == {family_case}
    assert reads["admin"] not in entries

    response = signed_in(data_protection_officer).get(URL, {"person": "Beispiel"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_a_wrong_reference_is_answered_on_the_page_and_keeps_the_input(
    signed_in, data_protection_officer, reads, lindenbrueck_case
):
    browser = signed_in(data_protection_officer)
    before = AccessLog.objects.count()

    for reference in ("HS-2026-9999", lindenbrueck_case.reference, "<script>"):
        response = browser.get(URL, {"reference": reference, "date_from": "2026-03-01"})

        assert response.status_code == 200
        with translation.override("de"):
            message = translation.gettext(
                "There is no case %(reference)s whose access log you may read. Please "
                "check the reference (e.g. HS-2026-0001)."
            ) % {"reference": reference.upper()}
        page = shown(response)
        assert response.context["form"].errors["reference"] == [message]
        assert 'value="2026-03-01"' in page
        assert response.context["page"] is None
        assert "<SCRIPT>" not in page
    # Nothing was shown, so nothing was read.
    assert AccessLog.objects.count() == before


def test_a_period_ending_before_it_starts_is_refused_in_german(
    signed_in, data_protection_officer, reads
):
    response = signed_in(data_protection_officer).get(
        URL, {"date_from": "2026-03-05", "date_to": "2026-03-01", "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Bitte geben Sie ein Ende an, das nicht vor dem Beginn liegt." in shown(response)
    assert not AccessLog.objects.filter(what=AccessLog.What.ACCESS_LOG_EXPORT).exists()


def test_long_logs_are_paged_and_the_filters_stay_in_the_links(
    signed_in, data_protection_officer, family_case, erkelenz_caseworker
):
    for minute in range(120):
        read(
            erkelenz_caseworker,
            AccessLog.What.CASE_DETAIL,
            family_case,
            at(2) + datetime.timedelta(minutes=minute),
        )
    browser = signed_in(data_protection_officer)
    filters = {"reference": family_case.reference, "date_from": "2026-03-01"}

    first = browser.get(URL, filters)
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 121  # with this read of the log
    assert "Seite 1 von 3" in shown(first)
    assert f"reference={family_case.reference}" in shown(first)
    third = browser.get(URL, {**filters, "page": 3})
    entries = list(third.context["page"].object_list)
    assert len(entries) == 22  # 122 with this second read: the last page holds the rest
    assert entries[-1].at == at(2)
    # An impossible page number shows the last page, never an error.
    assert browser.get(URL, {**filters, "page": "999"}).status_code == 200


def test_the_export_is_the_filtered_entries_as_csv_and_is_logged(
    signed_in, data_protection_officer, reads, family_case, institutions
):
    caseworker = factories.make_user(
        institutions["caritas"], username="formel", first_name="=HYPERLINK(1)", last_name=""
    )
    read(caseworker, AccessLog.What.CONSENT_SCAN, family_case, at(6))
    browser = signed_in(data_protection_officer)

    response = browser.get(
        URL,
        {"reference": family_case.reference, "date_to": "2026-03-31", "export": "csv"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="zugriffsprotokoll-')
    rows = rows_of(response)
    assert rows[0] == [
        "Zeitpunkt",
        "Benutzer*in",
        "Benutzername",
        "Einrichtung",
        "Fall",
        "Was eingesehen wurde",
    ]
    caritas = institutions["caritas"].name
    reference = family_case.reference
    labels = labels_de()
    assert rows[1:] == [
        [
            "06.03.2026 10:00:00",
            "'=HYPERLINK(1)",
            "formel",
            caritas,
            reference,
            labels["consent_scan"],
        ],
        [
            "05.03.2026 10:00:00",
            reads["protocol"].user.get_full_name(),
            "caritas.fachkraft",
            caritas,
            reference,
            labels["conference_pdf"],
        ],
        [
            "02.03.2026 10:00:00",
            reads["detail"].user.get_full_name(),
            "erkelenz.fachkraft",
            institutions["erkelenz"].name,
            reference,
            "Fallseite",
        ],
    ]
    export = AccessLog.objects.get(what=AccessLog.What.ACCESS_LOG_EXPORT)
    assert export.user == data_protection_officer
    assert export.case == family_case
    # The export is a read of the log like any other: listed and exported itself (the
    # newest, unfiltered export first, then the first one, about the case).
    again = rows_of(browser.get(URL, {"export": "csv"}))
    officer = [
        data_protection_officer.get_full_name() or "datenschutz",
        "datenschutz",
        data_protection_officer.institution.name,
    ]
    assert again[1][1:] == [*officer, "", labels["access_log_export"]]
    assert again[2][1:] == [*officer, reference, labels["access_log_export"]]
    assert AccessLog.objects.filter(what=AccessLog.What.ACCESS_LOG_EXPORT).count() == 2


def labels_de() -> dict[str, str]:
    with translation.override("de"):
        return {value: str(label) for value, label in AccessLog.What.choices}


# In the browser: the officer narrows the log, mistypes a reference, exports.


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_officer_filters_the_log_in_the_browser_and_downloads_the_csv(
    page, data_protection_officer, reads, family_case
):
    from playwright.sync_api import expect

    from tests.test_browser import de, labelled, log_in

    log_in(page, data_protection_officer)
    page.goto(URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugriffsprotokoll")

    labelled(page, "Aktenzeichen des Falls").fill("HS-1999-0001")
    page.get_by_role("button", name=de("Show entries")).click()
    expect(page.locator(".error-summary")).to_contain_text("HS-1999-0001")
    expect(labelled(page, "Aktenzeichen des Falls")).to_have_value("HS-1999-0001")

    labelled(page, "Aktenzeichen des Falls").fill(family_case.reference)
    labelled(page, de("Period until")).fill("2026-03-31")
    page.get_by_role("button", name=de("Show entries")).click()
    rows = page.locator("table.access-log tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("05.03.2026")
    expect(rows.last).to_contain_text("Fallseite")

    with page.expect_download() as download:
        page.get_by_role("link", name=de("Export as CSV")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [line[0] for line in lines[1:]] == ["05.03.2026 10:00:00", "02.03.2026 10:00:00"]
    assert AccessLog.objects.filter(
        what=AccessLog.What.ACCESS_LOG_EXPORT, user=data_protection_officer, case=family_case
    ).exists()
