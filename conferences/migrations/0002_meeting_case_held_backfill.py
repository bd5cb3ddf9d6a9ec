"""The index the statistics probe, and each case's last conference held, filled in from
the meetings held so far (``conferences.services.meeting_held`` keeps it from then on)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

HELD_STATES = ["held", "circulated", "approved"]


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Meeting = apps.get_model("conferences", "Meeting")
    last = (
        Meeting.objects.filter(case=OuterRef("pk"), kind="case_conference", state__in=HELD_STATES)
        .order_by()
        .values("case")
        .annotate(last=Max("starts_at"))
        .values("last")
    )
    # The day is taken in Berlin, as meeting_held takes it; one row per case held once.
    rows = Case.objects.annotate(last=Subquery(last)).filter(last__isnull=False)
    for pk, starts_at in rows.values_list("pk", "last").iterator(chunk_size=2000):
        Case.objects.filter(pk=pk).update(
            last_conference_held_on=timezone.localtime(starts_at).date()
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_case_last_conference_held_on"),
        ("conferences", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                models.F("case"),
                models.OrderBy(models.F("starts_at"), descending=True),
                condition=models.Q(("kind", "case_conference"), ("state__in", HELD_STATES)),
                name="meeting_case_held",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
