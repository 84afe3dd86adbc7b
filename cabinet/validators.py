"""A password validator of ours: Django's own accept `msd-msd-msd-msd` as the password of `msd`."""

import re

from django.core.exceptions import ValidationError

SEPARATORS = re.compile(r"[\W_]+")


def shortest_period(text):
    """The length of the shortest piece that, repeated, makes `text` (len(text) if none does)."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return size
    return len(text)


class RepetitionValidator:
    """Refuses a password made by repeating a piece (`abcabcabc`, `msd-msd-msd-msd`, `Password1Password1`),
    or made of the username with little else (`msd2026msd`): compared in lower case, separators ignored."""

    def __init__(self, min_other_characters=6):
        self.min_other_characters = min_other_characters

    def validate(self, password, user=None):
        letters = SEPARATORS.sub("", password.lower())
        if letters and shortest_period(letters) <= len(letters) // 2:
            raise ValidationError(
                "This password repeats the same piece (“%(piece)s”). Choose one that does not.",
                code="password_repeats", params={"piece": letters[:shortest_period(letters)]},
            )
        username = SEPARATORS.sub("", (user.get_username() if user is not None else "").lower())
        if username and username in letters and len(letters.replace(username, "")) < self.min_other_characters:
            raise ValidationError(
                "This password is mostly your username. Choose one that has little to do with it.",
                code="password_is_username",
            )

    def get_help_text(self):
        return "Your password can’t be one short piece repeated, or mostly your username."
