"""Demo data of this app (fictional), loaded by ``load_demo`` before the conferences.

Heinsberg's Kooperationsvereinbarung (a public-law agreement in force since 01.05.2016,
from the public profile in ``shared/seeds/000_*.txt``) with its eight parties and seven
sections; its history is dated back: signed in 2016, § 5 adapted to the GDPR on
25.05.2018, § 6 amended in 2021. The Leitfaden has two published versions: the second
revises section 4 (consent), as the Kooperationsgremium resolved, and adds the emergency
plan to the conference agenda, which every conference planned since then follows. Every
signatory and every person here is fictional.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cooperation.demo import DemoWorld, dated, days_ago

from . import services
from .models import Agreement, AgreementParty, AgreementSection, GuidelineSection

TITLE = (
    "Kooperationsvereinbarung zur Zusammenarbeit mit suchtmittelabhängigen Eltern "
    "und/oder Eltern in Substitutionsbehandlung"
)
GOALS = (
    "Ziel ist die Vernetzung von Suchthilfe und Jugendhilfe. Der familiäre Bedarf "
    "soll frühzeitig erkannt und vorhandene Angebote sollen vernetzt werden.\n"
    "\n"
    "Vorrangiges Ziel ist es, **Eltern mit Suchterkrankung und ihren Kindern ein "
    "gemeinsames Leben zu ermöglichen**. Die Verantwortung für das Wohl des Kindes "
    "steht im Zentrum dieser Vereinbarung.\n"
)
FINANCING = (
    "Keine finanziellen Auswirkungen. Jede Vertragspartei trägt die Kosten ihrer Mitwirkung selbst."
)

# (institution key, signatory, function, signed on) — fictional signatories.
PARTIES = [
    ("kreisjugendamt", "Dr. Ulrich Wirtz", "Dezernent für Jugend und Soziales", (2016, 4, 18)),
    ("erkelenz", "Birgit Lennartz", "Leiterin des Jugendamtes", (2016, 4, 20)),
    ("geilenkirchen", "Hans-Peter Dohmen", "Leiter des Jugendamtes", (2016, 4, 21)),
    ("heinsberg", "Monika Schürmann", "Leiterin des Jugendamtes", (2016, 4, 19)),
    ("hueckelhoven", "Ralf Jennissen", "Leiter des Jugendamtes", (2016, 4, 25)),
    ("gesundheitsamt", "Dr. Karin Offermanns", "Leiterin des Gesundheitsamtes", (2016, 4, 18)),
    ("caritas", "Wilfried Beckers", "Geschäftsführer des Caritasverbandes", (2016, 4, 26)),
    ("diakonie", "Sabine Hausmann", "Geschäftsführerin des Diakonischen Werkes", (2016, 4, 27)),
]

SECTIONS_2016 = [
    (
        "Gegenstand und Geltungsbereich",
        "Diese Vereinbarung regelt die Zusammenarbeit der Vertragsparteien bei der "
        "Unterstützung von (werdenden) Müttern, Vätern und Eltern mit einer "
        "Suchterkrankung oder in Substitutionsbehandlung und ihren Kindern im Kreis "
        "Heinsberg.",
    ),
    (
        "Grundsätze der Zusammenarbeit",
        "Die Vertragsparteien handeln abgestimmt, verbindlich und transparent gegenüber "
        "den Eltern. Die Fallverantwortung für das Kind liegt beim örtlich zuständigen "
        "Jugendamt; die Suchthilfe bringt ihre Fachlichkeit in die Hilfeplanung ein.",
    ),
    (
        "Kooperationsgremium",
        "Die Vertragsparteien bilden ein Kooperationsgremium, in das jede Partei eine "
        "Vertretung und eine Stellvertretung entsendet. Es tritt **halbjährlich** zusammen, "
        "wertet die Zusammenarbeit aus und schreibt den Leitfaden fort.",
    ),
    (
        "Beteiligtenkonferenz",
        "Für jede Familie kommen alle beteiligten Fachkräfte mit den Eltern in der Regel "
        "ein- bis zweimal im Jahr zu einer Beteiligtenkonferenz zusammen. Es lädt die "
        "fallführende Stelle ein. Die Eltern erhalten das Protokoll.",
    ),
    (
        "Datenschutz und Schweigepflicht",
        "Personenbezogene Daten werden nur mit Einwilligung der Eltern oder auf einer "
        "gesetzlichen Grundlage übermittelt (§§ 61 ff. SGB VIII, § 67b SGB X, "
        "Landesdatenschutzgesetz NRW). Die Schweigepflicht nach § 203 StGB bleibt "
        "unberührt.",
    ),
    (
        "Leitfaden und Arbeitshilfe",
        "Das gemeinsame Vorgehen wird in einem Leitfaden beschrieben, der den Fachkräften "
        "aller Vertragsparteien in gedruckter Form zur Verfügung steht.",
    ),
    (
        "Inkrafttreten, Laufzeit und Kündigung",
        "Die Vereinbarung tritt am 01.05.2016 in Kraft und gilt auf unbestimmte Zeit. "
        "Jede Vertragspartei kann sie mit einer Frist von sechs Monaten zum Jahresende "
        "schriftlich kündigen.",
    ),
]
# (section number, new text, date of the change)
AMENDMENTS = [
    (
        5,
        "Personenbezogene Daten werden nur mit ausdrücklicher Einwilligung der Eltern oder "
        "auf einer gesetzlichen Grundlage übermittelt (Art. 6 und 9 DSGVO, §§ 61 ff. "
        "SGB VIII, § 67b SGB X; für die Caritas das KDG, für die Diakonie das DSG-EKD). "
        "Die Schweigepflicht nach § 203 StGB bleibt unberührt.",
        (2018, 5, 25),
    ),
    (
        6,
        "Das gemeinsame Vorgehen wird in einem Leitfaden beschrieben. Die "
        "Koordinationsstelle veröffentlicht jede Fassung elektronisch; jede Fassung bleibt "
        "abrufbar und kann gedruckt werden.",
        (2021, 9, 1),
    ),
]

GUIDELINE_TITLE = (
    "Leitfaden und Arbeitshilfe zur Zusammenarbeit mit suchtmittelabhängigen Eltern und "
    "Eltern in Substitutionsbehandlung"
)
AGENDA_INTRO = (
    "Die Beteiligtenkonferenz folgt dieser Tagesordnung. Die fallführende Fachkraft lädt "
    "ein und moderiert; das Protokoll erhalten alle Beteiligten und die Eltern.\n\n"
)
AGENDA_V1 = AGENDA_INTRO + (
    "1. Begrüßung und Anlass der Konferenz\n"
    "2. Situation des Kindes und Grundversorgung\n"
    "3. Situation der Eltern und Behandlung (Gesundheitsdaten)\n"
    "4. Ressourcen der Familie\n"
    "5. Sorgen und Risiken\n"
    "6. Sicht der Eltern in ihren eigenen Worten\n"
    "7. Vereinbarungen (was, wer, bis wann)\n"
    "8. Nächster Termin\n"
)
AGENDA_V2 = AGENDA_INTRO + (
    "1. Begrüßung, Anlass und Ziel der Konferenz\n"
    "2. Situation des Kindes und Grundversorgung\n"
    "   Gesundheit, Kita oder Schule, Tagesstruktur, verlässliche Bezugspersonen.\n"
    "3. Situation der Eltern und Behandlung (Gesundheitsdaten)\n"
    "   Nur für Einrichtungen, denen Gesundheitsdaten freigegeben sind.\n"
    "4. Ressourcen der Familie\n"
    "5. Sorgen, Risiken und Notfallplan\n"
    "   Was geschieht bei einem Rückfall? Wer ist wann erreichbar?\n"
    "6. Sicht der Eltern in ihren eigenen Worten\n"
    "7. Vereinbarungen (was, wer, bis wann)\n"
    "8. Nächster Termin\n"
)
CONSENT_V1 = (
    "Daten über die Familie werden zwischen Jugendhilfe und Suchthilfe nur mit "
    "Einwilligung der Eltern weitergegeben. Die Schweigepflichtentbindung nennt:\n"
    "\n"
    "- die Person, auf die sich die Daten beziehen,\n"
    "- welche Stelle gegenüber welcher Stelle entbunden wird,\n"
    "- welche Daten zu welchem Zweck weitergegeben werden.\n"
    "\n"
    "Die Einwilligung wird schriftlich eingeholt.\n"
)
CONSENT_V2 = (
    "Daten über die Familie werden zwischen Jugendhilfe und Suchthilfe nur mit "
    "Einwilligung der Eltern weitergegeben (§ 67b SGB X; für Gesundheitsdaten "
    "ausdrücklich, Art. 9 DSGVO). Die Schweigepflichtentbindung nennt:\n"
    "\n"
    "- die Person, auf die sich die Daten beziehen (Name, Anschrift, Geburtsdatum),\n"
    "- welche Stelle gegenüber welcher Stelle entbunden wird,\n"
    "- welche Daten zu welchem Zweck weitergegeben werden,\n"
    "- ob sie einmalig, befristet oder fortlaufend gilt.\n"
    "\n"
    "Die Einwilligung wird schriftlich oder elektronisch eingeholt; eine pauschale "
    "Einwilligung gibt es nicht. Die Eltern erfahren, wozu die Daten dienen und was "
    "es bedeutet, wenn sie nicht einwilligen. Ab etwa 15 Jahren kann ein junger "
    "Mensch selbst einwilligen (§ 36 SGB I).\n"
    "\n"
    "**Widerruf:** Eine Einwilligung kann jederzeit für die Zukunft widerrufen "
    "werden. Der Widerruf wird sofort in KispFam eingetragen; ab dann wird nichts "
    "mehr weitergegeben.\n"
)
GUIDELINE_SECTIONS = [
    (
        "Wozu dieser Leitfaden dient",
        "Der Leitfaden beschreibt, wie die Fachkräfte der Jugendämter, der Suchtberatung des "
        "Gesundheitsamtes, der Caritas und der Diakonie mit gemeinsamen Klientinnen und "
        "Klienten arbeiten: mit gleichen Vorgehensweisen, mehr Handlungssicherheit und "
        "ohne unnötige Irritationen.",
    ),
    (
        "Grundsätze: das Kind im Mittelpunkt",
        "- Das Wohl des Kindes steht im Zentrum.\n"
        "- Wir arbeiten offen mit den Eltern: Sie wissen, wer was über sie erfährt.\n"
        "- Die Fallverantwortung liegt beim Jugendamt; die Suchthilfe berät und begleitet.\n",
    ),
    (
        "Anhaltspunkte erkennen und ansprechen",
        "Auffälligkeiten beim Kind (z. B. häufiges Fehlen in Kita oder Schule, fehlende "
        "Grundversorgung) oder bei den Eltern (Rückfall, Abbruch der Behandlung) werden "
        "zeitnah und wertschätzend angesprochen. Die Fachkraft dokumentiert, was sie "
        "beobachtet hat, nicht was sie vermutet.",
    ),
    ("Einwilligung und Schweigepflichtentbindung", CONSENT_V1),
    (
        "Vorgehen bei Anhaltspunkten für eine Kindeswohlgefährdung",
        "Bei gewichtigen Anhaltspunkten gilt § 8a SGB VIII. Fachkräfte der Suchthilfe "
        "ziehen zunächst eine insoweit erfahrene Fachkraft hinzu (pseudonymisiert) und "
        "wirken auf die Eltern ein, Hilfe anzunehmen. Reicht das nicht, informieren sie "
        "das Jugendamt nach § 4 KKG und sagen es den Eltern vorher, solange das den Schutz "
        "des Kindes nicht gefährdet.",
    ),
    ("Die Beteiligtenkonferenz", AGENDA_V1),
    (
        "Kooperationsgremium und Fortschreibung",
        "Das Kooperationsgremium tagt halbjährlich und beschließt Änderungen dieses "
        "Leitfadens. Die Koordinationsstelle arbeitet sie ein und veröffentlicht eine neue "
        "Fassung.",
    ),
    (
        "Ansprechpersonen",
        "Koordinationsstelle Kooperation Jugendhilfe – Suchthilfe, Kreisverwaltung "
        "Heinsberg, Valkenburger Straße 45, 52525 Heinsberg, Telefon 02452 130.",
    ),
]


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def _save_dated(instance, when: datetime.datetime, user) -> None:
    # simple-history takes the record's date and author from these attributes: the
    # demo's history begins when the agreement was signed, not when the demo loads.
    instance._history_date = when
    instance._history_user = user
    instance.save()


def _load_agreement(world: DemoWorld) -> None:
    heinsberg = world.cooperations["HS"]
    if Agreement.objects.filter(cooperation=heinsberg).exists():
        return
    office = world.users["koordination"]
    signed = _at(2016, 5, 1)
    agreement = Agreement(
        cooperation=heinsberg,
        title=TITLE,
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=datetime.date(2016, 5, 1),
        goals=GOALS,
        financing=FINANCING,
    )
    _save_dated(agreement, signed, office)
    for key, name, function, on in PARTIES:
        party = AgreementParty(
            agreement=agreement,
            institution=world.institutions[key],
            signatory_name=name,
            signatory_function=function,
            signed_on=datetime.date(*on),
        )
        _save_dated(party, signed, office)
    for number, (title, body) in enumerate(SECTIONS_2016, 1):
        _save_dated(
            AgreementSection(agreement=agreement, number=number, title=title, body=body),
            signed,
            office,
        )
    for number, body, on in AMENDMENTS:
        section = agreement.sections.get(number=number)
        section.body = body
        _save_dated(section, _at(*on), office)


def _load_guideline(world: DemoWorld) -> None:
    heinsberg = world.cooperations["HS"]
    office = world.users["koordination"]
    # Drafted over the weeks before each publication; the history says so.
    with dated(days_ago(450, 9), by=office):
        guideline = services.guideline_create(cooperation=heinsberg)
        if guideline.versions.exists():
            return
        guideline.title = GUIDELINE_TITLE
        guideline.save()
        for title, body in GUIDELINE_SECTIONS:
            services.section_add(
                guideline=guideline,
                section=GuidelineSection(
                    title=title, body=body, is_conference_agenda=body == AGENDA_V1
                ),
            )
    today = timezone.localdate()
    first = _at(*(today - datetime.timedelta(days=420)).timetuple()[:3])
    with dated(first, by=office):
        services.guideline_publish(
            guideline=guideline,
            published_by=office,
            send_mail=False,
            note="Erste Fassung, beschlossen vom Kooperationsgremium.",
            published_at=first,
        )
    with dated(days_ago(160, 14), by=office):
        for title, body in (
            ("Einwilligung und Schweigepflichtentbindung", CONSENT_V2),
            ("Die Beteiligtenkonferenz", AGENDA_V2),
        ):
            section = guideline.draft_sections().get(title=title)
            section.body = body
            section.save()
    second = _at(*(today - datetime.timedelta(days=130)).timetuple()[:3])
    with dated(second, by=office):
        services.guideline_publish(
            guideline=guideline,
            published_by=office,
            send_mail=False,
            note=(
                "Abschnitt 4 (Einwilligung) nach Beschluss des Kooperationsgremiums "
                "überarbeitet; die Tagesordnung der Beteiligtenkonferenz um den Notfallplan "
                "ergänzt."
            ),
            published_at=second,
        )


@transaction.atomic
def load(world: DemoWorld) -> None:
    """Create the fictional demo records (idempotent)."""
    _load_agreement(world)
    _load_guideline(world)
