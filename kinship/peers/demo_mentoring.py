"""Demo data for mentoring (called by seed_demo): Leo, Priya and Finn mentor; Ingrid has applied;
Finn mentors Jonas; Amara waits for Priya's answer. Maya has asked nobody yet, so the demo can show
her finding a mentor (Priya and Finn are suggested; Leo is only 3 months further along than her)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinship.peers import mentoring
from kinship.peers.models import MentorProfile, Mentorship

MENTORS = {
    "leo": {
        "languages": ["en", "es"],
        "age_band": "18-24",
        "gender": "man",
        "topics": "Learning to walk with a below-knee prosthesis, phantom pain, going back to college.",
        "availability": "Evenings and weekends",
        "capacity": 2,
    },
    "priya": {
        "languages": ["en", "hi"],
        "age_band": "25-39",
        "gender": "woman",
        "topics": "Above-knee prosthesis, microprocessor knees, socket liners, work and dating after surgery.",
        "availability": "Weekday evenings",
        "capacity": 2,
    },
    "finn": {
        "languages": ["en", "de"],
        "age_band": "18-24",
        "gender": "man",
        "topics": "Rotationplasty from childhood to running 10k, school and university, sport.",
        "availability": "Weekends",
        "capacity": 3,
    },
}


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example mentoring; returns how many rows were made (nothing when it already exists)."""
    if MentorProfile.objects.filter(user=people["priya"]).exists():
        return 0
    staff = people["rosa"]
    made = 0
    for key, fields in MENTORS.items():
        profile = mentoring.save_application(user=people[key], data={**fields, "accept_guidelines": True})
        mentoring.decide(staff=staff, profile=profile, action="approve")
        made += 1
    mentoring.save_application(
        user=people["ingrid"],
        data={
            "languages": ["en", "nl"],
            "age_band": "40-59",
            "topics": "Hip and femur replacement in mid-life, gardening again, patience.",
            "availability": "Mornings",
            "capacity": 1,
            "accept_guidelines": True,
        },
    )
    made += 1
    active = mentoring.request_mentor(
        mentee=people["jonas"],
        mentor=people["finn"],
        message="Did you ever get used to people staring? And how did you start running?",
        preferences={"waive_further_along": False},
    )
    mentoring.answer(mentor=people["finn"], mentorship=active, accept=True)
    mentoring.request_mentor(
        mentee=people["amara"],
        mentor=people["priya"],
        message="I'd love to talk to someone about getting my energy back for work.",
        preferences={"language": "en", "language_need": "required"},
    )
    made += 2
    Mentorship.objects.filter(mentee=people["amara"]).update(created_at=timezone.now() - timedelta(days=2))
    return made
