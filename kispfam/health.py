"""The load balancer's health endpoint (django-health-check): ``GET /health/``.

200 while this node can serve: the database answers, the cache stores and returns a
value, the media storage can be written. A backlog of tasks that no worker has taken for
``TASKS_BACKLOG_MINUTES`` is reported as a warning but keeps the 200: the pages work
without the worker, and taking every web node out of the pool because the worker stopped
would turn late e-mail into an outage. Monitoring reads the warning line. The answer is
plain text with the checks' names and states: no login, no data, no error text (a
database error names hosts).
"""

import asyncio
import dataclasses
import datetime

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceWarning
from health_check.views import HealthCheckView


@dataclasses.dataclass
class TaskBacklog(HealthCheck):
    """Warn when a task has been ready for longer than ``minutes`` without a worker
    taking it (due since it was enqueued, or since its ``run_after``)."""

    minutes: int = dataclasses.field(default_factory=lambda: settings.TASKS_BACKLOG_MINUTES)

    async def run(self) -> None:
        if not isinstance(task_backends["default"], DatabaseBackend):
            return  # the immediate backend has no queue
        cutoff = timezone.now() - datetime.timedelta(minutes=self.minutes)
        waiting = await (
            DBTaskResult.objects.filter(status="READY")
            .filter(Q(run_after__lt=cutoff) | Q(run_after=get_date_max(), enqueued_at__lt=cutoff))
            .acount()
        )
        if waiting:
            raise ServiceWarning(
                f"{waiting} task(s) waiting longer than {self.minutes} minutes for a worker"
            )


class HealthView(HealthCheckView):
    checks = (Database, Cache, Storage, TaskBacklog)

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failing = any(r.error and not isinstance(r.error, ServiceWarning) for r in results)
        lines = []
        for result in results:
            name = type(result.check).__name__
            if result.error is None:
                lines.append(f"{name}: OK")
            elif isinstance(result.error, ServiceWarning):
                lines.append(f"{name}: {result.error}")
            else:
                lines.append(f"{name}: {result.error.message_type}")
        return HttpResponse(
            "\n".join(lines) + "\n",
            content_type="text/plain; charset=utf-8",
            status=503 if failing else 200,
        )
