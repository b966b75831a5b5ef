"""Demo data for milestones and goals (called by seed_demo with the demo people and circles).

Rows are written directly for the private parts; the one shared milestone goes through
milestones.share_milestone, so its celebration topic is exactly what a member would make.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from kinship.discussions import access as discussions_access
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Reaction
from kinship.journal import milestones
from kinship.journal.models import Goal, GoalUpdate, Milestone

# (person, kind, title ("" = the template's words), days ago, private note)
MILESTONES = [
    ("maya", "standing", "", 300, "Two physios and a frame. Legs shaking, but up."),
    ("maya", "crutches", "", 260, "Round the ward twice. Mum filmed it."),
    ("maya", "chemo_done", "", 150, "Rang the bell. Ate chips on the way home."),
    ("maya", "one_crutch", "", 40, "Physio says the quad is finally waking up."),
    ("leo", "prosthesis_fitted", "", 120, "Socket rubs at the back; follow-up booked."),
    ("leo", "prosthesis_steps", "", 95, "Ten steps between the bars, then ten more."),
    ("leo", "driving", "Drove to training on my own", 20, "Adapted pedals are worth every penny."),
    ("daniel", "back_to_school_work", "Back at work, three days a week", 60, "Tired by Thursday; worth it."),
    ("amara", "clear_scan", "", 14, "Waited nine days for the letter. All clear."),
]
# (person, title, days until target (None: no target), progress updates as (percent, days ago, note))
GOALS = [
    ("maya", "Walk 1 km without crutches", 60, [(20, 30, "Corner shop and back."), (45, 10, "Park gate, slowly.")]),
    ("leo", "Run 100 m on the blade", 120, [(10, 12, "First jog on the track with the prosthetist.")]),
    ("daniel", "Lift my daughter onto my shoulders", None, []),
]
# Maya shares one crutch with her circle, and two members celebrate it.
SHARED = ("maya", "one_crutch", "osteosarcoma-young-adults", "Down to one crutch at last!", ("leo", "priya"))


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example milestones and goals; returns how many milestones were made. Only on an empty journal."""
    if Milestone.objects.exists() or Goal.objects.exists():
        return 0
    today = timezone.localdate()
    made = 0
    for key, kind, title, days_ago, note in MILESTONES:
        owner = people.get(key)
        if owner is None:
            continue
        label = milestones.KIND_LABELS[kind]
        happened_on = today - dt.timedelta(days=days_ago)
        Milestone.objects.create(owner=owner, kind=kind, title=title or label, happened_on=happened_on, note=note)
        made += 1
    now = timezone.now()
    for key, title, days_ahead, updates in GOALS:
        owner = people.get(key)
        if owner is None:
            continue
        target = today + dt.timedelta(days=days_ahead) if days_ahead is not None else None
        goal = Goal.objects.create(
            owner=owner, title=title, target_date=target, progress=updates[-1][0] if updates else 0
        )
        for progress, days_ago, note in updates:
            update = GoalUpdate.objects.create(goal=goal, progress=progress, note=note)
            # Stamped after create: created_at is set by auto_now_add.
            GoalUpdate.objects.filter(pk=update.pk).update(created_at=now - dt.timedelta(days=days_ago))
    _share(people, circles)
    return made


def _share(people: dict[str, Any], circles: dict[str, Any]) -> None:
    key, kind, slug, message, fans = SHARED
    owner, circle = people.get(key), circles.get(slug)
    milestone = Milestone.objects.filter(owner=owner, kind=kind).first() if owner else None
    if owner is None or circle is None or milestone is None:
        return
    milestones.share_milestone(owner=owner, milestone=milestone, circle=circle, message=message)
    topic = milestone.shared_topic
    assert topic is not None
    opening = Post.objects.get(topic=topic, is_opening=True)
    for fan_key in fans:
        fan = people.get(fan_key)
        if fan is not None and discussions_access.can_react(fan, opening):
            discussions.react(member=fan, post=opening, kind=Reaction.CELEBRATE)
    fan = people.get(fans[0])
    if fan is not None and discussions_access.can_reply(fan, topic):
        discussions.post_reply(author=fan, topic=topic, body="One crutch! Next stop: none. So happy for you \U0001f389")
