"""Import minutes and whole release packs (.txt, .pdf, a folder or a .zip of them): each pack in its own transaction."""

import json
import logging

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from decisions.importing import ImportRefused
from decisions.packs import iter_pack_files, plan_pack, save_pack

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Parse minutes or release packs (coversheet, paper, minutes) from text or PDF files, folders or zips, and save "
        "each pack in its own transaction; --dry-run --json prints what was read."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="Text (.txt) or PDF files, folders of them, or .zip files of them.")
        parser.add_argument("--user", help="The clerk recorded in history as making the import.")
        parser.add_argument("--update", action="store_true", help="Update a minute whose reference is already recorded.")
        parser.add_argument("--dry-run", action="store_true", help="Save nothing.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json",
            help="Print what was read as JSON (with --dry-run): one object for a minute, a list of documents for a pack.",
        )

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
        rows = []
        for argument in files:
            for name, content in iter_pack_files(argument):
                try:
                    row = self.import_one(name, content, importer, update=update, dry_run=dry_run, as_json=as_json)
                except Exception as error:  # one pack's failure must not stop a folder; its transaction is rolled back
                    logger.exception("importminute: %s failed", name)
                    row = self.refuse({"file": name, "found": 0, "imported": "", "warnings": 0, "refused": ""},
                                      f"failed unexpectedly ({type(error).__name__}: {error}); nothing of it was saved")
                rows.append(row)
        if not as_json and len(rows) > 1:
            self.table(rows)
        failures = sum(1 for row in rows if row["refused"])
        if failures:
            raise CommandError(f"{failures} of {len(rows)} file(s) were not imported.")

    def import_one(self, name, content, importer, *, update, dry_run, as_json):
        """Plan and (unless a dry run) save one pack; a row of the closing table. Never raises for a bad pack."""
        row = {"file": name, "found": 0, "imported": "", "warnings": 0, "refused": ""}
        if isinstance(content, Exception):
            return self.refuse(row, str(content))
        try:
            pack = plan_pack(name, content)
        except ImportRefused as error:
            return self.refuse(row, str(error))
        row["found"], row["warnings"] = len(pack.documents), pack.warning_count
        if as_json:
            data = pack.minutes[0].plan.parsed.as_json() if pack.is_single_minute else pack.as_json()
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            if not pack.minutes:
                return self.refuse(row, " ".join(pack.problems))
            return row
        for warning in pack.warnings:
            self.stderr.write(f"{name}: warning: {warning}")
        for planned in pack.minutes:
            for warning in planned.plan.warnings:
                self.stderr.write(f"{name}: {planned.label}: warning: {warning}")
        if not pack.can_save:
            return self.refuse(row, " ".join(pack.problems))
        if dry_run:
            for planned in pack.minutes:
                plan = planned.plan
                self.stdout.write(f"{name}: {'would update' if plan.existing else 'would import'} {plan.reference} "
                                  f"({len(plan.parsed.decisions)} items, {len(plan.parsed.follow_ups)} follow-ups)")
            row["imported"] = "(dry run) " + ", ".join(planned.plan.reference for planned in pack.minutes)
            return row
        try:
            minutes = save_pack(pack, user=importer, update=update)
        except (ImportRefused, DatabaseError) as error:
            return self.refuse(row, str(error))
        for planned, minute in zip(pack.minutes, minutes):
            self.stdout.write(self.style.SUCCESS(
                f"{name}: {'updated' if planned.plan.existing else 'imported'} {minute.reference} "
                f"({minute.decisions.count()} items)"
            ))
        row["imported"] = ", ".join(minute.reference for minute in minutes)
        return row

    def refuse(self, row, why):
        row["refused"] = why
        self.stderr.write(f"{row['file']}: {why}" if why.startswith("cannot be read") else f"{row['file']}: not saved: {why}")
        return row

    def table(self, rows):
        headings = ("file", "documents found", "imported", "warnings", "refused (why)")
        cells = [(row["file"], str(row["found"]), row["imported"] or "—", str(row["warnings"]), row["refused"] or "—")
                 for row in rows]
        widths = [max(len(heading), *(min(len(cell[index]), 60) for cell in cells)) for index, heading in enumerate(headings)]
        self.stdout.write("  ".join(heading.ljust(width) for heading, width in zip(headings, widths)))
        for cell in cells:
            self.stdout.write("  ".join(value.ljust(width) for value, width in zip(cell, widths)).rstrip())
