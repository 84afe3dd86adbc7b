"""Refuses: history is append-only (replaces django-simple-history's command of the same name)."""

from django.core.management.base import BaseCommand, CommandError

REFUSAL = (
    "History is append-only: {command} would delete history rows, so it is disabled "
    "(docs/security.md). Nothing was deleted."
)


class Command(BaseCommand):
    help = "Disabled: history rows are never deleted."

    def add_arguments(self, parser):
        # Accept whatever simple_history's command accepted, so a scheduled job fails here with our message.
        parser.add_argument("args", nargs="*")
        parser.add_argument("--days", "--auto", "--minutes", "--excluded_fields", "--base-manager", dest="ignored", nargs="?")

    def handle(self, *args, **options):
        raise CommandError(REFUSAL.format(command="clean_old_history"))
