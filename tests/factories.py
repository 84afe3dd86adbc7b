"""factory-boy factories for the tracker's records."""

import datetime

import factory
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from cabinet.models import (
    Agency, Committee, DatePrecision, Minister, Minute, Paper, Portfolio, ProactiveRelease, Profile,
)
from decisions.models import DecisionItem, FollowUp


def committee(code="CAB"):
    """A seeded committee (the reference-data migration creates them)."""
    return Committee.objects.filter(code=code).order_by("-valid_from").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@agency.example.govt.nz")
    password = factory.django.Password("correct horse battery staple")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Profile.Role.OFFICIAL

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)

    @factory.post_generation
    def portfolios(self, create, extracted, **kwargs):
        if create and extracted:
            self.portfolios.set(extracted)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests compute codes from it (allauth.mfa.totp.internal.auth)


def make_user(role=Profile.Role.OFFICIAL, *, agencies=(), portfolios=(), second_factor=None, **fields):
    """A user with a profile; clerks and superusers get the TOTP factor they must have (second_factor=False: none)."""
    user = UserFactory(is_staff=role == Profile.Role.CLERK, **fields)
    ProfileFactory(user=user, role=role, agencies=list(agencies), portfolios=list(portfolios))
    if second_factor or (second_factor is None and (user.is_staff or user.is_superuser)):
        TOTP.activate(user, TOTP_SECRET)
    return user


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["short_name"]

    name = factory.Sequence(lambda n: f"Ministry of Example {n}")
    short_name = factory.Sequence(lambda n: f"MOE{n}")


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Example Affairs {n}")
    minister_title = factory.LazyAttribute(lambda portfolio: f"Minister for {portfolio.name}")


class MinisterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minister

    name = factory.Sequence(lambda n: f"Hon Example Person {n}")


def _free_paper_reference(n):
    """CAB-26-SUB-<n>, or the next number no paper has yet (the demo and the tests' own papers use some)."""
    while Paper.objects.filter(reference=f"CAB-26-SUB-{n:04d}").exists():
        n += 1
    return f"CAB-26-SUB-{n:04d}"


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    reference = factory.Sequence(lambda n: _free_paper_reference(n + 1))
    title = factory.Sequence(lambda n: f"Example policy proposal {n}")
    lead_agency = factory.SubFactory(AgencyFactory)
    paper_date = datetime.date(2026, 2, 1)
    date_precision = DatePrecision.MONTH


class MinuteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Minute

    reference = factory.Sequence(lambda n: f"CAB-26-MIN-{n + 1:04d}")
    committee = factory.LazyFunction(committee)
    decision_date = datetime.date(2026, 2, 2)
    title = factory.Sequence(lambda n: f"Example policy proposal {n}")
    paper = factory.SubFactory(
        PaperFactory, reference=factory.LazyAttribute(lambda paper: paper.factory_parent.reference.replace("MIN", "SUB"))
    )


class DecisionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DecisionItem

    minute = factory.SubFactory(MinuteFactory)
    number = factory.Sequence(lambda n: str(n + 1))
    verb = DecisionItem.Verb.INVITED
    text = "invited the Minister for Example to report back to Cabinet by 30 September 2026 on options;"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    decision = factory.SubFactory(DecisionItemFactory)
    kind = FollowUp.Kind.REPORT_BACK
    description = "Report back on options"
    responsible_agency = factory.LazyAttribute(lambda follow_up: follow_up.decision.minute.paper.lead_agency)
    responsible_portfolio = factory.SubFactory(PortfolioFactory)
    responsible_text = "the Minister for Example"
    report_to = factory.LazyFunction(committee)
    due_date = datetime.date(2026, 9, 30)
    due_precision = DatePrecision.DAY
    due_text = "by 30 September 2026"


class ProactiveReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProactiveRelease

    minute = factory.SubFactory(MinuteFactory)


def minute_of(*, lead_agency, portfolios=(), paper_portfolios=(), **fields):
    """A minute of a paper led by `lead_agency`, the minute's and the paper's portfolios set apart (need-to-know
    reaches a minute through each of them separately)."""
    minute = MinuteFactory(paper__lead_agency=lead_agency, **fields)
    minute.portfolios.set(portfolios)
    minute.paper.portfolios.set(paper_portfolios)
    return minute


def follow_up_on(minute, *, agency, portfolio, number=None, **fields):
    """A follow-up on a new decision item of `minute`, owed by exactly `agency` and `portfolio` (either may be None)."""
    decision = DecisionItemFactory(minute=minute, **({"number": number} if number else {}))
    return FollowUpFactory(decision=decision, responsible_agency=agency, responsible_portfolio=portfolio, **fields)
