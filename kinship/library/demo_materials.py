"""Demo data for the materials area (called by seed_demo through library.demo).

Every entry is an example: links point at example.org, sources say "(example)", and the two PDFs
are one-page documents made here, in code, so seeding needs no network.
"""

from typing import Any

from django.core.files.base import ContentFile

from kinship.library import materials
from kinship.library.models import (
    DAILY_LIVING,
    MENTAL_HEALTH,
    NUTRITION,
    PAIN,
    PHYSIO,
    PROSTHETICS,
    SCHOOL_WORK,
    TREATMENT,
    Material,
)

EXAMPLE_NOTE = "Example entry for the demo: not a real publication."

LINKS = [
    (
        "marcus",
        PAIN,
        "Understanding phantom limb pain",
        "Why an amputated limb can still hurt, and what helps: mirror therapy, graded motor imagery, "
        "medication and the daily habits other members found useful.",
        "Sarcoma Support Trust (example)",
        "https://example.org/library/phantom-limb-pain",
    ),
    (
        "ingrid",
        PHYSIO,
        "Home exercises after an endoprosthesis of the knee",
        "A week-by-week programme with pictures, from the first bed exercises to stairs. "
        "Check with your own physiotherapist before you start.",
        "Example Orthopaedic Hospital physiotherapy team",
        "https://example.org/library/knee-endoprosthesis-exercises",
    ),
    (
        "nadia",
        PROSTHETICS,
        "Your first prosthesis: what to expect at the fitting",
        "Casting, test sockets, the first steps in the parallel bars and how long it usually takes.",
        "Limb Loss Network (example)",
        "https://example.org/library/first-prosthesis-fitting",
    ),
    (
        "tom",
        SCHOOL_WORK,
        "Going back to school after bone cancer surgery",
        "For parents and teachers: planning a phased return, lifts and rest breaks, exams and talking to classmates.",
        "Young People's Cancer Charity (example)",
        "https://example.org/library/back-to-school",
    ),
    (
        "rosa",
        NUTRITION,
        "Eating well during and after chemotherapy",
        "Small meals, protein for healing, and what to do when food tastes of metal.",
        "Example Cancer Dietitians' Group",
        "https://example.org/library/eating-during-chemotherapy",
    ),
    (
        "marcus",
        MENTAL_HEALTH,
        "Body image after limb surgery",
        "Short films and a workbook on the feelings that come with a changed body, and where to get support.",
        "Sarcoma Support Trust (example)",
        "https://example.org/library/body-image",
    ),
    (
        "ingrid",
        DAILY_LIVING,
        "Adapting your home: grab rails, shower seats and ramps",
        "A room-by-room checklist and how to ask for a home assessment by an occupational therapist.",
        "Independent Living Advice (example)",
        "https://example.org/library/home-adaptations",
    ),
    (
        "rosa",
        TREATMENT,
        "Follow-up scans after sarcoma treatment: a plain-language guide",
        "How often scans usually happen in the first five years, what each one looks for, and coping with "
        "the wait for results.",
        "Example Sarcoma Centre",
        "https://example.org/library/follow-up-scans",
    ),
]

PDFS = [
    (
        "nadia",
        PHYSIO,
        "Stairs with crutches: a one-page reminder",
        "The classic rule, printable for the fridge: up with the good leg, down with the bad.",
        "Kinship facilitators (example)",
        "stairs-with-crutches.pdf",
        [
            "Stairs with crutches (example handout)",
            "Going up: good leg first, then crutches and the operated leg.",
            "Going down: crutches and the operated leg first, then the good leg.",
            "Use the handrail when there is one. Take your time.",
            "Example entry for the Kinship demo: not medical advice.",
        ],
    ),
    (
        "tom",
        SCHOOL_WORK,
        "Letter template: asking school for a phased return",
        "A short letter parents can adapt, asking for lift access, rest breaks and extra time.",
        "Kinship facilitators (example)",
        "phased-return-letter.pdf",
        [
            "Letter template: phased return to school (example)",
            "Dear Head of Year,",
            "After surgery our child will return to school part time at first.",
            "We would like to agree lift access, rest breaks and extra time in exams.",
            "Example entry for the Kinship demo.",
        ],
    ),
]


def _pdf_text(line: str) -> str:
    """A line as a PDF literal string: backslash and brackets escaped, plain ASCII."""
    ascii_line = line.encode("ascii", "replace").decode("ascii")
    return ascii_line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def build_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF (A4, Helvetica) with these lines, cross-reference table included."""
    text = ["BT", "/F1 14 Tf", "56 780 Td", "20 TL"]
    for line in lines:
        text.append(f"({_pdf_text(line)}) Tj T*")
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed(people: dict[str, Any], circles: dict[str, Any]) -> int:
    """Add example materials; returns how many were made. Entries already there (same title) are skipped."""
    existing = set(Material.objects.values_list("title", flat=True))
    made = 0
    for who, theme, title, description, source, url in LINKS:
        if title in existing:
            continue
        materials.add_material(
            curator=people[who],
            title=title,
            description=f"{description}\n\n{EXAMPLE_NOTE}",
            theme=theme,
            source=source,
            url=url,
        )
        made += 1
    for who, theme, title, description, source, filename, lines in PDFS:
        if title in existing:
            continue
        materials.add_material(
            curator=people[who],
            title=title,
            description=f"{description}\n\n{EXAMPLE_NOTE}",
            theme=theme,
            source=source,
            upload=ContentFile(build_pdf(lines), name=filename),
        )
        made += 1
    return made
