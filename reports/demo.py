"""Demo data of this app, loaded by `load_demo` after cases and conferences.

The demo families of ``cases.demo`` are all opened on the day of loading, so every figure
of the committee's statistics would be "<5". Twenty more fictional Heinsberg families,
opened over the last two years, give the charts something to show: cases opened and
closed, Beteiligtenkonferenzen about every six months (held, due, overdue), consents,
disclosures under §8a SGB VIII and agreed actions, done or overdue. Every name here is
invented. Dates are relative to the day of loading; each record is written through the
services, then dated back where a service dates it today, its history rows too.

Nothing here is revoked, expired or disclosed under §4 KKG: the cases demo keeps exactly
one of each, and the demo tests find them by that.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import Case, Consent, DataCategory, Disclosure, FamilyMember
from conferences import services as conference_services
from conferences.demo import PREFIX
from conferences.models import Action, Meeting
from cooperation.demo import DemoWorld, dated

K = FamilyMember.Kind
C = DataCategory

# (lead, opened days ago, conferences held days ago, closed days ago, surname, parent
# kind, parent's first name, child's first name, §8a disclosure days ago)
FAMILIES = [
    ("erkelenz", 700, (520, 335, 150), 120, "Weidenbach", K.MOTHER, "Carina", "Jonas", None),
    ("diakonie", 650, (470, 290, 110), None, "Ulmenried", K.FATHER, "Sven", "Lotta", None),
    ("heinsberg", 600, (420, 240, 60), None, "Tannhaus", K.MOTHER, "Melanie", "Finn", None),
    ("geilenkirchen", 540, (360, 175), 150, "Sandberg", K.MOTHER, "Jessica", "Paul", None),
    ("kreisjugendamt", 470, (290, 100), 30, "Rosenau", K.FATHER, "Dennis", "Ida", 300),
    ("erkelenz", 420, (240, 55), None, "Quellmann", K.MOTHER, "Sandra", "Emil", None),
    ("hueckelhoven", 380, (200, 15), None, "Pappelgrund", K.MOTHER, "Tanja", "Mats", None),
    ("heinsberg", 300, (120,), None, "Osterfeld", K.FATHER, "Marco", "Clara", 130),
    ("erkelenz", 260, (85,), None, "Nesselrath", K.MOTHER, "Nicole", "Luis", None),
    ("kreisjugendamt", 230, (), None, "Mühlbach", K.MOTHER, "Daniela", "Greta", 40),
    ("geilenkirchen", 200, (20,), None, "Lerchental", K.FATHER, "Patrick", "Ella", None),
    ("caritas", 160, (), None, "Kranichfeld", K.MOTHER, "Vanessa", "Theo", None),
    ("gesundheitsamt", 150, (), None, "Immenhof", K.FATHER, "Kevin", "Frieda", None),
    ("heinsberg", 130, (), None, "Hagedorn", K.MOTHER, "Stefanie", "Anton", None),
    ("erkelenz", 110, (), None, "Ginsterberg", K.EXPECTANT_MOTHER, "Lisa", "", None),
    ("kreisjugendamt", 95, (), None, "Falkenried", K.MOTHER, "Sabrina", "Mila", None),
    ("hueckelhoven", 80, (), None, "Eichhorst", K.FATHER, "Christian", "Ben", None),
    ("heinsberg", 60, (), None, "Dornbusch", K.MOTHER, "Jennifer", "Lea", None),
    ("geilenkirchen", 45, (), None, "Birkenfeld", K.MOTHER, "Katharina", "Noah", None),
    ("erkelenz", 25, (), None, "Achterwald", K.FATHER, "Tobias", "Marie", None),
]
YOUTH_WELFARE = {"erkelenz", "geilenkirchen", "heinsberg", "hueckelhoven", "kreisjugendamt"}
CLOSE_REASONS = [
    "Hilfe beendet: Familie stabil, Anbindung an die Suchtberatung besteht.",
    "Umzug der Familie in einen anderen Kreis; Übergabe an das dortige Jugendamt.",
]


def _day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _open(world: DemoWorld, lead: str, opened: datetime.date, parent, child) -> Case:
    institution, user = world.institutions[lead], world.users[f"{PREFIX[lead]}.fachkraft"]
    surname, kind, first_name = parent
    # Opened that morning: reference, time, first due date and the lead's involvement
    # carry that day, the history too.
    with dated(_at(opened, 9), by=user):
        case = services.case_open(
            lead_institution=institution,
            opened_by=user,
            opened_at=_at(opened, 9),
            first_member=FamilyMember(
                kind=kind,
                first_name=first_name,
                last_name=surname,
                date_of_birth=opened.replace(year=opened.year - 30, day=1),
            ),
        )
        if child:
            FamilyMember.objects.create(
                case=case,
                kind=K.CHILD,
                first_name=child,
                last_name=surname,
                date_of_birth=opened.replace(year=opened.year - 5, day=1),
                source_institution=institution,
                recorded_at=_at(opened, 9),
            )
    case.refresh_from_db()
    return case


def _consent(world: DemoWorld, case: Case, lead: str, given: datetime.date) -> Consent:
    recipient = "caritas" if lead in YOUTH_WELFARE else "erkelenz"
    with dated(_at(given, 11), by=case.opened_by):
        consent = Consent.objects.create(
            case=case,
            given_by=case.members.exclude(kind=K.CHILD).first(),
            source_institution=case.lead_institution,
            categories=[C.MASTER, C.FAMILY, C.PROTOCOLS],
            purpose="Abstimmung der Hilfen für die Familie in der Beteiligtenkonferenz",
            valid_from=given,
            valid_until=given + datetime.timedelta(days=900),
            obtained_by=case.opened_by,
            form=Consent.Form.PAPER,
            informed_of_purpose=True,
            informed_of_refusal_consequences=True,
            informed_of_revocation_right=True,
        )
        consent.recipients.set([world.institutions[recipient]])
        return services.consent_give(consent=consent, obtained_on=given)


def _conference(case: Case, held: datetime.date, index: int, world: DemoWorld) -> None:
    # Planned four weeks ahead, held that morning, its agreements recorded that day and
    # marked done when they were done.
    with dated(_at(held - datetime.timedelta(days=28), 11), by=case.opened_by):
        meeting = conference_services.conference_schedule(
            case=case,
            organiser=case.opened_by,
            starts_at=_at(held, 10),
            place=f"{case.lead_institution.short_name}, Besprechungsraum",
        )
        meeting.created_at = _at(held - datetime.timedelta(days=28), 11)
        Meeting.objects.filter(pk=meeting.pk).update(created_at=meeting.created_at)
    today = timezone.localdate()
    # One agreement the family keeps, one a counselling centre follows up. Those of
    # earlier conferences were done (some late); of the last four months one in three
    # is still open, and overdue once its date has passed.
    agreements = [
        ("Anmeldung des Kindes in der Kita", Action.Responsible.PARENTS, case.lead_institution),
        (
            "Rückmeldung zur Teilnahme an der Elterngruppe",
            Action.Responsible.INSTITUTION,
            world.institutions["caritas"],
        ),
    ]
    with dated(_at(held, 13), by=case.opened_by):
        conference_services.meeting_held(meeting=meeting)
        actions = []
        for number, (what, responsible, institution) in enumerate(agreements):
            due = held + datetime.timedelta(days=28 * (number + 1))
            done_on = due + datetime.timedelta(days=(index + number) % 7 - 4)
            recent = (today - held).days < 120
            done = done_on <= today and not (recent and (index + number) % 3 == 0)
            action = Action.objects.create(
                meeting=meeting,
                what=what,
                responsible=responsible,
                institution=institution,
                due_on=due,
            )
            actions.append((action, done_on if done else None))
    for action, done_on in actions:
        if done_on is not None:
            with dated(_at(done_on, 12), by=case.opened_by):
                action.status = Action.Status.DONE
                action.done_on = done_on
                action.save()


@transaction.atomic
def load(world: DemoWorld) -> None:
    """Create the fictional demo records (idempotent)."""
    heinsberg = world.cooperations["HS"]
    if FamilyMember.objects.filter(case__cooperation=heinsberg, last_name="Weidenbach").exists():
        return
    for index, row in enumerate(FAMILIES):
        lead, opened_ago, held_ago, closed_ago, surname, kind, first, child, disclosed = row
        case = _open(world, lead, _day(opened_ago), (surname, kind, first), child)
        _consent(world, case, lead, _day(opened_ago - 10))
        # The family's steps in the order they happened: disclosure, conferences, closing.
        steps = [(held, "conference") for held in held_ago]
        if disclosed is not None:
            steps.append((disclosed, "disclosure"))
        for days, step in sorted(steps, reverse=True):
            if step == "conference":
                _conference(case, _day(days), index, world)
                continue
            # §8a SGB VIII: the Jugendamt involves the Suchtberatung of the Gesundheitsamt
            # in its risk assessment.
            with dated(_at(_day(days), 15), by=case.opened_by):
                services.disclosure_record(
                    case=case,
                    disclosed_by=case.opened_by,
                    basis=Disclosure.Basis.SGB_VIII_8A,
                    from_institution=case.lead_institution,
                    to_institution=world.institutions["gesundheitsamt"],
                    categories=[C.MASTER, C.FAMILY],
                    disclosed_on=_day(days),
                    reason="Gewichtige Anhaltspunkte für eine Gefährdung; Einschätzung im "
                    "Zusammenwirken mehrerer Fachkräfte.",
                    # The steps §8a SGB VIII asks for (the guided disclosure).
                    family_work_tried=True,
                    family_work="Gespräche mit den Eltern im Hilfeplanverfahren.",
                    specialist_consulted=True,
                    specialist_note="Einschätzung im Zusammenwirken mehrerer Fachkräfte des ASD.",
                    family_informed=True,
                )
        if closed_ago is not None:
            with dated(_at(_day(closed_ago), 16), by=case.opened_by):
                case.refresh_from_db()
                case.status = Case.Status.CLOSED
                case.closed_on = _day(closed_ago)
                case.close_reason = CLOSE_REASONS[index % len(CLOSE_REASONS)]
                services.case_update(case=case, lead_changed=False)
        services.case_recompute_grants(case=case)
