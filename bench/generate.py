"""Fictional Kreis- and Land-sized populations for the benchmarks, created with bulk_create.

Every bench cooperation has a code ``B`` followed by four digits (``B0001`` ...), which
no real Kreis code and no demo code (``HS``, ``LB``) looks like. Generating deletes the
previous bench population first, so a scale can be generated again and again. Bulk
inserts bypass ``save()`` and signals: no history rows are written, and the permission
groups and ``is_staff`` that ``Institution.save()`` and ``User.save()`` would set are set
here explicitly.
"""

import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings

from cooperation.models import Cooperation, Institution, User

CODE_PREFIX = "B"
CODE_REGEX = rf"^{CODE_PREFIX}[0-9]{{4}}$"
USERNAME_PREFIX = "bench."
PASSWORD = "bench-password-not-secret"  # fictional accounts in a throw-away database


@dataclass(frozen=True)
class Scale:
    cooperations: int
    institutions_per_cooperation: int
    staff_per_institution: int

    @property
    def institutions(self) -> int:
        return self.cooperations * self.institutions_per_cooperation

    @property
    def staff(self) -> int:
        return self.institutions * self.staff_per_institution


SCALES = {
    "kreis": Scale(cooperations=1, institutions_per_cooperation=10, staff_per_institution=10),
    "land": Scale(cooperations=50, institutions_per_cooperation=10, staff_per_institution=10),
}

BodyKind = Cooperation.BodyKind
Kind = Institution.Kind
Law = Institution.DataProtectionLaw
Role = User.Role

# (kind, name pattern, short name pattern, law) of each institution of a cooperation;
# beyond this list come schools, Kitas and practices of kind OTHER.
INSTITUTION_PATTERN = [
    (Kind.KOORDINATION, "Koordinierungsstelle {town}", "KS {code}", Law.GDPR),
    (Kind.JUGENDAMT_KREIS, "Kreisjugendamt {town}", "KJA {code}", Law.GDPR),
    (Kind.JUGENDAMT_STADT, "Stadtjugendamt {town}-Nord", "SJA {code}", Law.GDPR),
    (Kind.SUCHTBERATUNG_GA, "Suchtberatung Gesundheitsamt {town}", "SB-GA {code}", Law.GDPR),
    (Kind.SUCHTBERATUNG_FREI, "Caritas-Suchtberatung {town}", "Caritas {code}", Law.KDG),
    (Kind.SUCHTBERATUNG_FREI, "Diakonie-Suchtberatung {town}", "Diakonie {code}", Law.DSG_EKD),
]
FIRST_NAMES = [
    "Anna", "Ben", "Clara", "David", "Elif", "Finn", "Greta", "Hannes", "Ida", "Jonas",
    "Katrin", "Lukas", "Mara", "Niklas", "Olga", "Paul", "Rieke", "Sven", "Tessa", "Yusuf",
]  # fmt: skip
LAST_NAMES = [
    "Albers", "Brandt", "Claßen", "Dahmen", "Esser", "Frings", "Giesen", "Houben", "Jansen",
    "Kamps", "Lenzen", "Moll", "Nießen", "Offermann", "Pütz", "Reiners", "Schmitz", "Thelen",
    "Vogel", "Wolters", "Zimmer",
]  # fmt: skip


def code(number: int) -> str:
    return f"{CODE_PREFIX}{number:04d}"


@override_settings(SIMPLE_HISTORY_ENABLED=False)
def delete_bench_data() -> None:
    """Delete every bench cooperation with its institutions, their groups, staff and history.

    History is switched off while deleting: a "-" history row per deleted account would
    make regenerating slow and leave thousands of rows behind.
    """
    cooperations = Cooperation.objects.filter(code__regex=CODE_REGEX)
    cooperation_ids = list(cooperations.values_list("pk", flat=True))
    institutions = Institution.objects.filter(cooperation_id__in=cooperation_ids)
    group_ids = list(institutions.values_list("group_id", flat=True))
    User.objects.filter(institution__in=institutions).delete()
    User.objects.filter(username__startswith=USERNAME_PREFIX).delete()
    institutions.delete()
    Group.objects.filter(pk__in=group_ids).delete()
    cooperations.delete()
    User.history.filter(username__startswith=USERNAME_PREFIX).delete()
    Institution.history.filter(email__endswith="@bench.example").delete()
    Cooperation.history.filter(code__regex=CODE_REGEX).delete()


def staff_role(institution: Institution, index: int) -> str:
    if institution.kind == Kind.KOORDINATION:
        return Role.DATA_PROTECTION if index == 0 else Role.COORDINATION
    return Role.LEAD if index == 0 else Role.CASEWORKER


@transaction.atomic
def generate(scale: str) -> Scale:
    """Replace the bench population by one of the given scale ("kreis" or "land")."""
    size = SCALES[scale]
    delete_bench_data()

    cooperations = Cooperation.objects.bulk_create(
        Cooperation(
            code=code(n),
            name=f"Bench-Kooperation Musterkreis {n:04d}",
            body_name=f"Musterkreis {n:04d}",
            body_kind=BodyKind.KREIS if n % 5 else BodyKind.KREISFREIE_STADT,
            body_region="Regierungsbezirk Musterland",
            body_seat=f"Musterstadt {n:04d}",
        )
        for n in range(1, size.cooperations + 1)
    )

    groups = Group.objects.bulk_create(
        Group(name=f"institution:{uuid.uuid4()}") for _ in range(size.institutions)
    )
    institutions = []
    for c, cooperation in enumerate(cooperations):
        town = f"Musterstadt {c + 1:04d}"
        for i in range(size.institutions_per_cooperation):
            if i < len(INSTITUTION_PATTERN):
                kind, name, short, law = INSTITUTION_PATTERN[i]
                name, short = name.format(town=town), short.format(code=cooperation.code)
            else:
                kind, law = Kind.OTHER, Law.GDPR
                name, short = f"Grundschule {town} {i:02d}", f"GS {cooperation.code}-{i:02d}"
            institutions.append(
                Institution(
                    cooperation=cooperation,
                    name=name,
                    short_name=short,
                    kind=kind,
                    data_protection_law=law,
                    street=f"Hauptstraße {i + 1}",
                    postal_code=f"{99000 + c:05d}",
                    city=town,
                    phone=f"0999 {c:04d}{i:02d}",
                    email=f"{cooperation.code.lower()}-{i:02d}@bench.example",
                    group=groups[len(institutions)],
                )
            )
    institutions = Institution.objects.bulk_create(institutions)

    password = make_password(PASSWORD)
    users = []
    for institution in institutions:
        for s in range(size.staff_per_institution):
            n = len(users)
            username = f"{USERNAME_PREFIX}{n + 1:05d}"
            role = staff_role(institution, s)
            users.append(
                User(
                    username=username,
                    first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[n // len(FIRST_NAMES) % len(LAST_NAMES)],
                    email=f"{username}@bench.example",
                    password=password,
                    institution=institution,
                    role=role,
                    is_staff=role == Role.COORDINATION,
                    is_active=True,
                )
            )
    User.objects.bulk_create(users, batch_size=1000)
    return size
