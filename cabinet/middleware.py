"""Response headers and the access log, for every request."""

from django.conf import settings

from cabinet.audit import record_event


class PermissionsPolicyMiddleware:
    """Denies the browser features in settings.PERMISSIONS_POLICY to every page and any frame in it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AccessLogMiddleware:
    """One access-log row for each successful GET of a view in settings.AUDIT_LOGGED_VIEWS, after it is served.

    The record is the URL's `pk` (our pages) or `object_id` (the admin's); a refusal, a 404 or a redirect logs nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        if request.method == "GET" and response.status_code == 200 and match:
            logged = settings.AUDIT_LOGGED_VIEWS.get(match.view_name)
            if logged:
                kind, record_type = logged
                record_id = match.kwargs.get("pk", match.kwargs.get("object_id", ""))
                record_event(kind, request=request, record_type=record_type or "", record_id=record_id)
        return response
