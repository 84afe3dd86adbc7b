"""Plan the report-back reminders that have fallen due and email each recipient one digest: run once each business day."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cabinet import business_days
from decisions import release_reminders, reminders


def parse_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--date takes a date as YYYY-MM-DD, not {text!r}.") from error


def long_date(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


class Command(BaseCommand):
    help = (
        "Plan the report-back reminders that have fallen due and email each recipient one digest of theirs. "
        "Run it once each business day (cron or a systemd timer); running it again, or on two hosts at once, "
        "sends nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Print the emails that would be sent; write and send nothing."
        )
        parser.add_argument(
            "--date", type=parse_date, metavar="YYYY-MM-DD",
            help="Plan as if on this day (for testing and catching up). Default: today in New Zealand.",
        )

    def handle(self, *args, dry_run=False, date=None, **options):
        on = date or timezone.localdate()
        if not dry_run:
            self.send_notices()
        if not business_days.is_business_day(on):
            self.stdout.write(f"{long_date(on)} is not a business day: no reminders are planned or sent.")
            return
        if dry_run:
            self.dry_run(on)
            return
        plan = reminders.plan_reminders(on=on)
        planned_releases = release_reminders.plan(on=on)
        sent = reminders.send_due(on=on)
        check = reminders.reconcile(on=on, plan=plan)
        self.stdout.write(
            f"{long_date(on)}: planned {len(plan.planned)} reminder(s), {plan.deliveries} copy(ies) queued; "
            f"sent {sent.emails} email(s) carrying {sent.items} copy(ies)."
        )
        self.stdout.write(
            f"Release reminders: planned {planned_releases} copy(ies); {sent.releases} sent in the digests."
        )
        if sent.cancelled:
            self.stdout.write(f"Cancelled {sent.cancelled} copy(ies) no longer needed (closed, or the due date moved).")
        if sent.waiting:
            self.stdout.write(f"{sent.waiting} recipient(s) get theirs on their digest day.")
        if sent.withheld:
            self.stdout.write(
                f"Withheld {sent.withheld} copy(ies): the recipient was deactivated or no longer sees the follow-up, "
                "or the release was published, withheld or is no longer theirs."
            )
        if sent.retrying:
            self.stdout.write(self.style.WARNING(f"{sent.retrying} copy(ies) failed to send and will be retried."))
        if sent.failed:
            self.stdout.write(self.style.ERROR(f"{sent.failed} copy(ies) failed for good: see the admin."))
        for why, count in sorted(sent.problems.items()):
            self.stdout.write(f"  {count} copy(ies) {why}")
        self.report(check)
        if sent.error:
            raise CommandError(
                f"The mail server could not be used ({sent.error}). Nothing is lost: the next run sends what is waiting."
            )
        if sent.undelivered:
            raise CommandError(
                f"Not everything due was delivered: {sent.retrying} copy(ies) will be retried, {sent.failed} failed "
                "for good (admin: Reminder deliveries, filter by status)."
            )

    def send_notices(self):
        """Decisions on requests are told at once, on any day: they are not reminders."""
        notices = reminders.send_notices()
        if notices.sent:
            self.stdout.write(f"Sent {notices.sent} email(s) telling officials of a declined request.")
        if notices.withheld:
            self.stdout.write(f"Withheld {notices.withheld} such email(s): the recipient may no longer be told.")
        for problem in notices.problems:
            self.stdout.write(self.style.WARNING(f"  A declined-request email was not sent: {problem}"))
        if notices.retrying:
            self.stdout.write(self.style.WARNING(f"{notices.retrying} declined-request email(s) will be retried."))
        from decisions.reminders.machinery import send_machinery_notices

        changes = send_machinery_notices()
        if changes.sent:
            self.stdout.write(f"Sent {changes.sent} email(s) telling officials of a machinery-of-government change.")
        for problem in changes.problems:
            self.stdout.write(self.style.WARNING(f"  A machinery-of-government email was not sent: {problem}"))
        if changes.retrying:
            self.stdout.write(self.style.WARNING(f"{changes.retrying} machinery-of-government email(s) will be retried."))

    def dry_run(self, on):
        plan = reminders.plan_reminders(on=on, dry_run=True)
        emails, waiting = reminders.preview(on=on, plan=plan)
        self.stdout.write(f"Dry run for {long_date(on)}: nothing is written and nothing is sent.")
        self.stdout.write(f"Would plan {len(plan.planned)} reminder(s) ({plan.deliveries} copies).")
        self.stdout.write(f"Would send {len(emails)} email(s):")
        for email in emails:
            self.stdout.write(f"\n  To {email.recipient.email} ({email.recipient.get_username()})")
            self.stdout.write(f"  Subject: {email.subject}")
            for section in email.sections:
                self.stdout.write(f"    {section['heading']}: {section['count']}")
                for line in section["lines"]:
                    if line["due_date"] is None:
                        due = "no due date"
                    else:
                        due = f"due {line['due_date']:%-d %B %Y}"
                        if line["days_overdue"]:
                            due += f", {line['days_overdue']} business day(s) overdue"
                        if line.get("lodgement"):
                            due += f"; {line['lodgement']}"
                    self.stdout.write(f"      {line['reference']} para {line['number']}: {line['description']} ({due})")
                if section["more"]:
                    self.stdout.write(f"      and {section['more']} more: {section['more_url']}")
        if waiting:
            names = ", ".join(user.get_username() for user in waiting)
            self.stdout.write(f"\nWaiting for their digest day: {names}.")
        for username, count in sorted(plan.unreachable.items()):
            self.stdout.write(self.style.WARNING(f"{username} has no email address: {count} reminder(s) not sent to them."))

    def report(self, check):
        if check.ok:
            self.stdout.write("Reconciliation: every reminder due has its row; nothing is stuck or failed.")
            return
        if check.missing:
            self.stdout.write(self.style.ERROR(f"Reconciliation: {len(check.missing)} reminder(s) due have no row:"))
            for planned in check.missing[:20]:
                self.stdout.write(f"  follow-up {planned.follow_up_id}: {planned.kind} planned for {planned.planned_for}")
        if check.nobody:
            self.stdout.write(self.style.WARNING(f"Reconciliation: {check.nobody} reminder(s) had nobody to send to."))
        if check.unreachable:
            self.stdout.write(self.style.WARNING(
                f"Reconciliation: {len(check.unreachable)} user(s) should get reminders but have no email address: "
                + ", ".join(check.unreachable)
            ))
        if check.failed:
            self.stdout.write(self.style.WARNING(
                f"Reconciliation: {check.failed} copy(ies) failed and wait for a clerk (admin: Reminder deliveries)."
            ))
        if check.stuck:
            self.stdout.write(self.style.WARNING(
                f"Reconciliation: {check.stuck} copy(ies) are stuck being sent; the next run sends them again."
            ))
