"""Consents (Schweigepflichtentbindungen) through the real views.

Recording, giving, refusing, revoking (with its confirmation step and the recipients'
notification), correcting, expiry by the calendar alone, the printable consent form and
the uploaded scan of the signed form. The clock stands at 25.11.2026.
"""

import datetime
import io
from pathlib import Path

import pypdf
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cases import services
from cases.models import (
    AccessLog,
    CaseGrant,
    Consent,
    DataCategory,
    FamilyMember,
    Involvement,
    Notification,
)
from tests import factories
from tests.german import assert_german_error, german, label

TODAY = datetime.date(2026, 11, 25)
C = DataCategory
Status = Consent.Status


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


# --- helpers -------------------------------------------------------------------------


def rows() -> dict[str, int]:
    models = (Consent, CaseGrant, Notification, AccessLog)
    return {model.__name__: model.objects.count() for model in models}


def uploaded_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# --- the world -----------------------------------------------------------------------


@pytest.fixture
def mother(family_case) -> FamilyMember:
    return family_case.members.get()


@pytest.fixture
def caritas(institutions):
    return institutions["caritas"]


@pytest.fixture
def erkelenz(institutions):
    return institutions["erkelenz"]


def consent_form(mother, recipients, **changes) -> dict:
    """A complete consent form as the caseworker fills it in; ``changes`` typed over it."""
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


def give(case, source, recipients, categories, user, **fields) -> Consent:
    fields.setdefault("valid_from", TODAY - datetime.timedelta(days=10))
    return factories.give_consent(case, source, recipients, categories, user, **fields)


# --- recording, giving, refusing -----------------------------------------------------


def test_a_consent_recorded_as_requested_releases_nothing(
    signed_in, family_case, mother, caritas, erkelenz_caseworker, caritas_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], record_as="requested", scan=None)
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.status == Status.REQUESTED
    assert consent.source_institution_id == erkelenz_caseworker.institution_id
    assert consent.obtained_by == erkelenz_caseworker
    assert list(consent.recipients.all()) == [caritas]
    assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("scan", [factories.png_upload, factories.pdf_upload])
def test_a_requested_consent_given_with_its_scan_opens_the_case_to_the_recipient(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker, caritas_caseworker, scan
):
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker, valid_from=TODAY
    )
    recipient = signed_in(caritas_caseworker)
    assert recipient.get(family_case.get_absolute_url()).status_code == 404

    response = signed_in(erkelenz_caseworker).post(
        url("consent_give", consent),
        {
            "obtained_on": "2026-11-24",
            "scan": scan(),
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
        },
    )

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Status.GIVEN
    assert consent.obtained_on == datetime.date(2026, 11, 24)
    assert consent.scan
    page = recipient.get(family_case.get_absolute_url())
    assert page.status_code == 200
    assert "Sabine Beispiel" in page.content.decode()


def test_a_consent_recorded_as_given_with_its_scan_releases_at_once(
    signed_in, family_case, mother, caritas, erkelenz_caseworker, caritas_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=factories.pdf_upload())
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.status == Status.GIVEN
    assert consent.categories == ["master", "family"]
    assert (consent.valid_from, consent.valid_until) == (TODAY, datetime.date(2027, 5, 25))
    assert consent.informed_of_purpose and consent.informed_of_revocation_right
    page = signed_in(caritas_caseworker).get(family_case.get_absolute_url())
    assert "Sabine Beispiel" in page.content.decode()


def test_a_refused_consent_releases_nothing_and_is_refused_once(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker, caritas_caseworker
):
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker
    )
    lead = signed_in(erkelenz_caseworker)
    assert lead.get(url("consent_refuse", consent)).status_code == 405

    response = lead.post(url("consent_refuse", consent))

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == Status.REFUSED
    assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 404
    assert lead.post(url("consent_refuse", consent)).status_code == 403
    assert lead.get(url("consent_give", consent)).status_code == 403


def test_only_the_released_institution_gives_its_consent(
    signed_in,
    family_case,
    erkelenz,
    caritas,
    institutions,
    erkelenz_caseworker,
    gesundheitsamt_caseworker,
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["gesundheitsamt"], since=TODAY
        )
    )
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker, form="electronic"
    )
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    response = gesundheitsamt.post(
        url("consent_give", consent),
        {
            "obtained_on": "2026-11-25",
            "informed_of_purpose": "on",
            "informed_of_refusal_consequences": "on",
            "informed_of_revocation_right": "on",
        },
    )
    assert response.status_code == 403
    assert gesundheitsamt.post(url("consent_refuse", consent)).status_code == 403
    consent.refresh_from_db()
    assert consent.status == Status.REQUESTED


def test_a_consent_given_on_paper_needs_the_scan(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=None)
    )

    assert response.status_code == 400
    assert rows() == before
    assert "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung" in response.content.decode()
    assert_german_error(response, "scan", "Upload the scan of the signed form (PDF, JPEG or PNG).")


def test_a_consent_given_electronically_needs_no_scan(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=None, form="electronic")
    )
    assert response.status_code == 302
    assert Consent.objects.get().status == Status.GIVEN


FLAGS = (
    "informed_of_purpose",
    "informed_of_refusal_consequences",
    "informed_of_revocation_right",
)


def test_a_consent_is_given_only_when_the_person_was_informed(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], **dict.fromkeys(FLAGS))
    )

    assert response.status_code == 400
    assert rows() == before
    assert "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung" in response.content.decode()
    assert set(FLAGS) <= set(response.context["form"].errors)
    for flag in FLAGS:
        assert_german_error(
            response, flag, "A consent is valid only when the person was told this (SGB X §67b)."
        )


def test_giving_a_requested_consent_needs_the_person_informed(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker
    )
    response = signed_in(erkelenz_caseworker).post(
        url("consent_give", consent),
        {"obtained_on": "2026-11-25", "scan": factories.png_upload()},
    )
    consent.refresh_from_db()
    assert consent.status == Status.REQUESTED
    assert not consent.scan
    for flag in FLAGS:
        assert_german_error(
            response, flag, "A consent is valid only when the person was told this (SGB X §67b)."
        )


def child(case, erkelenz, first_name, born) -> FamilyMember:
    return FamilyMember.objects.create(
        case=case,
        kind=FamilyMember.Kind.CHILD,
        first_name=first_name,
        last_name="Beispiel",
        date_of_birth=born,
        source_institution=erkelenz,
    )


def test_a_child_under_15_cannot_consent_for_itself(
    signed_in, family_case, mother, erkelenz, caritas, erkelenz_caseworker
):
    mia = child(family_case, erkelenz, "Mia", datetime.date(2012, 1, 10))  # 14 years old
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], given_by=mia.pk)
    )
    assert response.status_code == 400
    assert rows() == before
    assert_german_error(
        response, "given_by", "A child can consent for themself only from about 15 (§36 SGB I)."
    )


def test_a_young_person_of_15_consents_for_themself(
    signed_in, family_case, mother, erkelenz, caritas, erkelenz_caseworker
):
    lukas = child(family_case, erkelenz, "Lukas", datetime.date(2011, 5, 1))
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], given_by=lukas.pk)
    )
    assert response.status_code == 302
    assert Consent.objects.get().given_by == lukas


# --- revocation ----------------------------------------------------------------------


@pytest.fixture
def released(family_case, erkelenz, caritas, institutions, erkelenz_caseworker) -> Consent:
    """Erkelenz released master and family data to Caritas and the Gesundheitsamt."""
    return give(
        family_case,
        erkelenz,
        [caritas, institutions["gesundheitsamt"]],
        [C.MASTER, C.FAMILY],
        erkelenz_caseworker,
        scan=factories.png_upload(),
    )


def revocation(**changes) -> dict:
    data = {"revoked_on": "2026-11-25", "channel": Consent.Channel.TELEPHONE, "confirm": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_revocation_page_first_asks_for_confirmation(
    signed_in, released, caritas, institutions, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).get(url("consent_revoke", released))

    assert response.status_code == 200
    html = response.content.decode()
    assert caritas.name in html
    assert institutions["gesundheitsamt"].name in html
    assert 'name="confirm"' in html
    released.refresh_from_db()
    assert released.status == Status.GIVEN


def test_a_revocation_without_confirmation_changes_nothing(
    signed_in,
    released,
    family_case,
    erkelenz_caseworker,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    before = rows()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(
            url("consent_revoke", released), revocation(confirm=None)
        )

    assert response.status_code == 400
    released.refresh_from_db()
    assert released.status == Status.GIVEN
    assert rows() == before
    assert not mailoutbox
    assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 200
    assert_german_error(response, "confirm", "Confirm the revocation to record it.")


def test_a_confirmed_revocation_stops_sharing_and_notifies_every_recipient(
    signed_in,
    released,
    family_case,
    caritas,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
    gesundheitsamt_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    caritas_colleague = factories.make_user(caritas, username="caritas.kollegin")
    recipient = signed_in(caritas_caseworker)
    assert recipient.get(family_case.get_absolute_url()).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(erkelenz_caseworker).post(
            url("consent_revoke", released), revocation()
        )

    assert response.status_code == 302
    released.refresh_from_db()
    assert released.status == Status.REVOKED
    assert released.revoked_on == TODAY
    assert released.revocation_channel == Consent.Channel.TELEPHONE
    assert released.revoked_by == erkelenz_caseworker
    lead_page = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())
    assert f"25.11.2026, {label(Consent.Channel.TELEPHONE.label)}" in lead_page.content.decode()
    # The very next request of a recipient is refused; the scan with it.
    assert recipient.get(family_case.get_absolute_url()).status_code == 404
    assert recipient.get(url("consent_scan", released)).status_code == 404
    # Each recipient's staff is told in the application, with the reference only.
    notified = set(Notification.objects.values_list("user", flat=True))
    assert notified == {caritas_caseworker.pk, caritas_colleague.pk, gesundheitsamt_caseworker.pk}
    inbox = recipient.get(reverse("cases:notifications")).content.decode()
    assert family_case.reference in inbox
    assert "Sabine" not in inbox and "Beispiel" not in inbox
    # ... and by one e-mail, sent after the commit.
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert {
        caritas_caseworker.email,
        caritas_colleague.email,
        gesundheitsamt_caseworker.email,
    } <= set(mail.bcc)
    assert not mail.to  # recipients do not see each other
    assert family_case.reference in mail.subject and family_case.reference in mail.body
    assert "25.11.2026" in mail.body
    for name in ("Sabine", "Beispiel"):
        assert name not in mail.subject and name not in mail.body
    assert mail.subject == german(
        "KispFam: consent revoked in case %(reference)s", reference=family_case.reference
    )


def test_a_recipient_records_the_revocation_too(
    signed_in,
    released,
    family_case,
    caritas_caseworker,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    recipient = signed_in(caritas_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = recipient.post(
            url("consent_revoke", released), revocation(channel=Consent.Channel.IN_PERSON)
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:list")
    released.refresh_from_db()
    assert (released.status, released.revoked_by) == (Status.REVOKED, caritas_caseworker)
    assert recipient.get(family_case.get_absolute_url()).status_code == 404
    assert len(mailoutbox) == 1


def test_who_may_not_revoke(
    signed_in, released, superuser, uninvolved_caseworker, erkelenz_caseworker
):
    assert (
        signed_in(uninvolved_caseworker)
        .post(url("consent_revoke", released), revocation())
        .status_code
        == 404
    )
    assert (
        signed_in(superuser).post(url("consent_revoke", released), revocation()).status_code == 403
    )
    released.refresh_from_db()
    assert released.status == Status.GIVEN
    lead = signed_in(erkelenz_caseworker)
    assert lead.post(url("consent_revoke", released), revocation()).status_code == 302
    # Revoked is final: it cannot be revoked again.
    assert lead.get(url("consent_revoke", released)).status_code == 403


def test_a_revocation_cannot_be_dated_in_the_future(signed_in, released, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url("consent_revoke", released), revocation(revoked_on="2026-11-26")
    )
    released.refresh_from_db()
    assert released.status == Status.GIVEN
    assert_german_error(response, "revoked_on", "A revocation cannot be dated in the future.")


# --- correction ----------------------------------------------------------------------


def test_correcting_a_consent_invalidates_it_and_records_the_corrected_one(
    signed_in,
    released,
    family_case,
    mother,
    caritas,
    institutions,
    erkelenz_caseworker,
    diakonie_caseworker,
):
    old_scan = released.scan.name
    response = signed_in(erkelenz_caseworker).post(
        url("consent_correct", released),
        consent_form(
            mother,
            [caritas, institutions["diakonie"]],
            categories=["master"],
            scan=None,  # keeps the scan of the signed form
        ),
    )

    assert response.status_code == 302
    released.refresh_from_db()
    assert released.status == Status.INVALIDATED
    statuses = list(released.history.order_by("history_id").values_list("status", flat=True))
    assert statuses[-2:] == [Status.GIVEN, Status.INVALIDATED]
    new = Consent.objects.get(replaces=released)
    assert new.status == Status.GIVEN
    assert new.categories == ["master"]
    assert set(new.recipients.all()) == {caritas, institutions["diakonie"]}
    assert new.scan.name == old_scan
    assert new.obtained_by == erkelenz_caseworker
    assert signed_in(diakonie_caseworker).get(family_case.get_absolute_url()).status_code == 200


def test_an_invalidated_consent_is_not_given_corrected_or_revoked_again(
    signed_in, released, family_case, mother, caritas, erkelenz_caseworker
):
    lead = signed_in(erkelenz_caseworker)
    lead.post(url("consent_correct", released), consent_form(mother, [caritas], scan=None))
    released.refresh_from_db()
    assert released.status == Status.INVALIDATED
    count = Consent.objects.count()

    assert lead.get(url("consent_give", released)).status_code == 403
    assert lead.get(url("consent_correct", released)).status_code == 403
    again = lead.post(url("consent_correct", released), consent_form(mother, [caritas], scan=None))
    assert again.status_code == 403
    assert lead.post(url("consent_revoke", released), revocation()).status_code == 403
    assert Consent.objects.count() == count


def test_only_the_released_institution_corrects_its_consent(
    signed_in,
    released,
    mother,
    caritas,
    caritas_caseworker,
    gesundheitsamt_caseworker,
    family_case,
    institutions,
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["gesundheitsamt"], since=TODAY
        )
    )
    for user in (caritas_caseworker, gesundheitsamt_caseworker):
        response = signed_in(user).post(
            url("consent_correct", released), consent_form(mother, [caritas], scan=None)
        )
        assert response.status_code == 403
    released.refresh_from_db()
    assert released.status == Status.GIVEN


# --- expiry by the calendar ----------------------------------------------------------


@pytest.fixture
def until_new_year(family_case, erkelenz, caritas, erkelenz_caseworker) -> Consent:
    return give(
        family_case,
        erkelenz,
        [caritas],
        [C.MASTER],
        erkelenz_caseworker,
        valid_until=datetime.date(2026, 12, 31),
    )


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0)), tick=False)


def test_a_consent_holds_through_its_last_day_and_ends_by_itself(
    signed_in, until_new_year, family_case, caritas_caseworker, erkelenz_caseworker
):
    with at(datetime.date(2026, 12, 31)):
        assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 200
    with at(datetime.date(2027, 1, 1)):
        assert signed_in(caritas_caseworker).get(family_case.get_absolute_url()).status_code == 404
        lead_page = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url())
    until_new_year.refresh_from_db()
    assert until_new_year.status == Status.GIVEN  # nothing was run: the calendar decides
    assert label("expired") in lead_page.content.decode()


def test_the_case_page_warns_30_days_before_a_consent_expires(
    signed_in, until_new_year, family_case, erkelenz_caseworker
):
    warning = label("expires on %(date)s") % {"date": "31.12.2026"}
    with at(datetime.date(2026, 11, 30)):
        html = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url()).content
        assert warning not in html.decode()
    with at(datetime.date(2026, 12, 1)):
        html = signed_in(erkelenz_caseworker).get(family_case.get_absolute_url()).content
        assert warning in html.decode()


# --- the scan of the signed form -----------------------------------------------------


def gif_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("L", (40, 56), color=255).save(buffer, format="GIF")
    return SimpleUploadedFile("scan.png", buffer.getvalue(), content_type="image/png")


NOT_A_SCAN = {
    "text_renamed_to_pdf": lambda: SimpleUploadedFile(
        "scan.pdf", b"Ich willige ein. Sabine Beispiel", content_type="application/pdf"
    ),
    "html_claiming_to_be_png": lambda: SimpleUploadedFile(
        "scan.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    ),
    "pdf_header_without_a_pdf": lambda: SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.7\n<script>alert(1)</script>", content_type="application/pdf"
    ),
    "gif_image": gif_upload,
}


@pytest.mark.parametrize("upload", NOT_A_SCAN.values(), ids=NOT_A_SCAN.keys())
def test_an_upload_that_is_no_pdf_jpeg_or_png_is_refused(
    signed_in, family_case, mother, caritas, erkelenz_caseworker, upload
):
    before = rows()
    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=upload())
    )

    assert response.status_code == 400
    assert rows() == before
    assert not uploaded_files()
    html = response.content.decode()
    assert "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung" in html
    assert 'value="2027-05-25"' in html
    assert_german_error(
        response, "scan", "Only PDF, JPEG or PNG files can be uploaded; this file is none of them."
    )


def test_a_scan_over_the_size_limit_is_refused(
    settings, signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    settings.UPLOAD_MAX_BYTES = 64
    scan = factories.pdf_upload()
    assert scan.size > 64
    before = rows()

    response = signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=scan)
    )

    assert response.status_code == 400
    assert rows() == before
    assert not uploaded_files()
    assert "Abstimmung der Hilfen zwischen Jugendamt und Suchtberatung" in response.content.decode()
    assert "scan" in response.context["form"].errors
    assert_german_error(
        response,
        "scan",
        "The file is too large (%(size)s MB). At most %(limit)s MB are allowed.",
        size="0,0",
        limit=0,
    )


def test_giving_a_requested_consent_checks_the_scan_by_content(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = factories.request_consent(
        family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker
    )
    response = signed_in(erkelenz_caseworker).post(
        url("consent_give", consent),
        {
            "obtained_on": "2026-11-25",
            "scan": NOT_A_SCAN["html_claiming_to_be_png"](),
            **dict.fromkeys(FLAGS, "on"),
        },
    )
    assert response.status_code == 400
    consent.refresh_from_db()
    assert consent.status == Status.REQUESTED
    assert not uploaded_files()


def test_an_accepted_scan_is_stored_privately_under_a_name_of_its_own(
    signed_in, family_case, mother, caritas, erkelenz_caseworker
):
    upload = factories.png_upload("Einwilligung Sabine Beispiel.pdf")  # a PNG, misnamed

    signed_in(erkelenz_caseworker).post(
        add_url(family_case), consent_form(mother, [caritas], scan=upload)
    )

    consent = Consent.objects.get()
    name = consent.scan.name
    assert name.startswith(f"consents/{family_case.reference}/")
    assert name.endswith(".png")  # the checked content decides, not the name
    for part in ("Einwilligung", "Sabine", "Beispiel"):
        assert part not in name
    stored = Path(consent.scan.path)
    assert stored.is_file()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    for static_dir in settings.STATICFILES_DIRS:
        assert not stored.is_relative_to(Path(static_dir))
    with pytest.raises(ValueError):
        consent.scan.url  # noqa: B018 - private files have no public URL


def test_the_scan_is_served_only_to_those_who_read_the_released_master_data(
    signed_in,
    released,
    institutions,
    family_case,
    erkelenz_caseworker,
    caritas_caseworker,
    uninvolved_caseworker,
):
    scan_url = url("consent_scan", released)
    with released.scan.open("rb") as stored:
        content = stored.read()

    for reader in (erkelenz_caseworker, caritas_caseworker):
        response = signed_in(reader).get(scan_url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert signed_in(uninvolved_caseworker).get(scan_url).status_code == 404
    assert signed_in(caritas_caseworker).post(scan_url).status_code == 405

    reads = AccessLog.objects.filter(case=family_case, what="consent_scan")
    assert sorted(reads.values_list("user", flat=True)) == sorted(
        [erkelenz_caseworker.pk, caritas_caseworker.pk]
    )


def test_an_involved_institution_without_the_released_data_gets_no_scan(
    signed_in, family_case, erkelenz, institutions, erkelenz_caseworker, gesundheitsamt_caseworker
):
    services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["gesundheitsamt"], since=TODAY
        )
    )
    consent = give(
        family_case,
        erkelenz,
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
        scan=factories.png_upload(),
    )
    gesundheitsamt = signed_in(gesundheitsamt_caseworker)
    assert gesundheitsamt.get(url("consent_scan", consent)).status_code == 403
    assert gesundheitsamt.get(url("consent_pdf", consent)).status_code == 403
    assert not AccessLog.objects.filter(what__in=["consent_scan", "consent_pdf"]).exists()


def test_a_consent_without_scan_has_nothing_to_serve(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = give(family_case, erkelenz, [caritas], [C.MASTER], erkelenz_caseworker)
    assert signed_in(erkelenz_caseworker).get(url("consent_scan", consent)).status_code == 404


# --- the consent form (PDF) ----------------------------------------------------------


def test_the_consent_form_is_one_german_page_naming_everything_signed_for(
    signed_in, family_case, erkelenz, caritas, institutions, erkelenz_caseworker
):
    consent = give(
        family_case,
        erkelenz,
        [caritas, institutions["gesundheitsamt"]],
        [C.MASTER, C.FAMILY],
        erkelenz_caseworker,
        valid_from=datetime.date(2026, 12, 1),
        valid_until=datetime.date(2027, 5, 31),
    )

    response = signed_in(erkelenz_caseworker).get(url("consent_pdf", consent))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) == 1
    text = text_of(response.content)
    for expected in (
        "Sabine Beispiel",
        "Schweigepflicht",
        erkelenz.name,
        caritas.name,
        institutions["gesundheitsamt"].name,
        label(C.MASTER.label),
        label(C.FAMILY.label),
        "01.12.2026",
        "31.05.2027",
        "Unterschrift",
        family_case.reference,
    ):
        assert expected in text, expected
    assert "Gesundheitsdaten" not in text
    assert AccessLog.objects.filter(
        case=family_case, user=erkelenz_caseworker, what="consent_pdf"
    ).exists()


def test_a_consent_form_releasing_health_data_says_so_explicitly(
    signed_in, family_case, erkelenz, caritas, erkelenz_caseworker
):
    consent = give(family_case, erkelenz, [caritas], [C.HEALTH], erkelenz_caseworker)
    text = text_of(signed_in(erkelenz_caseworker).get(url("consent_pdf", consent)).content)
    assert "Gesundheitsdaten" in text
    assert label(C.HEALTH.label) in text


def test_the_consent_form_is_closed_to_those_outside_the_case(
    signed_in, released, uninvolved_caseworker, coordination_office
):
    for outsider in (uninvolved_caseworker, coordination_office):
        assert signed_in(outsider).get(url("consent_pdf", released)).status_code == 404
    assert not AccessLog.objects.filter(what="consent_pdf").exists()


def test_a_consent_shows_the_person_only_to_readers_of_that_persons_master_data(
    signed_in,
    family_case,
    mother,
    erkelenz,
    caritas,
    institutions,
    erkelenz_caseworker,
    gesundheitsamt_caseworker,
    caritas_caseworker,
):
    # The Gesundheitsamt releases its own master data to Caritas; the mother it names is
    # Erkelenz's record, which Erkelenz never released to Caritas.
    gesundheitsamt = institutions["gesundheitsamt"]
    services.involvement_save(
        involvement=Involvement(case=family_case, institution=gesundheitsamt, since=TODAY)
    )
    give(family_case, erkelenz, [gesundheitsamt], [C.MASTER], erkelenz_caseworker)
    consent = give(
        family_case,
        gesundheitsamt,
        [caritas],
        [C.MASTER],
        gesundheitsamt_caseworker,
        given_by=mother,
    )
    recipient = signed_in(caritas_caseworker)

    page = recipient.get(family_case.get_absolute_url())
    assert page.status_code == 200
    assert "Sabine" not in page.content.decode()
    # The printable form names the person: refused, or printed without the name.
    form = recipient.get(url("consent_pdf", consent))
    assert form.status_code == 403 or "Sabine" not in text_of(form.content)
