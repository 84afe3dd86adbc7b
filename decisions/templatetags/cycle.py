"""Template tags of the Cabinet cycle: the meeting a follow-up is due at."""

from django import template

from decisions.meetings import due_meeting as meeting_of

register = template.Library()


@register.simple_tag
def due_meeting(follow_up):
    """The meeting a dated report-back is due at (decisions/meetings.py), or None."""
    return meeting_of(follow_up)
