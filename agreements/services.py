"""Writes of the Leitfaden: starting it, editing the draft's order, publishing versions."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Notification
from common.mail import Mail
from common.pending import enqueue_on_commit
from cooperation.models import Cooperation, User
from outbox.services import Outgoing, mail_queue

from . import diff, tasks
from .markup import agenda_errors
from .models import Guideline, GuidelineSection, GuidelineVersion
from .permissions import guideline_readers


@transaction.atomic
def guideline_create(*, cooperation: Cooperation) -> Guideline:
    """The cooperation's Leitfaden, created empty on first use (one per cooperation)."""
    guideline, _created = Guideline.objects.get_or_create(cooperation=cooperation)
    return guideline


def _lock(guideline: Guideline) -> Guideline:
    # Every write to a draft takes the Leitfaden's row lock: positions and version
    # numbers are computed from what is there, so two editors must not interleave.
    return Guideline.objects.select_for_update().get(pk=guideline.pk)


@transaction.atomic
def section_add(*, guideline: Guideline, section: GuidelineSection) -> GuidelineSection:
    """Append ``section`` (unsaved, title and body set) to the draft."""
    _lock(guideline)
    last = guideline.sections.drafts().aggregate(last=Max("position"))["last"] or 0
    section.guideline = guideline
    section.position = last + 1
    section.save()
    return section


@transaction.atomic
def section_move(*, section: GuidelineSection, up: bool) -> GuidelineSection:
    """Swap a draft section with its neighbour above (``up``) or below."""
    _lock(section.guideline)
    section.refresh_from_db()
    drafts = section.guideline.sections.drafts()
    neighbour = (
        drafts.filter(position__lt=section.position).order_by("-position").first()
        if up
        else drafts.filter(position__gt=section.position).order_by("position").first()
    )
    if neighbour is None:
        return section
    mine, theirs = section.position, neighbour.position
    # Through 0: the draft's positions are unique at every moment.
    section.position = 0
    section.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    section.position = theirs
    section.save(update_fields=["position"])
    return section


@transaction.atomic
def section_delete(*, section: GuidelineSection) -> None:
    """Remove a section from the draft and close the gap in the numbering. Published
    versions keep their copy."""
    guideline = _lock(section.guideline)
    position = section.position
    section.delete()
    for later in guideline.sections.drafts().filter(position__gt=position).order_by("position"):
        later.position -= 1
        later.save(update_fields=["position"])


def draft_comparison(guideline: Guideline) -> diff.Comparison:
    """The draft against the latest published version (everything is new before one)."""
    latest = guideline.latest_version()
    return diff.compare(
        latest.title if latest else guideline.title,
        latest.ordered_sections() if latest else [],
        guideline.title,
        guideline.draft_sections(),
    )


@transaction.atomic
def guideline_publish(
    *,
    guideline: Guideline,
    published_by: User,
    note: str = "",
    published_at: datetime.datetime | None = None,
    send_mail: bool = True,
) -> GuidelineVersion:
    """Publish the draft as the next numbered version: a snapshot of all its sections.

    Refused (ValidationError) when the draft is empty, when nothing changed since the
    latest version, or when its agenda section lists no agenda items: the next
    Beteiligtenkonferenz takes its agenda from the version published here.

    Its PDF is rendered by a task after the commit; the readers are notified in the
    application and, unless ``send_mail`` is off (the demo's past versions), by e-mail.
    """
    guideline = _lock(guideline)
    drafts = list(guideline.draft_sections())
    if not drafts:
        raise ValidationError(_("The draft has no sections yet."), code="empty")
    latest = guideline.latest_version()
    if latest and not draft_comparison(guideline):
        raise ValidationError(
            _("Nothing changed since version %(number)d.") % {"number": latest.number},
            code="unchanged",
        )
    for section in drafts:
        if section.is_conference_agenda:
            errors = agenda_errors(section.body)
            if errors:
                raise ValidationError(errors, code="agenda")
    version = GuidelineVersion.objects.create(
        guideline=guideline,
        number=(latest.number if latest else 0) + 1,
        title=guideline.title,
        note=note.strip(),
        published_at=published_at or timezone.now(),
        published_by=published_by,
    )
    # Written once, in bulk: GuidelineSection.save() refuses published sections.
    GuidelineSection.objects.bulk_create(
        GuidelineSection(
            guideline=guideline,
            version=version,
            key=section.key,
            position=number,
            title=section.title,
            body=section.body,
            is_conference_agenda=section.is_conference_agenda,
        )
        for number, section in enumerate(drafts, 1)
    )
    # The PDF is rendered once, by a worker, and from then on served as a file.
    enqueue_on_commit(tasks.render_guideline_version, version.pk)
    _notify_publication(version, send_mail=send_mail)
    return version


def _notify_publication(version: GuidelineVersion, *, send_mail: bool) -> None:
    """Tell everyone who works by the Leitfaden (but the publisher): in the application
    and by one e-mail with blind copies, through the outbox. The message names the
    version, its title and day, and links to it: nothing else."""
    guideline = version.guideline
    readers = list(
        guideline_readers(guideline.cooperation_id)
        .exclude(pk=version.published_by_id)
        .select_related("institution")
    )
    day = timezone.localtime(version.published_at).strftime("%d.%m.%Y")
    details = {"number": version.number, "title": version.title, "date": day}
    link = version.get_absolute_url()
    Notification.objects.bulk_create(
        Notification(
            user=user,
            kind=Notification.Kind.GUIDELINE_PUBLISHED,
            details=details,
            link=link,
            created_at=version.published_at,
        )
        for user in readers
    )
    addresses = sorted({user.email for user in readers if user.email})
    if not addresses or not send_mail:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("KispFam: version %(number)d of the Leitfaden published") % {
            "number": version.number
        }
        body = "\n\n".join(
            [
                _("Version %(number)s of the Leitfaden “%(title)s” was published on %(date)s.")
                % details,
                *([_("What changed: %(note)s") % {"note": version.note}] if version.note else []),
                _("Read it in KispFam: %(url)s") % {"url": f"{settings.SITE_URL}{link}"},
            ]
        )
    mail_queue(
        [
            Outgoing(
                mail=Mail(subject=subject, body=body, bcc=tuple(addresses)),
                cooperation=guideline.cooperation_id,
                institutions=tuple({user.institution_id for user in readers}),
            )
        ]
    )
