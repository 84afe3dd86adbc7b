"""Deletes access-log rows older than AUDIT_LOG_RETENTION_DAYS: the one delete the log allows."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from cabinet.audit import AccessLogEntry


class Command(BaseCommand):
    help = "Delete access-log rows older than AUDIT_LOG_RETENTION_DAYS days (schedule it daily)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args, dry_run=False, **options):
        cutoff = timezone.now() - datetime.timedelta(days=settings.AUDIT_LOG_RETENTION_DAYS)
        with transaction.atomic(durable=True):
            expired = AccessLogEntry.objects.filter(at__lt=cutoff)
            if dry_run:
                self.stdout.write(f"Would delete {expired.count()} access-log rows from before {cutoff:%Y-%m-%d %H:%M} UTC.")
                return
            if connection.vendor == "postgresql":
                # The append-only trigger lets through, in this transaction only, deletes of rows older than this.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('cabinet.purge_before', %s, true)", [cutoff.isoformat()])
            deleted, _ = expired.delete()
        self.stdout.write(f"Deleted {deleted} access-log rows from before {cutoff:%Y-%m-%d %H:%M} UTC.")
