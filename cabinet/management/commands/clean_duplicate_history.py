"""Refuses: history is append-only (replaces django-simple-history's command of the same name)."""

from cabinet.management.commands import clean_old_history
from django.core.management.base import CommandError


class Command(clean_old_history.Command):
    def handle(self, *args, **options):
        raise CommandError(clean_old_history.REFUSAL.format(command="clean_duplicate_history"))
