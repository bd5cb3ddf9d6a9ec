"""What makes a family recognisable in a text meant to be pseudonymised.

§4 Abs. 2 KKG, §8a Abs. 4 and §64 Abs. 2a SGB VIII: a case is discussed with an
experienced specialist with pseudonymised data only. Before a consultation is saved, its
text is searched for the family members' names, dates of birth and address, as people
write them: in any case, with or without umlauts ("Küppers", "Kueppers"), a date as
14.03.1991, 14.3.91, 1991-03-14 or 14. März 1991, a street with "Straße" or "Str.", with
or without the house number, and the postcode. What is found is named back to the writer
in their own spelling, so that they can replace it.

Only members the writer's institution may see are searched: the check must not become a
way to learn what other institutions recorded (the name search follows the same rule).
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import FamilyMember

FOLD = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
# Words a name may coincide with that a pseudonymised text cannot do without.
GENERIC_WORDS = {
    "mutter",
    "vater",
    "kind",
    "kinder",
    "sohn",
    "tochter",
    "eltern",
    "familie",
    "baby",
    "partner",
    "partnerin",
    "oma",
    "opa",
}
MONTHS = [
    ("januar", "jaenner", "jan"),
    ("februar", "feb"),
    ("maerz", "maer", "mrz"),
    ("april", "apr"),
    ("mai",),
    ("juni", "jun"),
    ("juli", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("oktober", "okt"),
    ("november", "nov"),
    ("dezember", "dez"),
]
KINDS = {
    "name": _("the name “%(text)s”"),
    "date_of_birth": _("the date of birth “%(text)s”"),
    "expected_date": _("the expected date of birth “%(text)s”"),
    "address": _("the address “%(text)s”"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    def __str__(self) -> str:
        return str(KINDS[self.kind] % {"text": self.text})


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` in lower case, umlauts written out, accents dropped; with the index in
    ``text`` of each folded character, so that a match can be named as it was typed."""
    folded: list[str] = []
    index: list[int] = []
    for position, character in enumerate(text):
        for lower in character.casefold():
            replacement = FOLD.get(lower)
            if replacement is None:
                decomposed = unicodedata.normalize("NFKD", lower)
                replacement = "".join(c for c in decomposed if not unicodedata.combining(c))
            for piece in replacement:
                folded.append(piece)
                index.append(position)
    return "".join(folded), index


def _word(folded_name: str) -> str:
    """A folded name as a whole-word pattern, any whitespace between its words."""
    words = [re.escape(word) for word in folded_name.split()]
    return r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"


def _name_patterns(member: FamilyMember) -> Iterable[str]:
    seen = set()
    for name in (member.first_name, member.last_name):
        folded, _index = fold(name.strip())
        parts = [folded, *re.split(r"[\s\-]+", folded)]
        for part in parts:
            part = part.strip(" .-")
            if len(part) >= 2 and part not in GENERIC_WORDS and part not in seen:
                seen.add(part)
                yield _word(part)


def _date_patterns(day: datetime.date) -> Iterable[str]:
    d, m, y = day.day, day.month, day.year
    years = rf"(?:{y}|{y % 100:02d})"
    separator = r"\s*[./-]\s*"
    yield rf"(?<!\d)0?{d}{separator}0?{m}{separator}{years}(?!\d)"
    yield rf"(?<!\d){y}-0?{m}-0?{d}(?!\d)"
    months = "|".join(MONTHS[m - 1])
    yield rf"(?<!\d)0?{d}\.?\s*(?:{months})\.?\s*{years}(?!\d)"


def _street_pattern(street: str) -> str:
    """A folded street name, "Straße" also as "Str.", the house number taken along."""
    escaped = [re.escape(word) for word in street.split()]
    if street.endswith("strasse"):
        escaped[-1] = escaped[-1][: -len("strasse")] + r"(?:strasse|str\.?)"
    return r"(?<!\w)" + r"\s+".join(escaped) + r"(?!\w)(?:\s*\d+\s*[a-z]?(?!\w))?"


def _address_patterns(address: str) -> Iterable[str]:
    lines = [part.strip() for part in address.replace("\n", ",").split(",") if part.strip()]
    if not lines:
        return
    folded, _index = fold(lines[0])
    # The street without its house number ("Marktplatz 1", "Kölner Str. 12a").
    street = re.sub(r"\s*\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?$", "", folded).strip(" .,")
    if len(street) >= 4 and street not in GENERIC_WORDS:
        yield _street_pattern(street)
    for postcode in re.findall(r"(?<!\d)\d{5}(?!\d)", address):
        yield rf"(?<!\d){postcode}(?!\d)"


def find_identifying(text: str, members: Iterable[FamilyMember]) -> list[Finding]:
    """What in ``text`` names one of ``members``: their names, dates of birth (or the
    expected date) and address, each as it was typed, in the order of the text. A part
    of a longer finding ("Groß" in "Groß-Küppers") is not named again."""
    folded, index = fold(text)
    spans: list[tuple[int, int, Finding]] = []

    def search(kind: str, pattern: str) -> None:
        for match in re.finditer(pattern, folded):
            if match.end() <= match.start():
                continue
            start, end = index[match.start()], index[match.end() - 1] + 1
            spans.append((start, end, Finding(kind, " ".join(text[start:end].split()))))

    for member in members:
        for pattern in _name_patterns(member):
            search("name", pattern)
        if member.date_of_birth:
            for pattern in _date_patterns(member.date_of_birth):
                search("date_of_birth", pattern)
        if member.expected_date:
            for pattern in _date_patterns(member.expected_date):
                search("expected_date", pattern)
        if member.address:
            for pattern in _address_patterns(member.address):
                search("address", pattern)
    # Longest first, so that a part inside a longer finding is dropped.
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    covered_until = -1
    for _start, end, finding in spans:
        if end <= covered_until:
            continue
        covered_until = max(covered_until, end)
        key = (finding.kind, finding.text.casefold())
        if key not in seen:
            seen.add(key)
            found.append(finding)
    return found
