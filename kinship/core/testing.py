"""A cast for tests: one person per role around a shared circle."""

import shutil
import tempfile
from dataclasses import dataclass

from django.test import TestCase, override_settings

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core import factories


@dataclass
class Cast:
    circle: Circle
    member: User
    facilitator: User
    staff: User
    outsider: User
    pending: User
    unverified: User


def make_cast(*, visibility: str = Circle.PUBLIC, join_policy: str = Circle.OPEN) -> Cast:
    circle = factories.make_circle(visibility=visibility, join_policy=join_policy)
    facilitator = factories.make_user(display_name="Fiona Facilitator")
    factories.add_member(circle, facilitator, role="facilitator")
    member = factories.make_user(display_name="Mia Member")
    factories.add_member(circle, member)
    pending = factories.make_user(display_name="Pat Pending")
    factories.add_member(circle, pending, status="pending")
    unverified = factories.make_user(display_name="Uma Unverified", verified=False)
    factories.add_member(circle, unverified)
    return Cast(
        circle=circle,
        member=member,
        facilitator=facilitator,
        staff=factories.make_user(display_name="Sam Staff", is_staff=True),
        outsider=factories.make_user(display_name="Otto Outsider"),
        pending=pending,
        unverified=unverified,
    )


class KinshipTestCase(TestCase):
    cast: Cast

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = make_cast()


class TemporaryMedia:
    """Mix into a TestCase: stored files go to a folder of the class's own, removed afterwards."""

    media_root: str
    _media_override: override_settings

    @classmethod
    def setUpClass(cls) -> None:
        cls.media_root = tempfile.mkdtemp(prefix="kinship-media-")
        cls._media_override = override_settings(MEDIA_ROOT=cls.media_root)
        cls._media_override.enable()
        super().setUpClass()  # type: ignore[misc]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()  # type: ignore[misc]
        cls._media_override.disable()
        shutil.rmtree(cls.media_root, ignore_errors=True)
