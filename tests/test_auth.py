"""Signing in: the second factor, failed sign-ins and locks, sessions, password rules, NUL bytes (issue 8)."""

import datetime
import io
import re
import time
from unittest import mock

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from cabinet.audit import AccessLogEntry
from cabinet.models import Profile
from cabinet.validators import RepetitionValidator
from decisions.models import FollowUp
from tests import totp
from tests.factories import TOTP_SECRET, FollowUpFactory, PaperFactory, make_user

PASSWORD = "correct horse battery staple"  # tests/factories.py
START = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # allauth remembers used TOTP codes in the cache
    yield
    cache.clear()


def totp_code(secret=TOTP_SECRET, at=None):
    return totp.totp_code(secret, at)


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def reauthenticate(client, password=PASSWORD):
    """Changing a second factor asks for the password again (allauth's reauthentication)."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def signed_in_as(client):
    response = client.get(reverse("decisions:dashboard"))
    return response.context["user"].get_username() if response.status_code == 200 else None


# The second factor

def test_an_unenrolled_clerk_cannot_open_the_admin_or_a_clerk_action(client):
    clerk = make_user(Profile.Role.CLERK, username="newclerk", is_superuser=True, second_factor=False)
    follow_up = FollowUpFactory()
    client.force_login(clerk)
    for url in [reverse("admin:index"), reverse("admin:decisions_followup_changelist"),
                reverse("decisions:followup_close", args=[follow_up.pk]),
                reverse("decisions:followup_set_due_date", args=[follow_up.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index"), url
    response = client.post(reverse("decisions:followup_close", args=[follow_up.pk]),
                           {"status": FollowUp.Status.CANCELLED, "reason": "Not needed"}, follow=True)
    assert b"Set up a second way to sign in" in response.content
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN
    assert client.get(reverse("decisions:dashboard")).status_code == 200  # officials' pages stay open


def test_an_enrolled_clerk_opens_the_admin(client, clerk):
    assert Authenticator.objects.filter(user=clerk, type=Authenticator.Type.TOTP).exists()
    client.force_login(clerk)
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_official_without_a_factor_is_sent_to_enrol_only_when_required_for_all(client, official):
    sign_in(client, "official")
    assert client.get(reverse("decisions:dashboard")).status_code == 200
    with override_settings(MFA_REQUIRED_FOR_ALL=True):
        response = client.get(reverse("decisions:dashboard"))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_index")
        assert client.get(reverse("mfa_index")).status_code == 200
        assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
        reauthenticate(client)
        assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_enrolling_an_authenticator_app_then_signing_in_with_it(client, official, django_capture_on_commit_callbacks):
    sign_in(client, "official")
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    refused = client.post(reverse("mfa_activate_totp"), {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert refused.status_code == 200 and not Authenticator.objects.filter(user=official).exists()
    with django_capture_on_commit_callbacks(execute=True):  # allauth announces the new factor once it is committed
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=official, type=Authenticator.Type.TOTP).count() == 1
    added = AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.MFA_ADDED, user=official)
    assert sorted(entry.details["type"] for entry in added) == ["recovery_codes", "totp"]  # codes come with the first

    other = Client()
    assert sign_in(other, "official")["Location"] == reverse("mfa_authenticate")
    assert signed_in_as(other) is None
    with time_machine.travel(time.time() + 30):  # the code enrolment used is spent: the next one
        assert other.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})["Location"] == "/"
        assert signed_in_as(other) == "official"


def test_a_totp_sign_in_gives_a_new_session_key_at_each_step(client, clerk):
    client.get(reverse("account_login"))
    client.session.save()
    before = client.cookies["sessionid"].value
    response = sign_in(client, "clerk")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    after_password = client.cookies["sessionid"].value
    assert after_password != before
    assert signed_in_as(client) is None  # the password alone does not sign in a clerk
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies["sessionid"].value not in (before, after_password)
    assert signed_in_as(client) == "clerk"
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_recovery_code_signs_in_once(clerk):
    codes = RecoveryCodes.activate(clerk).get_unused_codes()
    assert len(codes) == 10
    first = Client()
    sign_in(first, "clerk")
    assert first.post(reverse("mfa_authenticate"), {"code": codes[0]})["Location"] == "/"
    assert signed_in_as(first) == "clerk"
    second = Client()
    sign_in(second, "clerk")
    refused = second.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert refused.status_code == 200 and b"Incorrect code" in refused.content
    assert signed_in_as(second) is None
    assert RecoveryCodes(Authenticator.objects.get(user=clerk, type=Authenticator.Type.RECOVERY_CODES)).get_unused_codes() == codes[1:]
    assert AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.RECOVERY_CODE_USED, user=clerk).count() == 1
    assert AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.MFA_FAILED, username="clerk").count() == 1


def test_wrong_codes_count_as_failed_sign_ins_and_lock_the_mfa_step(client, clerk):
    sign_in(client, "clerk")
    wrong = "000000" if totp_code() != "000000" else "111111"
    responses = [client.post(reverse("mfa_authenticate"), {"code": wrong}) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    refused = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert refused.status_code == 429 and b"Too many failed sign-in attempts" in refused.content
    assert signed_in_as(client) is None


# Guessing

def test_thirty_wrong_passwords_lock_the_account_and_the_thirty_first_right_one_is_refused(client, official):
    statuses = [sign_in(client, "official", f"wrong guess {n}").status_code for n in range(30)]
    assert statuses == [200] * 4 + [429] * 26
    response = sign_in(client, "official")
    assert response.status_code == 429 and b"Too many failed sign-in attempts" in response.content
    assert signed_in_as(client) is None
    # From another address the account is still locked (counted per account too).
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "official").status_code == 429
    # 30 failures in a row: the pause has grown from 15 minutes to 15 x 2^5.
    assert b"paused for 480 minutes" in response.content
    # The access log has each failure and each refusal of a locked account.
    assert AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.SIGN_IN_FAILED, username="official").count() >= 30
    assert AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.LOCKED, username="official").exists()


def test_the_lock_lasts_its_cool_off_and_grows_with_more_failures(official):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        for n in range(5):
            sign_in(client, "official", f"wrong {n}")
        assert b"paused for 15 minutes" in sign_in(client, "official", "wrong again").content  # the 6th: 2^0 still
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "official").status_code == 302  # the lock expired
        client.logout()
        for n in range(5):
            sign_in(client, "official", f"wrong {n}")
        locked = sign_in(client, "official", "wrong 5")
        assert b"paused for 30 minutes" in locked.content  # 12 failures in a day
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "official").status_code == 429  # refused, and counted: the pause starts again
        clock.shift(datetime.timedelta(minutes=31))
        assert sign_in(client, "official").status_code == 302


def test_five_failures_from_one_address_lock_the_address(client, official):
    for n in range(5):
        sign_in(client, f"nobody{n}", "wrong")
    assert sign_in(client, "official").status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.9"), "official").status_code == 302


def test_the_messages_do_not_say_whether_the_account_exists(official):
    known, unknown = Client(), Client(REMOTE_ADDR="10.0.0.9")
    first_known, first_unknown = sign_in(known, "official", "wrong"), sign_in(unknown, "nosuchperson", "wrong")
    assert first_known.context["form"].errors == first_unknown.context["form"].errors
    for _ in range(4):
        last_known, last_unknown = sign_in(known, "official", "wrong"), sign_in(unknown, "nosuchperson", "wrong")
    assert last_known.status_code == last_unknown.status_code == 429
    # The same page, byte for byte, but for the nonce each response's Content-Security-Policy gives its own code.
    without_nonce = re.compile(rb' nonce="[^"]*"')
    assert without_nonce.sub(b"", last_known.content) == without_nonce.sub(b"", last_unknown.content)


def test_a_wrong_password_and_an_unknown_account_both_hash_a_password_once(client, official):
    original = MD5PasswordHasher.encode
    for username in ["official", "nosuchperson"]:
        with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=original) as encode:
            assert sign_in(client, username, "wrong").status_code == 200
        assert encode.call_count == 1, username


def test_a_clerk_sees_and_lifts_a_lock_in_the_admin(client, clerk, official):
    other = Client()
    for n in range(5):
        sign_in(other, "official", f"wrong {n}")
    attempt = AccessAttempt.objects.get(username="official")
    client.force_login(clerk)
    assert b"official" in client.get(reverse("admin:axes_accessattempt_changelist")).content
    assert client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(other, "official").status_code == 302


def test_the_admin_sign_in_is_ours(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"
    response = client.get(reverse("admin:login") + "?next=https://elsewhere.example/")
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_the_addresses_people_use_still_work(client, official):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/signup/").status_code == 404
    client.force_login(official)
    assert client.get("/accounts/password_change/").status_code == 200
    assert client.get("/accounts/password/change/")["Location"] == "/accounts/password_change/"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and signed_in_as(client) is None


# Password reset and password rules

def test_password_reset_by_email_is_closed_unless_turned_on(client, official):
    for url in ["/accounts/password/reset/", "/accounts/password/reset/done/", "/accounts/password_reset/"]:
        assert client.get(url).status_code == 404, url
    assert client.post("/accounts/password/reset/", {"email": official.email}).status_code == 404
    assert mail.outbox == []
    assert b"Forgotten your password" not in client.get(reverse("account_login")).content
    with override_settings(PASSWORD_RESET_BY_EMAIL=True):
        assert b"Forgotten your password" in client.get(reverse("account_login")).content
        assert client.get("/accounts/password/reset/").status_code == 200


@override_settings(PASSWORD_RESET_BY_EMAIL=True)
def test_a_reset_for_an_unknown_address_does_the_same_work(client, official):
    known = client.post("/accounts/password/reset/", {"email": official.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@agency.example.govt.nz"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert [message.to for message in mail.outbox] == [[official.email], ["nobody@agency.example.govt.nz"]]


@pytest.mark.parametrize("password, username", [
    ("msd-msd-msd-msd", "msd"), ("abcabcabcabc", "someone"), ("Password1Password1", "someone"),
    ("zzzzzzzzzzzzzzzz", "someone"), ("msd2026msd", "msd"), ("MSD_msd_2026", "msd"),
])
def test_repeated_or_username_passwords_are_refused(password, username):
    user = make_user(username=username)
    with pytest.raises(ValidationError, match="repeats the same piece|mostly your username"):
        RepetitionValidator().validate(password, user)


@pytest.mark.parametrize("password", ["correct horse battery staple", "msd-demo-2026-kowhai", "abcabcabcabd"])
def test_other_passwords_pass_the_repetition_rule(password, db):
    assert RepetitionValidator().validate(password, make_user(username="msd")) is None  # raises when refused


def test_msd_cannot_change_its_password_to_msd_repeated(client):
    msd = make_user(username="msd")
    client.force_login(msd)
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "msd-msd-msd-msd", "new_password2": "msd-msd-msd-msd",
    })
    assert response.status_code == 200 and "repeats the same piece" in response.content.decode()
    msd.refresh_from_db()
    assert msd.check_password(PASSWORD)


# Sessions

def test_an_idle_session_expires_and_says_why(official):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(official)
        clock.shift(datetime.timedelta(minutes=10))
        assert signed_in_as(client) == "official"
        clock.shift(datetime.timedelta(minutes=14))  # 24 minutes after sign-in, 14 after the last page
        assert signed_in_as(client) == "official"
        clock.shift(datetime.timedelta(minutes=16))
        response = client.get(reverse("decisions:followup_list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("signed_out") + "?reason=idle")
        page = client.get(response["Location"])
        assert b"You have been signed out" in page.content and b"15 minutes" in page.content
        assert b"next=%2Ffollow-ups%2F" in page.content  # signing in again comes back here
        assert signed_in_as(client) is None


def test_a_busy_session_ends_after_eight_hours(official):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(official)
        for _ in range(47):  # every 10 minutes for 7 hours 50 minutes
            clock.shift(datetime.timedelta(minutes=10))
            assert signed_in_as(client) == "official"
        clock.shift(datetime.timedelta(minutes=11))
        response = client.get(reverse("decisions:dashboard"))
        assert response["Location"].startswith(reverse("signed_out") + "?reason=lifetime")
        assert b"8 hours" in client.get(response["Location"]).content


def test_an_htmx_request_in_an_expired_session_is_told_where_to_go(official):
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        client.force_login(official)
        clock.shift(datetime.timedelta(minutes=20))
        response = client.get(reverse("decisions:followup_list"), HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"].startswith(reverse("signed_out") + "?reason=idle")


def test_a_password_change_signs_out_every_other_session(official):
    here, elsewhere = Client(), Client()
    here.force_login(official)
    elsewhere.force_login(official)
    response = here.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "a new and long passphrase", "new_password2": "a new and long passphrase",
    })
    assert response.status_code == 302
    assert signed_in_as(here) == "official"
    response = elsewhere.get(reverse("decisions:dashboard"))
    assert response["Location"].startswith(reverse("signed_out") + "?reason=password")
    assert b"password for your account was changed" in elsewhere.get(response["Location"]).content


def test_a_clerk_signs_a_user_out_of_every_session(client, clerk, official, reader):
    phones = [Client(), Client()]
    for phone in phones:
        phone.force_login(official)
    reading = Client()
    reading.force_login(reader)
    client.force_login(clerk)
    response = client.post(reverse("admin:auth_user_changelist"), {
        "action": "sign_out_everywhere", "_selected_action": [official.pk],
    }, follow=True)
    assert b"Ended 2 sessions of 1 user(s)." in response.content
    for phone in phones:
        response = phone.get(reverse("decisions:dashboard"))
        assert response["Location"].startswith(reverse("signed_out") + "?reason=ended")
        assert b"The Cabinet Office signed you out" in phone.get(response["Location"]).content
        assert signed_in_as(phone) is None
    assert signed_in_as(reading) == "reader"
    assert signed_in_as(client) == "clerk"


def test_the_session_cookie_is_lax_secure_and_http_only(client, official):
    sign_in(client, "official")
    cookie = client.cookies["sessionid"]
    assert cookie["samesite"] == "Lax" and cookie["httponly"] and cookie["secure"]


# NUL bytes

@pytest.mark.parametrize("url", [
    "/search/?q=a%00b", "/follow-ups/?q=%00", "/follow-ups/?status=open%00", "/follow-ups/?due_from=2026-01-01%00",
    "/admin/decisions/followup/?q=%00", "/admin/cabinet/paper/?classification=%00", "/admin/cabinet/paper/?q=x%00y",
    "/admin/auth/user/?is_active__exact=1%00",
])
def test_a_nul_byte_in_a_search_or_filter_is_a_400_page(client, clerk, url):
    client.force_login(clerk)
    response = client.get(url)
    assert response.status_code == 400
    assert b"NUL" in response.content and b"Nothing was searched or saved" in response.content


def test_a_nul_byte_in_form_data_is_a_400_and_nothing_is_saved(client, clerk):
    follow_up = FollowUpFactory(decision__minute__paper=PaperFactory())
    client.force_login(clerk)
    response = client.post(reverse("decisions:followup_add_note", args=[follow_up.pk]), {"text": "Consulting\x00now"})
    assert response.status_code == 400 and b"NUL" in response.content
    assert not follow_up.notes.exists()


def test_a_nul_byte_in_the_sign_in_form_is_a_400(client):
    response = client.post(reverse("account_login"), {"login": "official\x00", "password": "x"})
    assert response.status_code == 400 and not AccessAttempt.objects.exists()


# The demo

def test_the_demo_clerk_signs_in_with_the_readmes_key_and_the_others_with_a_password(db):
    out = io.StringIO()
    call_command("loaddemo", stdout=out)
    assert "add the setup key CABINETDEMOCLERKTOTPSECRETKEY234" in out.getvalue()
    clerk = Client()
    assert sign_in(clerk, "clerk", "clerk-demo-2026")["Location"] == reverse("mfa_authenticate")
    assert clerk.post(reverse("mfa_authenticate"), {"code": totp_code("CABINETDEMOCLERKTOTPSECRETKEY234")})["Location"] == "/"
    assert clerk.get(reverse("admin:index")).status_code == 200
    mbie = Client()
    assert sign_in(mbie, "mbie", "mbie-demo-2026")["Location"] == "/"
    assert signed_in_as(mbie) == "mbie"
