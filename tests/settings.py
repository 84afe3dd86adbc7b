"""Test settings: the production settings with a throwaway key, fast password hashing and plain static files."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("PLAIN_STATIC_STORAGE", "1")
os.environ.setdefault("MFA_REQUIRED_FOR_ALL", "0")  # clerks still need a second factor (tests/factories.py gives them one)
os.environ.pop("EMAIL_HOST", None)

from cabinet.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
