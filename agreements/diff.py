"""What changed between two states of the Leitfaden, section by section.

Sections are matched by their ``key`` (kept across versions), so a renamed or moved
section is "changed", not "removed and added". The text diff works on the Markdown
source, line by line and, inside a changed line, word by word; the template escapes
every piece and marks it up as ``<ins>``/``<del>``.
"""

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Op = Literal["equal", "insert", "delete"]
CONTEXT_LINES = 2
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffLine:
    """One line of a text diff: ``kind`` is equal, insert, delete, changed or skip (a
    run of unchanged lines left out); ``parts`` are (op, text) pieces."""

    kind: str
    parts: tuple[tuple[Op, str], ...] = ()


@dataclass
class SectionChange:
    """How one section differs: added, removed, changed or unchanged."""

    kind: Literal["added", "removed", "changed", "unchanged"]
    key: object
    title: str
    number: int
    old_number: int | None = None
    old_title: str | None = None
    lines: list[DiffLine] = field(default_factory=list)
    agenda_flag: Literal["", "now", "no longer"] = ""

    @property
    def renamed(self) -> bool:
        return self.old_title is not None and self.old_title != self.title

    @property
    def moved(self) -> bool:
        return (
            self.kind == "changed"
            and self.old_number is not None
            and self.old_number != self.number
        )

    @property
    def text_changed(self) -> bool:
        return any(line.kind not in ("equal", "skip") for line in self.lines)


@dataclass
class Comparison:
    """The differences between an older and a newer state (title and sections)."""

    old_title: str
    new_title: str
    sections: list[SectionChange]

    @property
    def changes(self) -> list[SectionChange]:
        return [s for s in self.sections if s.kind != "unchanged"]

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title

    def kind_of(self, key) -> str:
        """added, changed or unchanged: how the section with ``key`` fares."""
        return next((s.kind for s in self.sections if s.key == key), "unchanged")

    def __bool__(self) -> bool:
        return self.title_changed or bool(self.changes)


def _split_words(line: str) -> list[str]:
    return _WORDS.findall(line)


def _inline(old: str, new: str) -> DiffLine:
    """A changed line, word by word. Spaces alone between two changes join them, so that
    "auf Papier" → "per E-Mail" reads as one removal and one insertion."""
    a, b = _split_words(old), _split_words(new)
    raw: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            raw.append(("insert", "".join(b[j1:j2])))
    parts: list[tuple[Op, str]] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            parts.append(("delete", "".join(removed)))
        if added:
            parts.append(("insert", "".join(added)))
        removed.clear()
        added.clear()

    for index, (op, text) in enumerate(raw):
        if op == "delete":
            removed.append(text)
        elif op == "insert":
            added.append(text)
        elif (
            not text.strip()
            and (removed or added)
            and index + 1 < len(raw)
            and raw[index + 1][0] != "equal"
        ):
            removed.append(text)
            added.append(text)
        else:
            flush()
            parts.append((op, text))
    flush()
    return DiffLine("changed", tuple(parts))


def text_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """The line diff of two Markdown sources, unchanged runs shortened to ``context``."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    lines: list[DiffLine] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = a[i1:i2]
            head = context if index > 0 else 0
            tail = context if index < len(opcodes) - 1 else 0
            if len(same) > head + tail + 1:
                lines += [DiffLine("equal", (("equal", s),)) for s in same[:head]]
                lines.append(DiffLine("skip"))
                lines += [DiffLine("equal", (("equal", s),)) for s in same[len(same) - tail :]]
            else:
                lines += [DiffLine("equal", (("equal", s),)) for s in same]
        elif tag == "replace":
            paired = min(i2 - i1, j2 - j1)
            lines += [_inline(a[i1 + n], b[j1 + n]) for n in range(paired)]
            lines += [DiffLine("delete", (("delete", s),)) for s in a[i1 + paired : i2]]
            lines += [DiffLine("insert", (("insert", s),)) for s in b[j1 + paired : j2]]
        elif tag == "delete":
            lines += [DiffLine("delete", (("delete", s),)) for s in a[i1:i2]]
        else:
            lines += [DiffLine("insert", (("insert", s),)) for s in b[j1:j2]]
    return lines


def _whole(text: str, op: Op) -> list[DiffLine]:
    return [DiffLine(op, ((op, line),)) for line in (text or "").splitlines()]


def compare(
    old_title: str,
    old_sections: Sequence,
    new_title: str,
    new_sections: Iterable,
) -> Comparison:
    """Compare two lists of sections (anything with key, position, title, body and
    is_conference_agenda): in the newer order, removed sections at their old place."""
    old_by_key = {s.key: s for s in old_sections}
    new_list = list(new_sections)
    new_keys = {s.key for s in new_list}
    result: list[SectionChange] = []
    for section in new_list:
        before = old_by_key.get(section.key)
        if before is None:
            result.append(
                SectionChange(
                    "added",
                    section.key,
                    section.title,
                    section.position,
                    lines=_whole(section.body, "insert"),
                    agenda_flag="now" if section.is_conference_agenda else "",
                )
            )
            continue
        lines = text_diff(before.body, section.body)
        flag = ""
        if before.is_conference_agenda != section.is_conference_agenda:
            flag = "now" if section.is_conference_agenda else "no longer"
        changed = (
            before.title != section.title
            or before.position != section.position
            or before.body != section.body
            or bool(flag)
        )
        result.append(
            SectionChange(
                "changed" if changed else "unchanged",
                section.key,
                section.title,
                section.position,
                old_number=before.position,
                old_title=before.title,
                lines=lines if before.body != section.body else [],
                agenda_flag=flag,
            )
        )
    for section in old_sections:
        if section.key not in new_keys:
            change = SectionChange(
                "removed",
                section.key,
                section.title,
                section.position,
                old_number=section.position,
                old_title=section.title,
                lines=_whole(section.body, "delete"),
            )
            at = next(
                (i for i, s in enumerate(result) if (s.old_number or s.number) > section.position),
                len(result),
            )
            result.insert(at, change)
    return Comparison(old_title, new_title, result)
