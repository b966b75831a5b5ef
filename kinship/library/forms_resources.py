"""Forms of the resource directory. They collect input; library.directory checks it and says what is wrong."""

from typing import Any

from django import forms
from django.forms import formset_factory

from kinship.events import recurrence
from kinship.library import hours as hours_mod
from kinship.library.models import OpeningHours, Resource

WEEKDAY_CHOICES = [("", "—"), *[(str(d), name) for d, name in OpeningHours.WEEKDAY_CHOICES]]
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SERVICE_FIELDS = [
    "kind", "name", "description", "website", "phone", "address", "region", "languages", "eligibility", "cost",
    "timezone", "always_open", "is_example",
]  # fmt: skip
BLANK_HOUR_ROWS = 3


class ResourceFilterForm(forms.Form):
    """Drawn from the query string (GET); directory.parse_filters is what checks it."""

    q = forms.CharField(label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"}))
    kind = forms.ChoiceField(label="Kind", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    open_now = forms.BooleanField(label="Open now", required=False)

    def __init__(self, *args: Any, regions: list[str], languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choose("kind", [("", "Any kind"), *Resource.KIND_CHOICES])
        self._choose("region", [("", "Anywhere"), *[(r, r) for r in regions]])
        self._choose("language", [("", "Any language"), *languages])

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(choices=Resource.KIND_CHOICES)
    name = forms.CharField(required=False, help_text=f"At most {Resource.NAME_MAX} characters.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))
    website = forms.CharField(required=False, widget=forms.URLInput, help_text="Starting with https://")
    phone = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="As people dial it, e.g. 0808 808 0000 or +44 20 7946 0000.",
    )
    address = forms.CharField(required=False)
    region = forms.CharField(
        required=False, help_text="A short place name people filter by: London, Scotland, National."
    )
    languages = forms.CharField(
        required=False, help_text="ISO 639 codes separated by commas, e.g. en, es, pl (bfi: British Sign Language)."
    )
    eligibility = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Who may use it: age, diagnosis, area."
    )
    cost = forms.CharField(required=False, help_text="e.g. Free, or £10 a session.")
    timezone = forms.ChoiceField(label="Time zone", help_text="The opening hours are read in this time zone.")
    always_open = forms.BooleanField(
        label="Open 24/7", required=False, help_text="Opening hours below are then ignored."
    )
    is_example = forms.BooleanField(
        label="Example entry (not a real service)",
        required=False,
        help_text="Pages mark it as an example; use it for demonstrations and training only.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone_field = self.fields["timezone"]
        assert isinstance(zone_field, forms.ChoiceField)
        zone_field.choices = [(z, z.replace("_", " ")) for z in recurrence.zone_choices()]
        zone_field.initial = "Europe/London"

    def values(self) -> dict[str, Any]:
        """What directory.create_resource and update_resource take (without hours); call after is_valid()."""
        return {name: self.cleaned_data.get(name) for name in SERVICE_FIELDS}


class ResourceEditForm(ResourceForm):
    active = forms.BooleanField(
        label="Listed in the directory",
        required=False,
        help_text="Untick to take the entry out of the directory; referrals to it keep working.",
    )

    def values(self) -> dict[str, Any]:
        return {**super().values(), "active": self.cleaned_data.get("active", False)}


def resource_initial(resource: Resource) -> dict[str, Any]:
    initial: dict[str, Any] = {name: getattr(resource, name) for name in SERVICE_FIELDS}
    initial["languages"] = ", ".join(resource.language_list)
    initial["active"] = resource.active
    return initial


class HoursForm(forms.Form):
    """One opening period; a row left empty is ignored."""

    weekday = forms.ChoiceField(label="Day", choices=WEEKDAY_CHOICES, required=False)
    opens = forms.CharField(label="Opens", required=False, widget=TIME_INPUT)
    closes = forms.CharField(label="Closes", required=False, widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [bool(data.get(f)) for f in ("weekday", "opens", "closes")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                "Give the day, the opening time and the closing time (or leave all three empty)."
            )
        for name in ("opens", "closes"):
            if data.get(name):
                try:
                    data[name] = hours_mod.parse_time(str(data[name])[:8])
                except hours_mod.HoursSyntaxError as error:
                    self.add_error(name, str(error))
        return data


def hours_formset(data: Any = None, *, resource: Resource | None = None) -> Any:
    """The hours editor: one row per stored period, then a few empty rows (save to get more)."""
    initial = []
    if resource is not None:
        initial = [{"weekday": str(h.weekday), "opens": h.opens, "closes": h.closes} for h in resource.hours.all()]
    blanks = min(BLANK_HOUR_ROWS if initial else 7, hours_mod.MAX_PERIODS - len(initial))
    cls = formset_factory(
        HoursForm,
        extra=blanks,
        max_num=hours_mod.MAX_PERIODS,
        absolute_max=hours_mod.MAX_PERIODS,
        validate_max=True,
    )
    return cls(data, initial=initial, prefix="hours")


def hours_values(formset: Any) -> list[dict[str, Any]]:
    """The filled rows as the service's {weekday, opens, closes}; call after is_valid()."""
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if data.get("weekday") and data.get("opens") and data.get("closes"):
            rows.append({"weekday": int(data["weekday"]), "opens": data["opens"], "closes": data["closes"]})
    return rows


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV, at most 1 MB and 2,000 rows, with the columns of the export.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    check_only = forms.BooleanField(
        label="Only check the file", required=False, help_text="Shows the report without saving anything."
    )
