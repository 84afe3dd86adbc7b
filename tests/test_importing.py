import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cabinet.models import Minute, Paper
from decisions.models import FollowUp
from tests.factories import AgencyFactory, MinisterFactory, PortfolioFactory

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
MIN_0018 = SAMPLES / "CAB-26-MIN-0018.txt"


@pytest.fixture(name="register")  # named apart from the fixture, so that other modules can import it
def register_fixture(db):
    """The reference data a real register holds before importing CAB-26-MIN-0018."""
    AgencyFactory(name="Ministry of Business, Innovation and Employment", short_name="MBIE")
    PortfolioFactory(name="Resources", minister_title="Minister for Resources")
    PortfolioFactory(name="Foreign Affairs", minister_title="Minister of Foreign Affairs")
    MinisterFactory(name="Hon Shane Jones")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("importminute", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args):
    """Run the command expecting it to refuse the one file it is given; returns what it wrote to stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 of 1 file\(s\) were not imported\.$"):
        call_command("importminute", *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_dry_run_json_of_cab_26_min_0018(register):
    out, _ = run("--dry-run", "--json", str(MIN_0018))
    data = json.loads(out)
    assert set(data) == {"reference", "body", "date", "title", "portfolios", "classification", "signatory",
                         "decisions", "follow_ups", "release", "warnings"}
    assert (data["reference"], data["body"], data["date"]) == ("CAB-26-MIN-0018", "CAB", "2026-02-02")
    assert data["portfolios"] == ["Foreign Affairs", "Resources"]
    assert [(d["number"], d["verb"]) for d in data["decisions"]] == [("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "invited")]
    assert data["decisions"][1]["redactions"] == [{"ground": "9(2)(j)", "label": "Negotiations"}]
    assert data["follow_ups"] == [{
        "decision": "4", "kind": "report_back", "responsible": "Minister for Resources", "report_to": "Cabinet",
        "due_date": None, "due_precision": "none", "due_text": None,
    }]
    assert data["release"]["publish_date"] == "2026-03-17" and data["release"]["minister"] == "Hon Shane Jones"
    assert data["release"]["redacted"] is True
    assert not Minute.objects.exists()


def test_import_saves_the_whole_record_with_history(register, clerk):
    out, _ = run("--user", "clerk", str(MIN_0018))
    assert "imported CAB-26-MIN-0018" in out
    minute = Minute.objects.get(reference="CAB-26-MIN-0018")
    assert [(i.number, i.verb) for i in minute.decisions.all()] == [("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "invited")]
    redaction = minute.decisions.get(number="2").redactions.get()
    assert (redaction.label, redaction.ground.code) == ("Negotiations", "9(2)(j)")
    follow_up = FollowUp.objects.get(decision__minute=minute)
    assert (follow_up.kind, follow_up.due_date, follow_up.report_to.code) == ("report_back", None, "CAB")
    assert follow_up.responsible_portfolio.name == "Resources" and follow_up.needs_date
    assert minute.release.publication_due_date.isoformat() == "2026-03-17"
    assert sorted(minute.release.grounds.values_list("code", flat=True)) == sorted(
        ["6(a)", "9(2)(j)", "9(2)(h)", "9(2)(b)(ii)", "9(2)(f)(iv)", "9(2)(g)(i)"]
    )
    assert minute.paper.reference == "CAB-26-SUB-0018" and minute.paper.lead_agency.short_name == "MBIE"
    assert minute.history.first().history_user == clerk
    assert follow_up.history.first().history_user == clerk


def test_an_existing_reference_is_refused_unless_update(register, clerk):
    run("--user", "clerk", str(MIN_0018))
    minute = Minute.objects.get()
    before = (minute.history.count(), FollowUp.history.count(), list(minute.decisions.values_list("number", "text")))
    assert "CAB-26-MIN-0018 is already recorded: import it as an update" in refused("--user", "clerk", str(MIN_0018))
    assert (minute.history.count(), FollowUp.history.count(), list(minute.decisions.values_list("number", "text"))) == before
    out, _ = run("--user", "clerk", "--update", str(MIN_0018))
    assert "updated CAB-26-MIN-0018" in out
    assert FollowUp.objects.count() == 1 and Minute.objects.count() == 1


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02binary", "just some words, nothing more".encode()])
def test_garbage_exits_non_zero_and_saves_nothing(tmp_path, clerk, content):
    path = tmp_path / "garbage.txt"
    path.write_bytes(content)
    assert "not a minute" in refused("--user", "clerk", str(path))
    assert "not a minute" in refused("--dry-run", "--json", str(path))
    assert not Minute.objects.exists() and not Paper.objects.exists()


def test_missing_file_gets_a_message(clerk):
    assert "/no/such/file.txt: cannot be read: No such file or directory" in refused("--user", "clerk", "/no/such/file.txt")
    assert not Minute.objects.exists()


def test_json_without_dry_run_and_a_missing_or_unknown_user_are_refused(clerk):
    with pytest.raises(CommandError, match="--json goes with --dry-run"):
        run("--json", str(MIN_0018))
    with pytest.raises(CommandError, match="Say who is importing with --user"):
        run(str(MIN_0018))
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        run("--user", "nobody", str(MIN_0018))
    assert not Minute.objects.exists()


@pytest.mark.parametrize("sample", sorted(
    p.name for p in SAMPLES.glob("*.txt") if not p.name.startswith("invented")
))
def test_every_real_sample_dry_runs_to_json_with_its_items(sample):
    out, _ = run("--dry-run", "--json", str(SAMPLES / sample))
    assert json.loads(out)["decisions"]


def test_admin_import_preview_then_confirm_gives_the_same_record_as_the_command(register, clerk, client):
    client.force_login(clerk)
    url = reverse("admin:cabinet_minute_import")
    text = MIN_0018.read_text(encoding="utf-8")
    with MIN_0018.open("rb") as upload:
        preview = client.post(url, {"file": upload, "stage": "preview"})
    content = preview.content.decode()
    assert "Preview: CAB-26-MIN-0018" in content and "No due date: a clerk must set one" in content
    assert not Minute.objects.exists()
    confirmed = client.post(url, {"text": text, "stage": "confirm"})
    assert confirmed.status_code == 302
    via_admin = Minute.objects.get(reference="CAB-26-MIN-0018")
    admin_shape = [(i.number, i.verb, i.text) for i in via_admin.decisions.all()]
    admin_follow_ups = list(FollowUp.objects.values_list("decision__number", "kind", "due_date", "report_to__code"))

    run("--user", "clerk", "--update", str(MIN_0018))
    assert [(i.number, i.verb, i.text) for i in via_admin.decisions.all()] == admin_shape
    assert list(FollowUp.objects.values_list("decision__number", "kind", "due_date", "report_to__code")) == admin_follow_ups


def test_admin_import_of_garbage_says_so_and_saves_nothing(clerk, client):
    client.force_login(clerk)
    response = client.post(reverse("admin:cabinet_minute_import"), {"text": "lorem ipsum", "stage": "confirm"})
    assert "This is not a minute" in response.content.decode()
    assert not Minute.objects.exists()


def test_importing_a_report_of_committee_confirms_the_recorded_committee_minutes(clerk, tmp_path):
    from cabinet.models import ProactiveRelease
    from tests.factories import MinuteFactory, committee

    gov_minute = MinuteFactory(reference="GOV-19-MIN-0024", committee=committee("GOV"), decision_date="2019-05-08")
    release = ProactiveRelease.objects.create(minute=gov_minute)
    assert release.publication_due_date is None  # not final until Cabinet confirms it
    run("--user", "clerk", str(SAMPLES / "CAB-19-MIN-0223.txt"))
    report = Minute.objects.get(reference="CAB-19-MIN-0223")
    gov_minute.refresh_from_db()
    assert report.kind == Minute.Kind.REPORT and gov_minute.confirmed_by == report
    assert gov_minute.final_decision_date.isoformat() == "2019-05-13"
    release.refresh_from_db()
    assert release.final_decision_date.isoformat() == "2019-05-13" and release.publication_due_date is not None
    assert gov_minute.history.first().history_user == clerk


def test_a_failure_after_some_rows_leaves_nothing_saved(register, clerk):
    from django.core.exceptions import ValidationError

    from cabinet.models import ProactiveRelease
    from decisions.importing import plan_import, save_import
    from decisions.models import DecisionItem

    plan = plan_import(MIN_0018.read_text(encoding="utf-8"))
    assert plan.can_save and [d.number for d in plan.parsed.decisions] == ["1", "2", "3", "4"]
    # The last paragraph's number is one a DecisionItem refuses: the minute, its paper and items 1 to 3 are
    # written before the import reaches it.
    plan.parsed.decisions[-1].number = "0"
    with pytest.raises(ValidationError, match="number"):
        save_import(plan, user=clerk)
    assert not Minute.objects.exists() and not Paper.objects.exists() and not DecisionItem.objects.exists()
    assert not FollowUp.objects.exists() and not ProactiveRelease.objects.exists()
    assert not Minute.history.exists() and not DecisionItem.history.exists()


def amended_0018():
    """CAB-26-MIN-0018 as a corrected text would give it: para 4 now dated, and a para 5 with its own report-back."""
    return MIN_0018.read_text(encoding="utf-8").replace(
        "and to seek approval for the next steps.",
        "and to seek approval for the next steps, by 31 July 2026;\n"
        "- 5 **invited** the Minister for Resources to report back to Cabinet by 30 June 2026 on the costs.",
    )


def test_admin_import_of_a_recorded_minute_without_update_says_so_offers_the_update_and_keeps_the_text(register, clerk, client):
    run("--user", "clerk", str(MIN_0018))
    minute = Minute.objects.get()
    before = (minute.history.count(), list(minute.decisions.values_list("number", "text")),
              list(FollowUp.objects.values_list("pk", "due_date")))
    client.force_login(clerk)
    text = amended_0018()
    response = client.post(reverse("admin:cabinet_minute_import"), {"text": text, "stage": "confirm"})
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "CAB-26-MIN-0018 is already recorded: import it as an update to change it. Nothing was saved. "
        "Tick “Update the minute if its reference is already recorded” below and save again."
    ) in content
    assert response.context["form"]["text"].value() == text  # nothing to paste again
    assert (minute.history.count(), list(minute.decisions.values_list("number", "text")),
            list(FollowUp.objects.values_list("pk", "due_date"))) == before

    updated = client.post(reverse("admin:cabinet_minute_import"), {"text": text, "stage": "confirm", "update": "on"})
    assert updated.status_code == 302
    assert list(minute.decisions.values_list("number", flat=True)) == ["1", "2", "3", "4", "5"]


def test_the_preview_of_a_recorded_minute_compares_it_with_what_is_recorded(register, clerk, client):
    run("--user", "clerk", str(MIN_0018))
    client.force_login(clerk)
    response = client.post(reverse("admin:cabinet_minute_import"), {"text": amended_0018(), "stage": "preview"})
    assert response.context["plan"].differences == [
        "The recorded minute has 4 decision items; this text has 5 decision items.",
        "Para 4: wording changes",
        "Para 5: new",
        "Para 4: this text gives the report-back due 31 July 2026; the recorded follow-up (no due date, open) is kept: "
        "change it on its page",
        "Para 5: a new report-back follow-up would be added",
    ]
    content = response.content.decode()
    assert "CAB-26-MIN-0018 is already recorded: saving updates it" in content
    assert "Tick “Update the minute if its reference is already recorded” below to save this as an update" in content
    assert "The recorded minute has 4 decision items; this text has 5 decision items." in content
    assert Minute.objects.get().decisions.count() == 4

    same = client.post(reverse("admin:cabinet_minute_import"), {"text": MIN_0018.read_text(encoding="utf-8"), "stage": "preview"})
    assert same.context["plan"].differences == []
    assert "No differences in title, date, wording or follow-ups." in same.content.decode()
