"""The load balancer's health endpoint: database, cache, storage and the task backlog."""

import datetime
import os
import socket

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kispfam.settings import cache_from_url

URL = reverse("health")


def lines(response) -> list[str]:
    return response.content.decode().splitlines()


def test_it_answers_everyone_with_the_checks_and_no_data(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert lines(response) == ["Database: OK", "Cache: OK", "Storage: OK", "TaskBacklog: OK"]
    assert "no-cache" in response["Cache-Control"]


def test_a_cache_that_does_not_answer_takes_the_node_out(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get(URL)

    assert response.status_code == 503
    assert "Cache: Unexpected Result" in lines(response)
    assert "Database: OK" in lines(response)
    # Neither the error's text nor the server's address.
    assert "127.0.0.1" not in response.content.decode()


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_redis_as_in_production(client, db, settings):
    if not redis_is_running():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis must run on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {"default": cache_from_url("redis://127.0.0.1:6379/15")}

    response = client.get(URL)

    assert response.status_code == 200
    assert "Cache: OK" in lines(response)


def test_a_task_waiting_for_a_worker_is_a_warning_not_an_outage(client, db, settings):
    """The pages work without the worker: the load balancer keeps the node, monitoring
    reads the warning."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="outbox.tasks.deliver",
        backend_name="default",
    )
    assert "TaskBacklog: OK" in lines(client.get(URL))

    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(minutes=settings.TASKS_BACKLOG_MINUTES + 1)
    )
    response = client.get(URL)

    assert response.status_code == 200
    assert "TaskBacklog: Warning: 1 task(s) waiting longer than 15 minutes for a worker" in lines(
        response
    )


def test_a_retry_scheduled_for_later_is_no_backlog(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="outbox.tasks.deliver",
        backend_name="default",
        run_after=timezone.now() + datetime.timedelta(hours=4),
    )
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=1))
    assert "TaskBacklog: OK" in lines(client.get(URL))


def test_the_load_balancer_may_ask_over_plain_http(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(URL).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_it_rejects_post(client, db):
    assert client.post(URL).status_code == 405
