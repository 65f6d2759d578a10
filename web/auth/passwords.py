"""What a new password must be: at least 10 characters, and not a commonly used password.

The list of common passwords is zxcvbn's (the 30,000 most frequent passwords of
leaked password sets, as packaged by the ``zxcvbn`` project on PyPI), not a
hand-typed one. The check ignores letter case and surrounding spaces, and also
refuses the username itself; it runs on creation, on a change and on an
administrator's reset (``web/auth/forms.new_password_field``).
"""

from __future__ import annotations

from functools import cache

MIN_PASSWORD_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    """Return the common passwords (lower case), loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(word.lower() for word in FREQUENCY_LISTS["passwords"])


def is_common(password: str, username: str = "") -> bool:
    """Return whether the password is a common one, or the username itself."""
    word = password.strip().lower()
    return word in common_passwords() or (bool(username) and word == username.strip().lower())
