from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Adds the e-mail and how the person signed in (RFC 8176 ``amr``, and ``acr``)."""

    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid", "acr": "openid"}

    def get_additional_claims(self, request):
        person = settings.IDP_PEOPLE.get(request.user.username, {})
        claims = {"email": request.user.email, "preferred_username": request.user.username}
        if person.get("amr"):
            claims["amr"] = person["amr"]
        if person.get("acr"):
            claims["acr"] = person["acr"]
        return claims
