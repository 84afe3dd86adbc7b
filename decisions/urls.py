from django.urls import path

from decisions import cycle_views, exports, feeds, release_views, reports, views

app_name = "decisions"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("follow-ups/", views.followup_list, name="followup_list"),
    path("follow-ups/export.<str:extension>", exports.followup_export, name="followup_export"),
    path("follow-ups/<int:pk>/", views.followup_detail, name="followup_detail"),
    path("follow-ups/<int:pk>/notes/", views.followup_add_note, name="followup_add_note"),
    path("follow-ups/<int:pk>/extension/", views.followup_request_extension, name="followup_request_extension"),
    path("follow-ups/<int:pk>/extension/withdraw/", views.followup_withdraw_request, name="followup_withdraw_request"),
    path("follow-ups/<int:pk>/extension/decide/", views.followup_decide_request, name="followup_decide_request"),
    path("follow-ups/<int:pk>/due-date/", views.followup_set_due_date, name="followup_set_due_date"),
    path("follow-ups/<int:pk>/due-date/propose/", views.followup_propose_due_date, name="followup_propose_due_date"),
    path("follow-ups/<int:pk>/submitted/", views.followup_mark_submitted, name="followup_mark_submitted"),
    path("follow-ups/<int:pk>/discharge/", views.followup_discharge, name="followup_discharge"),
    path("follow-ups/<int:pk>/close/", views.followup_close, name="followup_close"),
    path("follow-ups/<int:pk>/lead/", views.followup_assign_lead, name="followup_assign_lead"),
    path("minutes/<int:pk>/", views.minute_detail, name="minute_detail"),
    path("papers/<int:pk>/", views.paper_detail, name="paper_detail"),
    path("search/", views.search, name="search"),
    path("reports/", reports.reports, name="reports"),
    path("releases/", release_views.release_list, name="release_list"),
    path("releases/<int:pk>/", release_views.release_detail, name="release_detail"),
    path("releases/<int:pk>/steps/<slug:name>/", release_views.release_step, name="release_step"),
    path("releases/<int:pk>/prepare/", release_views.release_prepare, name="release_prepare"),
    path("releases/<int:pk>/prepare/<int:decision_pk>/withhold/", release_views.release_withhold_words, name="release_withhold_words"),
    path("releases/<int:pk>/prepare/<int:decision_pk>/original/", release_views.release_original_text, name="release_original_text"),
    path("releases/<int:pk>/prepare/spans/<int:redaction_pk>/remove/", release_views.release_unwithhold, name="release_unwithhold"),
    path("releases/<int:pk>/pack.<str:fmt>", release_views.release_pack_view, name="release_pack"),
    path("settings/", views.profile_settings, name="profile_settings"),
    path("settings/calendar-feed/", feeds.calendar_feed_settings, name="calendar_feed_settings"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("minutes/export/", exports.minute_export, name="minute_export"),
    # The Cabinet cycle (decisions/cycle_views.py).
    path("meetings/", cycle_views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", cycle_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/outstanding/", cycle_views.meeting_outstanding, name="meeting_outstanding"),
    path("meetings/<int:pk>/outstanding.pdf", cycle_views.meeting_outstanding_pdf, name="meeting_outstanding_pdf"),
    path("discharge-proposals/", cycle_views.discharge_proposal_list, name="discharge_proposal_list"),
    path("discharge-proposals/<int:pk>/", cycle_views.discharge_proposal_decide, name="discharge_proposal_decide"),
]
