"""Demo data for the resource directory (called by seed_demo through library.demo).

Every entry is an invented example: each is marked `is_example` (pages say "Example entry — not a
real service"), UK numbers are from Ofcom's drama ranges (01632 960xxx, 07700 900xxx), US ones from
555-0100 to 555-0199, and websites are under example.org. Writes go through library.directory, so
the demo obeys the same checks as a curator; only the review dates are moved back afterwards so
staff see an entry flagged for review.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinship.library import directory
from kinship.library.models import Resource

WEEKDAYS = range(0, 5)
EVERY_DAY = range(0, 7)


def _hours(days: Any, opens: str, closes: str) -> list[dict[str, Any]]:
    return [{"weekday": d, "opens": opens, "closes": closes} for d in days]


# (verifier or None, days since last review, fields)
ENTRIES: list[tuple[str | None, int, dict[str, Any]]] = [
    (
        "rosa",
        20,
        {
            "kind": Resource.HELPLINE,
            "name": "Example Sarcoma Helpline",
            "description": "Specialist nurses answer questions about sarcoma and bone tumours, treatment, recovery "
            "after surgery and living with the after-effects. Callers can ask for a call back in the evening.",
            "phone": "01632 960101",
            "website": "https://example.org/sarcoma-helpline",
            "region": "National",
            "languages": "en",
            "eligibility": "Anyone affected by sarcoma: patients, family, friends and carers.",
            "cost": "Free",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "09:00", "17:00") + _hours([2], "18:00", "20:00"),
        },
    ),
    (
        "marcus",
        45,
        {
            "kind": Resource.HELPLINE,
            "name": "Example 24-hour Cancer Support Line",
            "description": "Trained volunteers listen, any time of day or night, when things feel too much.",
            "phone": "01632 960102",
            "website": "https://example.org/support-line",
            "region": "National",
            "languages": "en,cy",
            "eligibility": "Anyone affected by cancer.",
            "cost": "Free",
            "timezone": "Europe/London",
            "always_open": True,
        },
    ),
    (
        "ingrid",
        55,
        {
            "kind": Resource.HELPLINE,
            "name": "Example Carers' Line, open day and night",
            "description": "For parents, partners and friends caring for someone after bone tumour surgery: "
            "someone to talk to at 3am as much as at 3pm.",
            "phone": "01632 960104",
            "website": "https://example.org/carers-line",
            "region": "National",
            "languages": "en",
            "eligibility": "Carers of anyone affected by cancer.",
            "cost": "Free",
            "timezone": "Europe/London",
            "always_open": True,
        },
    ),
    (
        None,
        10,
        {
            "kind": Resource.HELPLINE,
            "name": "Example Young Adults Night Line",
            "description": "Evening and late-night chat for 16 to 30 year olds with bone cancer, run by people who "
            "have been through it. Opens at 19:00 and stays open past midnight.",
            "phone": "07700 900103",
            "region": "National",
            "languages": "en",
            "eligibility": "Ages 16 to 30, during or after treatment.",
            "cost": "Free (standard mobile rates)",
            "timezone": "Europe/London",
            "hours": _hours(EVERY_DAY, "19:00", "02:00"),
        },
    ),
    (
        "rosa",
        60,
        {
            "kind": Resource.HELPLINE,
            "name": "Example Bone Cancer Helpline (US)",
            "description": "Oncology social workers answer calls from patients and families across the United States.",
            "phone": "(212) 555-0134",
            "website": "https://example.org/us-helpline",
            "address": "New York, NY",
            "region": "United States",
            "languages": "en,es",
            "eligibility": "Patients and families in the United States.",
            "cost": "Free",
            "timezone": "America/New_York",
            "hours": _hours(WEEKDAYS, "09:00", "19:00") + _hours([5], "10:00", "14:00"),
        },
    ),
    (
        None,
        90,
        {
            "kind": Resource.COUNSELLING,
            "name": "Example Línea de Apoyo en Español",
            "description": "Apoyo emocional por teléfono en español para pacientes con cáncer de hueso y sus "
            "familias. Spanish-language emotional support line, open late on Friday and Saturday.",
            "phone": "(305) 555-0147",
            "region": "United States",
            "languages": "es,en",
            "eligibility": "Pacientes y familiares. Patients and families.",
            "cost": "Gratis / Free",
            "timezone": "America/New_York",
            "hours": _hours(WEEKDAYS, "10:00", "18:00") + _hours([4, 5], "20:00", "01:00"),
        },
    ),
    (
        "ingrid",
        30,
        {
            "kind": Resource.FINANCIAL,
            "name": "Example Young Person's Cancer Grant",
            "description": "One-off grants towards travel to treatment, heating bills and clothes that fit over a "
            "brace or prosthesis. Apply online; a decision usually comes within two weeks.",
            "phone": "01632 960111",
            "website": "https://example.org/grants",
            "region": "National",
            "languages": "en",
            "eligibility": "Ages 13 to 25 with a cancer diagnosis, living in the UK, referred by a nurse or "
            "social worker.",
            "cost": "Free to apply",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "10:00", "16:00"),
        },
    ),
    (
        None,
        120,
        {
            "kind": Resource.FINANCIAL,
            "name": "Example Benefits Advice Service",
            "description": "Advisers help with disability benefits, sick pay and blue badge applications after "
            "limb surgery, including appeals.",
            "phone": "01632 960112",
            "region": "Scotland",
            "languages": "en,pl",
            "eligibility": "Anyone living in Scotland.",
            "cost": "Free",
            "timezone": "Europe/London",
            "hours": _hours([0, 1, 2, 3], "09:30", "16:30") + _hours([4], "09:30", "13:00"),
        },
    ),
    (
        "rosa",
        15,
        {
            "kind": Resource.SPECIALIST,
            "name": "Example Regional Bone Sarcoma Centre",
            "description": "Specialist bone tumour service: diagnosis, limb salvage and amputation surgery, "
            "rotationplasty, and long-term follow-up clinics.",
            "phone": "01632 960121",
            "website": "https://example.org/bone-sarcoma-centre",
            "address": "Example Orthopaedic Hospital, 1 Example Road, Birmingham",
            "region": "West Midlands",
            "languages": "en",
            "eligibility": "By referral from a GP or hospital consultant.",
            "cost": "NHS",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "08:30", "17:30"),
        },
    ),
    (
        None,
        200,
        {
            "kind": Resource.SPECIALIST,
            "name": "Example Sarcoma Unit, London",
            "description": "Surgical and oncology teams for bone and soft tissue sarcoma; a specialist nurse "
            "co-ordinates each patient's care.",
            "phone": "01632 960122",
            "website": "https://example.org/london-sarcoma-unit",
            "address": "Example Hospital, Example Street, London",
            "region": "London",
            "languages": "en",
            "eligibility": "By referral.",
            "cost": "NHS",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "09:00", "17:00"),
        },
    ),
    (
        "marcus",
        70,
        {
            "kind": Resource.PHYSIOTHERAPY,
            "name": "Example Limb Salvage Physiotherapy Clinic",
            "description": "Physiotherapists who know endoprostheses and allografts: gait retraining, hydrotherapy "
            "and getting off crutches safely.",
            "phone": "01632 960131",
            "address": "Example Community Hospital, Manchester",
            "region": "North West England",
            "languages": "en,ur",
            "eligibility": "After bone tumour surgery, with a referral from your surgical team.",
            "cost": "NHS",
            "timezone": "Europe/London",
            "hours": _hours([0, 2, 4], "08:00", "18:00") + _hours([1, 3], "08:00", "20:00"),
        },
    ),
    (
        None,
        40,
        {
            "kind": Resource.PROSTHETICS,
            "name": "Example Limb Fitting Centre",
            "description": "Prosthetists and orthotists: first fittings, socket adjustments, sports limbs and "
            "rotationplasty prostheses. Drop-in repairs on Saturday mornings.",
            "phone": "01632 960141",
            "address": "Example Mobility Centre, Leeds",
            "region": "Yorkshire",
            "languages": "en",
            "eligibility": "Registered patients; new patients by referral.",
            "cost": "NHS",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "08:30", "16:30") + _hours([5], "09:00", "12:00"),
        },
    ),
    (
        "rosa",
        25,
        {
            "kind": Resource.COUNSELLING,
            "name": "Example Cancer Counselling Service",
            "description": "Up to twelve free counselling sessions, in person or by video, for patients and those "
            "close to them. Sessions in Welsh on request.",
            "phone": "01632 960151",
            "website": "https://example.org/counselling",
            "address": "Example Centre, Cardiff",
            "region": "Wales",
            "languages": "en,cy",
            "eligibility": "Anyone affected by cancer living in Wales.",
            "cost": "Free",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "09:00", "21:00"),
        },
    ),
    (
        None,
        50,
        {
            "kind": Resource.EDUCATION,
            "name": "Example Guide to Life After Limb Surgery",
            "description": "Booklets and short videos on wound care, phantom limb pain, returning to school and "
            "driving after surgery, written with patients.",
            "website": "https://example.org/guides",
            "region": "National",
            "languages": "en,es,pl",
            "eligibility": "Anyone.",
            "cost": "Free to download",
            "timezone": "Europe/London",
        },
    ),
    (
        "ingrid",
        80,
        {
            "kind": Resource.TRANSPORT,
            "name": "Example Home from Home Accommodation",
            "description": "Free rooms near the sarcoma centre for families of young patients during treatment, "
            "with a kitchen and parking.",
            "phone": "01632 960161",
            "address": "Example House, Birmingham",
            "region": "West Midlands",
            "languages": "en",
            "eligibility": "Families of patients under 25 treated at the regional centre.",
            "cost": "Free",
            "timezone": "Europe/London",
            "always_open": True,
        },
    ),
    (
        None,
        35,
        {
            "kind": Resource.TRANSPORT,
            "name": "Example Volunteer Hospital Drivers",
            "description": "Volunteer drivers take patients to appointments when public transport is not an option.",
            "phone": "01632 960162",
            "region": "Scotland",
            "languages": "en",
            "eligibility": "Book at least three working days ahead.",
            "cost": "Free; donations welcome",
            "timezone": "Europe/London",
            "hours": _hours(WEEKDAYS, "09:00", "15:00"),
        },
    ),
    (
        "marcus",
        100,
        {
            "kind": Resource.LEGAL,
            "name": "Example Work and Cancer Legal Advice",
            "description": "Solicitors advise on reasonable adjustments at work or school, discrimination and "
            "returning to work after amputation or limb salvage.",
            "phone": "01632 960171",
            "website": "https://example.org/work-rights",
            "region": "National",
            "languages": "en",
            "eligibility": "Anyone with a cancer diagnosis and their carers.",
            "cost": "Free first appointment",
            "timezone": "Europe/London",
            "hours": _hours([1, 3], "10:00", "16:00"),
        },
    ),
    (
        None,
        400,
        {
            "kind": Resource.PEER,
            "name": "Example Amputee Peer Network",
            "description": "Meet-ups, sports days and a buddy scheme pairing new amputees with people further "
            "along. Not reviewed for over a year: staff see it flagged.",
            "phone": "07700 900181",
            "website": "https://example.org/amputee-network",
            "region": "London",
            "languages": "en",
            "eligibility": "Amputees of any age and their families.",
            "cost": "Free membership",
            "timezone": "Europe/London",
        },
    ),
    (
        "rosa",
        5,
        {
            "kind": Resource.PEER,
            "name": "Example Rotationplasty Families Group",
            "description": "Families who chose rotationplasty share experience of growth, prostheses and sport.",
            "website": "https://example.org/rotationplasty-families",
            "region": "National",
            "languages": "en,es",
            "eligibility": "Families of children and young people with a rotationplasty.",
            "cost": "Free",
            "timezone": "Europe/London",
            "hours": _hours([5], "10:00", "12:00"),
        },
    ),
]


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add the example resources; returns how many were made. Meant for an empty database."""
    curator = people["rosa"]
    now = timezone.now()
    made = 0
    for verifier, days_since_review, fields in ENTRIES:
        resource = directory.create_resource(actor=curator, is_example=True, **fields)
        if verifier is not None:
            resource = directory.mark_reviewed(actor=people[verifier], resource=resource, verified=True)
        reviewed = now - timedelta(days=days_since_review)
        # Only the demo moves dates back; curators set them by reviewing.
        updates: dict[str, Any] = {"reviewed_at": reviewed}
        if verifier is not None:
            updates["verified_at"] = reviewed
        Resource.objects.filter(pk=resource.pk).update(**updates)
        made += 1
    return made
