"""The audit trail: history is append-only, user accounts and reminders have history, reads and sign-ins are logged."""

import csv
import datetime
import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from cabinet.audit import AccessLogEntry, record_event
from cabinet.history import AppendOnly, acting_as
from cabinet.models import Minute
from decisions.models import FollowUp, Reminder
from tests.factories import AgencyFactory, FollowUpFactory, MinuteFactory

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The append-only triggers are PostgreSQL's (set DATABASE_URL to a PostgreSQL database to run this).",
)


@pytest.fixture
def theirs(agency, portfolio):
    """A follow-up of the official's agency, on a minute they may read."""
    minute = MinuteFactory(reference="CAB-26-MIN-0018", paper__lead_agency=agency)
    return FollowUpFactory(decision__minute=minute, responsible_agency=agency, responsible_portfolio=portfolio)


@pytest.fixture
def others(db):
    other = AgencyFactory(name="Ministry of Social Development", short_name="MSD")
    minute = MinuteFactory(reference="CAB-26-MIN-0050", paper__lead_agency=other)
    return FollowUpFactory(decision__minute=minute, responsible_agency=other)


# Reads of Cabinet material


def test_reading_a_minute_writes_one_access_log_row(client, official, theirs):
    minute = theirs.decision.minute
    client.force_login(official)
    response = client.get(minute.get_absolute_url(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.get(kind=AccessLogEntry.Kind.READ)
    assert (entry.user, entry.username, entry.record_type, entry.record_id, entry.path, entry.address) == (
        official, "official", "cabinet.minute", str(minute.pk), f"/minutes/{minute.pk}/", "203.0.113.7",
    )
    assert AccessLogEntry.objects.exclude(kind=AccessLogEntry.Kind.SIGN_IN).count() == 1  # force_login signs in


def reads():
    return AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.READ)


def test_reading_a_paper_and_a_follow_up_are_logged_with_their_records(client, official, theirs):
    client.force_login(official)
    client.get(theirs.decision.minute.paper.get_absolute_url())
    client.get(theirs.get_absolute_url())
    logged = list(reads().order_by("pk").values_list("kind", "record_type", "record_id"))
    assert logged == [
        ("read", "cabinet.paper", str(theirs.decision.minute.paper.pk)),
        ("read", "decisions.followup", str(theirs.pk)),
    ]


def test_a_404_a_refused_post_and_a_list_write_no_read(client, official, theirs, others):
    client.force_login(official)
    assert client.get(others.decision.minute.get_absolute_url()).status_code == 404  # another agency's minute
    assert client.get(reverse("decisions:minute_detail", args=[999_999])).status_code == 404
    assert client.get(reverse("decisions:followup_list")).status_code == 200  # not a read of one record
    assert not reads().exists()


def test_the_admin_change_page_of_a_minute_is_a_read(client, clerk, theirs):
    minute = theirs.decision.minute
    client.force_login(clerk)
    assert client.get(reverse("admin:cabinet_minute_change", args=[minute.pk])).status_code == 200
    assert client.get(reverse("admin:cabinet_agency_change", args=[theirs.responsible_agency.pk])).status_code == 200
    entry = reads().get()
    assert (entry.user, entry.record_type, entry.record_id) == (clerk, "cabinet.minute", str(minute.pk))


def test_behind_the_tls_proxy_the_address_is_the_one_it_appended(client, official, theirs, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.force_login(official)
    client.get(theirs.get_absolute_url(), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.9, 198.51.100.4",
               HTTP_X_FORWARDED_PROTO="https")
    # The client can write anything into X-Forwarded-For; only the proxy's own last entry is trusted.
    assert reads().get().address == "198.51.100.4"


# Sign-in events


def test_a_failed_sign_in_writes_an_event_naming_what_was_typed(client, official):
    response = client.post(reverse("login"), {"login": "official", "password": "not the password"})
    assert response.status_code == 200  # the form again, with its error
    entry = AccessLogEntry.objects.get()
    assert (entry.kind, entry.user, entry.username) == ("sign_in_failed", None, "official")
    assert "not the password" not in str(entry.details)


def test_signing_in_and_out_are_logged(client, official):
    assert client.post(reverse("login"), {"login": "official", "password": "correct horse battery staple"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert list(AccessLogEntry.objects.order_by("pk").values_list("kind", "user")) == [
        ("sign_in", official.pk), ("sign_out", official.pk),
    ]


def test_record_event_refuses_a_kind_it_does_not_know(official):
    with pytest.raises(ValueError, match="Unknown access-log kind 'mfa_enroled'"):
        record_event("mfa_enroled", user=official)
    assert not AccessLogEntry.objects.exists()


def test_record_event_takes_the_details_other_code_gives(rf, official, theirs):
    request = rf.get("/", REMOTE_ADDR="192.0.2.1")
    request.user = official
    entry = record_event(AccessLogEntry.Kind.LOCKED, request=request, record=theirs, failures=5)
    entry.refresh_from_db()
    assert (entry.username, entry.record_type, entry.record_id, entry.address, entry.details) == (
        "official", "decisions.followup", str(theirs.pk), "192.0.2.1", {"failures": 5},
    )


# The clerks' view of the log


def test_clerks_find_reads_by_reference_and_by_person_and_the_log_is_read_only(client, clerk, official, theirs, others):
    client.force_login(official)
    client.get(theirs.decision.minute.get_absolute_url())
    client.get(theirs.get_absolute_url())
    record_event(AccessLogEntry.Kind.READ, user=clerk, record=others.decision.minute)
    client.force_login(clerk)
    url = reverse("admin:cabinet_accesslogentry_changelist")
    by_reference = client.get(url, {"q": "CAB-26-MIN-0018"}).context["cl"].result_list
    assert {(entry.record_type, entry.username) for entry in by_reference} == {
        ("cabinet.minute", "official"), ("decisions.followup", "official"),
    }
    by_person = client.get(url, {"q": "clerk", "kind__exact": "read"}).context["cl"].result_list
    assert [entry.record_id for entry in by_person] == [str(others.decision.minute.pk)]
    entry = reads().first()
    model_admin = admin.site._registry[AccessLogEntry]
    request = client.get(url).wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    before = AccessLogEntry.objects.count()
    client.post(reverse("admin:cabinet_accesslogentry_change", args=[entry.pk]), {"username": "someone else"})
    assert AccessLogEntry.objects.get(pk=entry.pk).username == entry.username
    assert AccessLogEntry.objects.count() == before


def test_the_log_exports_as_csv_with_the_lists_filters(client, clerk, official, theirs):
    client.force_login(official)
    client.get(theirs.decision.minute.get_absolute_url())
    client.get(theirs.get_absolute_url())
    client.force_login(clerk)
    response = client.get(reverse("admin:cabinet_accesslogentry_export"), {"record_type__exact": "cabinet.minute"})
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "kind", "username", "record_type", "record_id", "path", "address", "details"]
    assert [row[1:5] for row in rows[1:]] == [["read", "official", "cabinet.minute", str(theirs.decision.minute.pk)]]
    # The export itself is logged.
    assert AccessLogEntry.objects.filter(kind="export", user=clerk).count() == 1


# Retention


def test_purge_deletes_only_rows_older_than_the_retention(official, settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 30
    now = timezone.now()
    old = AccessLogEntry.objects.create(kind="read", user=official, at=now - datetime.timedelta(days=31))
    kept = AccessLogEntry.objects.create(kind="read", user=official, at=now - datetime.timedelta(days=29))
    out = io.StringIO()
    call_command("purgeaccesslog", "--dry-run", stdout=out)
    assert "Would delete 1 access-log rows" in out.getvalue()
    assert AccessLogEntry.objects.filter(pk=old.pk).exists()
    call_command("purgeaccesslog", stdout=out)
    assert "Deleted 1 access-log rows" in out.getvalue()
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk]


# History is append-only


def history_tables():
    from django.apps import apps

    return {model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges)}


def protected_tables():
    """The tables an AppendOnly operation in some migration protects: with its purge column, if any."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    protected = {}
    for migration in loader.disk_migrations.values():
        for operation in migration.operations:
            if isinstance(operation, AppendOnly):
                protected.update(dict.fromkeys(operation.tables, operation.purge_column))
    return protected


def test_every_history_table_and_the_access_log_are_append_only_in_the_migrations():
    # A model given `history = HistoricalRecords()` fails here until a migration adds AppendOnly for its table(s).
    expected = {table: None for table in history_tables()} | {AccessLogEntry._meta.db_table: "at"}
    assert "cabinet_historicaluser" in expected and "decisions_historicalreminder" in expected
    assert protected_tables() == expected


@on_postgresql
@pytest.mark.django_db
def test_postgresql_has_the_trigger_on_every_history_table():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'append_only'")
        triggered = {row[0] for row in cursor.fetchall()}
    assert triggered == history_tables() | {AccessLogEntry._meta.db_table}


@on_postgresql
def test_postgresql_refuses_update_and_delete_on_a_history_table(theirs):
    HistoricalMinute = Minute.history.model
    entry = HistoricalMinute.objects.get(id=theirs.decision.minute.pk)
    with pytest.raises(DatabaseError, match="cabinet_historicalminute is append-only: UPDATE refused"):
        with transaction.atomic():
            HistoricalMinute.objects.filter(pk=entry.pk).update(title="Rewritten")
    with pytest.raises(DatabaseError, match="cabinet_historicalminute is append-only: DELETE refused"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM cabinet_historicalminute WHERE history_id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.title == theirs.decision.minute.title
    assert HistoricalMinute.objects.filter(id=theirs.decision.minute.pk).count() == 1


@on_postgresql
def test_postgresql_refuses_changes_to_the_access_log_outside_the_purge(official):
    entry = AccessLogEntry.objects.create(
        kind="read", user=official, username="official", at=timezone.now() - datetime.timedelta(days=10_000),
    )
    with pytest.raises(DatabaseError, match="cabinet_accesslogentry is append-only: UPDATE refused"):
        with transaction.atomic():
            AccessLogEntry.objects.filter(pk=entry.pk).update(username="someone else")
    # Old enough to purge, but no purge declared its cut-off in this transaction.
    with pytest.raises(DatabaseError, match="cabinet_accesslogentry is append-only: DELETE refused"):
        with transaction.atomic():
            AccessLogEntry.objects.filter(pk=entry.pk).delete()
    # A purge's cut-off lets through only rows older than it.
    recent = AccessLogEntry.objects.create(kind="read", user=official)
    with pytest.raises(DatabaseError, match="DELETE refused"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('cabinet.purge_before', %s, true)", [(timezone.now() - datetime.timedelta(days=1)).isoformat()])
            AccessLogEntry.objects.filter(pk=recent.pk).delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).username == "official"
    assert AccessLogEntry.objects.count() == 2


@pytest.mark.parametrize("command", ["clean_old_history", "clean_duplicate_history"])
def test_simple_historys_cleaning_commands_refuse(command, theirs):
    before = Minute.history.count() + FollowUp.history.count()
    with pytest.raises(CommandError, match=f"History is append-only: {command} would delete history rows"):
        call_command(command, "--auto")
    assert Minute.history.count() + FollowUp.history.count() == before


def test_no_admin_page_edits_or_deletes_history():
    registered = [model for model in admin.site._registry if issubclass(model, HistoricalChanges)]
    assert registered == []
    assert not admin.site._registry[AccessLogEntry].has_delete_permission(None)
    assert admin.site._registry[get_user_model()].revert_disabled(None)


# History of user accounts and of the reminder outbox


def test_user_account_changes_are_history_with_who_made_them(clerk, official):
    group = Group.objects.create(name="Cabinet Office")
    with acting_as(clerk):
        official.is_staff, official.is_superuser, official.email = True, True, "new@agency.example.govt.nz"
        official.save()
        official.groups.add(group)
        official.is_active = False
        official.save()
    history = list(official.history.order_by("history_id"))
    latest, promoted = history[-1], history[-2]
    assert (promoted.is_staff, promoted.is_superuser, promoted.email, promoted.history_user) == (
        True, True, "new@agency.example.govt.nz", clerk,
    )
    assert latest.is_active is False and latest.history_user == clerk
    assert [row.group_id for row in latest.groups.all()] == [group.pk]
    # The password hash never goes into history.
    assert "password" not in {field.name for field in official.history.model._meta.fields}


def test_a_user_made_staff_in_the_admin_leaves_history(client, clerk, official):
    client.force_login(clerk)
    url = reverse("admin:auth_user_change", args=[official.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data.update({
        "is_staff": "on", "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "09:00:00",
        "groups": [], "user_permissions": [],
        "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "1", "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1", "profile-0-id": official.profile.pk, "profile-0-user": official.pk,
        "profile-0-role": official.profile.role, "profile-0-digest": official.profile.digest,
        "profile-0-agencies": [agency.pk for agency in official.profile.agencies.all()],
        "profile-0-portfolios": [portfolio.pk for portfolio in official.profile.portfolios.all()],
    })
    data.pop("password", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    latest = official.history.latest("history_id")
    assert (latest.is_staff, latest.history_user) == (True, clerk)


def test_reminders_have_history(theirs):
    reminder = Reminder.objects.create(
        follow_up=theirs, kind=Reminder.Kind.DUE, due_date=theirs.due_date, planned_for=theirs.due_date,
    )
    reminder.queued_at = timezone.now()
    reminder.save(update_fields=["queued_at"])
    assert [row.history_type for row in reminder.history.order_by("history_id")] == ["+", "~"]


def test_the_append_only_operation_writes_itself_back_into_a_migration_as_it_was_given():
    # `makemigrations` writes an operation from deconstruct(): the purge column only when there is one.
    assert AppendOnly(["cabinet_accesslogentry"], purge_column="at").deconstruct() == (
        "cabinet.history.AppendOnly", [], {"tables": ["cabinet_accesslogentry"], "purge_column": "at"},
    )
    assert AppendOnly(["cabinet_historicalminute"]).deconstruct() == (
        "cabinet.history.AppendOnly", [], {"tables": ["cabinet_historicalminute"]},
    )


@on_postgresql
@pytest.mark.django_db
def test_the_append_only_operation_adds_its_trigger_and_a_migration_back_removes_it():
    def triggered():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'append_only' AND tgrelid = 'probe_log'::regclass")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE probe_log (id integer PRIMARY KEY, at date)")
        cursor.execute("INSERT INTO probe_log VALUES (1, '2026-01-01')")
    operation = AppendOnly(["probe_log"])
    assert operation.reversible  # `migrate` back past it drops the trigger rather than refusing
    with connection.schema_editor() as editor:
        operation.database_forwards("cabinet", editor, None, None)
    assert triggered() == 1
    with pytest.raises(DatabaseError, match="probe_log is append-only: DELETE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM probe_log")
    with connection.schema_editor() as editor:
        operation.database_backwards("cabinet", editor, None, None)
    assert triggered() == 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM probe_log")
        assert cursor.rowcount == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite, the embedded default, has no such triggers")
def test_the_append_only_operation_leaves_sqlite_as_it_is_both_ways():
    executed = []

    class Editor:  # a schema editor of the SQLite connection that keeps what it is asked to run
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=()):
            executed.append(sql)

        def quote_name(self, name):
            return connection.ops.quote_name(name)

    operation = AppendOnly(["probe_log"], purge_column="at")
    operation.database_forwards("cabinet", Editor(), None, None)
    operation.database_backwards("cabinet", Editor(), None, None)
    assert executed == []  # PostgreSQL's trigger SQL is never run on SQLite
