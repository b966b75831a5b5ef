"""The form that collects a material; kinship.library.materials checks it (pages and API share those checks)."""

from typing import Any

from django import forms

from kinship.library import materials
from kinship.library.models import THEME_CHOICES, Material


class MaterialForm(forms.Form):
    title = forms.CharField(required=False, help_text=f"At most {Material.TITLE_MAX} characters.")
    theme = forms.ChoiceField(choices=[("", "Choose a theme"), *THEME_CHOICES], required=False)
    description = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"What it covers and who it helps. At most {Material.DESCRIPTION_MAX:,} characters.",
    )
    source = forms.CharField(
        required=False, help_text="Who published it, for example a hospital or a charity.", label="Source"
    )
    url = forms.CharField(
        required=False,
        label="Link",
        widget=forms.URLInput(attrs={"inputmode": "url", "placeholder": "https://"}),
        help_text="Give a link, or upload a PDF below: one or the other.",
    )
    file = forms.FileField(
        required=False,
        allow_empty_file=True,
        label="PDF file",
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=f"A PDF document of at most {materials.MAX_FILE_LABEL}.",
    )

    def __init__(self, *args: Any, material: Material | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if material is not None and material.kind == Material.PDF:
            self.fields["file"].help_text = (
                f"Now: {material.original_name}. Choose a new PDF (at most {materials.MAX_FILE_LABEL}) to replace it, "
                "or give a link above instead of the file."
            )
            self.fields["url"].help_text = "Leave empty to keep the PDF."

    def values(self) -> dict[str, Any]:
        """What the service takes: the text fields as typed, and the upload when one was chosen."""
        data = {name: self.cleaned_data.get(name, "") for name in ("title", "theme", "description", "source", "url")}
        upload = self.cleaned_data.get("file")
        if upload:
            data["upload"] = upload
        return data
