"""RFC 6238 codes (SHA-1, 6 digits, 30 seconds), written out here rather than taken from the library under test."""

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret, at=None):
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def lasting_code(secret, seconds=3):
    """The current code, made at least `seconds` before its 30 seconds end (waiting for the next 30 when fewer are
    left), so the server checks it in the window it was made for: it accepts no other (MFA_TOTP_TOLERANCE 0), and a
    code made a moment before a window ends fails a sign-in that is otherwise right."""
    left = 30 - time.time() % 30
    if left < seconds:
        time.sleep(left + 0.1)
    return totp_code(secret)
