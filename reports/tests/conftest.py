"""Hand-built data for the committee's statistics: cases, conferences and consents dated
by travelling to the day they happened, so that every service sets what it sets in life.

The clock stands at 25.11.2026 (the second half of 2026 is running).
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, Consent, DataCategory, Disclosure, FamilyMember
from conferences import services as conference_services
from conferences.models import Action, Meeting
from cooperation.models import Committee
from tests import factories

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
TODAY = datetime.date(2026, 11, 25)


def on(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(on(TODAY, 10), tick=False):
        yield


@pytest.fixture
def committee(heinsberg, erkelenz_caseworker) -> Committee:
    """Heinsberg's committee, chaired by the Erkelenz caseworker (as in the matrix world)."""
    return Committee.objects.create(cooperation=heinsberg, chair=erkelenz_caseworker)


class Builder:
    """Opens, closes, holds and consents on given days, through the services."""

    def __init__(self, institutions, user):
        self.institutions = institutions
        self.user = user

    def case(self, key: str, opened: datetime.date, closed: datetime.date | None = None) -> Case:
        with time_machine.travel(on(opened), tick=False):
            case = services.case_open(
                lead_institution=self.institutions[key],
                opened_by=self.user,
                first_member=FamilyMember(kind=FamilyMember.Kind.MOTHER, last_name="Muster"),
            )
        if closed:
            case.status, case.closed_on, case.close_reason = Case.Status.CLOSED, closed, "Ende"
            services.case_update(case=case, lead_changed=False)
        return case

    def conference(
        self, case: Case, day: datetime.date, state: str = Meeting.State.HELD
    ) -> Meeting:
        with time_machine.travel(on(day, 14), tick=False):
            meeting = conference_services.conference_schedule(
                case=case, organiser=self.user, starts_at=on(day, 10)
            )
            if state == Meeting.State.HELD:
                conference_services.meeting_held(meeting=meeting)
            elif state == Meeting.State.CANCELLED:
                Meeting.objects.filter(pk=meeting.pk).update(state=state)
        return meeting

    def consent(self, case: Case, given: datetime.date, **fields) -> Consent:
        fields.setdefault("valid_from", given)
        with time_machine.travel(on(given), tick=False):
            return factories.give_consent(
                case,
                case.lead_institution,
                [self.institutions["caritas"]],
                [DataCategory.MASTER],
                self.user,
                **fields,
            )

    def revoke(self, consent: Consent, day: datetime.date) -> Consent:
        with time_machine.travel(on(day), tick=False):
            return services.consent_revoke(
                consent=consent,
                revoked_on=day,
                channel=Consent.Channel.IN_WRITING,
                recorded_by=self.user,
                send_mail=False,
            )

    def disclosure(self, case: Case, basis: str, day: datetime.date) -> Disclosure:
        return Disclosure.objects.create(
            case=case,
            basis=basis,
            from_institution=case.lead_institution,
            to_institution=self.institutions["caritas"],
            categories=[DataCategory.MASTER],
            disclosed_on=day,
            disclosed_by=self.user,
            reason="Gewichtige Anhaltspunkte",
        )

    def action(self, meeting: Meeting, due: datetime.date, **fields) -> Action:
        return Action.objects.create(
            meeting=meeting,
            what="Rückmeldung",
            institution=self.institutions["caritas"],
            due_on=due,
            **fields,
        )


@pytest.fixture
def build(institutions, erkelenz_caseworker) -> Builder:
    return Builder(institutions, erkelenz_caseworker)


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def get_pdf(django_capture_on_commit_callbacks):
    """GET a PDF as a reader would: the first request finds it not yet rendered and
    queues its task (run here when the request's transaction commits, as a worker
    would); the second gets the stored file."""

    def get(client, target):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.get(target)
        if response["Content-Type"].startswith("text/html"):
            response = client.get(target)
        return response

    return get
