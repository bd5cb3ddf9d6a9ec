"""Time and size the printed protocol of a Beteiligtenkonferenz (PDF/A-3b, WeasyPrint).

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_bench .venv/bin/python bench/pdf.py

A fictional conference (8 participants, the default agenda of 8 items, minutes of ten
A4 pages in all, 15 agreed actions) is built through the services in a transaction that
is rolled back, so nothing is left behind. The script prints two tables:

- timings, each the median of RUNS runs after WARMUP warm-ups, in wall-clock and CPU
  time (``time.process_time``, which other load on a shared machine disturbs less):
  *protocol_pdf* is ``documents.protocol_pdf(meeting, minutes, include_health=True)``
  (the queries of ``protocol_context``, the template, ``common.pdf``, WeasyPrint);
  *WeasyPrint alone* is ``HTML(string=html).write_pdf(pdf_variant="pdf/a-3b",
  pdf_tags=True, stylesheets=[documents.css])`` on the same HTML, rendered to a string
  once beforehand; for comparison the context and template alone and WeasyPrint writing
  a plain, untagged PDF (no PDF/A) with the same stylesheet. Then the *ratio* of the
  first two (target at most 1.1) and the *pages per second* of ``protocol_pdf``; the
  page count is read back with pypdf. The calls take turns starting a run, so that a
  slower or faster phase of the machine affects all of them alike, and each starts
  after ``gc.collect()``.
- peak RSS: ``ru_maxrss`` of a fresh child process that sets up Django, builds the
  meeting and renders the protocol once, read as ``RUSAGE_CHILDREN`` after it exited
  (target at most 200 MiB; the child is started from a small launcher process, see
  ``launch``), its VmHWM as a check; of a child that does the same without rendering
  (the baseline); and of this process after migrate and all the runs.
"""

import argparse
import datetime
import gc
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not this directory but the project root: bench/http.py (the HTTP benchmark) would
# shadow the standard library's http package, which Django imports.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kispfam.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

WARMUP = 2
RUNS = 10
TARGET_RATIO = 1.1
TARGET_RSS_MIB = 200

# The bench cooperation code (``B`` and four digits, see generate.CODE_REGEX) far above
# the generated populations' B0001 ..., so that delete_bench_data would remove it should
# a rollback ever not happen.
COOPERATION_CODE = "B9901"
# Sentences per agenda item (the health item and the concerns get more): tuned so that
# the protocol has ten A4 pages.
SENTENCES = [10, 48, 56, 40, 54, 34, 22, 8]

STAFF = [
    # (username suffix, first, last, institution key, role in the conference)
    ("kja", "Katrin", "Esser", "kja", "fallführende Fachkraft"),
    ("sb", "Jonas", "Houben", "sb_ga", "Suchtberatung"),
    ("caritas", "Mara", "Frings", "caritas", "Suchtberatung, Elterngruppe"),
    ("kita", "Rieke", "Thelen", "kita", "Kita-Leitung"),
    ("praxis", "Yusuf", "Dahmen", "praxis", "substituierender Arzt"),
]
INSTITUTIONS = {
    # key: (kind, name, short name)
    "kja": ("jugendamt_kreis", "Kreisjugendamt Musterkreis", "KJA Muster"),
    "sb_ga": ("suchtberatung_ga", "Suchtberatung Gesundheitsamt Musterkreis", "SB-GA Muster"),
    "caritas": ("suchtberatung_frei", "Caritas-Suchtberatung Musterstadt", "Caritas Muster"),
    "kita": ("other", "Kita Regenbogen Musterstadt", "Kita Regenbogen"),
    "praxis": ("other", "Praxis für Allgemeinmedizin Dr. Dahmen", "Praxis Dahmen"),
}

# Building blocks of the minutes: each item's sentences are drawn from its pool (and a
# common pool), as a minute-taker writes them, attributed to a participant now and then.
COMMON = [
    "Die Anwesenden stimmen dieser Einschätzung zu.",
    "Frau Esser fasst die Beiträge zusammen und fragt nach Ergänzungen.",
    "Es wird vereinbart, diesen Punkt bei der nächsten Konferenz erneut aufzugreifen.",
    "Die Familie wird gefragt, ob sie das ebenso sieht; sie bestätigt es.",
    "Herr Houben ergänzt, dass die Termine in den letzten Wochen verlässlich wahrgenommen wurden.",
    "Die Kita bestätigt diese Beobachtung aus dem Alltag der Einrichtung.",
    "Offen bleibt, wie die Abstimmung in den Ferien gelingen kann.",
    "Die Beteiligten halten fest, dass die Hilfen gut ineinandergreifen.",
]
POOLS = [
    [
        "Frau Esser begrüßt die Anwesenden und stellt den Ablauf der Konferenz vor.",
        "Sie erinnert daran, dass die Inhalte vertraulich sind und nur im Rahmen der "
        "erteilten Einwilligungen weitergegeben werden.",
        "Ziel der Konferenz ist es, gemeinsam mit den Eltern verbindliche Absprachen für "
        "Ben zu treffen.",
        "Die Eltern haben der Teilnahme aller Anwesenden vorab schriftlich zugestimmt.",
        "Frau Jansen und Herr Brandt werden gebeten, jederzeit nachzufragen, wenn etwas "
        "unklar ist.",
    ],
    [
        "Ben ist vier Jahre alt und besucht seit August die Kita Regenbogen, in der Regel "
        "von 8 bis 14 Uhr.",
        "Frau Thelen berichtet, dass Ben morgens meist pünktlich, gepflegt und mit einem "
        "Frühstück gebracht wird.",
        "An einzelnen Montagen wirkte er müde und zog sich in der Gruppe zurück; nach dem "
        "Mittagessen war das jeweils vorüber.",
        "Die Sprachentwicklung ist altersgerecht; die Logopädin sieht keinen weiteren "
        "Förderbedarf.",
        "Die U8 wurde im Oktober beim Kinderarzt wahrgenommen, der Impfstatus ist vollständig.",
        "Ben spielt gern draußen und sucht von sich aus Kontakt zu anderen Kindern.",
        "Die Grundversorgung mit Essen, Kleidung und Schlaf ist nach Einschätzung aller "
        "Beteiligten gesichert.",
        "Die Wohnung ist ausreichend groß; Ben hat ein eigenes Zimmer mit Bett und Spielecke.",
        "Abholungen durch die Großmutter klappen zuverlässig und werden mit der Kita "
        "vorher abgesprochen.",
        "Frau Thelen regt an, Ben im nächsten Jahr für die Vorschulgruppe anzumelden.",
    ],
    [
        "Frau Jansen nimmt die Beratung in der Suchtberatung des Gesundheitsamtes seit "
        "März 14-täglich wahr.",
        "Herr Houben berichtet von einer stabilen Abstinenz seit drei Monaten; die "
        "Urinkontrollen waren unauffällig.",
        "Herr Brandt ist seit zwei Jahren in Substitutionsbehandlung bei Dr. Dahmen, mit "
        "stabiler Dosis und Take-home-Verordnung.",
        "Dr. Dahmen schildert den Verlauf als stabil; Beikonsum wurde zuletzt im Frühjahr "
        "festgestellt und offen besprochen.",
        "Frau Frings berichtet, dass Herr Brandt seit Oktober die Elterngruppe der "
        "Caritas-Suchtberatung besucht.",
        "Frau Jansen schildert, dass ihr die Gespräche helfen, Belastungen früher zu erkennen.",
        "Ein Rückfall im Sommer wurde in der Beratung aufgearbeitet; ein Notfallplan liegt vor.",
        "Die Medikamente werden in einem abschließbaren Schrank außerhalb der Reichweite "
        "des Kindes aufbewahrt.",
        "Herr Brandt möchte die Dosis im kommenden Halbjahr langsam reduzieren; Dr. "
        "Dahmen rät zu kleinen Schritten.",
        "Eine stationäre Entwöhnung ist derzeit nicht geplant, wird aber offen gehalten.",
    ],
    [
        "Die Großmutter mütterlicherseits betreut Ben an zwei Nachmittagen in der Woche "
        "und springt bei Krankheit ein.",
        "Die Eltern haben einen festen Tagesablauf mit gemeinsamen Mahlzeiten eingeführt.",
        "Herr Brandt arbeitet seit September in Teilzeit in einem Gartenbaubetrieb.",
        "Frau Jansen ist im Elternrat der Kita aktiv und hat Kontakt zu anderen Familien.",
        "Die Familie nutzt die Angebote des Familienzentrums, zuletzt einen Elternabend "
        "zur Mediennutzung.",
        "Ben geht gern zum Kinderturnen im Sportverein; die Beiträge trägt das Bildungs- "
        "und Teilhabepaket.",
        "Die Eltern können um Hilfe bitten und nehmen Unterstützung an.",
    ],
    [
        "Sorge besteht vor allem für Zeiten hoher Belastung, etwa bei Krankheit oder "
        "Streit der Eltern.",
        "Die Kita hat zweimal beobachtet, dass Ben von sich aus sagte, der Papa sei "
        "„wieder so müde“.",
        "Im Notfallplan ist festgelegt, dass die Großmutter Ben abholt, wenn ein "
        "Elternteil nicht sicher betreuen kann.",
        "Frau Esser weist auf das Schutzkonzept nach § 8a SGB VIII hin und erläutert, "
        "wann das Jugendamt informiert werden muss.",
        "Die Eltern sagen zu, sich bei einem Rückfall selbst an die Beratung oder das "
        "Jugendamt zu wenden.",
        "Finanzielle Engpässe zum Monatsende werden als zusätzliche Belastung benannt; "
        "die Schuldnerberatung ist angefragt.",
        "Eine akute Gefährdung des Kindes sehen die Beteiligten derzeit nicht.",
        "Ein Risiko bleibt die Aufbewahrung des Substitutionsmittels bei Take-home-"
        "Vergabe; es wird erneut besprochen.",
        "Die Beteiligten verständigen sich darauf, Beobachtungen zeitnah und direkt "
        "miteinander zu klären.",
    ],
    [
        "Frau Jansen: „Ich will, dass Ben bei uns bleibt, und ich schaffe das mit Hilfe.“",
        "Herr Brandt: „Die Gespräche mit Dr. Dahmen und in der Gruppe tun mir gut, auch "
        "wenn es manchmal schwer ist.“",
        "Die Eltern wünschen sich, dass Absprachen schriftlich festgehalten werden, damit "
        "sie nachlesen können.",
        "Sie möchten nicht, dass die Kita über Einzelheiten der Behandlung informiert "
        "wird; das wird respektiert.",
        "Frau Jansen: „Manchmal habe ich Angst, dass man uns nur kontrollieren will.“",
        "Die Eltern bedanken sich für die offene Atmosphäre der Konferenz.",
    ],
    [
        "Die Vereinbarungen werden gemeinsam formuliert und am Ende vorgelesen.",
        "Alle Anwesenden erklären sich mit den Vereinbarungen einverstanden.",
        "Die Verantwortlichen und Fristen stehen in der Tabelle der Vereinbarungen.",
        "Frau Esser verschickt das Protokoll innerhalb einer Woche zur Durchsicht.",
    ],
    [
        "Die nächste Beteiligtenkonferenz findet in sechs Monaten statt.",
        "Frau Esser lädt rechtzeitig ein; Ort und Uhrzeit bleiben gleich.",
        "Bei Bedarf kann jede beteiligte Stelle eine frühere Konferenz anregen.",
    ],
]
SPEAKERS = ["Frau Esser", "Herr Houben", "Frau Frings", "Frau Thelen", "Dr. Dahmen"]
RESOLUTIONS = {
    2: "Die Familie nimmt die Beratung weiter wahr; Herr Houben und Dr. Dahmen berichten "
    "in der nächsten Konferenz.",
    5: "Der Notfallplan wird aktualisiert und allen Beteiligten in Kopie übergeben.",
    7: "Die Vereinbarungen gelten bis zur nächsten Konferenz.",
}
ACTIONS = [
    # (what, responsible, participant's last name or institution key, days, done)
    ("Notfallplan aktualisieren und an alle Beteiligten verteilen", "participant", "Esser", 14,
     True),
    ("Beratungstermine 14-täglich wahrnehmen", "parents", None, 180, False),
    ("Elterngruppe weiterhin besuchen", "parents", None, 180, False),
    ("Anmeldung zur Vorschulgruppe einreichen", "parents", None, 60, False),
    ("Schuldnerberatung vermitteln", "participant", "Frings", 21, True),
    ("Rückmeldung zur Abstinenz an das Jugendamt (mit Einwilligung)", "institution", "sb_ga",
     90, False),
    ("Aufbewahrung des Substitutionsmittels prüfen", "participant", "Dahmen", 30, False),
    ("Dosisreduktion in kleinen Schritten planen", "participant", "Dahmen", 60, False),
    ("Ferienbetreuung mit der Großmutter abstimmen", "parents", None, 45, False),
    ("Entwicklungsbericht für die nächste Konferenz schreiben", "institution", "kita", 170,
     False),
    ("Kinderturnen: Antrag Bildung und Teilhabe verlängern", "parents", None, 40, True),
    ("Kontakt zum Familienzentrum herstellen (Elterncafé)", "participant", "Thelen", 30,
     False),
    ("Protokoll an alle Beteiligten verschicken", "participant", "Esser", 7, True),
    ("Termin der nächsten Beteiligtenkonferenz abstimmen", "institution", "kja", 150, False),
    ("Einwilligung zur Schweigepflichtentbindung erneuern", "participant", "Esser", 60,
     False),
]  # fmt: skip


def minutes_text(item: int, rng: random.Random) -> str:
    """Paragraphs of an item's minutes: drawn from its pool and the common pool."""
    pool = POOLS[item]
    paragraphs, sentences = [], []
    for n in range(SENTENCES[item]):
        source = pool if n < len(pool) or rng.random() < 0.7 else COMMON
        sentence = source[n % len(source)] if n < len(pool) else rng.choice(source)
        if not sentences and item not in (0, 6, 7) and rng.random() < 0.5:
            sentence = f"{rng.choice(SPEAKERS)} ergänzt: {sentence}"
        sentences.append(sentence)
        if len(sentences) >= rng.randint(3, 6):
            paragraphs.append(" ".join(sentences))
            sentences = []
    if sentences:
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def build_conference():
    """Create the cooperation, its institutions and staff, a case and its held
    conference with minutes and actions; return ``(meeting, minutes)``.

    Call it inside a transaction that is rolled back.
    """
    from django.utils import timezone

    from cases import services as case_services
    from cases.models import FamilyMember
    from conferences import services
    from conferences.models import Action, Meeting, Minutes, Participant
    from cooperation.models import Cooperation, Institution, User

    cooperation = Cooperation.objects.create(
        code=COOPERATION_CODE,
        name="Bench-Kooperation Protokoll Musterkreis",
        body_name="Musterkreis",
        body_kind=Cooperation.BodyKind.KREIS,
        body_region="Regierungsbezirk Musterland",
        body_seat="Musterstadt",
    )
    institutions = {
        key: Institution.objects.create(
            cooperation=cooperation,
            name=name,
            short_name=short,
            kind=kind,
            street="Hauptstraße 1",
            postal_code="99999",
            city="Musterstadt",
            email=f"{key}@bench.example",
        )
        for key, (kind, name, short) in INSTITUTIONS.items()
    }
    staff = [
        User.objects.create(
            username=f"bench.pdf.{suffix}",
            first_name=first,
            last_name=last,
            email=f"bench.pdf.{suffix}@bench.example",
            institution=institutions[key],
            role=User.Role.CASEWORKER,
        )
        for suffix, first, last, key, _role in STAFF
    ]
    organiser = staff[0]
    kja = institutions["kja"]
    mother = FamilyMember(
        kind=FamilyMember.Kind.MOTHER,
        first_name="Lena",
        last_name="Jansen",
        date_of_birth=datetime.date(1994, 5, 17),
        address="Lindenweg 4, 99999 Musterstadt",
    )
    case = case_services.case_open(lead_institution=kja, opened_by=organiser, first_member=mother)
    partner = FamilyMember.objects.create(
        case=case,
        source_institution=kja,
        kind=FamilyMember.Kind.PARTNER,
        first_name="Marco",
        last_name="Brandt",
        date_of_birth=datetime.date(1990, 11, 2),
    )
    FamilyMember.objects.create(
        case=case,
        source_institution=kja,
        kind=FamilyMember.Kind.CHILD,
        first_name="Ben",
        last_name="Jansen",
        date_of_birth=datetime.date(2022, 3, 9),
    )

    starts = timezone.make_aware(datetime.datetime(2026, 11, 19, 10, 0))
    meeting = services.conference_schedule(
        case=case,
        organiser=organiser,
        starts_at=starts,
        duration_minutes=120,
        place="Kreishaus Musterstadt, Besprechungsraum 3.14",
        next_date=datetime.date(2027, 5, 20),
    )
    meeting.participants.update(role=STAFF[0][4])
    participants = {organiser.last_name: meeting.participants.get()}
    for user, (_suffix, _first, last, _key, role) in zip(staff[1:], STAFF[1:], strict=True):
        participants[last] = Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.STAFF,
            user=user,
            institution_id=user.institution_id,
            name=user.get_full_name(),
            role=role,
            email=user.email,
        )
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.EXTERNAL,
        name="Greta Moll",
        role="Familienhebamme (freiberuflich)",
        contact="0999 123456",
    )
    for member in (case.members.get(kind=FamilyMember.Kind.MOTHER), partner):
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.FAMILY,
            member=member,
            name=str(member),
            role=member.get_kind_display(),
        )
    meeting.participants.update(attendance=Participant.Attendance.PRESENT, invited_sequence=0)
    meeting.participants.filter(name="Greta Moll").update(attendance=Participant.Attendance.EXCUSED)
    services.meeting_held(meeting=meeting)

    rng = random.Random(2026)
    items = list(meeting.agenda.all())
    texts = {
        item.pk: {"minutes": minutes_text(index, rng), "resolution": RESOLUTIONS.get(index, "")}
        for index, item in enumerate(items)
    }
    minutes = meeting.minutes
    services.minutes_save(minutes=minutes, version=minutes.version, texts=texts)
    held_on = timezone.localdate(starts)
    for what, responsible, who, days, done in ACTIONS:
        due = held_on + datetime.timedelta(days=days)
        Action.objects.create(
            meeting=meeting,
            what=what,
            responsible=responsible,
            participant=participants[who] if responsible == "participant" else None,
            institution=institutions[who] if responsible == "institution" else kja,
            due_on=due,
            status=Action.Status.DONE if done else Action.Status.OPEN,
            done_on=held_on + datetime.timedelta(days=days // 2) if done else None,
        )
    services.minutes_circulate(minutes=minutes)
    # As the worker (conferences.tasks.render_protocol) renders it: approved; here not saved.
    minutes = Minutes.objects.get(pk=minutes.pk)
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = starts + datetime.timedelta(days=7)
    minutes.approved_by = organiser
    meeting = Meeting.objects.get(pk=meeting.pk)
    return meeting, minutes


def page_count(pdf: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def rolled_back(action: Callable[[], dict]) -> dict:
    """Run ``action`` in a transaction that is rolled back; return its result."""
    from django.db import transaction

    with transaction.atomic():
        result = action()
        transaction.set_rollback(True)
    return result


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """``ru_maxrss`` (KiB on Linux) of this process or its waited-for children, in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024


def high_water_mib() -> float | None:
    """VmHWM of this process (Linux): the peak RSS of its own address space only."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmHWM"].split()[0]) / 1024 if "VmHWM" in fields else None


def child(render: bool) -> dict:
    """The child process: build the meeting and (if ``render``) render the protocol once."""

    def run() -> dict:
        from conferences import documents

        meeting, minutes = build_conference()
        result: dict = {}
        if render:  # pages are not counted here: pypdf would add to the peak
            pdf = documents.protocol_pdf(meeting, minutes, include_health=True)
            result["pdf bytes"] = len(pdf)
        return result

    result = rolled_back(run)
    result["rss"], result["hwm"] = peak_rss_mib(), high_water_mib()
    return result


def run_script(mode: str) -> dict:
    """Run this script with ``--child mode`` in a fresh interpreter; its JSON result."""
    command = [sys.executable, __file__, "--child", mode]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def launch() -> dict:
    """The launcher: run the rendering child, read RUSAGE_CHILDREN, then the baseline.

    Linux keeps the high-water mark of the address space a process leaves at exec, and
    subprocess starts children with vfork, i.e. in the parent's address space: a child's
    ru_maxrss (and so RUSAGE_CHILDREN) is at least the RSS of whoever started it. The
    main process, having migrated, is as big as a rendering child, so the children are
    started from this launcher, which imports neither Django nor WeasyPrint.
    """
    rendering = run_script("render")
    children = peak_rss_mib(resource.RUSAGE_CHILDREN)
    return {
        "render": rendering,
        "children rss": children,
        "build": run_script("build"),
        "launcher rss": peak_rss_mib(),
    }


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def measure() -> dict:
    """Build the meeting and time protocol_pdf next to WeasyPrint alone (rolled back).

    Returns the page count, sizes and, per timed call, the medians of wall-clock and CPU
    time (``time.process_time``: this process only, so less disturbed by other load on a
    shared machine) and the wall-clock range.
    """
    from weasyprint import HTML

    from common import pdf
    from conferences import documents

    meeting, minutes = build_conference()

    def template() -> str:
        context = documents.protocol_context(meeting, minutes, include_health=True)
        return pdf.render_html(
            "conferences/protocol_pdf.html", context, language="de", title="Protokoll"
        )

    html = template()
    stylesheet = pdf._stylesheet()
    calls: dict[str, Callable[[], object]] = {
        "protocol_pdf": lambda: documents.protocol_pdf(meeting, minutes, include_health=True),
        "WeasyPrint alone": lambda: HTML(string=html).write_pdf(
            pdf_variant=pdf.PDF_VARIANT, pdf_tags=True, stylesheets=[stylesheet]
        ),
        # For comparison: what protocol_pdf adds, and what tagged PDF/A costs.
        "context + template": template,
        "WeasyPrint, plain PDF": lambda: HTML(string=html).write_pdf(stylesheets=[stylesheet]),
    }
    outputs = {name: call() for name, call in calls.items()}  # the first warm-up
    for _ in range(WARMUP - 1):
        for call in calls.values():
            call()
    wall: dict[str, list[float]] = {name: [] for name in calls}
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for run in range(RUNS):
        # Each run starts with a different call, and each call with no garbage left by the
        # one before: otherwise the cyclic GC of the previous call's boxes falls on
        # whichever call comes next (it made protocol_pdf 11-19 % slower than WeasyPrint
        # alone in a first version of this script, against 2-7 % with the collection).
        for name in names[run % len(names) :] + names[: run % len(names)]:
            call = calls[name]
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    pages = page_count(outputs["protocol_pdf"])
    assert outputs["context + template"] == html, "the template renders differently"
    assert page_count(outputs["WeasyPrint alone"]) == pages, "the renderings differ"
    return {
        "pages": pages,
        "html KiB": len(html.encode()) / 1024,
        "pdf KiB": len(outputs["protocol_pdf"]) / 1024,
        "plain KiB": len(outputs["WeasyPrint, plain PDF"]) / 1024,
        "timings": {
            name: (
                median_ms(wall[name]),
                median_ms(cpu[name]),
                min(wall[name]) * 1000,
                max(wall[name]) * 1000,
            )
            for name in calls
        },
    }


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        numbers = zip(row[1:-1], widths[1:-1], strict=True)
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in numbers]
        print("  ".join([*cells, row[-1]]).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def mib(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["launch", "render", "build"], help=argparse.SUPPRESS)
    parser.add_argument("--no-migrate", action="store_true", help="skip `migrate`")
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL"):
        print(
            "bench/pdf.py needs DATABASE_URL (PostgreSQL as the other benchmarks, or SQLite):\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_bench "
            ".venv/bin/python bench/pdf.py",
            file=sys.stderr,
        )
        return 2

    if args.child == "launch":
        print(json.dumps(launch()))
        return 0

    import django

    django.setup()
    if args.child:
        print(json.dumps(child(render=args.child == "render")))
        return 0

    import weasyprint
    from django.core.management import call_command
    from django.db import connection

    from common import pdf

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    # The children first: they create the same cooperation in their own transactions,
    # which would wait for this process's transaction if it were open.
    launched = run_script("launch")
    rendering, baseline = launched["render"], launched["build"]
    result = rolled_back(measure)
    own_rss = peak_rss_mib()

    pages, timings = result["pages"], result["timings"]
    wall_ratio = timings["protocol_pdf"][0] / timings["WeasyPrint alone"][0]
    cpu_ratio = timings["protocol_pdf"][1] / timings["WeasyPrint alone"][1]
    print(
        f"Protocol PDF ({pdf.PDF_VARIANT} tagged, WeasyPrint {weasyprint.__version__}, "
        f"{connection.vendor}): {pages} pages (pypdf), "
        f"{result['html KiB']:.0f} KiB HTML, {result['pdf KiB']:.0f} KiB PDF "
        f"({rendering['pdf bytes'] / 1024:.0f} KiB in the child, "
        f"{result['plain KiB']:.0f} KiB without PDF/A); median of {RUNS} runs after "
        f"{WARMUP} warm-ups\n"
    )
    rows: list[tuple[str, ...]] = [("call", "wall ms", "CPU ms", "wall min–max ms", "")]
    for name, (wall, cpu, low, high) in timings.items():
        rows.append((name, f"{wall:.1f}", f"{cpu:.1f}", f"{low:.0f}–{high:.0f}", ""))
    rows += [
        (
            "ratio protocol_pdf / alone",
            f"{wall_ratio:.3f}",
            f"{cpu_ratio:.3f}",
            "",
            f"target ≤ {TARGET_RATIO}: {verdict(wall_ratio, TARGET_RATIO)}",
        ),
        (
            "pages per second",
            f"{pages / timings['protocol_pdf'][0] * 1000:.1f}",
            f"{pages / timings['protocol_pdf'][1] * 1000:.1f}",
            "",
            "protocol_pdf",
        ),
    ]
    print_table(rows)
    print()
    peak = launched["children rss"]
    print_table(
        [
            ("peak RSS", "MiB", ""),
            (
                "fresh process rendering once",
                f"{peak:.0f}",
                f"RUSAGE_CHILDREN of the launcher; target ≤ {TARGET_RSS_MIB}: "
                f"{verdict(peak, TARGET_RSS_MIB)}",
            ),
            ("  its VmHWM", mib(rendering["hwm"]), "/proc/self/status at its end"),
            (
                "fresh process, no rendering",
                f"{baseline['rss']:.0f}",
                "Django, database, the meeting built",
            ),
            ("rendering's share", f"{peak - baseline['rss']:.0f}", "the difference"),
            (
                "this process",
                f"{own_rss:.0f}",
                f"ru_maxrss after migrate and {WARMUP + RUNS} runs of each call",
            ),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
