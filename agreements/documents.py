"""The printed agreement and Leitfaden: German, A4, tagged PDF/A (``common.pdf``).

Both are public records of the cooperation: a running header names the document and its
state. The Leitfaden has a title page and a table of contents whose page numbers
WeasyPrint fills in (``target-counter``).
"""

from django.utils import timezone

from common.pdf import render_pdf

from . import diff
from .models import AgreementState, GuidelineVersion


def agreement_pdf(state: AgreementState) -> bytes:
    """The agreement as it stands now, or as it stood on ``state.day``; its "Stand" is
    the day of the last change of the text shown, not the day it is printed."""
    agreement = state.agreement
    changed_on = state.changed_on or state.day or timezone.localdate()
    return render_pdf(
        "agreements/agreement_pdf.html",
        {
            "agreement": agreement,
            "cooperation": agreement.cooperation,
            "parties": state.parties,
            "sections": state.sections,
            "day": state.day,
            "changed_on": changed_on,
            "past": state.day is not None,
        },
        language="de",
        title=f"{agreement.title} – Stand {changed_on:%d.%m.%Y}",
        author=agreement.cooperation.name,
    )


def guideline_pdf(version: GuidelineVersion) -> bytes:
    """A published version of the Leitfaden, with what changed against its predecessor."""
    previous = version.previous()
    sections = version.ordered_sections()
    comparison = (
        diff.compare(previous.title, previous.ordered_sections(), version.title, sections)
        if previous
        else None
    )
    published = timezone.localtime(version.published_at)
    return render_pdf(
        "agreements/guideline_pdf.html",
        {
            "version": version,
            "guideline": version.guideline,
            "cooperation": version.guideline.cooperation,
            "sections": sections,
            "previous": previous,
            "comparison": comparison,
            "published": published,
        },
        language="de",
        title=f"{version.title} – Fassung {version.number}",
        author=version.guideline.cooperation.name,
    )
