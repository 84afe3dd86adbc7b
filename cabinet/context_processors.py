"""Template context shared by every page."""

from django.conf import settings


def service(request):
    return {"service_name": settings.SERVICE_NAME, "settings_password_reset": settings.PASSWORD_RESET_BY_EMAIL}
