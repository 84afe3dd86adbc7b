"""Template helpers of the Releases pages: a release's state as a tag, overdue in red."""

from django import template
from django.utils.html import format_html

register = template.Library()

COLOURS = {
    "awaiting": "grey", "due": "blue", "preparing": "light-blue", "minister": "purple", "published": "green",
    "withheld": "orange", "delayed": "yellow", "overdue": "red",
}


@register.simple_tag
def release_tag(release, today=None):
    """The release's state; an unfinished one past the date it is owed says so."""
    label = release.get_status_display()
    if release.is_overdue(today):
        return format_html('<strong class="govuk-tag govuk-tag--red">Overdue</strong> <strong class="govuk-tag govuk-tag--{}">{}</strong>',
                           COLOURS[release.status], label)
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', COLOURS[release.status], label)


@register.filter
def release_visible_to(release, user):
    """Whether the user may open the release's page (the minute's page shows it to anyone who sees the minute)."""
    from decisions import access

    return access.visible_releases(user).filter(pk=release.pk).exists()
