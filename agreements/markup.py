"""The Leitfaden's Markdown: rendered safely, and read as the conference agenda.

Rendering: Python-Markdown turns the source into HTML (raw HTML in the source passes
through it), then nh3 keeps only the allow-listed tags, attributes and URL schemes: no
script, no style, no event handlers, no ``javascript:`` links, whoever wrote the text.

The agenda: the section of the Leitfaden marked ``is_conference_agenda`` holds the default
agenda of every Beteiligtenkonferenz as a Markdown list. The rules, as the coordination
office reads them in the form's help text:

- The first list of the section is the agenda; each of its items is an agenda item.
  Prose before the list is an introduction, prose after it ends the agenda.
- Lines indented below an item are guidance for the minute-taker of that item.
- An item whose title ends in "(Gesundheitsdaten)" (or "(Gesundheit)") is the health
  item: conferences show it only to institutions to which health data is released (GDPR
  Art. 9), and the marker itself is not part of the title.
"""

import re
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(source: str) -> SafeString:
    """Markdown as sanitised HTML. Headings start at h3: the section title is the h2."""
    html = markdown.markdown(
        source or "",
        # nl2br: a line break typed in the form is a line break on the page (staff write
        # in a textarea, not in Markdown's paragraph rules).
        extensions=["nl2br", "sane_lists", "tables", "toc"],
        extension_configs={"toc": {"baselevel": 3}},
        output_format="html",
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 with the allow-list above


@dataclass(frozen=True)
class AgendaEntry:
    """One item of the default agenda of a Beteiligtenkonferenz."""

    title: str
    guidance: str = ""
    is_health: bool = False


AGENDA_TITLE_MAX = 200  # conferences.AgendaItem.title
_ITEM = re.compile(r"^ {0,3}(?:\d{1,3}[.)]|[-*+])\s+(?P<text>\S.*)$")
_HEALTH = re.compile(r"\s*\((?:Gesundheitsdaten|Gesundheit)\)\s*$", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*|__|`")


def parse_agenda(source: str) -> list[AgendaEntry]:
    """The agenda items of the first Markdown list in ``source`` (see the module doc)."""
    entries: list[AgendaEntry] = []
    title: str | None = None
    guidance: list[str] = []

    def finish() -> None:
        if title is None:
            return
        is_health = bool(_HEALTH.search(title))
        text = _EMPHASIS.sub("", _HEALTH.sub("", title)).strip()
        if text:
            entries.append(AgendaEntry(text, "\n".join(guidance).strip(), is_health))

    for line in (source or "").splitlines():
        item = _ITEM.match(line)
        if item:
            finish()
            title, guidance = item["text"], []
        elif title is not None and (not line.strip() or line.startswith((" ", "\t"))):
            guidance.append(line.strip())
        elif title is not None:
            break  # prose after the list: the agenda ends here
    finish()
    return entries


def agenda_errors(source: str) -> list[str]:
    """Why ``source`` cannot serve as the default agenda (empty list: it can)."""
    entries = parse_agenda(source)
    if not entries:
        return [
            _(
                "The agenda section must list the agenda items as a Markdown list "
                "(one item per line, starting with “1.” or “-”)."
            )
        ]
    return [
        _("The agenda item “%(title)s” is longer than %(max)d characters.")
        % {"title": entry.title[:60] + "…", "max": AGENDA_TITLE_MAX}
        for entry in entries
        if len(entry.title) > AGENDA_TITLE_MAX
    ]
