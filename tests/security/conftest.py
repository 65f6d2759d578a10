"""The security suite uses the web suite's fund, users and browsers (tests/web/conftest.py)."""

from tests.web.conftest import (  # noqa: F401  (fixtures)
    client,
    compiled_translations,
    no_ip_failures,
    web,
)
