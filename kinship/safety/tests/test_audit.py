from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.safety import audit
from kinship.safety.models import AuditEntry


class AuditLogTests(KinshipTestCase):
    def test_record_names_actor_action_and_target(self):
        entry = audit.record(actor=self.cast.staff, action="viewed", target=self.cast.circle, detail="x" * 600)
        self.assertEqual((entry.actor, entry.action), (self.cast.staff, "viewed"))
        self.assertEqual((entry.target_type, entry.target_id), ("circles.circle", self.cast.circle.pk))
        self.assertEqual(len(entry.detail), 500)

    def test_entries_cannot_be_changed_or_deleted_through_the_application(self):
        entry = audit.record(actor=factories.make_user(), action="viewed", target=self.cast.circle)
        entry.action = "nothing happened"
        with self.assertRaises(PermissionError):
            entry.save()
        with self.assertRaises(PermissionError):
            entry.delete()
        self.assertEqual(AuditEntry.objects.get(pk=entry.pk).action, "viewed")


class AuditAdminTests(KinshipTestCase):
    def setUp(self):
        self.entry = audit.record(actor=self.cast.staff, action="referral.viewed", target=self.cast.circle)
        self.cast.staff.is_superuser = True
        self.cast.staff.save()
        self.client.force_login(self.cast.staff)

    def test_staff_read_the_log_in_the_admin(self):
        listing = self.client.get("/admin/safety/auditentry/")
        self.assertContains(listing, "referral.viewed")
        self.assertEqual(self.client.get(f"/admin/safety/auditentry/{self.entry.pk}/change/").status_code, 200)

    def test_nobody_adds_changes_or_deletes_through_the_admin(self):
        self.assertEqual(self.client.get("/admin/safety/auditentry/add/").status_code, 403)
        self.client.post(f"/admin/safety/auditentry/{self.entry.pk}/change/", {"action": "nothing"})
        self.assertEqual(
            self.client.post(f"/admin/safety/auditentry/{self.entry.pk}/delete/", {"post": "yes"}).status_code, 403
        )
        self.assertEqual(AuditEntry.objects.get().action, "referral.viewed")

    def test_members_see_no_log(self):
        self.client.force_login(self.cast.member)
        self.assertNotEqual(self.client.get("/admin/safety/auditentry/").status_code, 200)
