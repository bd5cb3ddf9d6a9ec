"""Case documents in retention: a document is deleted with its holder's records, and its
file leaves the storage with it, while the case goes on.

Caritas (a Suchtberatung: its records are kept until its work with the family ends)
keeps a document on a case the Jugendamt Erkelenz leads; its involvement ends on
30.06.2026. Retention on 02.07.2026 removes Caritas's document and file, not the
Jugendamt's, and not the case.
"""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import services as case_services
from cases.models import Case, CaseDocument, DataCategory, Involvement
from privacy import services
from privacy.models import DeletionRecord
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(*args, tzinfo=BERLIN), tick=False)


@pytest.fixture
def documents(family_case, institutions, erkelenz_caseworker, caritas_caseworker):
    caritas, erkelenz = institutions["caritas"], institutions["erkelenz"]
    with at(2026, 2, 1, 9):
        involvement = case_services.involvement_save(
            involvement=Involvement(
                case=family_case, institution=caritas, since=datetime.date(2026, 2, 1)
            )
        )
        own = case_services.case_document_add(
            case=family_case,
            institution=caritas,
            uploaded_by=caritas_caseworker,
            category=DataCategory.FAMILY,
            title="Beratungsvereinbarung",
            date=datetime.date(2026, 2, 1),
            upload=factories.pdf_upload(),
        )
        kept = case_services.case_document_add(
            case=family_case,
            institution=erkelenz,
            uploaded_by=erkelenz_caseworker,
            category=DataCategory.FAMILY,
            title="Kita-Bericht",
            date=datetime.date(2026, 2, 1),
            upload=factories.pdf_upload(),
        )
    with at(2026, 6, 30, 16):
        involvement.until = datetime.date(2026, 6, 30)
        case_services.involvement_save(involvement=involvement)
    return own, kept


def test_a_document_leaves_with_its_holders_records_and_its_file_with_it(
    documents, family_case, settings, django_capture_on_commit_callbacks
):
    own, kept = documents
    media = Path(settings.MEDIA_ROOT)
    own_file, kept_file = media / own.file.name, media / kept.file.name
    assert own_file.exists() and kept_file.exists()

    with at(2026, 7, 2, 3), django_capture_on_commit_callbacks(execute=True):
        services.retention_apply(today=datetime.date(2026, 7, 2), commit=True)

    assert not CaseDocument.objects.filter(pk=own.pk).exists()
    assert not CaseDocument.history.filter(id=own.pk).exists()
    assert not own_file.exists()
    assert CaseDocument.objects.filter(pk=kept.pk).exists()
    assert kept_file.exists()
    assert Case.objects.filter(pk=family_case.pk).exists()
    assert DeletionRecord.objects.filter(reference=family_case.reference).exists()


def test_nothing_goes_before_caritas_stopped_working_with_the_family(
    documents, django_capture_on_commit_callbacks
):
    own, _kept = documents

    # Due on the day the work ended (30.06.2026), not a day earlier.
    with at(2026, 6, 29, 3), django_capture_on_commit_callbacks(execute=True):
        services.retention_apply(today=datetime.date(2026, 6, 29), commit=True)

    assert CaseDocument.objects.filter(pk=own.pk).exists()
