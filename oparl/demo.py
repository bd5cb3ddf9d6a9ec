"""Demo data of this app, loaded by `load_demo` after cases and conferences.

One OParl API token for Heinsberg with a fixed, documented value, so that a developer
can try the API at once:

    curl -H "Authorization: Bearer oparl_demo-heinsberg" http://127.0.0.1:8000/oparl/v1/

Like the demo passwords it exists only where ``load_demo`` runs (DEBUG, or ``--force`` on
a demo installation); the coordination office can revoke it in the admin like any other.
"""

from django.db import transaction

from cooperation.demo import DemoWorld

from .models import ApiToken, hash_token

DEMO_TOKEN = "oparl_demo-heinsberg"
DEMO_LABEL = "Ratsinformationssystem Kreis Heinsberg (Demo)"


@transaction.atomic
def load(world: DemoWorld) -> None:
    """Create the fictional demo records (idempotent; a revoked demo token stays revoked)."""
    if ApiToken.objects.filter(token_hash=hash_token(DEMO_TOKEN)).exists():
        return
    token = ApiToken(
        cooperation=world.cooperations["HS"],
        label=DEMO_LABEL,
        created_by=world.users["koordination"],
    )
    token.set_new_secret(DEMO_TOKEN)
    token.save()
