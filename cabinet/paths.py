"""Record pages' paths by key, each URL name reversed once rather than once a record: a list, the dashboard and a
reminder run link dozens to thousands of records, and Django's `reverse` costs more than the rest of a link."""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_SENTINEL = 987_654_321_987  # a key no record has, found again in the reversed path


@functools.lru_cache(maxsize=64)
def _pattern(name, prefix, urlconf):
    """The path of `name` with `{}` where the key goes, or None when the key does not stand out in it."""
    path = reverse(name, args=[_SENTINEL], urlconf=urlconf)
    marker = str(_SENTINEL)
    return path.replace(marker, "{}") if path.count(marker) == 1 and "{" not in path else None


def record_path(name, pk):
    """`reverse(name, args=[pk])`, for a URL whose one argument is a record's integer key."""
    pattern = _pattern(name, get_script_prefix(), get_urlconf())
    return pattern.format(int(pk)) if pattern is not None else reverse(name, args=[pk])


@receiver(setting_changed)
def _forget_patterns(*, setting, **kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _pattern.cache_clear()
