"""Committee sittings for the OParl tests (and the URL matrix), fictional throughout.

Approval is imitated with a small real PDF instead of WeasyPrint's rendering (seconds per
protocol): the API publishes frozen bytes and their checksums, whatever produced them.
The demo test covers protocols rendered for real.
"""

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone

from conferences import services
from conferences.models import Meeting, Minutes
from tests import factories


def pdf_bytes() -> bytes:
    return factories.pdf_upload().read()


def sitting(committee, organiser, *, starts_at=None, place="Kreishaus Heinsberg, Saal 2"):
    """A planned sitting (an hour ago unless told), with one agenda item of its own."""
    meeting = services.sitting_schedule(
        committee=committee,
        organiser=organiser,
        starts_at=starts_at or timezone.now() - datetime.timedelta(hours=1),
        place=place,
    )
    services.agenda_item_add(meeting=meeting, title="Bericht der Koordinationsstelle")
    return meeting


def approve(meeting: Meeting, approved_by, *, resolution: str = "Einstimmig.") -> Meeting:
    """Hold the sitting, record a resolution and freeze its minutes."""
    if meeting.is_open_for_scheduling:
        services.meeting_held(meeting=meeting)
    item = meeting.agenda.order_by("-number").first()
    minutes = meeting.minutes
    services.minutes_save(
        minutes=minutes,
        version=minutes.version,
        texts={item.pk: {"minutes": "Bericht erstattet.", "resolution": resolution}},
    )
    services.minutes_circulate(minutes=minutes)
    content = pdf_bytes()
    minutes.status = Minutes.Status.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_by = approved_by
    minutes.pdf.save(f"protokoll-{meeting.pk}.pdf", ContentFile(content), save=False)
    minutes.sha256 = hashlib.sha256(content).hexdigest()
    minutes.save()
    Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.APPROVED)
    meeting.refresh_from_db()
    return meeting
