"""Helpers for the library material tests: a throwaway media folder, sample PDFs and files that only pretend."""

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kinship.accounts.models import User
from kinship.core import testing
from kinship.library import materials
from kinship.library.demo_materials import build_pdf
from kinship.library.models import PAIN, Material

PDF_BYTES = build_pdf(["A test handout", "Second line"])

# Files that are not PDFs, each named .pdf and sent as application/pdf.
FAKE_PDFS = {
    "html": b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>",
    "html_with_pdf_inside": b"<html><script>alert(1)</script>%PDF-1.4\n%%EOF\n",
    "javascript": b"alert(document.cookie);\n%%EOF",
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40,
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 30,
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "leading_whitespace": b"   \n%PDF-1.4\n%%EOF\n",
    "bad_version": b"%PDF-x.y\n%%EOF\n",
}


def pdf_upload(name: str = "Guide to pain.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def add_link(curator: User, **fields: Any) -> Material:
    values: dict[str, Any] = {
        "title": "Understanding phantom limb pain",
        "description": "Why it happens and what helps.",
        "theme": PAIN,
        "source": "Sarcoma Support Trust (example)",
        "url": "https://example.org/library/phantom-limb-pain",
    }
    values.update(fields)
    return materials.add_material(curator=curator, **values)


def add_pdf(curator: User, *, upload: Any = None, **fields: Any) -> Material:
    values: dict[str, Any] = {
        "title": "Stairs with crutches",
        "description": "A one-page reminder.",
        "theme": PAIN,
        "source": "",
    }
    values.update(fields)
    return materials.add_material(curator=curator, upload=upload or pdf_upload(), **values)


class TemporaryMedia(testing.TemporaryMedia):
    """Stored files go to a throwaway folder, never the project's media directory."""

    def stored_files(self) -> list[str]:
        folder = Path(self.media_root) / "library"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
