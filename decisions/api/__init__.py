"""The read API for agencies' own systems: JSON under /api/v1/, described by OpenAPI at /api/v1/openapi.json.

Django REST framework with drf-spectacular (docs/design.md says why). A clerk issues an ApiToken in the admin
(decisions/api/admin.py); a system sends it as `Authorization: Bearer <key>` (decisions/api/auth.py). Every read
goes through decisions/access.py with the token's Scope; nothing here writes (GET only, anything else 405).
"""
