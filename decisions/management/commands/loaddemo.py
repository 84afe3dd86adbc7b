"""Load the demo records and accounts from fixtures/demo.json, dates set relative to today."""

import datetime
import json
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cabinet.business_days import add_business_days
from cabinet.history import acting_as
from cabinet.models import (
    Agency, Committee, DatePrecision, Minister, Minute, OIAGround, Paper, Portfolio, PortfolioAssignment,
    ProactiveRelease, Profile, ReleasedDocument,
)
from decisions import releases
from decisions.demo_cycle import load_cycle
from decisions.demo_releases import load_release_states
from decisions.models import ApiToken, DecisionItem, FollowUp, Redaction, one_month_after

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo.json"
PORTFOLIOS_HELD_FROM = datetime.date(2023, 11, 27)
# The read API's demo key (README: Read API): MBIE's system. Fixed and published, like the demo passwords: demo only.
DEMO_API_SYSTEM, DEMO_API_AGENCY = "MBIE Cabinet register sync (demo)", "MBIE"
DEMO_API_KEY = "cdt_demo-MBIE-read-only-key-not-secret-2026"


def format_date(day):
    return f"{day.day} {day:%B %Y}"


class Command(BaseCommand):
    help = "Load the demo data and demo accounts (safe to run again: what exists is left as it is)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="The demo data file.")

    def handle(self, *args, file, **options):
        data = json.loads(Path(file).read_text(encoding="utf-8"))
        self.today = timezone.localdate()
        with transaction.atomic():
            users = {account["username"]: self.ensure_account(account) for account in data["accounts"]}
            with acting_as(users["clerk"]):
                self.load_people(data)
                self.ensure_profiles(data["accounts"], users)
                if Minute.objects.filter(reference=data["recorded"][0]["reference"]).exists():
                    self.stdout.write("Demo records were already loaded; left as they are.")
                else:
                    for minute in data["recorded"]:
                        self.load_recorded(minute)
                    for minute in data["minutes"]:
                        self.load_invented(minute)
                    load_cycle(today=self.today, clerk=users["clerk"])  # meetings, a proposal, a renamed portfolio
                    load_release_states(self.today, users["clerk"])
                    self.stdout.write(self.style.SUCCESS(
                        f"Loaded {Minute.objects.count()} minutes and {FollowUp.objects.count()} follow-ups."
                    ))
                self.ensure_api_token(users["clerk"])
        self.stdout.write("\nDemo accounts (sign in at http://127.0.0.1:8000/, the admin at /admin/):")
        for account in data["accounts"]:
            scope = ", ".join(account.get("agencies", [])) or "everything"
            self.stdout.write(f"  {account['role']:<9} {account['username']:<8} password {account['password']:<18} sees {scope}")
        for account in data["accounts"]:
            if account.get("totp_secret"):
                self.stdout.write(
                    f"\n{account['username']} also needs a code from an authenticator app: add the setup key "
                    f"{account['totp_secret']} to one (time-based, 6 digits, every 30 seconds). "
                    "Other accounts sign in with the password alone unless MFA_REQUIRED_FOR_ALL is on."
                )

    def ensure_api_token(self, clerk):
        """MBIE's system's key for the read API, usable for a year from the first load."""
        if not ApiToken.objects.filter(key_hash=ApiToken.hash_key(DEMO_API_KEY)).exists():
            token = ApiToken(system=DEMO_API_SYSTEM, expires_at=timezone.now() + datetime.timedelta(days=365), created_by=clerk)
            token.key_hash, token.key_hint = ApiToken.hash_key(DEMO_API_KEY), DEMO_API_KEY[:8]
            token.save()
            token.agencies.set(Agency.objects.filter(short_name=DEMO_API_AGENCY))
        self.stdout.write(
            f"\nRead API key for {DEMO_API_SYSTEM} (sees what {DEMO_API_AGENCY}'s officials see): {DEMO_API_KEY}\n"
            f"  curl -H 'Authorization: Bearer {DEMO_API_KEY}' http://127.0.0.1:8000/api/v1/follow-ups/"
        )

    # People and reference data

    def ensure_account(self, account):
        user, created = get_user_model().objects.get_or_create(
            username=account["username"],
            defaults={
                "first_name": account["first_name"], "last_name": account["last_name"], "email": account["email"],
                "is_staff": account["role"] == "clerk", "is_superuser": account["role"] == "clerk",
            },
        )
        if created:
            user.set_password(account["password"])
            user.save(update_fields=["password"])
        if account.get("totp_secret") and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, account["totp_secret"])  # a fixed secret, given in the README, for the demo only
            RecoveryCodes.activate(user)
        return user

    def ensure_profiles(self, accounts, users):
        for account in accounts:
            profile, created = Profile.objects.get_or_create(user=users[account["username"]], defaults={"role": account["role"]})
            if created:
                profile.agencies.set(Agency.objects.filter(short_name__in=account.get("agencies", [])))
                profile.portfolios.set(Portfolio.objects.filter(name__in=account.get("portfolios", [])))
                profile.committees.set(Committee.objects.current(self.today).filter(code__in=account.get("committees", [])))

    def load_people(self, data):
        for name, short_name in data["agencies"]:
            Agency.objects.get_or_create(short_name=short_name, defaults={"name": name})
        for name, title in data["portfolios"]:
            Portfolio.objects.get_or_create(name=name, defaults={"minister_title": title})
        for name, portfolios in data["ministers"]:
            minister, _ = Minister.objects.get_or_create(name=name)
            for portfolio in portfolios:
                PortfolioAssignment.objects.get_or_create(
                    minister=minister, portfolio=Portfolio.objects.get(name=portfolio), start_date=PORTFOLIOS_HELD_FROM
                )

    # Minutes

    def create_minute(self, spec, *, decision_date, paper_date, paper_precision):
        agency = Agency.objects.get(short_name=spec["lead_agency"])
        paper = Paper.objects.create(
            reference=spec["paper"], title=spec["title"], lead_agency=agency,
            paper_date=paper_date, date_precision=paper_precision,
        )
        paper.portfolios.set(Portfolio.objects.filter(name__in=spec["portfolios"]))
        paper.ministers.set(Minister.objects.filter(name__in=spec.get("ministers", [spec.get("minister")])))
        minute = Minute.objects.create(
            reference=spec["reference"], committee=Committee.objects.for_code(spec["committee"], on=decision_date),
            kind=spec.get("kind", Minute.Kind.DECISION), decision_date=decision_date, title=spec["title"], paper=paper,
            classification=spec.get("classification", "in_confidence"), signatory=spec.get("signatory", "Rachel Hayward"),
            has_power_to_act=spec.get("power_to_act", False),
        )
        minute.portfolios.set(paper.portfolios.all())
        return minute

    def create_items(self, minute, items, **substitutions):
        created = {}
        for item in items:
            decision = DecisionItem.objects.create(
                minute=minute, number=item["number"], verb=item["verb"], text=item["text"].format(**substitutions)
            )
            for redaction in item.get("redactions", []):
                Redaction.objects.create(
                    decision=decision, label=redaction["label"], marker=redaction["marker"],
                    ground=OIAGround.objects.get(code=redaction["ground"]),
                )
            created[item["number"]] = decision
        return created

    def create_follow_up(self, decision, spec, *, due_date, due_text):
        return FollowUp.objects.create(
            decision=decision, kind=spec["kind"], description=spec["description"],
            responsible_portfolio=Portfolio.objects.get(name=spec["portfolio"]),
            responsible_agency=spec["agency"] and Agency.objects.get(short_name=spec["agency"]),  # none: owed by a portfolio
            responsible_minister=Minister.objects.filter(name=spec.get("minister")).first()
            or Minister.objects.filter(assignments__portfolio__name=spec["portfolio"]).first(),
            responsible_text=spec["responsible_text"],
            report_to=spec["report_to"] and Committee.objects.for_code(spec["report_to"], on=decision.minute.decision_date),
            due_date=due_date, due_precision=DatePrecision.DAY if due_date else DatePrecision.NONE, due_text=due_text,
        )

    def load_recorded(self, spec):
        decision_date = datetime.date.fromisoformat(spec["decision_date"])
        minute = self.create_minute(
            spec, decision_date=decision_date,
            paper_date=datetime.date.fromisoformat(spec["paper_date"]), paper_precision=spec["paper_date_precision"],
        )
        items = self.create_items(minute, spec["items"])
        for follow_up in spec["follow_ups"]:
            self.create_follow_up(items[follow_up["decision"]], follow_up, due_date=None, due_text="")
        facts = spec["release"]
        release = ProactiveRelease.objects.create(
            minute=minute, minister=Minister.objects.get(name=facts["minister"]),
            agency=Agency.objects.get(short_name=facts["agency"]), is_redacted=facts["is_redacted"],
        )
        releases.record_import(release, published_date=datetime.date.fromisoformat(facts["published_date"]))
        release.grounds.set(OIAGround.objects.filter(code__in=facts["grounds"]))
        for document in facts["documents"]:
            ReleasedDocument.objects.create(
                release=release, document_date=datetime.date.fromisoformat(document["date"]),
                date_precision=document["precision"], title=document["title"], author=document["author"],
            )

    def load_invented(self, spec):
        decision_date = add_business_days(self.today, -spec["decided_business_days_ago"])
        minute = self.create_minute(
            spec, decision_date=decision_date, paper_date=add_business_days(decision_date, -5),
            paper_precision=DatePrecision.DAY,
        )
        due_dates = {
            f["decision"]: f["due_business_days"] is not None and add_business_days(self.today, f["due_business_days"])
            for f in spec["follow_ups"]
        }
        report_back_due = due_dates.get("3") or None
        items = self.create_items(minute, spec["items"], due_text=report_back_due and format_date(report_back_due))
        for spec_follow_up in spec["follow_ups"]:
            self.load_invented_follow_up(minute, items[spec_follow_up["decision"]], spec_follow_up, due_dates[spec_follow_up["decision"]] or None)
        ProactiveRelease.objects.create(minute=minute, agency=minute.paper.lead_agency)  # its state: load_release_states

    def load_invented_follow_up(self, minute, decision, spec, due_date):
        clerk = get_user_model().objects.get(username="clerk")
        original_due = add_business_days(self.today, spec["extended_from"]) if "extended_from" in spec else due_date
        follow_up = self.create_follow_up(
            decision, spec, due_date=original_due, due_text=original_due and f"by {format_date(original_due)}" or ""
        )
        # Each state is reached through the lifecycle's own steps, as a clerk would take them.
        if "extended_from" in spec:
            follow_up.take("request_extension", user=clerk, to_date=due_date, reason=spec["reason"])
            if follow_up.waiting_request():
                follow_up.take(
                    "decide_request", user=clerk, approve=True, approved_by=f"Chair, {minute.committee.name}"
                )
        status = spec["status"]
        if status == FollowUp.Status.EXTENSION_REQUESTED:
            to_date = add_business_days(self.today, spec["extension"]["to"])
            if to_date <= one_month_after(follow_up.due_date):
                raise CommandError(f"The demo's waiting extension on {follow_up} must be more than a month later.")
            follow_up.take("request_extension", user=clerk, to_date=to_date, reason=spec["extension"]["reason"])
        elif status == FollowUp.Status.SUBMITTED:
            follow_up.take("mark_submitted", user=clerk, reference=f"{minute.committee.code}-26-SUB-{minute.number + 500:04d}")
        elif status == FollowUp.Status.DISCHARGED:
            paper = Paper.objects.create(
                reference=f"{minute.committee.code}-26-SUB-{minute.number + 500:04d}",
                title=f"Report-back: {minute.title}", lead_agency=follow_up.responsible_agency,
                paper_date=due_date, date_precision=DatePrecision.DAY,
            )
            follow_up.take("discharge", user=clerk, by=paper, reason="Report-back considered.")
        elif status == FollowUp.Status.CANCELLED:
            follow_up.take("close", user=clerk, status=status, reason=spec["reason"])
