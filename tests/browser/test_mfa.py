"""An official sets up an authenticator app or a security key and signs in with it; a clerk without one is sent to set one up."""

import re

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from playwright.sync_api import expect

from cabinet.models import Profile
from tests.factories import make_user
from tests.totp import lasting_code

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
    page.get_by_label("Authenticator code").fill(lasting_code(secret))
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


def test_add_a_security_key_and_sign_in_with_it(page, axe, sign_in, sign_out, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server is plain http://localhost
    session = page.context.new_cdp_session(page)  # Chromium's virtual authenticator stands in for a key
    session.send("WebAuthn.enable")
    session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True,
    }})
    user = make_user(username="tui")
    sign_in(page, "tui", PASSWORD)
    axe(page)
    page.get_by_role("link", name="Second factor").click()
    axe(page)
    page.get_by_role("button", name="Add").click()
    page.get_by_label("Password").fill(PASSWORD)
    axe(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add Security Key")
    axe(page)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Add Security Key")
    axe(page)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    sign_out(page, "tui")
    page.goto("/accounts/login/")
    axe(page)
    page.get_by_label("Username").fill("tui")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    axe(page)
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("button", name="Sign out tui")).to_be_visible()
    axe(page)
