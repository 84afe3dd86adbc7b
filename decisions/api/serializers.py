"""What the read API returns: follow-ups (with their timeline on their own address) and minutes with their decision
items. Withheld words are never returned: a redaction is given as its ground, as on the pages."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from decisions.models import DecisionItem, DueDateChange, FollowUp, Redaction


class PageUrlField(serializers.Field):
    """The record's page on this service, for a person to open."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        request = self.context.get("request")
        url = record.get_absolute_url()
        return request.build_absolute_uri(url) if request is not None else url


PageUrlField = extend_schema_field(OpenApiTypes.URI)(PageUrlField)


class FollowUpSerializer(serializers.ModelSerializer):
    minute = serializers.CharField(source="decision.minute.reference", help_text="CAB-26-MIN-0018.")
    minute_id = serializers.IntegerField(source="decision.minute_id")
    paragraph = serializers.CharField(source="decision.number", help_text="The decision item: 4, 2.1.")
    marking = serializers.CharField(source="decision.minute.marking", help_text="The minute's protective marking.")
    responsible_minister = serializers.CharField(source="responsible_minister.name", default=None, allow_null=True)
    responsible_portfolio = serializers.CharField(source="responsible_portfolio.name", default=None, allow_null=True)
    responsible_agency = serializers.CharField(source="responsible_agency.short_name", default=None, allow_null=True)
    report_to = serializers.CharField(
        source="report_to.code", default=None, allow_null=True, help_text="The committee reported to (its code)."
    )
    business_days_overdue = serializers.SerializerMethodField()
    page_url = PageUrlField()

    class Meta:
        model = FollowUp
        fields = [
            "id", "minute", "minute_id", "paragraph", "marking", "kind", "description", "responsible_minister",
            "responsible_portfolio", "responsible_agency", "responsible_text", "report_to", "due_date",
            "due_precision", "due_text", "original_due_date", "original_due_precision", "status",
            "business_days_overdue", "submitted_reference", "submitted_at", "closed_at", "created_at", "page_url",
        ]
        read_only_fields = fields

    def get_business_days_overdue(self, follow_up) -> int:
        return follow_up.business_days_overdue(self.context.get("today"))


class ChangedFollowUpSerializer(FollowUpSerializer):
    changed_at = serializers.DateTimeField(help_text="Its latest change: the follow-up itself, a note or a date request.")

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "changed_at"]
        read_only_fields = fields


class DueDateChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DueDateChange
        fields = [
            "id", "from_date", "from_precision", "to_date", "to_precision", "reason", "tier", "status", "requested_at",
            "approved_by", "decided_at", "decision_reason",
        ]
        read_only_fields = fields


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True, help_text="Who, by name.")
    kind = serializers.ChoiceField(choices=["created", "note", "request", "decision", "status"])
    text = serializers.CharField(help_text="What happened, in words.")


def _name(user):
    return (user.get_full_name() or user.get_username()) if user is not None else None


def timeline_entry(event):
    """One entry of the follow-up page's timeline (decisions.views._timeline), in words."""
    kind = event["kind"]
    if kind == "note":
        text = event["text"]
    elif kind == "request":
        change = event["change"]
        text = f"Asked to move the due date to {change.to_date:%-d %B %Y}: {change.reason}"
    elif kind == "decision":
        change = event["change"]
        text = f"{change.get_status_display()}: the request to move the due date to {change.to_date:%-d %B %Y}"
        text += f" ({change.decision_reason})" if change.decision_reason else ""
    elif kind == "status":
        text = f"{event['from']} → {event['to']}" + (f": {event['reason']}" if event.get("reason") else "")
    else:
        text = "Recorded."
    return {"at": event["at"], "by": _name(event["who"]), "kind": kind, "text": text}


class FollowUpDetailSerializer(FollowUpSerializer):
    due_date_changes = DueDateChangeSerializer(many=True, read_only=True)
    timeline = serializers.SerializerMethodField()

    class Meta(FollowUpSerializer.Meta):
        fields = [*FollowUpSerializer.Meta.fields, "due_date_changes", "timeline"]
        read_only_fields = fields

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, follow_up):
        from decisions.views import _timeline  # the page's own timeline: one rule for both

        return [timeline_entry(event) for event in _timeline(follow_up)]


class RedactionSerializer(serializers.ModelSerializer):
    ground = serializers.CharField(source="ground.code", default=None, allow_null=True, help_text="9(2)(j).")
    ground_label = serializers.CharField(source="ground.label", default=None, allow_null=True)

    class Meta:
        model = Redaction
        fields = ["label", "ground", "ground_label"]
        read_only_fields = fields


class DecisionItemSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="As printed, each withheld span replaced by its ground.")
    redactions = RedactionSerializer(many=True, read_only=True)
    follow_ups = serializers.SerializerMethodField(help_text="The follow-ups on it this key may read (their ids).")

    class Meta:
        model = DecisionItem
        fields = ["id", "number", "verb", "text", "is_redacted", "redactions", "follow_ups"]
        read_only_fields = fields

    def get_text(self, decision) -> str:
        return decision.text_with_grounds()

    def get_follow_ups(self, decision) -> list[int]:
        return [follow_up.pk for follow_up in decision.visible_follow_ups]


class MinuteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    committee = serializers.CharField(source="committee.code")
    committee_name = serializers.CharField(source="committee.name")
    kind = serializers.CharField()
    decision_date = serializers.DateField()
    title = serializers.CharField()
    portfolios = serializers.SerializerMethodField()
    paper = serializers.CharField(source="paper.reference", default=None, allow_null=True)
    marking = serializers.CharField()
    is_withdrawn = serializers.BooleanField()
    decisions = DecisionItemSerializer(many=True, read_only=True, source="items")
    page_url = PageUrlField()

    def get_portfolios(self, minute) -> list[str]:
        return [portfolio.name for portfolio in minute.portfolios.all()]
