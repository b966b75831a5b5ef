"""The real worker: tasks stored by the database backend, run by `manage.py db_worker`."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kinship.core import factories, worker_testing
from kinship.core.worker_testing import run_worker
from kinship.events import services, tasks
from kinship.events.models import ReminderSent, Rsvp

inbox = worker_testing.inbox
keep_signal_handlers = worker_testing.keep_signal_handlers


@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_reminder_sweep_enqueued_by_the_scheduler(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    cast_circle = factories.make_circle()
    facilitator = factories.make_user()
    factories.add_member(cast_circle, facilitator, role="facilitator")
    member = factories.make_member(cast_circle)
    start = (timezone.now() + timedelta(minutes=50)).replace(second=0, microsecond=0)
    event = factories.make_event(circle=cast_circle, facilitator=facilitator, starts_at=start)
    services.rsvp(member=member, event=event, original_start=start, answer=Rsvp.GOING)

    call_command("run_scheduler", "--once", stdout=StringIO())
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)  # the first is still waiting: no pile-up
    assert "still waiting" in out.getvalue()
    (stored,) = DBTaskResult.objects.filter(task_path="kinship.events.tasks.send_due_reminders")
    assert not ReminderSent.objects.exists()

    run_worker()

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL", stored.traceback
    assert stored.return_value == 1
    (message,) = inbox.wait_for(1)
    assert message["To"] == member.email
    assert ReminderSent.objects.get().kind == ReminderSent.HOUR_BEFORE


@pytest.mark.django_db(transaction=True)
def test_worker_sends_the_seat_opened_email_after_the_rsvp_commits(inbox, keep_signal_handlers) -> None:  # type: ignore[no-untyped-def]
    circle = factories.make_circle()
    facilitator = factories.make_user()
    factories.add_member(circle, facilitator, role="facilitator")
    first, second = factories.make_member(circle), factories.make_member(circle)
    event = factories.make_event(circle=circle, facilitator=facilitator, capacity=1)
    for person in (first, second):
        services.rsvp(member=person, event=event, original_start=event.starts_at, answer=Rsvp.GOING)
    services.rsvp(member=first, event=event, original_start=event.starts_at, answer=Rsvp.NOT_GOING)

    (stored,) = DBTaskResult.objects.all()
    assert stored.task_path == tasks.send_seat_opened.module_path
    assert stored.status == "READY"

    run_worker()

    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL", stored.traceback
    (message,) = inbox.wait_for(1)
    assert message["To"] == second.email
    assert message["Subject"].startswith("A seat opened up")
