"""Heinsberg's Kooperationsgremium as the OParl export sees it, and a client with a token.

- chair: Anna Schmitz (Jugendamt Erkelenz), minute-taker: the coordination office
- representative of Caritas: Lena Küppers; deputy of the Gesundheitsamt: its caseworker
- Lindenbrück has its own token and no committee
"""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cooperation.models import Committee, CommitteeMember
from oparl.models import ApiToken, Publication

from . import builders

OPARL_DIR = Path(settings.BASE_DIR).parent / "shared" / "oparl-1.1"


def oparl_url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(f"oparl:{name}", args=args)


def publish(cooperation, public: bool = True) -> Publication:
    """Switch the cooperation's export to public (or back), as its office does."""
    publication, _created = Publication.objects.update_or_create(
        cooperation=cooperation, defaults={"is_public": public}
    )
    return publication


def error_of(response) -> dict:
    """OParl's error object (§2.9); ``debug`` starts with the RFC 6750 style code."""
    assert response["Content-Type"] == "application/json; charset=utf-8"
    error = json.loads(response.content)
    assert set(error) == {"type", "message", "debug"}
    assert error["type"] == "https://schema.oparl.org/1.1/Error"
    return error


def issue(cooperation, label="Ratsinformationssystem") -> str:
    token = ApiToken(cooperation=cooperation, label=label)
    plain = token.set_new_secret()
    token.save()
    return plain


class Api:
    """The test client with a bearer token; ``get`` takes a route name or a URL."""

    def __init__(self, client, token: str | None):
        self.client, self.token = client, token

    def get(self, target: str, *args, **params):
        path = target if target.startswith(("/", "http")) else reverse(f"oparl:{target}", args=args)
        path = path.removeprefix(settings.SITE_URL)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return self.client.get(path, params, headers=headers)

    def json(self, target: str, *args, **params) -> dict:
        response = self.get(target, *args, **params)
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)

    def walk(self, target: str, *args, **params) -> list[dict]:
        """Every item of an external list, following ``links.next`` to the end."""
        page = self.json(target, *args, **params)
        items, seen = list(page["data"]), 1
        while "next" in page["links"]:
            page = self.json(page["links"]["next"])
            seen += 1
            assert page["pagination"]["currentPage"] == seen
            items += page["data"]
        assert seen == page["pagination"]["totalPages"]
        assert len(items) == page["pagination"]["totalElements"]
        return items


@pytest.fixture
def committee(
    heinsberg,
    institutions,
    erkelenz_caseworker,
    coordination_office,
    caritas_caseworker,
    gesundheitsamt_caseworker,
):
    committee = Committee.objects.create(
        cooperation=heinsberg, chair=erkelenz_caseworker, minute_taker=coordination_office
    )
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["caritas"],
        user=caritas_caseworker,
        function=CommitteeMember.Function.REPRESENTATIVE,
    )
    CommitteeMember.objects.create(
        committee=committee,
        institution=institutions["gesundheitsamt"],
        user=gesundheitsamt_caseworker,
        function=CommitteeMember.Function.DEPUTY,
    )
    return committee


@pytest.fixture
def approved_sitting(committee, coordination_office):
    return builders.approve(builders.sitting(committee, coordination_office), coordination_office)


@pytest.fixture
def planned_sitting(committee, coordination_office):
    return builders.sitting(
        committee, coordination_office, starts_at=timezone.now() + datetime.timedelta(days=30)
    )


@pytest.fixture
def token(heinsberg) -> str:
    return issue(heinsberg)


@pytest.fixture
def api(client, token) -> Api:
    return Api(client, token)


@pytest.fixture
def lindenbrueck_api(client, lindenbrueck) -> Api:
    return Api(client, issue(lindenbrueck, "Ratsinformationssystem Lindenbrück"))


# --- the OParl 1.1 schema ------------------------------------------------------------


class Schemas:
    """Validates OParl objects against ``schema/<Type>.json``, embedded objects included.

    The files are draft-style JSON Schema plus OParl's annotations (``references``,
    ``backreference``, ``cardinality``, ``schema``), which the validator ignores; an
    embedded object's type is named by ``schema`` ("File.json") and validated here.
    """

    def __init__(self, folder: Path):
        self.schemas = {
            path.stem: json.loads(path.read_text()) for path in (folder / "schema").glob("*.json")
        }
        self.checker = jsonschema.FormatChecker()
        self.checker.checks("url")(lambda value: value.startswith(("http://", "https://")))
        self.checker.checks("date-time", raises=ValueError)(_is_date_time)
        self.checker.checks("date", raises=ValueError)(_is_date)
        self.counts: dict[str, int] = {}

    def validate(self, obj: dict, kind: str | None = None) -> None:
        kind = kind or obj["type"].rsplit("/", 1)[-1]
        schema = self.schemas[kind]
        jsonschema.Draft7Validator(schema, format_checker=self.checker).validate(obj)
        assert obj["type"] == f"https://schema.oparl.org/1.1/{kind}"
        self.counts[kind] = self.counts.get(kind, 0) + 1
        for name, spec in schema["properties"].items():
            if name not in obj:
                continue
            if spec.get("type") == "object" and "schema" in spec:
                self.validate(obj[name], spec["schema"].removesuffix(".json"))
            items = spec.get("items", {})
            if spec.get("type") == "array" and "schema" in items:
                for item in obj[name]:
                    self.validate(item, items["schema"].removesuffix(".json"))


def _is_date_time(value: str) -> bool:
    return datetime.datetime.fromisoformat(value).tzinfo is not None


def _is_date(value: str) -> bool:
    datetime.date.fromisoformat(value)
    return len(value) == 10


@pytest.fixture
def schemas() -> Schemas:
    if not (OPARL_DIR / "schema").is_dir():
        pytest.skip(f"The OParl 1.1 schema files are not at {OPARL_DIR} (CI always has them).")
    return Schemas(OPARL_DIR)
