"""The read API's endpoints. Each reads through decisions/access.py with the token's scope, GET only."""

import datetime

from django.db.models import DateTimeField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer

from cabinet.audit import AccessLogEntry, record_event
from decisions import access
from decisions.api.auth import BearerTokenAuthentication, HasUsableToken
from decisions.api.serializers import (
    ChangedFollowUpSerializer, FollowUpDetailSerializer, FollowUpSerializer, MinuteSerializer,
)
from decisions.forms import FollowUpFilterForm
from cabinet.models import search_vectors
from decisions.models import DecisionItem, DueDateChange, FollowUp, ProgressNote

# The follow-up list's filters (decisions.forms.FollowUpFilterForm), less the person's own ("mine") and the sort.
FILTERS = [name for name in FollowUpFilterForm.base_fields if name not in ("mine", "sort")]
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class Cursor(CursorPagination):
    """Opaque `cursor` links, stable while records change (a new record never shifts a page); ?page_size= up to 200."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ChangesCursor(Cursor):
    ordering = ("changed_at", "pk")


class ReadView(generics.GenericAPIView):
    """A read of the register with a bearer key: the key's scope, GET only, each read in the access log."""

    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasUsableToken]
    renderer_classes = [JSONRenderer]
    parser_classes = []
    metadata_class = None  # OPTIONS is refused like every method but GET
    http_method_names = ["get", "head"]
    pagination_class = Cursor
    logged_record = None  # the model (app_label.model) a detail view's pk names

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @property
    def scope(self):
        """The token's scope, read once per request."""
        if not hasattr(self, "_scope"):
            self._scope = self.request.auth.scope()
        return self._scope

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        if response.status_code == 200 and token is not None:
            record_event(
                AccessLogEntry.Kind.API, request=request._request, user=request.user, username=f"API: {token.system}"[:150],
                record_type=self.logged_record or "", record_id=kwargs.get("pk", "") if self.logged_record else "",
                token=token.pk,
            )
        response["Cache-Control"] = "no-store"
        return response


def follow_ups_with_context(queryset):
    return queryset.select_related(
        "decision__minute__committee", "responsible_minister", "responsible_portfolio", "responsible_agency", "report_to",
    ).defer(*search_vectors(FollowUp, ["decision__minute"]))


FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="Reference, what is owed, or who."),
    OpenApiParameter("status", str, many=True, enum=FollowUp.Status.values,
                     description="Repeat for several. None given: those still owed (open, extension requested, submitted)."),
    OpenApiParameter("kind", str, enum=FollowUp.Kind.values),
    OpenApiParameter("portfolio", int, description="A portfolio's id."),
    OpenApiParameter("agency", int, description="An agency's id."),
    OpenApiParameter("committee", int, description="The id of the committee reported to."),
    OpenApiParameter("due_from", OpenApiTypes.DATE),
    OpenApiParameter("due_to", OpenApiTypes.DATE),
    OpenApiParameter("waiting", bool, description="Only those with a due-date request waiting for a decision."),
    OpenApiParameter("overdue", bool, description="Only those still owed and past their due date."),
    OpenApiParameter("undated", bool, description="Only those with no due date."),
]


@extend_schema(parameters=FILTER_PARAMETERS, summary="Follow-ups this key may read, filtered as the follow-up list")
class FollowUpList(ReadView, generics.ListAPIView):
    serializer_class = FollowUpSerializer

    def get_queryset(self):
        params = self.request.query_params
        form = FollowUpFilterForm(
            {name: params.getlist(name) if name == "status" else params[name] for name in FILTERS if name in params}
        )
        if not form.is_valid():  # unlike the page, which shows the error and applies the rest: a system must know
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return follow_ups_with_context(form.filter(access.visible_follow_ups(self.scope)))


@extend_schema(summary="One follow-up with its due-date requests and its timeline")
class FollowUpDetail(ReadView, generics.RetrieveAPIView):
    serializer_class = FollowUpDetailSerializer
    logged_record = "decisions.followup"

    def get_object(self):
        queryset = follow_ups_with_context(access.visible_follow_ups(self.scope)).prefetch_related(
            Prefetch("notes", queryset=ProgressNote.objects.select_related("author")),
            Prefetch("due_date_changes", queryset=DueDateChange.objects.select_related("requested_by", "decided_by")),
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])  # out of scope: 404, as on the pages


@extend_schema(summary="Minutes this key may read, with their decision items (withheld words as their grounds)")
class MinuteList(ReadView, generics.ListAPIView):
    serializer_class = MinuteSerializer

    def get_queryset(self):
        visible = access.visible_follow_ups(self.scope).only("pk", "decision_id")
        items = DecisionItem.objects.defer("search_vector").prefetch_related(
            "redactions__ground", Prefetch("follow_ups", queryset=visible, to_attr="visible_follow_ups"),
        )
        return (
            access.visible_minutes(self.scope).defer("search_vector")
            .select_related("committee", "paper").prefetch_related("portfolios", Prefetch("decisions", queryset=items, to_attr="items"))
        )


@extend_schema(
    summary="Follow-ups changed after a time, oldest change first: read them all, keep the last changed_at, ask again",
    parameters=[OpenApiParameter(
        "since", OpenApiTypes.DATETIME, required=True,
        description="ISO 8601 with a zone, 2026-11-30T09:00:00+13:00: follow-ups changed after it.",
    )],
)
class ChangeList(ReadView, generics.ListAPIView):
    serializer_class = ChangedFollowUpSerializer
    pagination_class = ChangesCursor

    def get_queryset(self):
        since = parse_datetime(self.request.query_params.get("since", ""))
        if since is None or timezone.is_naive(since):
            raise exceptions.ValidationError({"since": ["Give a date and time with its zone: 2026-11-30T09:00:00+13:00."]})
        latest = DateTimeField()

        def last(queryset, field):
            return Coalesce(Subquery(queryset.order_by(f"-{field}").values(field)[:1], output_field=latest), Value(EPOCH, latest))

        changed_at = Greatest(
            last(FollowUp.history.filter(id=OuterRef("pk")), "history_date"),
            last(ProgressNote.objects.filter(follow_up=OuterRef("pk")), "created_at"),
            last(DueDateChange.history.filter(follow_up_id=OuterRef("pk")), "history_date"),
            output_field=latest,
        )
        visible = access.visible_follow_ups(self.scope).annotate(changed_at=changed_at).filter(changed_at__gt=since)
        return follow_ups_with_context(visible)
