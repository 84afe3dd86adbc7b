"""Need to know: the one place that decides which records a user may see. Views never query records any other way."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from cabinet.models import Minute, Paper, Profile
from decisions.models import DecisionItem, FollowUp


def profile_of(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


def sees_everything(user):
    """Clerks and readers see the whole register; superusers are clerks."""
    if not user.is_authenticated or not user.is_active:
        return False
    profile = profile_of(user)
    return user.is_superuser or (profile is not None and profile.role in (Profile.Role.CLERK, Profile.Role.READER))


def is_clerk(user):
    profile = profile_of(user)
    return user.is_authenticated and user.is_active and (
        user.is_superuser or (profile is not None and profile.role == Profile.Role.CLERK)
    )


def can_act(user):
    """Readers read; officials and clerks move follow-ups on."""
    profile = profile_of(user)
    return is_clerk(user) or (user.is_active and profile is not None and profile.role == Profile.Role.OFFICIAL)


def _scope(user):
    """The official's agencies and portfolios, read once per request."""
    profile = profile_of(user)
    if profile is None or profile.role != Profile.Role.OFFICIAL:
        return [], []
    if not hasattr(profile, "_scope"):
        profile._scope = (
            list(profile.agencies.values_list("pk", flat=True)), list(profile.portfolios.values_list("pk", flat=True))
        )
    return profile._scope


def _follow_up_scope(agencies, portfolios, prefix=""):
    return (
        Q(**{f"{prefix}responsible_agency__in": agencies})
        | Q(**{f"{prefix}responsible_portfolio__in": portfolios})
    )


def visible_minutes(user):
    if sees_everything(user):
        return Minute.objects.all()
    agencies, portfolios = _scope(user)
    if not (agencies or portfolios):
        return Minute.objects.none()
    owed = FollowUp.objects.filter(_follow_up_scope(agencies, portfolios)).values("decision__minute")
    mine = Minute.objects.filter(
        Q(portfolios__in=portfolios) | Q(paper__lead_agency__in=agencies) | Q(pk__in=owed)
    ).values("pk")
    return Minute.objects.filter(pk__in=mine)


def visible_papers(user):
    if sees_everything(user):
        return Paper.objects.all()
    agencies, portfolios = _scope(user)
    if not (agencies or portfolios):
        return Paper.objects.none()
    mine = Paper.objects.filter(
        Q(portfolios__in=portfolios) | Q(lead_agency__in=agencies) | Q(minutes__in=visible_minutes(user))
    ).values("pk")
    return Paper.objects.filter(pk__in=mine)


def visible_decisions(user):
    if sees_everything(user):
        return DecisionItem.objects.all()
    return DecisionItem.objects.filter(minute__in=visible_minutes(user))


def visible_follow_ups(user):
    """Follow-ups the user may see: their agencies' and portfolios', and those on minutes they may see."""
    if sees_everything(user):
        return FollowUp.objects.all()
    agencies, portfolios = _scope(user)
    if not (agencies or portfolios):
        return FollowUp.objects.none()
    return FollowUp.objects.filter(
        _follow_up_scope(agencies, portfolios) | Q(decision__minute__in=visible_minutes(user))
    )


def get_follow_up_for_user(user, pk, *, for_update=False):
    queryset = visible_follow_ups(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset, pk=pk)


def may_act(user, follow_up):
    """Whether the user may move this follow-up on: clerks any, officials those they may see."""
    return is_clerk(user) or (can_act(user) and visible_follow_ups(user).filter(pk=follow_up.pk).exists())
