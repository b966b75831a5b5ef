"""The referrals demo data and the admin."""

from django.utils import timezone

from kinship.core import factories
from kinship.library import demo_referrals
from kinship.library.models import Referral, Resource
from kinship.library.tests.referrals_support import ReferralTestCase, make_referral, make_resource
from kinship.safety.models import AuditEntry


class DemoTests(ReferralTestCase):
    def people_and_circles(self) -> tuple[dict, dict]:
        people = {key: factories.make_user(display_name=key.title()) for key in demo_referrals_keys()}
        circles = {}
        for referrer, member, slug, *_ in demo_referrals.DEMO:
            circle = circles.get(slug) or factories.make_circle(slug=slug)
            circles[slug] = circle
            factories.add_member(circle, people[referrer], role="facilitator")
            factories.add_member(circle, people[member])
        return people, circles

    def test_without_resources_nothing_is_made(self) -> None:
        Resource.objects.all().delete()
        people, circles = self.people_and_circles()
        self.assertEqual(demo_referrals.seed(people, circles), 0)
        self.assertFalse(Referral.objects.exists())

    def test_referrals_by_facilitators_one_overdue_one_closed_and_safe_to_run_again(self) -> None:
        for kind in (Resource.PHYSIOTHERAPY, Resource.FINANCIAL, Resource.COUNSELLING, Resource.PROSTHETICS):
            make_resource(kind=kind, name=f"Example {kind}")
        people, circles = self.people_and_circles()
        self.assertEqual(demo_referrals.seed(people, circles), 4)
        now = timezone.now()
        maya = Referral.objects.get(member=people["maya"])
        self.assertEqual(maya.referred_by, people["marcus"])
        self.assertEqual(maya.resource.kind, Resource.PHYSIOTHERAPY)
        self.assertTrue(maya.is_open and maya.follow_up_at < now)
        self.assertEqual([u.status for u in maya.updates.all()], ["suggested", "contacted"])
        karim = Referral.objects.get(member=people["karim"])
        self.assertEqual((karim.referred_by, karim.resource.kind), (people["nadia"], Resource.FINANCIAL))
        self.assertTrue(karim.follow_up_at > now)
        done = Referral.objects.get(status=Referral.DONE)
        self.assertIsNotNone(done.closed_at)
        self.assertEqual(demo_referrals.seed(people, circles), 0)


def demo_referrals_keys() -> set[str]:
    keys = set()
    for referrer, member, _slug, _kind, _note, _days, _ago, changes in demo_referrals.DEMO:
        keys |= {referrer, member} | {by for _, by, _ in changes}
    return keys


class AdminTests(ReferralTestCase):
    def test_staff_read_referrals_in_the_admin_and_cannot_add(self) -> None:
        referral = make_referral(
            referrer=self.cast.facilitator, member=self.cast.member, circle=self.cast.circle, resource=self.resource
        )
        admin = factories.make_user(is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        self.assertEqual(self.client.get("/admin/library/referral/").status_code, 200)
        page = self.client.get(f"/admin/library/referral/{referral.pk}/change/")
        self.assertContains(page, referral.note)
        self.assertEqual(self.client.get("/admin/library/referral/add/").status_code, 403)

    def test_a_staff_look_in_the_admin_is_audited(self) -> None:
        referral = make_referral(
            referrer=self.cast.facilitator, member=self.cast.member, circle=self.cast.circle, resource=self.resource
        )
        admin = factories.make_user(is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        self.client.get("/admin/library/referral/")
        self.assertFalse(AuditEntry.objects.exists())
        self.client.get(f"/admin/library/referral/{referral.pk}/change/")
        entry = AuditEntry.objects.get()
        self.assertEqual((entry.actor, entry.action, entry.target_id), (admin, "referral.viewed", referral.pk))
        self.assertEqual(self.client.get("/admin/library/referral/x/change/").status_code, 302)

    def test_members_and_facilitators_are_kept_out_of_the_admin(self) -> None:
        for user in (self.cast.member, self.cast.facilitator):
            self.client.force_login(user)
            response = self.client.get("/admin/library/referral/")
            self.assertEqual(response.status_code, 302)
