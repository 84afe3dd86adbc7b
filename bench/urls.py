"""The app's URLs plus the floor every page is measured against: a signed-in view that runs one query."""

from django.http import HttpResponse
from django.urls import include, path

from cabinet.models import Profile


def floor(request):
    """Session, user (both read by the sign-in check, as on every page), then one query and no template."""
    role = Profile.objects.filter(user=request.user).values_list("role", flat=True).first()
    return HttpResponse(f"signed in as {role}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("cabinet.urls")),
]
