"""A real OpenID provider for the single sign-on tests: django-oauth-toolkit's OIDC
provider as a Django project of its own, in its own process and database, like the
Kreis's Keycloak or ADFS would be (``serve.py``; started by ``tests/test_oidc.py``)."""
