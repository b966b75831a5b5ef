"""Codes for tests: a fixed clock, so a code and the step it belongs to never drift apart mid-test."""

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pyotp

from kinship.accounts import two_factor
from kinship.accounts.models import TwoFactorDevice

NOW = 1_760_000_000.0  # a fixed moment, 2025-10-09


def code(device: TwoFactorDevice, *, steps: int = 0, at: float = NOW) -> str:
    """The code the authenticator shows `steps` steps from `at`."""
    return pyotp.TOTP(device.secret, interval=two_factor.STEP).at(int(at) + steps * two_factor.STEP)


@contextmanager
def clock(at: float = NOW) -> Iterator[None]:
    with mock.patch("kinship.accounts.two_factor.time.time", return_value=at):
        yield
