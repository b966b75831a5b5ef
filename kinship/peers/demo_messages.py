"""Demo data for messages (called by seed_demo): two conversations between members who share a circle."""

from typing import Any

from kinship.peers import messaging
from kinship.peers.models import Conversation

# (first writer, second writer, messages alternating between them)
CONVERSATIONS = [
    (
        "maya",
        "leo",
        [
            "Hey Leo, saw your post about the sock diary. Did it actually help with the rubbing?",
            "It did! Two weeks in and no blisters. The trick is writing down *which* ply you wore.",
            "Okay I'm stealing that for my knee brace. Thanks :)",
        ],
    ),
    (
        "priya",
        "finn",
        [
            "Finn, you asked about socket liners: happy to show you mine at the next meetup if you like.",
            "Yes please! Silicone or gel? My prosthetist keeps saying *it depends*.",
        ],
    ),
]


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example conversations once (a second run adds nothing); returns how many messages were made."""
    made = 0
    for first, second, lines in CONVERSATIONS:
        a, b = people.get(first), people.get(second)
        if a is None or b is None:
            continue
        low, high = sorted((a.pk, b.pk))
        if Conversation.objects.filter(low_id=low, high_id=high).exists():
            continue
        if not messaging.can_message(a, b):
            continue
        conversation, _, _ = messaging.start_conversation(sender=a, recipient=b, body=lines[0])
        made += 1
        for i, line in enumerate(lines[1:], start=1):
            messaging.send_message(sender=b if i % 2 else a, conversation=conversation, body=line)
            made += 1
    return made
