"""URL map: the officials' pages, the clerks' admin, sign-in."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Cabinet decision tracker: Cabinet Office"
admin.site.site_title = "Cabinet decision tracker"
admin.site.index_title = "Records"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("decisions.urls")),
]
