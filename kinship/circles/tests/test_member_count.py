"""Circle.member_count is exact after every way a membership changes, so listings can trust it."""

import importlib
import random

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinship.api.tests.base import ApiTestCase
from kinship.circles import services
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.testing import make_cast
from kinship.safety import data_rights, moderation


def stored(circle: Circle) -> int:
    return Circle.objects.values_list("member_count", flat=True).get(pk=circle.pk)


def counted(circle: Circle) -> int:
    return Membership.objects.filter(circle=circle, status=Membership.ACTIVE).count()


class MemberCountTests(ApiTestCase):
    def assert_exact(self, circle: Circle, expected: int) -> None:
        self.assertEqual(counted(circle), expected)
        self.assertEqual(stored(circle), expected)

    def test_the_cast_counts_its_three_active_members(self):
        self.assert_exact(self.cast.circle, 3)  # facilitator, member, unverified; not the pending one

    def test_a_new_circle_counts_its_creator(self):
        circle = services.create_circle(
            creator=self.cast.staff, data={"name": "Pelvic surgery", "description": "d", "guidelines": "Be kind."}
        )
        self.assert_exact(circle, 1)

    def test_joining_an_open_circle_counts_at_once(self):
        services.join_circle(member=self.cast.outsider, circle=self.cast.circle, accept_guidelines=True)
        self.assert_exact(self.cast.circle, 4)

    def test_a_request_counts_only_when_approved_and_a_declined_one_never(self):
        cast = make_cast(join_policy=Circle.APPROVAL)
        services.join_circle(member=cast.outsider, circle=cast.circle, accept_guidelines=True)
        self.assert_exact(cast.circle, 3)
        services.approve_membership(facilitator=cast.facilitator, circle=cast.circle, user_id=cast.outsider.pk)
        self.assert_exact(cast.circle, 4)
        services.remove_membership(facilitator=cast.facilitator, circle=cast.circle, user_id=cast.pending.pk)
        self.assert_exact(cast.circle, 4)

    def test_leaving_counts_down_and_withdrawing_a_request_does_not(self):
        services.leave_circle(member=self.cast.member, circle=self.cast.circle)
        self.assert_exact(self.cast.circle, 2)
        services.leave_circle(member=self.cast.pending, circle=self.cast.circle)
        self.assert_exact(self.cast.circle, 2)

    def test_removal_by_a_facilitator_or_a_moderator_counts_down(self):
        services.remove_membership(
            facilitator=self.cast.facilitator, circle=self.cast.circle, user_id=self.cast.member.pk
        )
        self.assert_exact(self.cast.circle, 2)
        target = moderation.find_target(
            self.cast.facilitator, target_type="user", target_id=self.cast.unverified.pk, circle=self.cast.circle.slug
        )
        moderation.act(moderator=self.cast.facilitator, target=target, action="remove", note="Repeated")
        self.assert_exact(self.cast.circle, 1)

    def test_erasing_an_account_counts_down_every_circle_it_was_active_in(self):
        other = make_cast()
        factories.add_member(other.circle, self.cast.member)
        pending_there = make_cast(join_policy=Circle.APPROVAL)
        factories.add_member(pending_there.circle, self.cast.member, status=Membership.PENDING)
        data_rights.erase(user=self.cast.member, password=factories.PASSWORD, posts=data_rights.REMOVE)
        self.assert_exact(self.cast.circle, 2)
        self.assert_exact(other.circle, 3)
        self.assert_exact(pending_there.circle, 3)

    def test_refused_changes_leave_the_count_alone(self):
        with self.assertRaises(Conflict):
            services.join_circle(member=self.cast.member, circle=self.cast.circle, accept_guidelines=True)
        with self.assertRaises(Invalid):
            services.join_circle(member=self.cast.outsider, circle=self.cast.circle, accept_guidelines=False)
        with self.assertRaises(NotAllowed):
            services.remove_membership(
                facilitator=self.cast.member, circle=self.cast.circle, user_id=self.cast.unverified.pk
            )
        with self.assertRaises(Conflict):
            services.approve_membership(
                facilitator=self.cast.facilitator, circle=self.cast.circle, user_id=self.cast.member.pk
            )
        self.assert_exact(self.cast.circle, 3)

    def test_through_the_pages_and_the_api(self):
        self.client.force_login(self.cast.outsider)
        self.client.post(reverse("circles:circle-join", args=[self.cast.circle.slug]), {"accept_guidelines": "on"})
        self.assert_exact(self.cast.circle, 4)
        self.client.force_login(self.cast.facilitator)
        self.client.post(
            reverse("circles:member-action", args=[self.cast.circle.slug, self.cast.outsider.pk, "remove"])
        )
        self.assert_exact(self.cast.circle, 3)
        self.assertContains(self.client.get(reverse("circles:circle-list")), "3 members")
        self.assertContains(self.client.get(self.cast.circle.get_absolute_url()), "· 3 members")
        self.assertEqual(
            self.api("post", f"/circles/{self.cast.circle.slug}/leave", user=self.cast.member).status_code, 204
        )
        listed = self.api("get", "/circles", user=self.cast.facilitator).json()["items"]
        self.assertEqual([c["member_count"] for c in listed if c["slug"] == self.cast.circle.slug], [2])
        self.assertEqual(self.api("get", f"/circles/{self.cast.circle.slug}").json()["member_count"], 2)

    def test_a_random_run_of_changes_keeps_the_count_exact(self):
        cast = make_cast(join_policy=Circle.APPROVAL)
        people = [factories.make_user() for _ in range(8)]
        rng = random.Random(20261125)
        for _ in range(120):
            person = rng.choice(people)
            step = rng.choice(["join", "approve", "leave", "remove"])
            try:
                if step == "join":
                    services.join_circle(member=person, circle=cast.circle, accept_guidelines=True)
                elif step == "approve":
                    services.approve_membership(facilitator=cast.facilitator, circle=cast.circle, user_id=person.pk)
                elif step == "leave":
                    services.leave_circle(member=person, circle=cast.circle)
                else:
                    services.remove_membership(facilitator=cast.facilitator, circle=cast.circle, user_id=person.pk)
            except (Conflict, Invalid, NotAllowed):
                pass
            self.assertEqual(stored(cast.circle), counted(cast.circle), step)
        self.assertGreater(Membership.objects.filter(circle=cast.circle, status=Membership.REMOVED).count(), 0)

    def test_recount_repairs_a_wrong_counter_and_the_migration_starts_from_the_rows(self):
        Circle.objects.filter(pk=self.cast.circle.pk).update(member_count=99)
        other = make_cast()
        self.assertEqual(services.recount_members([self.cast.circle]), 1)
        self.assert_exact(self.cast.circle, 3)
        Circle.objects.update(member_count=0)
        migration = importlib.import_module("kinship.circles.migrations.0004_circle_member_count")
        migration.count_existing(apps, None)
        self.assert_exact(self.cast.circle, 3)
        self.assert_exact(other.circle, 3)

    def test_listing_reads_no_membership_rows(self):
        for _ in range(3):
            make_cast()
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as captured:
            self.client.get(reverse("circles:circle-list"))
        listing = [q["sql"] for q in captured if "circles_circle" in q["sql"] and "member_count" in q["sql"]]
        self.assertTrue(listing)
        self.assertNotIn("COUNT(", " ".join(listing).upper())


class LockOrderTests(ApiTestCase):
    """Every membership change locks the circle before a membership row, so two never deadlock."""

    def first_lock(self, change) -> str:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as captured:
            change()
        tables = [q["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for q in captured if "FOR UPDATE" in q["sql"]]
        ours = [t for t in tables if t in (Circle._meta.db_table, Membership._meta.db_table)]
        self.assertTrue(ours)
        return ours[0]

    def test_the_circle_is_locked_first(self):
        if not connection.features.has_select_for_update:
            self.skipTest("SQLite locks the whole database; there is no row lock order")
        cast = make_cast(join_policy=Circle.APPROVAL)
        changes = {
            "approve": lambda: services.approve_membership(
                facilitator=cast.facilitator, circle=cast.circle, user_id=cast.pending.pk
            ),
            "remove": lambda: services.remove_membership(
                facilitator=cast.facilitator, circle=cast.circle, user_id=cast.member.pk
            ),
            "leave": lambda: services.leave_circle(member=cast.unverified, circle=cast.circle),
            "moderation": lambda: moderation.act(
                moderator=cast.facilitator,
                target=moderation.find_target(
                    cast.facilitator, target_type="user", target_id=cast.pending.pk, circle=cast.circle.slug
                ),
                action="remove",
            ),
            "erase": lambda: data_rights.erase(
                user=cast.outsider, password=factories.PASSWORD, posts=data_rights.REMOVE
            ),
        }
        factories.add_member(cast.circle, cast.outsider)
        for name, change in changes.items():
            with self.subTest(name):
                self.assertEqual(self.first_lock(change), Circle._meta.db_table)
        self.assert_counted(cast.circle)

    def assert_counted(self, circle: Circle) -> None:
        self.assertEqual(stored(circle), counted(circle))


class AdminTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.admin = factories.make_user(is_staff=True, is_superuser=True)
        factories.give_two_factor(self.admin)
        self.client.force_login(self.admin)

    def test_memberships_changed_in_the_admin_are_counted(self):
        circle = self.cast.circle
        rows = list(Membership.objects.filter(circle=circle).order_by("pk"))
        data = {
            "name": circle.name,
            "slug": circle.slug,
            "description": circle.description,
            "guidelines": circle.guidelines,
            "visibility": circle.visibility,
            "join_policy": circle.join_policy,
            "premoderate_posts": "0",
            "memberships-TOTAL_FORMS": str(len(rows)),
            "memberships-INITIAL_FORMS": str(len(rows)),
        }
        for i, row in enumerate(rows):
            data |= {
                f"memberships-{i}-id": str(row.pk),
                f"memberships-{i}-circle": str(circle.pk),
                f"memberships-{i}-user": str(row.user_id),
                f"memberships-{i}-role": row.role,
                f"memberships-{i}-status": Membership.ACTIVE,  # the pending request approved here
            }
            if row.user_id == self.cast.member.pk:
                data[f"memberships-{i}-DELETE"] = "on"
        response = self.client.post(f"/admin/circles/circle/{circle.pk}/change/", data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(stored(circle), counted(circle))
        self.assertEqual(stored(circle), 3)  # facilitator, unverified, the approved one; the member deleted

    def test_accounts_are_not_deleted_in_the_admin(self):
        url = f"/admin/accounts/user/{self.cast.member.pk}/delete/"
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertEqual(stored(self.cast.circle), 3)
        self.assertTrue(Membership.objects.filter(user=self.cast.member).exists())
