"""Machinery-of-government notices: email the officials of both sides of a change, from the MachineryNotice outbox.

Each row was written with the change (one transaction); `notices.send_outbox`, as for request notices, claims it
with a conditional UPDATE before emailing, so two runs at once send it once. Failures go back to the outbox with
the reminders' back-off; a refusal (5xx) or the last attempt fails it for good; an official no longer active is not
emailed.
"""

from django.conf import settings
from django.urls import reverse

from decisions.models import MachineryNotice

from .emails import _mail_domain, automatic_email
from .notices import send_outbox

Reason = MachineryNotice.Reason


def machinery_email(notice):
    """The email for one notice: what became what, from when, and how many owed follow-ups moved; marked automatic."""
    change, recipient = notice.change, notice.recipient
    context = {
        "name": recipient.first_name or recipient.get_username(), "change": change,
        "kind": change.get_kind_display().lower(), "source": change.source, "destination": change.destination,
        "url": settings.SITE_URL.rstrip("/") + reverse("decisions:dashboard"),
        "site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME,
    }
    return automatic_email(
        "machinery-change", context, to=recipient.email, message_id=f"<machinery-notice-{notice.pk}@{_mail_domain()}>",
    )


def send_machinery_notices(*, now=None):
    """Claim and email each notice due to go (and any a crashed sender left claimed). Call it outside a transaction."""
    return send_outbox(
        MachineryNotice,
        related=["change__from_portfolio", "change__to_portfolio", "change__from_agency", "change__to_agency"],
        email_for=machinery_email, withheld_why=_inactive, now=now,
    )


def _inactive(notice):
    recipient = notice.recipient
    return None if recipient.is_active else (Reason.INACTIVE, f"{recipient.get_username()} is inactive")
