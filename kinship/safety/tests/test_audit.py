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
