"""Fictional demo families covering the interesting situations of sharing.

Every name, date and address here is invented. Dates are relative to the day of loading,
so that active consents stay active and the expired one stays expired.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cooperation.demo import DemoWorld

from . import services
from .models import (
    Case,
    CaseGrant,
    Consent,
    Consultation,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    ProgressNote,
)

C = DataCategory
K = FamilyMember.Kind


def _family(case, source, parents, children):
    members = []
    for kind, first, last, born, substance, practice in parents:
        member = FamilyMember.objects.create(
            case=case,
            kind=kind,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            address="Musterweg 1, 52525 Heinsberg",
            source_institution=source,
        )
        if substance:
            HealthSituation.objects.create(
                member=member,
                substance=substance,
                source_institution=source,
                counselling="Suchtberatung, 14-täglich",
                in_substitution=bool(practice),
                substitution_practice=practice or "",
            )
        members.append(member)
    for first, last, born in children:
        FamilyMember.objects.create(
            case=case,
            kind=K.CHILD,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            source_institution=source,
        )
    return members


def _consent(
    case, giver, source, recipients, categories, user, today, *, days_valid=365, started_days_ago=30
):
    consent = Consent.objects.create(
        case=case,
        given_by=giver,
        source_institution=source,
        categories=categories,
        purpose="Abstimmung der Hilfen für die Familie in der Beteiligtenkonferenz",
        valid_from=today - datetime.timedelta(days=started_days_ago),
        valid_until=today
        - datetime.timedelta(days=started_days_ago)
        + datetime.timedelta(days=days_valid),
        obtained_by=user,
        form=Consent.Form.ELECTRONIC,
        informed_of_purpose=True,
        informed_of_refusal_consequences=True,
        informed_of_revocation_right=True,
    )
    consent.recipients.set(recipients)
    return services.consent_give(
        consent=consent, obtained_on=today - datetime.timedelta(days=started_days_ago)
    )


@transaction.atomic
def load_cases(world: DemoWorld) -> None:
    """Create the demo families once (idempotent: skipped when the demo has cases)."""
    inst, users = world.institutions, world.users
    if Case.objects.filter(cooperation__in=world.cooperations.values()).exists():
        return
    today = timezone.localdate()
    y = today.year

    def open_case(lead_key, user_key):
        return services.case_open(lead_institution=inst[lead_key], opened_by=users[user_key])

    # 1. Led by Jugendamt Erkelenz, consent towards Caritas (no health data).
    case = open_case("erkelenz", "erkelenz.fachkraft")
    (mother,) = _family(
        case,
        inst["erkelenz"],
        [(K.MOTHER, "Sabine", "Beispiel", datetime.date(y - 31, 3, 14), "Alkohol", None)],
        [("Leon", "Beispiel", datetime.date(y - 6, 9, 2))],
    )
    # It expires in 20 days: the case page and the dashboard warn.
    _consent(
        case,
        mother,
        inst["erkelenz"],
        [inst["caritas"]],
        [C.MASTER, C.FAMILY, C.PROTOCOLS],
        users["erkelenz.fachkraft"],
        today,
        started_days_ago=345,
    )
    ProgressNote.objects.create(
        case=case,
        author=users["erkelenz.fachkraft"],
        source_institution=inst["erkelenz"],
        date=today,
        text="Hausbesuch: Versorgung des Kindes gesichert.",
    )

    # 2. Known only to the Diakonie counselling centre, no consent yet.
    case = open_case("diakonie", "diakonie.fachkraft")
    _family(
        case,
        inst["diakonie"],
        [(K.FATHER, "Markus", "Erdenreich", datetime.date(y - 40, 1, 20), "Cannabis", None)],
        [("Mia", "Erdenreich", datetime.date(y - 9, 5, 5))],
    )
    # Its first Beteiligtenkonferenz is overdue.
    Case.objects.filter(pk=case.pk).update(conference_due_on=today - datetime.timedelta(days=14))

    # 3. Led by the Kreisjugendamt; the consent towards the Gesundheitsamt was revoked.
    case = open_case("kreisjugendamt", "kja.fachkraft")
    (father,) = _family(
        case,
        inst["kreisjugendamt"],
        [
            (
                K.FATHER,
                "Jan",
                "Feldmann",
                datetime.date(y - 35, 7, 7),
                "Opioide",
                "Praxis Dr. Fiktiv, Heinsberg",
            )
        ],
        [("Emma", "Feldmann", datetime.date(y - 4, 2, 11))],
    )
    consent = _consent(
        case,
        father,
        inst["kreisjugendamt"],
        [inst["gesundheitsamt"]],
        [C.MASTER, C.FAMILY],
        users["kja.fachkraft"],
        today,
    )
    services.consent_revoke(
        consent=consent,
        revoked_on=today - datetime.timedelta(days=3),
        channel=Consent.Channel.TELEPHONE,
        recorded_by=users["kja.fachkraft"],
        send_mail=False,
    )

    # 4. Led by Jugendamt Geilenkirchen; its consent towards Caritas has expired.
    case = open_case("geilenkirchen", "geilenkirchen.fachkraft")
    (mother,) = _family(
        case,
        inst["geilenkirchen"],
        [
            (
                K.EXPECTANT_MOTHER,
                "Nadine",
                "Sommer",
                datetime.date(y - 24, 11, 30),
                "Amphetamine",
                None,
            )
        ],
        [],
    )
    FamilyMember.objects.create(
        case=case,
        kind=K.UNBORN,
        last_name="Sommer",
        expected_date=today + datetime.timedelta(days=90),
        source_institution=inst["geilenkirchen"],
    )
    _consent(
        case,
        mother,
        inst["geilenkirchen"],
        [inst["caritas"]],
        [C.MASTER],
        users["geilenkirchen.fachkraft"],
        today,
        days_valid=180,
        started_days_ago=200,
    )

    # 5. The Suchtberatung of the Gesundheitsamt informs Jugendamt Hückelhoven (§4 KKG).
    case = open_case("gesundheitsamt", "gesundheitsamt.fachkraft")
    _family(
        case,
        inst["gesundheitsamt"],
        [(K.MOTHER, "Petra", "Winter", datetime.date(y - 29, 4, 4), "Alkohol", None)],
        [("Noah", "Winter", datetime.date(y - 2, 8, 19))],
    )
    # Before that, it asked the Kreisjugendamt's experienced child-protection specialist
    # for advice, pseudonymised (§4 Abs. 2 KKG).
    specialist = services.specialist_designate(
        user=users["kja.fachkraft"],
        designated_by=users["kja.leitung"],
        qualification="Zertifikatskurs Kinderschutzfachkraft (§8a SGB VIII)",
        since=today - datetime.timedelta(days=400),
    )
    consultation = services.consultation_request(
        case=case,
        specialist=specialist,
        requested_by=users["gesundheitsamt.fachkraft"],
        pseudonym="Familie W.",
        summary="Mutter (29), alkoholabhängig, seit drei Monaten ohne Kontakt zur "
        "Beratung; Kleinkind (2) wirkt bei Terminen ungepflegt. Der Vater lebt nicht im "
        "Haushalt.",
        question="Liegen gewichtige Anhaltspunkte für eine Kindeswohlgefährdung vor, und "
        "wie sprechen wir die Mutter an?",
    )
    services.consultation_advise(
        consultation=consultation,
        advice="Gewichtige Anhaltspunkte liegen vor. Mutter zeitnah zu einem Gespräch "
        "einladen und Hilfen anbieten; bleibt sie aus, das Jugendamt informieren.",
    )
    services.consultation_record_outcome(
        consultation=consultation,
        outcome=Consultation.Outcome.RISK,
        notes="Einladung zum Gespräch; bei Ausbleiben Mitteilung an das Jugendamt.",
        recorded_by=users["gesundheitsamt.fachkraft"],
    )
    services.disclosure_record(
        case=case,
        disclosed_by=users["gesundheitsamt.fachkraft"],
        basis=Disclosure.Basis.KKG_4_3,
        from_institution=inst["gesundheitsamt"],
        to_institution=inst["hueckelhoven"],
        categories=[C.MASTER, C.FAMILY],
        disclosed_on=today - datetime.timedelta(days=5),
        reason="Gewichtige Anhaltspunkte für eine Gefährdung; Mitwirkung der Mutter blieb aus.",
        family_work_tried=True,
        family_work="Zwei Einladungen zum Gespräch und ein Hilfeangebot (Elterngruppe); "
        "die Mutter erschien nicht.",
        specialist_consulted=True,
        consultation=consultation,
        family_informed=True,
    )

    # 6. Led by Jugendamt Heinsberg: health data shared with Caritas, not with Diakonie.
    case = open_case("heinsberg", "heinsberg.fachkraft")
    (father,) = _family(
        case,
        inst["heinsberg"],
        [
            (
                K.FATHER,
                "Tobias",
                "Lindner",
                datetime.date(y - 38, 6, 1),
                "Opioide",
                "Praxis Dr. Erfunden, Hückelhoven",
            )
        ],
        [
            ("Lina", "Lindner", datetime.date(y - 11, 10, 10)),
            ("Ben", "Lindner", datetime.date(y - 8, 12, 24)),
        ],
    )
    _consent(
        case,
        father,
        inst["heinsberg"],
        [inst["caritas"]],
        [C.MASTER, C.HEALTH, C.PROTOCOLS],
        users["heinsberg.fachkraft"],
        today,
    )
    _consent(
        case,
        father,
        inst["heinsberg"],
        [inst["diakonie"]],
        [C.MASTER, C.PROTOCOLS],
        users["heinsberg.fachkraft"],
        today,
    )

    # Lindenbrück: one case, never visible to anyone in Heinsberg.
    case = open_case("lindenbrueck-ja", "lindenbrueck.fachkraft")
    _family(
        case,
        inst["lindenbrueck-ja"],
        [(K.MOTHER, "Olga", "Fiktiva", datetime.date(y - 33, 2, 2), "Alkohol", None)],
        [],
    )


def describe_cases(world: DemoWorld) -> list[dict]:
    """Every demo case with the institutions that may see it today."""
    today = timezone.localdate()
    result = []
    for case in Case.objects.filter(cooperation__in=world.cooperations.values()).order_by(
        "reference"
    ):
        names = sorted(
            set(
                CaseGrant.objects.active_on(today)
                .filter(case=case)
                .values_list("institution__name", flat=True)
            )
        )
        result.append({"reference": case.reference, "visible_to": names})
    return result
