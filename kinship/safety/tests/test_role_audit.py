"""Role changes leave a trace: a circle's facilitators appointed or stepped down, and site-wide flags set in the admin."""

from kinship.accounts.models import User
from kinship.circles import services as circles
from kinship.core import factories
from kinship.core.errors import NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.safety.models import AuditEntry


class RoleAuditTests(KinshipTestCase):
    def test_appointing_and_stepping_down_a_facilitator_is_audited(self) -> None:
        circles.set_member_role(
            facilitator=self.cast.facilitator, circle=self.cast.circle, user_id=self.cast.member.pk, role="facilitator"
        )
        entry = AuditEntry.objects.get(action="role_change")
        self.assertEqual(entry.actor, self.cast.facilitator)
        self.assertEqual(entry.detail, f"{self.cast.circle.slug}: member to facilitator")
        member = User.objects.get(pk=self.cast.member.pk)
        factories.give_two_factor(member)
        member = User.objects.get(pk=member.pk)
        circles.set_member_role(facilitator=member, circle=self.cast.circle, user_id=member.pk, role="member")
        self.assertEqual(AuditEntry.objects.filter(action="role_change").count(), 2)

    def test_a_refused_or_unchanged_role_writes_nothing(self) -> None:
        circles.set_member_role(
            facilitator=self.cast.facilitator, circle=self.cast.circle, user_id=self.cast.member.pk, role="member"
        )
        with self.assertRaises(NotAllowed):
            circles.set_member_role(
                facilitator=self.cast.member, circle=self.cast.circle, user_id=self.cast.member.pk, role="facilitator"
            )
        self.assertFalse(AuditEntry.objects.filter(action="role_change").exists())

    def test_making_someone_staff_in_the_admin_is_audited(self) -> None:
        admin = factories.make_user(is_staff=True, is_superuser=True, email="admin@example.org")
        self.client.force_login(admin)
        person = self.cast.member
        page = self.client.get(f"/admin/accounts/user/{person.pk}/change/")
        self.assertEqual(page.status_code, 200)
        form = page.context["adminform"].form
        # Every field as the page shows it (the avatar is a file input: none sent).
        data = {name: form[name].value() for name in form.fields if name != "avatar" and form[name].value() is not None}
        data.update({"is_staff": "on", "is_active": "on"})
        for name, value in list(data.items()):
            if isinstance(value, bool):
                data[name] = "on" if value else ""
            if isinstance(value, list):
                data[name] = [str(v) for v in value]
        response = self.client.post(f"/admin/accounts/user/{person.pk}/change/", data)
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context["adminform"].form.errors
        )
        entry = AuditEntry.objects.get(action="role_change", target_id=person.pk)
        self.assertEqual(entry.actor, admin)
        self.assertIn("is_staff True", entry.detail)
