"""The read API's addresses, under /api/v1/."""

from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from decisions.api import views

app_name = "api"

urlpatterns = [
    path("follow-ups/", views.FollowUpList.as_view(), name="followup_list"),
    path("follow-ups/<int:pk>/", views.FollowUpDetail.as_view(), name="followup_detail"),
    path("minutes/", views.MinuteList.as_view(), name="minute_list"),
    path("changes/", views.ChangeList.as_view(), name="change_list"),
    # The description of the API itself, open to all: it holds no Cabinet material.
    path(
        "openapi.json",
        SpectacularAPIView.as_view(
            renderer_classes=[OpenApiJsonRenderer], authentication_classes=[], permission_classes=[AllowAny],
        ),
        name="openapi",
    ),
]
