"""Documents of a case: the consent form to print and sign."""

from common.pdf import render_pdf

from .models import Consent


def consent_form_pdf(consent: Consent) -> bytes:
    """The consent form for the family to sign, in German whatever the user's language."""
    return render_pdf(
        "cases/consent_form_pdf.html",
        {
            "consent": consent,
            "member": consent.given_by,
            "recipients": list(consent.recipients.all()),
            "categories": consent.category_labels,
        },
        language="de",
        title=f"Einwilligung in die Datenübermittlung – {consent.case.reference}",
        author=consent.source_institution.name,
    )
