"""When records become due, what the DPO sees of it, and deletions of parts of a case,
of access-log entries, notifications and committee sittings."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    AccessLog,
    Case,
    Consent,
    DataCategory,
    FamilyMember,
    HealthSituation,
    Involvement,
    Notification,
    ProgressNote,
)
from conferences import services as conference_services
from conferences.models import Meeting
from cooperation.models import Committee
from privacy import services
from privacy.models import DeletionRecord, RecordType
from privacy.retention import case_plan, plan_cooperation
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=BERLIN), tick=False)


def apply(day, capture):
    with at(day.year, day.month, day.day, 3), capture(execute=True):
        return services.retention_apply(today=day, commit=True)


def close(case, day):
    case.refresh_from_db()
    case.status = Case.Status.CLOSED
    case.closed_on = day
    case.close_reason = "Hilfe beendet"
    case_services.case_update(case=case, lead_changed=False)


@pytest.fixture
def youth_welfare_case(institutions, erkelenz_caseworker):
    """A Jugendamt case of 2020 with a child born in 2010, closed in 2022."""
    with at(2020, 3, 2, 9):
        case = case_services.case_open(
            lead_institution=institutions["erkelenz"],
            opened_by=erkelenz_caseworker,
            first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Apfelgarten"),
        )
        case_services.record_save(
            record=FamilyMember(
                case=case,
                kind=FamilyMember.Kind.CHILD,
                last_name="Apfelgarten",
                date_of_birth=datetime.date(2010, 4, 5),
            ),
            case=case,
            institution=institutions["erkelenz"],
        )
    with at(2022, 1, 10, 9):
        close(case, datetime.date(2022, 1, 10))
    return case


def test_a_youth_welfare_file_is_kept_70_years_after_the_youngest_childs_30th_birthday(
    youth_welfare_case,
):
    with at(2026, 1, 1, 9):
        whole, early = case_plan(youth_welfare_case, datetime.date(2026, 1, 1))
    assert whole.due_on == datetime.date(2110, 4, 5)
    assert early == []


def test_without_a_childs_date_of_birth_the_dpo_is_told(
    youth_welfare_case, signed_in, data_protection_officer
):
    youth_welfare_case.members.filter(kind=FamilyMember.Kind.CHILD).update(date_of_birth=None)
    with at(2026, 1, 1, 9):
        whole, _early = case_plan(youth_welfare_case, datetime.date(2026, 1, 1))
        assert whole.due_on is None and whole.problem
        page = signed_in(data_protection_officer).get(reverse("privacy:deletions"))
    content = page.content.decode()
    assert youth_welfare_case.reference in content
    assert "Apfelgarten" not in content


@pytest.fixture
def shared_case(institutions, erkelenz_caseworker, caritas_caseworker):
    """A Jugendamt case in which the Caritas counselled the mother until 1 March 2023."""
    erkelenz, caritas = institutions["erkelenz"], institutions["caritas"]
    with at(2022, 9, 1, 9):
        case = case_services.case_open(
            lead_institution=erkelenz,
            opened_by=erkelenz_caseworker,
            first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Birnbaum"),
        )
        involvement = case_services.involvement_save(
            involvement=Involvement(case=case, institution=caritas, since=datetime.date(2022, 9, 1))
        )
        HealthSituation.objects.create(
            member=case.members.get(),
            substance="Alkohol",
            counselling="Einzelgespräche Caritas",
            source_institution=caritas,
        )
        for author, institution, text in (
            (caritas_caseworker, caritas, "Caritas: Gespräch über Rückfall"),
            (erkelenz_caseworker, erkelenz, "Jugendamt: Hilfeplan"),
        ):
            case_services.record_save(
                record=ProgressNote(case=case, author=author, text=text),
                case=case,
                institution=institution,
            )
    with at(2023, 3, 1, 9):
        involvement.until = datetime.date(2023, 3, 1)
        case_services.involvement_save(involvement=involvement)
    return case


def test_addiction_counselling_records_go_once_its_work_ended_while_the_case_stays(
    shared_case, django_capture_on_commit_callbacks, signed_in, data_protection_officer
):
    with at(2023, 2, 1, 9):
        whole, early = case_plan(shared_case, datetime.date(2023, 2, 1))
        assert whole.due_on is None  # the Jugendamt's file: no child's birthday known
        assert [item.due_on for item in early] == [datetime.date(2023, 3, 1)] * 2
        # The DPO sees it coming within 90 days, by reference and kind only.
        content = signed_in(data_protection_officer).get(reverse("privacy:deletions"))
        content = content.content.decode()
    assert shared_case.reference in content and "Birnbaum" not in content
    assert "Rückfall" not in content

    apply(datetime.date(2023, 3, 1), django_capture_on_commit_callbacks)

    assert Case.objects.filter(pk=shared_case.pk).exists()
    assert list(ProgressNote.objects.values_list("text", flat=True)) == ["Jugendamt: Hilfeplan"]
    assert not HealthSituation.objects.exists()
    history = ProgressNote.history.model.objects.values_list("text", flat=True)
    assert "Caritas: Gespräch über Rückfall" not in history
    assert not HealthSituation.history.model.objects.exists()
    records = {r.record_type: r for r in DeletionRecord.objects.all()}
    assert records[RecordType.NOTE].count == 1
    assert records[RecordType.NOTE].reference == shared_case.reference
    assert records[RecordType.NOTE].institution.short_name == "Caritas"
    assert "§ 19 KDG" in records[RecordType.NOTE].legal_source
    assert records[RecordType.CASE].count == 1  # the health situation (a case record)


def test_a_case_is_deleted_no_earlier_than_the_year_after_it_was_opened(
    institutions, gesundheitsamt_caseworker
):
    """The next case of a year gets the number after the highest that exists: a case of
    the running year is never deleted, so no reference is given out twice."""
    with at(2024, 1, 10, 9):
        case = case_services.case_open(
            lead_institution=institutions["gesundheitsamt"], opened_by=gesundheitsamt_caseworker
        )
    with at(2024, 2, 1, 9):
        close(case, datetime.date(2024, 2, 1))
    with at(2024, 8, 1, 9):
        whole, _early = case_plan(case, datetime.date(2024, 8, 1))
    assert whole.due_on == datetime.date(2025, 1, 1)


def test_records_counted_by_a_running_half_year_wait_for_its_end(
    institutions, gesundheitsamt_caseworker
):
    with at(2023, 1, 10, 9):
        case = case_services.case_open(
            lead_institution=institutions["gesundheitsamt"], opened_by=gesundheitsamt_caseworker
        )
    with at(2024, 3, 1, 9):
        close(case, datetime.date(2024, 3, 1))
        whole, _early = case_plan(case, datetime.date(2024, 3, 1))
    # Closed (and counted as closed) in the first half of 2024.
    assert whole.due_on == datetime.date(2024, 7, 1)


def test_old_access_log_entries_and_notifications_go_those_of_held_cases_stay(
    shared_case,
    institutions,
    erkelenz_caseworker,
    caritas_caseworker,
    data_protection_officer,
    django_capture_on_commit_callbacks,
):
    with at(2022, 10, 1, 9):
        AccessLog.record(erkelenz_caseworker, AccessLog.What.CASE_LIST)
        AccessLog.record(erkelenz_caseworker, AccessLog.What.CASE_DETAIL, shared_case)
        Notification.objects.create(
            user=caritas_caseworker, case=shared_case, kind=Notification.Kind.CONSENT_REVOKED
        )
    with at(2024, 6, 1, 9):
        AccessLog.record(erkelenz_caseworker, AccessLog.What.CASE_LIST)
    with at(2024, 6, 2, 9):
        services.hold_place(
            case=shared_case, placed_by=data_protection_officer, reason="Beschwerde Az. 3/24"
        )

    apply(datetime.date(2024, 11, 1), django_capture_on_commit_callbacks)

    kept = AccessLog.objects.order_by("at")
    assert [(entry.what, entry.case_id) for entry in kept] == [
        ("case_detail", shared_case.pk),  # the held case's entry stays
        ("case_list", None),  # younger than two years
    ]
    assert Notification.objects.count() == 1  # the held case's notification stays
    log = DeletionRecord.objects.get(record_type=RecordType.ACCESS_LOG)
    assert log.count == 1 and log.institution == institutions["erkelenz"]


def test_committee_sittings_go_after_ten_years(
    institutions, coordination_office, django_capture_on_commit_callbacks
):
    committee = Committee.objects.create(cooperation=institutions["erkelenz"].cooperation)
    with at(2012, 5, 10, 9):
        old = conference_services.sitting_schedule(
            committee=committee, organiser=coordination_office, starts_at=timezone.now()
        )
    with at(2020, 5, 10, 9):
        young = conference_services.sitting_schedule(
            committee=committee, organiser=coordination_office, starts_at=timezone.now()
        )
    apply(datetime.date(2022, 6, 1), django_capture_on_commit_callbacks)
    assert list(Meeting.objects.values_list("pk", flat=True)) == [young.pk]
    record = DeletionRecord.objects.get(record_type=RecordType.COMMITTEE)
    assert record.first_date == datetime.date(2012, 5, 10)
    assert not Meeting.history.model.objects.filter(id=old.pk).exists()


def test_the_plan_of_a_cooperation_names_due_items_only_by_reference(
    shared_case, institutions, caritas_caseworker
):
    with at(2023, 2, 1, 9):
        due, _undetermined = plan_cooperation(
            institutions["erkelenz"].cooperation,
            datetime.date(2023, 2, 1),
            datetime.date(2023, 5, 2),
        )
    kinds = sorted((item.record_type, item.count) for item in due)
    assert kinds == [(RecordType.CASE, 1), (RecordType.NOTE, 1)]
    assert all(item.reference == shared_case.reference for item in due)


def test_a_consent_and_its_correction_go_together(
    institutions, gesundheitsamt_caseworker, django_capture_on_commit_callbacks
):
    gesundheitsamt = institutions["gesundheitsamt"]
    with at(2021, 2, 1, 9):
        case = case_services.case_open(
            lead_institution=institutions["erkelenz"],
            opened_by=factories.make_user(institutions["erkelenz"]),
            first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Quitte"),
        )
        case_services.involvement_save(
            involvement=Involvement(
                case=case, institution=gesundheitsamt, since=datetime.date(2021, 2, 1)
            )
        )
        old = factories.give_consent(
            case,
            gesundheitsamt,
            [institutions["erkelenz"]],
            [DataCategory.HEALTH],
            gesundheitsamt_caseworker,
            valid_from=datetime.date(2021, 2, 1),
            valid_until=datetime.date(2021, 12, 31),
        )
    with at(2021, 3, 1, 9):
        new = Consent(
            given_by=old.given_by,
            source_institution=gesundheitsamt,
            categories=[DataCategory.HEALTH],
            purpose="Abstimmung der Hilfen (berichtigt)",
            valid_from=datetime.date(2021, 3, 1),
            valid_until=datetime.date(2021, 12, 31),
            informed_of_purpose=True,
            informed_of_refusal_consequences=True,
            informed_of_revocation_right=True,
        )
        new = case_services.consent_correct(
            old=old,
            new=new,
            recipients=[institutions["erkelenz"]],
            obtained_by=gesundheitsamt_caseworker,
        )
    # The correction expired at the end of 2021: three years later both go.
    with at(2024, 12, 30, 9):
        (item,) = case_plan(case, datetime.date(2024, 12, 30))[1]
    assert item.due_on == datetime.date(2024, 12, 31)
    assert item.count == 2
    apply(datetime.date(2025, 1, 2), django_capture_on_commit_callbacks)
    assert not case.consents.exists()
    assert Case.objects.filter(pk=case.pk).exists()
    record = DeletionRecord.objects.get(record_type=RecordType.CONSENT)
    assert record.count == 2


def test_a_consent_never_given_does_not_keep_a_closed_case_forever(
    institutions, gesundheitsamt_caseworker
):
    gesundheitsamt = institutions["gesundheitsamt"]
    with at(2021, 2, 1, 9):
        case = case_services.case_open(
            lead_institution=gesundheitsamt,
            opened_by=gesundheitsamt_caseworker,
            first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Mispel"),
        )
        factories.request_consent(
            case,
            gesundheitsamt,
            [institutions["erkelenz"]],
            [DataCategory.MASTER],
            gesundheitsamt_caseworker,
            valid_from=datetime.date(2021, 2, 1),
        )
    with at(2021, 9, 1, 9):
        close(case, datetime.date(2021, 9, 1))
        whole, _early = case_plan(case, datetime.date(2021, 9, 1))
    # The request lapsed with the case: kept three years from then, like any consent.
    assert whole.due_on == datetime.date(2024, 9, 1)
    assert not whole.problem
