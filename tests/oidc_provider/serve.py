"""Run the test identity provider: ``python -m tests.oidc_provider.serve PORT``.

The environment names the database file (IDP_DATABASE), the signing key (IDP_RSA_KEY),
the people (IDP_PEOPLE: {username: {"email", "password", "amr", "acr"}}) and the one
client (IDP_CLIENT: {"client_id", "client_secret", "redirect_uri"}).
"""

import json
import os
import sys


def main(port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for username, person in json.loads(os.environ["IDP_PEOPLE"]).items():
        User.objects.create_user(username, person["email"], person["password"])
    client = json.loads(os.environ["IDP_CLIENT"])
    Application.objects.create(
        name="KispFam",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]))
