"""Clerks issue, read and revoke API tokens in the admin; a key is shown once, when it is issued."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from cabinet.admin import NoDeleteMixin
from decisions.models import ApiToken

DEFAULT_LIFETIME = datetime.timedelta(days=365)
LONGEST_LIFETIME = datetime.timedelta(days=2 * 366)


class IssueTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["system", "contact", "agencies", "portfolios", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "expires_at" in self.fields:  # issuing; afterwards every field is read-only
            self.fields["expires_at"].initial = timezone.now() + DEFAULT_LIFETIME

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        now = timezone.now()
        if expires_at <= now:
            raise forms.ValidationError("Choose a time in the future: the key would never work.")
        if expires_at > now + LONGEST_LIFETIME:
            raise forms.ValidationError("A key lasts at most two years: issue a new one before this one expires.")
        return expires_at

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("agencies") and not cleaned.get("portfolios"):
            raise forms.ValidationError("Choose the agencies or portfolios whose follow-ups the system may read.")
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Issued once (the key is shown on the next page only), then read-only: to change a scope, issue a new token
    and revoke the old one, so a system's key never silently starts reading more."""

    form = IssueTokenForm
    list_display = ["system", "key_hint", "scope", "expires_at", "state", "created_by", "created_at"]
    list_filter = ["agencies", "portfolios"]
    search_fields = ["system", "contact", "key_hint"]
    filter_horizontal = ["agencies", "portfolios"]
    actions = ["revoke"]
    readonly_fields = ["key_hint", "created_at", "created_by", "revoked_at", "revoked_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").prefetch_related("agencies", "portfolios")

    def get_fields(self, request, obj=None):
        if obj is None:
            return IssueTokenForm.Meta.fields
        return ["system", "contact", "agencies", "portfolios", "key_hint", "expires_at", "created_at", "created_by",
                "revoked_at", "revoked_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    @admin.display(description="Reads")
    def scope(self, token):
        names = [agency.short_name for agency in token.agencies.all()] + [portfolio.name for portfolio in token.portfolios.all()]
        return ", ".join(names)

    @admin.display(description="State")
    def state(self, token):
        if token.revoked_at:
            return format_html("Revoked {}", timezone.localtime(token.revoked_at).strftime("%-d %B %Y"))
        return "Usable" if token.is_usable else "Expired"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            request._issued_api_key = obj.issue_key()  # shown once by response_add, kept nowhere
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_issued_api_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request), "title": "API token issued", "token": obj, "key": key,
            "opts": self.opts, "api_url": request.build_absolute_uri("/api/v1/"),
        }
        response = TemplateResponse(request, "admin/decisions/apitoken/issued.html", context)
        response["Cache-Control"] = "no-store"  # the key must not stay in a browser's or proxy's cache
        return response

    @admin.action(description="Revoke the selected tokens (their systems can no longer read)")
    def revoke(self, request, queryset):
        revoked = 0
        with transaction.atomic():
            for token in queryset.select_for_update(of=("self",)).filter(revoked_at__isnull=True):
                token.revoke(user=request.user)
                revoked += 1
        messages.success(request, f"Revoked {revoked} token{'s' if revoked != 1 else ''}.")
