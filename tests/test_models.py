import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cabinet.history import acting_as
from cabinet.models import Committee, DatePrecision, Minute, ProactiveRelease, Profile
from decisions.models import DecisionItem, FollowUp
from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory, PaperFactory, committee, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
CLOSED_AT = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)


def test_reference_variants_are_normalised_on_save():
    minute = MinuteFactory(reference="CAB\u201119\u2013MIN\u2010219 Revised")
    minute.refresh_from_db()
    assert minute.reference == "CAB-19-MIN-0219"
    assert (minute.year, minute.number, minute.is_revised) == (2019, 219, True)
    assert str(minute) == "CAB-19-MIN-0219"


def test_invalid_reference_is_refused_with_a_clear_message():
    minute = MinuteFactory.build(reference="CAB-26-MINUTE-18", committee=committee("CAB"), paper=None)
    with pytest.raises(ValidationError, match="is not a Cabinet reference") as error:
        minute.full_clean()
    assert "is not a Cabinet reference" in str(error.value.message_dict["reference"])


def test_one_minute_per_reference_whatever_the_printed_form():
    MinuteFactory(reference="CAB-26-MIN-0018")
    duplicate = MinuteFactory.build(reference="CAB-26-MIN-18", committee=committee("CAB"), paper=None)
    with pytest.raises(ValidationError, match="already exists") as error:
        duplicate.full_clean()
    assert "already exists" in str(error.value.message_dict["reference"])
    with pytest.raises(IntegrityError, match="(?i)unique constraint.*cabinet_minute"), transaction.atomic():
        duplicate.save()
    assert Minute.objects.count() == 1


def test_minute_reference_must_match_its_body():
    minute = MinuteFactory.build(reference="ECO-26-MIN-0001", committee=committee("CAB"), paper=None)
    with pytest.raises(ValidationError, match="belongs to ECO") as error:
        minute.full_clean()
    assert "belongs to ECO" in str(error.value.message_dict["committee"])


def test_committee_is_found_by_code_on_a_date_as_codes_are_reused():
    assert Committee.objects.for_code("SWC", on=D(2019, 6, 1)).name == "Cabinet Social Wellbeing Committee"
    assert Committee.objects.for_code("SWC", on=D(2026, 6, 1)) is None
    assert Committee.objects.for_code("ECO", on=D(2026, 6, 1)).name == "Cabinet Economic Policy Committee"


def test_final_decision_date_of_committee_minute_is_cabinet_confirmation():
    report = MinuteFactory(reference="CAB-26-MIN-0100", kind=Minute.Kind.REPORT, decision_date=D(2026, 3, 9))
    committee_minute = MinuteFactory(reference="ECO-26-MIN-0040", committee=committee("ECO"), decision_date=D(2026, 3, 4))
    assert committee_minute.final_decision_date is None
    committee_minute.confirmed_by = report
    assert committee_minute.final_decision_date == D(2026, 3, 9)
    committee_minute.confirmed_by, committee_minute.has_power_to_act = None, True
    assert committee_minute.final_decision_date == D(2026, 3, 4)


def test_power_to_act_minute_cannot_also_be_confirmed():
    report = MinuteFactory(reference="CAB-26-MIN-0100", kind=Minute.Kind.REPORT)
    with pytest.raises(IntegrityError, match="cabinet_minute_power_to_act_needs_no_confirmation"), transaction.atomic():
        MinuteFactory(reference="ECO-26-MIN-0041", committee=committee("ECO"), has_power_to_act=True, confirmed_by=report)
    assert list(Minute.objects.all()) == [report]


def test_release_due_date_is_computed_from_the_final_decision():
    release = ProactiveRelease.objects.create(minute=MinuteFactory(decision_date=D(2026, 2, 2)))
    assert (release.final_decision_date, release.publication_due_date) == (D(2026, 2, 2), D(2026, 3, 17))


def test_decision_items_keep_document_order():
    minute = MinuteFactory()
    for number in ["10", "2.1", "2", "1", "2.10", "2.9"]:
        DecisionItemFactory(minute=minute, number=number)
    assert [item.number for item in minute.decisions.all()] == ["1", "2", "2.1", "2.9", "2.10", "10"]
    assert str(minute.decisions.get(number="2.1")) == f"{minute.reference} para 2.1"


def test_duplicate_numbering_is_refused():
    item = DecisionItemFactory(number="4")
    duplicate = DecisionItem(minute=item.minute, number="4", text="invited ...")
    with pytest.raises(ValidationError, match="Paragraph 4 is already recorded"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError, match="(?i)unique constraint.*decisions_decisionitem"), transaction.atomic():
        duplicate.save()
    assert list(DecisionItem.objects.all()) == [item]


@pytest.mark.parametrize("number", ["0", "4.", "a", "2..1", "1.0"])
def test_malformed_numbers_are_refused(number):
    item = DecisionItem(minute=MinuteFactory(), number=number, text="noted")
    with pytest.raises(ValidationError, match="number"):
        item.full_clean()
    with pytest.raises(IntegrityError, match="decisions_decisionitem_number_format"), transaction.atomic():
        item.save()
    assert not DecisionItem.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message_field", "constraint"),
    [
        ({"status": FollowUp.Status.DISCHARGED, "closed_at": CLOSED_AT}, "discharged_by_minute",
         "decisions_followup_discharged_has_evidence"),
        ({"status": FollowUp.Status.CANCELLED, "closed_reason": "", "closed_at": CLOSED_AT}, "closed_reason",
         "decisions_followup_closed_has_reason"),
        ({"status": FollowUp.Status.SUBMITTED}, "submitted_reference", "decisions_followup_submitted_has_reference"),
        ({"due_date": None, "due_precision": DatePrecision.DAY}, "due_precision", "decisions_followup_due_precision_matches_date"),
        ({"due_date": D(2026, 9, 30), "due_precision": DatePrecision.NONE}, "due_precision",
         "decisions_followup_due_precision_matches_date"),
    ],
)
def test_inconsistent_statuses_are_refused(fields, message_field, constraint):
    follow_up = FollowUpFactory()
    for name, value in fields.items():
        setattr(follow_up, name, value)
    with pytest.raises(ValidationError, match=message_field) as error:
        follow_up.full_clean()
    assert message_field in error.value.message_dict
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        follow_up.save()
    assert FollowUp.objects.get().status == FollowUp.Status.OPEN


def test_original_due_date_is_kept_when_the_date_moves():
    follow_up = FollowUpFactory(due_date=D(2026, 9, 30))
    follow_up.due_date = D(2026, 10, 30)
    follow_up.save()
    follow_up.refresh_from_db()
    assert (follow_up.original_due_date, follow_up.due_date) == (D(2026, 9, 30), D(2026, 10, 30))


def test_overdue_is_derived_in_business_days():
    follow_up = FollowUpFactory(due_date=D(2026, 2, 5))
    assert follow_up.business_days_overdue(on=D(2026, 2, 9)) == 1  # Waitangi Day and a weekend between
    assert follow_up.business_days_overdue(on=D(2026, 2, 5)) == 0
    assert list(FollowUp.objects.overdue(on=D(2026, 2, 9))) == [follow_up]
    follow_up.take("close", user=make_user(Profile.Role.CLERK), status="cancelled", reason="Overtaken by events.")
    assert not FollowUp.objects.overdue(on=D(2026, 2, 9)).exists()


def test_discharge_records_the_discharging_paper(clerk):
    follow_up = FollowUpFactory()
    paper = PaperFactory(reference="CAB-26-SUB-0300")
    with acting_as(clerk):
        follow_up.take("discharge", user=clerk, by=paper, reason="Considered by Cabinet.")
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DISCHARGED and follow_up.closed_at is not None
    assert follow_up.discharged_by_paper == paper
    assert follow_up.history.first().history_user == clerk


def test_paper_reference_must_be_a_paper():
    paper = PaperFactory.build(reference="CAB-26-MIN-0001", lead_agency=None)
    with pytest.raises(ValidationError, match="minute reference"):
        paper.full_clean()


def test_only_undated_report_backs_need_a_date():
    report_back = FollowUpFactory(due_date=None, due_precision=DatePrecision.NONE)
    delegated = FollowUpFactory(kind=FollowUp.Kind.DELEGATED_DECISION, due_date=None, due_precision=DatePrecision.NONE)
    assert report_back.needs_date and not delegated.needs_date
    assert list(FollowUp.objects.undated()) == [report_back]
