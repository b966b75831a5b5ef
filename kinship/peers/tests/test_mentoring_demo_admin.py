"""The mentoring demo data, the admin and the scheduler hook."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import User
from kinship.core import factories
from kinship.core.management.commands.seed_demo import PEOPLE
from kinship.core.testing import KinshipTestCase
from kinship.events.management.commands.run_scheduler import SWEEPS
from kinship.peers import demo_mentoring, mentoring, tasks_mentoring
from kinship.peers.models import MentorProfile, Mentorship
from kinship.peers.tests.mentoring_support import ask, make_mentee, make_mentor
from kinship.safety.models import AuditEntry


def demo_people() -> dict[str, User]:
    today = timezone.localdate()
    people = {}
    for person in PEOPLE:
        months = person.months_since_surgery
        people[person.key] = factories.make_user(
            display_name=person.display_name,
            diagnosis=person.diagnosis,
            surgery_type=person.surgery_type,
            body_site=person.body_site,
            surgery_date=today - timedelta(days=30 * months) if months is not None else None,
            is_staff=person.staff,
        )
    return people


class DemoTests(KinshipTestCase):
    def test_mentors_pairs_and_maya_finds_priya_and_finn_and_it_runs_twice(self) -> None:
        people = demo_people()
        self.assertEqual(demo_mentoring.seed(people, {}), 6)
        self.assertEqual(demo_mentoring.seed(people, {}), 0)
        approved = set(MentorProfile.objects.filter(status="approved").values_list("user__display_name", flat=True))
        self.assertEqual(approved, {"Leo", "Priya", "Finn"})
        self.assertEqual(MentorProfile.objects.get(user=people["ingrid"]).status, "applied")
        self.assertEqual(Mentorship.objects.get(mentee=people["jonas"]).status, Mentorship.ACTIVE)
        self.assertEqual(Mentorship.objects.get(mentee=people["amara"]).status, Mentorship.REQUESTED)
        maya = people["maya"]
        shown = mentoring.suggestions(
            maya, mentoring.parse_preferences(mentoring.default_preferences(maya), mentee=maya)
        )
        names = [s.profile.user.display_name for s in shown]
        self.assertEqual(set(names), {"Priya", "Finn"})  # Leo is only 3 months further along than Maya
        self.assertEqual(
            shown[0].suggestion.reason_text, "both had surgery on the femur; a year and a half further along"
        )


class AdminTests(KinshipTestCase):
    def test_staff_approve_from_the_admin_and_a_look_is_audited(self) -> None:
        profile = make_mentor(status=MentorProfile.APPLIED)
        admin_user = factories.make_user(is_staff=True, is_superuser=True)
        self.client.force_login(admin_user)
        changelist = reverse("admin:peers_mentorprofile_changelist")
        self.assertEqual(self.client.get(changelist).status_code, 200)
        self.client.post(changelist, {"action": "approve_mentors", "_selected_action": [profile.pk]})
        profile.refresh_from_db()
        self.assertEqual(profile.status, MentorProfile.APPROVED)
        mentorship = ask(make_mentee(), profile)
        response = self.client.get(reverse("admin:peers_mentorship_change", args=[mentorship.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="mentorship.viewed", target_id=mentorship.pk).exists())
        self.assertEqual(self.client.get(reverse("admin:peers_mentorship_changelist")).status_code, 200)

    def test_members_have_no_admin(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(reverse("admin:peers_mentorprofile_changelist")).status_code, 302)


class SchedulerTests(KinshipTestCase):
    def test_expiry_sweep_is_scheduled_and_the_task_runs(self) -> None:
        self.assertIn(tasks_mentoring.expire_due_requests, SWEEPS)
        request = ask(make_mentee(), make_mentor())
        Mentorship.objects.filter(pk=request.pk).update(respond_by=timezone.now() - timedelta(seconds=5))
        mail.outbox.clear()
        self.assertEqual(tasks_mentoring.expire_due_requests.enqueue().return_value, 1)
        self.assertEqual(len(mail.outbox), 1)
