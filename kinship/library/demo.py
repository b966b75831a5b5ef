"""Demo data for the directory, library, tips and referrals, in that order (referrals need resources)."""

from typing import Any

from kinship.library import demo_materials, demo_referrals, demo_resources, demo_tips


def seed(people: dict[str, Any], circles: dict[str, Any]) -> dict[str, int]:
    return {
        "resources": demo_resources.seed(people, circles),
        "materials": demo_materials.seed(people, circles),
        "tips": demo_tips.seed(people, circles),
        "referrals": demo_referrals.seed(people, circles),
    }
