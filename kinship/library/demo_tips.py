"""Demo data for the tips area (called by seed_demo through library.demo).

Every tip here is invented for the demo. Writes go through kinship.library.tips, so the demo obeys
the same rules as real members (no helpful mark on one's own tip, one per member); only the
timestamps are moved back afterwards so the tips spread over the past weeks.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from kinship.library import models as m
from kinship.library import tips
from kinship.library.models import Tip

# (author, theme, body, days ago, members who found it helpful)
TIPS: tuple[tuple[str, str, str, float, tuple[str, ...]], ...] = (
    (
        "daniel",
        m.PAIN,
        "A firm cushion under the knee at night took the edge off the ache that used to wake me at 3am. "
        "I still take what the pain team prescribed, but I need the extra dose less often now.",
        41,
        ("maya", "leo", "amara", "ruth", "ingrid"),
    ),
    (
        "amara",
        m.PAIN,
        "Keep a **pain diary** for two weeks before a clinic appointment: time, score out of 10, what you were "
        "doing. My consultant changed my plan the same day because she could see the pattern.",
        30,
        ("daniel", "jonas", "marcus"),
    ),
    (
        "maya",
        m.PHYSIO,
        "Set an alarm for your exercises, three times a day, and name it something silly. Mine says "
        '"bend it like Beckham". I never forget now, and it makes my friends laugh.',
        35,
        ("jonas", "leo", "finn", "karim", "claire", "daniel"),
    ),
    (
        "finn",
        m.PHYSIO,
        "Film your walking on your phone every couple of weeks and show it to your physio. Seeing it from "
        "the side helped me fix a hip hitch I could not feel at all.",
        18,
        ("leo", "priya"),
    ),
    (
        "priya",
        m.PROSTHETICS,
        "Talc and a fresh liner each morning: a little unscented talc on dry skin before the liner went on "
        "stopped most of my rubbing in summer. Ask your prosthetist first if your liner type is fine with it.",
        27,
        ("leo", "marcus", "finn"),
    ),
    (
        "leo",
        m.PROSTHETICS,
        "Keep a spare sock ply or two in your bag. My stump shrinks through the day and a thin extra sock "
        "after lunch means I can keep walking instead of going home.",
        12,
        ("priya", "marcus"),
    ),
    (
        "claire",
        m.SCHOOL_WORK,
        "Ask the school for a **lift pass** and permission to leave lessons five minutes early. Ben no longer "
        "gets crushed on the stairs between classes, and nobody makes a fuss about it.",
        25,
        ("maya", "jonas", "karim", "tom", "nadia"),
    ),
    (
        "jonas",
        m.SCHOOL_WORK,
        "I asked my teachers to put the homework online so I could catch up from home on clinic days. "
        "Most said yes straight away; a short letter from the hospital helped with the rest.",
        9,
        ("maya", "claire"),
    ),
    (
        "ruth",
        m.NUTRITION,
        "When Daniel had no appetite, six small plates a day worked better than three meals. Smoothies with "
        "oats and yoghurt were the easiest win. The hospital dietitian gave us more ideas.",
        22,
        ("daniel", "karim"),
    ),
    (
        "nadia",
        m.MENTAL_HEALTH,
        "Give the worry a time slot: ten minutes after dinner, written down in a notebook, then the notebook "
        "closes. It sounds too simple, but it gave me my evenings back while Samir was in treatment.",
        33,
        ("claire", "karim", "joe", "ruth", "tom"),
    ),
    (
        "ingrid",
        m.DAILY_LIVING,
        "A perching stool in the kitchen changed everything: I cook sitting at worktop height, and my hip "
        "lasts the whole evening. Ask your occupational therapist, they often lend one.",
        16,
        ("daniel", "amara"),
    ),
    (
        "karim",
        m.DAILY_LIVING,
        "Put a basket on the crutch-side of the stairs. Whoever goes up or down carries what is in it, so "
        "Maya never has to juggle things with her crutches.",
        6,
        ("claire", "ruth"),
    ),
    (
        "marcus",
        m.TREATMENT,
        "Before each follow-up scan appointment I write my three questions on my phone, and I ask them first, "
        "before the doctor starts. Scanxiety makes me forget everything otherwise.",
        20,
        ("priya", "leo", "finn", "amara"),
    ),
    (
        "tom",
        m.TREATMENT,
        "Keep one folder with every letter, scan date and medicine list, and take it to every appointment. "
        "When Elsie saw a new doctor, it saved us half an hour of explaining.",
        4,
        ("nadia", "claire"),
    ),
)

# Featured by a facilitator: (index in TIPS, facilitator).
FEATURED = ((2, "marcus"), (9, "ingrid"))


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example tips; returns how many were made. Must be safe to run on an empty database only."""
    if Tip.objects.exists():
        return 0
    now = timezone.now()
    made: list[Tip] = []
    for author, theme, body, days_ago, helpers in TIPS:
        tip = tips.post_tip(author=people[author], theme=theme, body=body)
        for helper in helpers:
            tips.mark_helpful(member=people[helper], tip=tip)
        made.append(tip)
        stamp = now - dt.timedelta(days=days_ago, hours=len(made) * 3)
        Tip.objects.filter(pk=tip.pk).update(created_at=stamp, updated_at=stamp)
    for index, facilitator in FEATURED:
        tips.feature_tip(curator=people[facilitator], tip=made[index], featured=True)
    return len(made)
