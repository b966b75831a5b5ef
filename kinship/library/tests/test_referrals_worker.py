"""The real worker: the follow-up sweep stored by the database backend, run by `manage.py db_worker`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kinship.core import factories, worker_testing
from kinship.core.worker_testing import run_worker
from kinship.library import tasks
from kinship.library.models import Referral
from kinship.library.tests.referrals_support import NOTE, make_referral, make_resource

inbox = worker_testing.inbox
keep_signal_handlers = worker_testing.keep_signal_handlers


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_follow_up_sweep_enqueued_by_the_scheduler_once(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    circle = factories.make_circle()
    facilitator = factories.make_user()
    factories.add_member(circle, facilitator, role="facilitator")
    member = factories.make_member(circle)
    referral = make_referral(
        referrer=facilitator,
        member=member,
        circle=circle,
        resource=make_resource(),
        follow_up_at=timezone.now() - timedelta(minutes=5),
    )

    call_command("run_scheduler", "--once", stdout=StringIO())
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)  # the first is still waiting: no pile-up
    assert f"A {tasks.send_due_follow_ups.name} sweep is still waiting" in out.getvalue()
    (stored,) = DBTaskResult.objects.filter(task_path=tasks.send_due_follow_ups.module_path)
    assert stored.status == "READY"

    run_worker()

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL", stored.traceback
    assert stored.return_value == 1
    (message,) = inbox.wait_for(1)
    assert message["To"] == facilitator.email
    assert NOTE not in message.as_string()
    assert Referral.objects.get(pk=referral.pk).reminded_at is not None

    # The next minute's sweep finds nothing left to send.
    call_command("run_scheduler", "--once", stdout=StringIO())
    run_worker()
    latest = DBTaskResult.objects.filter(task_path=tasks.send_due_follow_ups.module_path).order_by("-enqueued_at")[0]
    assert latest.status == "SUCCESSFUL", latest.traceback
    assert latest.return_value == 0
    assert len(inbox.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_member_notice_after_the_referral_commits(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    from kinship.library import referrals

    circle = factories.make_circle()
    facilitator = factories.make_user()
    factories.add_member(circle, facilitator, role="facilitator")
    member = factories.make_member(circle)
    referral = referrals.refer(referrer=facilitator, circle=circle, member=member, resource=make_resource(), note=NOTE)

    (stored,) = DBTaskResult.objects.filter(task_path=tasks.send_referral_suggested.module_path)
    assert stored.status == "READY"

    run_worker()

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL", stored.traceback
    (message,) = inbox.wait_for(1)
    assert message["To"] == member.email
    assert referral.get_absolute_url() in inbox.text_of(message)
    assert NOTE not in message.as_string()
