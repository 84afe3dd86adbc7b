"""Bearer keys for the read API: `Authorization: Bearer <key>`, checked against the stored hash.

No session, no cookie, no CSRF: a key is the only way in (the API's views are exempt from LoginRequiredMiddleware
and CSRF as every REST framework view is). An unknown, expired or revoked key is a 401.
"""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from decisions.models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    """The request's token (request.auth) from its bearer key; no person signs in (request.user is anonymous)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as one word: Authorization: Bearer <key>.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("That key is not one this service issued.") from None
        token = ApiToken.objects.filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed("That key is not one this service issued.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("That key was revoked: ask the Cabinet Office for a new one.")
        if not token.is_usable:
            raise exceptions.AuthenticationFailed("That key has expired: ask the Cabinet Office for a new one.")
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return 'Bearer realm="Cabinet decision tracker API"'


class HasUsableToken(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI description names the key (drf-spectacular finds this by the class above)."""

    target_class = BearerTokenAuthentication
    name = "bearerKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http", "scheme": "bearer",
            "description": "A key the Cabinet Office issued to your system (it starts cdt_).",
        }
