"""Demo work for Meine Übersicht, loaded last by ``load_demo`` (idempotent, fictional).

So that every section of the worklist has something for the persona it is meant for:

- Erkelenz held a follow-up conference on its family five days ago; the minutes
  circulate: ``erkelenz.fachkraft`` (organiser) is to approve them, ``caritas.fachkraft``
  to comment; an agreed action of Erkelenz is due next week.
- ``erkelenz.fachkraft`` has follow-ups: one overdue (her lead sees it as the team's),
  one due today, one next week, one done.
- The coordination office has an invited account waiting for the lead's confirmation
  and an e-mail that could not be delivered.

Diakonie's invited conference (``diakonie.fachkraft``'s next meeting), Caritas' and
Diakonie's overdue actions, due conferences, the expiring consent and the disclosures
without consent come from the cases and conferences demos.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases import demo as case_demo
from cases.demo import STORY_FAMILIES
from common.mail import Mail
from conferences import demo as conference_demo
from conferences import services as conference_services
from conferences.models import Action, Meeting
from cooperation import services as cooperation_services
from cooperation.demo import DemoWorld, dated
from cooperation.models import User
from outbox.models import OutboxMessage

from .models import FollowUp

FOLLOW_UP_PLACE = "Jugendamt Erkelenz, Raum 2.04"
FOLLOW_UP_MINUTES = [
    "Begrüßung; Anlass: Rückmeldung der Kita und Stand der Beratung.",
    "Das Kind ist gut in der Kita angekommen; Fehlzeiten seltener.",
    "Die Mutter nimmt die Beratung weiter wahr; ein Rückfall im Oktober wurde besprochen.",
    "Die Großmutter unterstützt weiterhin.",
    "Notfallplan aktualisiert.",
    "„Die Gruppe tut mir gut.“",
    "Siehe Vereinbarungen.",
    "In drei Monaten.",
]
FOLLOW_UPS = [
    # (days from today, note, done days ago or None)
    (-3, "Rückmeldung der Kita zur Eingewöhnung erfragen", None),
    (0, "Telefonat mit der Mutter: Termin Elterngruppe bestätigt?", None),
    (7, "Protokoll der Folgekonferenz freigeben", None),
    (-10, "Unterlagen zur Frühförderung nachreichen lassen", 9),
]
INVITED = {
    "username": "geilenkirchen.neu",
    "first_name": "Miriam",
    "last_name": "Esser",
    "email": "m.esser@geilenkirchen.example",
}
FAILED_SUBJECT = "Einladung: Sitzung des Kooperationsgremiums"


def _at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@transaction.atomic
def load(world: DemoWorld) -> None:
    heinsberg = world.cooperations["HS"]
    erkelenz = world.institutions["erkelenz"]
    case = (
        Meeting.objects.filter(
            kind=Meeting.Kind.CASE_CONFERENCE,
            case__lead_institution=erkelenz,
            case__members__last_name__in=STORY_FAMILIES,
        )
        .values_list("case", flat=True)
        .first()
    )
    if case is not None:
        _follow_up_conference(world, case)
        # The conference is a step of the family's story: the case changed then.
        case_demo.settle(world)
        _follow_ups(world, case)
    _pending_account(world)
    _failed_mail(heinsberg)


def _follow_up_conference(world: DemoWorld, case_id: int) -> None:
    """Held five days ago, minutes circulated two days ago, not yet approved."""
    if Meeting.objects.filter(case_id=case_id, place=FOLLOW_UP_PLACE).exists():
        return
    users, inst = world.users, world.institutions
    organiser = users["erkelenz.fachkraft"]
    case = Meeting.objects.filter(case_id=case_id).select_related("case").first().case
    with dated(_at(-33, 11), by=organiser):
        meeting = conference_services.conference_schedule(
            case=case,
            organiser=organiser,
            starts_at=_at(-5),
            place=FOLLOW_UP_PLACE,
        )
        Meeting.objects.filter(pk=meeting.pk).update(created_at=_at(-33, 11))
        conference_demo._staff(meeting, users["caritas.fachkraft"], "Suchtberatung")
        conference_demo._family(meeting, case.members.filter(kind="mother").first())
    with dated(_at(-30, 9), by=organiser):
        meeting.participants.update(invited_sequence=meeting.sequence)
        meeting.state = Meeting.State.INVITED
        meeting.save(update_fields=["state"])
    conference_demo._held(meeting)
    conference_demo._action(
        meeting,
        what="Gemeinsamer Hausbesuch mit der Familienhilfe",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["erkelenz"],
        due_on=timezone.localdate() + datetime.timedelta(days=6),
    )
    conference_demo._action(
        meeting,
        what="Anmeldung der Mutter zur Elterngruppe",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["caritas"],
        due_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    minutes = meeting.minutes
    payload = {
        item.pk: {"minutes": FOLLOW_UP_MINUTES[index] if index < len(FOLLOW_UP_MINUTES) else ""}
        for index, item in enumerate(meeting.agenda.all())
    }
    with dated(_at(-4, 15), by=organiser):
        conference_services.minutes_save(minutes=minutes, version=minutes.version, texts=payload)
    circulated = _at(-2, 9)
    with dated(circulated, by=organiser):
        conference_services.minutes_circulate(minutes=minutes, circulated_at=circulated)


def _follow_ups(world: DemoWorld, case_id: int) -> None:
    author = world.users["erkelenz.fachkraft"]
    for days, note, done_days in FOLLOW_UPS:
        if FollowUp.objects.filter(case_id=case_id, created_by=author, note=note).exists():
            continue
        with dated(_at(min(days, 0) - 14, 8), by=author):
            followup = FollowUp.objects.create(
                case_id=case_id,
                institution_id=author.institution_id,
                created_by=author,
                created_at=_at(min(days, 0) - 14, 8),
                due_on=timezone.localdate() + datetime.timedelta(days=days),
                note=note,
            )
        if done_days is not None:
            with dated(_at(-done_days, 16), by=author):
                followup.done_at = _at(-done_days, 16)
                followup.done_by = author
                followup.save(update_fields=["done_at", "done_by"])


def _pending_account(world: DemoWorld) -> None:
    """Invited by the coordination office two days ago; Geilenkirchen's lead has not
    confirmed the role yet."""
    if User.objects.filter(username=INVITED["username"]).exists():
        return
    coordination = world.users["koordination"]
    user = User(
        institution=world.institutions["geilenkirchen"], role=User.Role.CASEWORKER, **INVITED
    )
    with dated(_at(-2, 11), by=coordination):
        cooperation_services.staff_invite(user=user, invited_by=coordination)


def _failed_mail(cooperation) -> None:
    """An invitation that the receiving mail server refused six times."""
    if OutboxMessage.objects.filter(
        cooperation=cooperation, listed_subject=FAILED_SUBJECT, state=OutboxMessage.State.FAILED
    ).exists():
        return
    mail = Mail(
        subject=FAILED_SUBJECT,
        body="Fiktive Einladung (Demo).",
        to=("sekretariat@jugendamt-geilenkirchen.invalid",),
    )
    OutboxMessage.objects.create(
        cooperation=cooperation,
        listed_subject=FAILED_SUBJECT,
        content=mail.as_json(),
        state=OutboxMessage.State.FAILED,
        attempts=6,
        created_at=_at(-1, 8),
        last_attempt_at=_at(0, 0),
        last_error="SMTPRecipientsRefused",
    )
