"""What changed between two states of the Leitfaden, section by section.

Sections are matched by their ``key`` (kept across versions), so a renamed or moved
section is "changed", not "removed and added". The text diff works on the Markdown
source, line by line and, inside a changed line, word by word; the template escapes
every piece and marks it up as ``<ins>``/``<del>``. Readers see the rendered text
instead (``SectionChange.html``, ``rendered_diff``): what the section says, with the
changed words marked, never its Markdown.
"""

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from django.utils.safestring import SafeString, mark_safe

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
    # The Markdown sources compared ("" for an added section's old text and a removed
    # one's new text): what ``html`` renders.
    old_body: str = ""
    new_body: str = ""

    @cached_property
    def html(self) -> SafeString:
        """The section's text as it reads, insertions and deletions marked (empty when
        its text did not change)."""
        if self.kind == "unchanged" or self.old_body == self.new_body:
            return mark_safe("")
        # Both sources are sanitised by render_markdown; the diff adds only ins/del.
        return mark_safe(rendered_diff(self.old_body, self.new_body))  # noqa: S308

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
                    new_body=section.body,
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
                old_body=before.body,
                new_body=section.body,
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
                old_body=section.body,
            )
            at = next(
                (i for i, s in enumerate(result) if (s.old_number or s.number) > section.position),
                len(result),
            )
            result.insert(at, change)
    return Comparison(old_title, new_title, result)


# --- the rendered change view ----------------------------------------------------------

# A tag, a character reference, a word, a run of spaces, or any other single character.
_HTML_TOKENS = re.compile(r"<[^>]*>|&#?\w+;|\w+|\s+|[^\w\s]", re.DOTALL)
_TAG_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
_VOID = {"br", "hr", "img"}
# Where text may not stand: a removed word is held back until text may stand again.
_NO_TEXT = {"ul", "ol", "table", "thead", "tbody", "tfoot", "tr"}


def _is_tag(token: str) -> bool:
    return token.startswith("<")


def _tag(token: str) -> tuple[str, bool]:
    """(name, is_closing) of a tag token."""
    match = _TAG_NAME.match(token)
    return (match[1].lower() if match else ""), token.startswith("</")


def _balanced(tokens: list[str]) -> bool:
    """Whether the tags among ``tokens`` open and close each other completely."""
    stack: list[str] = []
    for token in tokens:
        if not _is_tag(token):
            continue
        name, closing = _tag(token)
        if name in _VOID:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def rendered_diff(old_source: str, new_source: str) -> str:
    """The newer text rendered as it reads, with removed words in ``<del>`` and added
    words in ``<ins>``: no Markdown markup, no labels.

    Both sources are rendered (and sanitised) first; the diff runs on the rendered
    tokens. The result keeps the newer text's tags, so it is well-formed whatever
    changed: the tags of removed text are dropped (unless they form whole elements, a
    removed list item) and its words kept, struck through, where text may stand.
    """
    from .markup import render_markdown

    old = _HTML_TOKENS.findall(str(render_markdown(old_source)))
    new = _HTML_TOKENS.findall(str(render_markdown(new_source)))
    ops: list[tuple[Op, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops += [("equal", token) for token in new[j1:j2]]
            continue
        removed = old[i1:i2]
        if removed:
            keep_tags = _balanced(removed)
            ops += [("delete", token) for token in removed if keep_tags or not _is_tag(token)]
        ops += [("insert", token) for token in new[j1:j2]]
    ops = _join_changes(ops)

    out: list[str] = []
    stack: list[str] = []
    held: list[str] = []  # removed words waiting for a place where text may stand
    wrapper: str | None = None

    def close_wrapper() -> None:
        nonlocal wrapper
        if wrapper:
            out.append(f"</{wrapper}>")
            wrapper = None

    def text(op: Op, token: str) -> None:
        nonlocal wrapper
        if stack and stack[-1] in _NO_TEXT:
            if op == "delete":
                held.append(token)
            return  # whitespace between list items or rows: nothing to show
        if held:
            close_wrapper()
            out.append("<del>" + "".join(held) + "</del>")
            held.clear()
        want = {"insert": "ins", "delete": "del"}.get(op)
        if want != wrapper:
            close_wrapper()
            if want:
                out.append(f"<{want}>")
                wrapper = want
        out.append(token)

    for op, token in ops:
        if not _is_tag(token):
            text(op, token)
            continue
        close_wrapper()
        name, closing = _tag(token)
        if name not in _VOID:
            if closing:
                if stack:
                    stack.pop()
            else:
                stack.append(name)
        out.append(token)
    close_wrapper()
    if "".join(held).strip():
        out.append("<p><del>" + "".join(held) + "</del></p>")
    html = "".join(out)
    # Neighbouring marks become one; a mark around nothing but spaces is no change.
    html = html.replace("</del><del>", "").replace("</ins><ins>", "")
    html = _EMPTY_DEL.sub("", html)
    return _EMPTY_INS.sub(r"\1", html)


_EMPTY_DEL = re.compile(r"<del>\s*</del>")
_EMPTY_INS = re.compile(r"<ins>(\s*)</ins>")


def _join_changes(ops: list[tuple[Op, str]]) -> list[tuple[Op, str]]:
    """Spaces alone between two changes join them (as in ``_inline``): "auf Papier" →
    "per E-Mail" reads as one removal and one insertion, not four pieces."""
    joined: list[tuple[Op, str]] = []
    for index, (op, token) in enumerate(ops):
        if (
            op == "equal"
            and not token.strip()
            and 0 < index < len(ops) - 1
            and ops[index - 1][0] != "equal"
            and ops[index + 1][0] != "equal"
            and not _is_tag(ops[index - 1][1])
            and not _is_tag(ops[index + 1][1])
        ):
            joined += [("delete", token), ("insert", token)]
        else:
            joined.append((op, token))
    # Removed before added within one run of changes, so each reads as a whole.
    result: list[tuple[Op, str]] = []
    run: list[tuple[Op, str]] = []

    def flush() -> None:
        result.extend(item for item in run if item[0] == "delete")
        result.extend(item for item in run if item[0] == "insert")
        run.clear()

    for op, token in joined:
        if op == "equal" or _is_tag(token):
            flush()
            result.append((op, token))
        else:
            run.append((op, token))
    flush()
    return result
