"""Import minutes from their text (.txt or .pdf): each file parsed and saved in its own transaction."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from decisions.importing import ImportRefused, plan_import, save_import, text_from_upload
from decisions.parsing import NotAMinute


class Command(BaseCommand):
    help = "Parse minutes from text or PDF files and save them; --dry-run --json prints what was read."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Text (.txt) or PDF files of minutes.")
        parser.add_argument("--user", help="The clerk recorded in history as making the import.")
        parser.add_argument("--update", action="store_true", help="Update a minute whose reference is already recorded.")
        parser.add_argument("--dry-run", action="store_true", help="Save nothing.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print one JSON object per file (with --dry-run).")

    def handle(self, *args, files, user, update, dry_run, as_json, **options):
        if as_json and not dry_run:
            raise CommandError("--json goes with --dry-run: it prints what was read and saves nothing.")
        importer = None
        if not dry_run:
            if not user:
                raise CommandError("Say who is importing with --user USERNAME: history records it.")
            importer = get_user_model().objects.filter(username=user, is_active=True).first()
            if importer is None:
                raise CommandError(f"No active user {user!r}.")
        failures = 0
        for name in files:
            try:
                failures += not self.import_file(Path(name), importer, update=update, dry_run=dry_run, as_json=as_json)
            except NotAMinute as error:
                failures += 1
                self.stderr.write(f"{name}: not a minute: {error}")
        if failures:
            raise CommandError(f"{failures} of {len(files)} file(s) were not imported.")

    def import_file(self, path, importer, *, update, dry_run, as_json):
        try:
            content = path.read_bytes()
        except OSError as error:
            self.stderr.write(f"{path}: cannot be read: {error.strerror}")
            return False
        plan = plan_import(text_from_upload(path.name, content))
        if as_json:
            self.stdout.write(json.dumps(plan.parsed.as_json(), ensure_ascii=False))
            return True
        for warning in plan.warnings:
            self.stderr.write(f"{path}: warning: {warning}")
        if dry_run:
            verdict = "would update" if plan.existing else "would import"
            if not plan.can_save:
                self.stderr.write(f"{path}: cannot be saved: {' '.join(plan.errors)}")
                return False
            self.stdout.write(f"{path}: {verdict} {plan.reference} ({len(plan.parsed.decisions)} items, "
                              f"{len(plan.parsed.follow_ups)} follow-ups)")
            return True
        try:
            minute = save_import(plan, user=importer, update=update)
        except (ImportRefused, DatabaseError) as error:
            self.stderr.write(f"{path}: not saved: {error}")
            return False
        self.stdout.write(self.style.SUCCESS(
            f"{path}: {'updated' if plan.existing else 'imported'} {minute.reference} "
            f"({minute.decisions.count()} items)"
        ))
        return True
