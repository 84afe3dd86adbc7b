"""Settings for `make bench`'s server: production settings plus the bench's floor view (bench/urls.py)."""

from cabinet.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
