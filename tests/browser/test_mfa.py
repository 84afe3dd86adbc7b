"""An official sets up an authenticator app, then signs in with a code from it; a clerk without one is sent to set one up."""

import re

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import expect

from cabinet.models import Profile
from tests.factories import make_user
from tests.totp import totp_code

PASSWORD = "correct horse battery staple"  # tests/factories.py


def test_enrol_an_authenticator_app_and_sign_in_with_it(page, axe, sign_in, sign_out):
    user = make_user(username="tui")
    sign_in(page, "tui", PASSWORD)
    axe(page)
    page.get_by_role("link", name="Second factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    axe(page)

    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")  # the password again, first
    axe(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    axe(page)
    page.get_by_role("button", name="Turn on").click()  # no code: said plainly, nothing turned on
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe(page)
    assert not Authenticator.objects.filter(user=user).exists()
    secret = page.get_by_label("Setup key").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Recovery Codes", re.IGNORECASE))
    axe(page)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1

    sign_out(page, "tui")
    cache.clear()  # the code used to enrol may still be the current one: allauth refuses it a second time
    sign_in(page, "tui", PASSWORD, totp_secret=secret)
    expect(page.get_by_role("heading", level=1)).to_have_text("What your portfolios owe")
    axe(page)


def test_a_clerk_without_a_second_factor_is_sent_to_set_one_up(page, axe, sign_in):
    make_user(Profile.Role.CLERK, username="kahu", is_superuser=True, second_factor=False)
    sign_in(page, "kahu", PASSWORD)
    axe(page)
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    expect(page.get_by_text("Set up a second way to sign in")).to_be_visible()
    axe(page)
