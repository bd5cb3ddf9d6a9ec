"""Documents kept on a case (a Kita report, a doctor's letter, a school statement).

Each belongs to the institution that holds it and to one data category: it is read
exactly where that institution's data of that category is released (``CaseAccess``),
served only from here, never by URL to storage, and every read is logged.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.access import require
from common.http import file_response
from common.uploads import content_type_of

from .. import services
from ..forms import CaseDocumentForm
from ..models import AccessLog, CaseDocument
from ..permissions import get_case_for_user_or_404
from .records import create_once, one_submission, render_form


@login_required
@require_http_methods(["GET", "POST"])
@one_submission
def document_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Upload a document held by the user's institution, in one data category."""
    access = get_case_for_user_or_404(request.user, reference)
    require(access.may_upload_document)
    form = CaseDocumentForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        return create_once(
            request,
            form,
            lambda: (
                services.case_document_add(
                    case=access.case,
                    institution=request.user.institution,
                    uploaded_by=request.user,
                    category=form.cleaned_data["category"],
                    title=form.cleaned_data["title"],
                    date=form.cleaned_data["date"],
                    upload=form.cleaned_data["file"],
                ).case
            ),
            _("The document was saved."),
        )
    return render_form(
        request,
        form,
        _("Add a document"),
        access,
        upload=True,
        intro=_(
            "Other institutions read the document only where a consent releases this "
            "category of your institution's data to them."
        ),
    )


@login_required
@require_GET
def document_file(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The stored file, through the gateway, the read logged; its checksum is its ETag."""
    access = get_case_for_user_or_404(request.user, reference)
    document = get_object_or_404(CaseDocument, case=access.case, pk=pk)
    if not access.may_read_document(document):
        # Not released to the reader: the document is not there for them at all.
        raise Http404
    AccessLog.record(request.user, AccessLog.What.CASE_DOCUMENT, access.case)
    suffix = document.file.name.rsplit(".", 1)[-1]
    return file_response(
        document.file.open("rb"),
        filename=f"Dokument-{access.case.reference}-{document.pk}.{suffix}",
        content_type=content_type_of(document.file.name),
        family_data=True,
        request=request,
        sha256=document.sha256,
    )
