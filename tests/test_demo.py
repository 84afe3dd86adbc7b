import pytest
from django.core.management import call_command
from django.db.models import F

from cabinet.models import Minute
from decisions.models import FollowUp

pytestmark = pytest.mark.django_db


def test_demo_loads_cab_26_min_0018_as_released_and_twice_is_fine(capsys):
    call_command("loaddemo")
    call_command("loaddemo")
    output = capsys.readouterr().out
    assert "already loaded" in output and "mbie-demo-2026" in output

    minute = Minute.objects.get(reference="CAB-26-MIN-0018")
    assert [(item.number, item.verb) for item in minute.decisions.all()] == [
        ("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "invited"),
    ]
    redaction = minute.decisions.get(number="2").redactions.get()
    assert (redaction.label, redaction.ground.code) == ("Negotiations", "9(2)(j)")
    report_back = FollowUp.objects.get(decision__minute=minute)
    assert report_back.kind == "report_back" and report_back.status == "open" and report_back.needs_date
    assert report_back.responsible_portfolio.name == "Resources"
    assert report_back.responsible_agency.short_name == "MBIE"
    assert report_back.history.first().history_user.username == "clerk"
    assert {p.name for p in minute.portfolios.all()} == {"Foreign Affairs", "Resources"}
    assert minute.release.publication_due_date.isoformat() == "2026-03-17"


def test_demo_has_overdue_due_soon_extended_and_closed_follow_ups():
    call_command("loaddemo")
    statuses = set(FollowUp.objects.values_list("status", flat=True))
    assert {"open", "extension", "submitted", "discharged", "cancelled"} <= statuses
    assert FollowUp.objects.overdue().count() >= 3
    assert FollowUp.objects.filter(due_date__isnull=False).exclude(due_date=F("original_due_date")).exists()
    assert FollowUp.objects.count() > 50  # enough that lists paginate

